"""The demo register: sizes, two periods, consistent households, the deliberate violations, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _query import query as _q

from app.cli import main
from app.fonts import missing_chars
from app.services.demo import generate
from app.services.demo_people import check_digit
from app.storage import Database

DELIBERATE = {"H-01", "H-03", "H-05", "H-07", "H-10", "H-11", "H-13", "H-14", "H-15"}


@pytest.fixture(scope="module")
def demo2000(tmp_path_factory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("demo2000") / "demo.db"
    with Database(path, create=True) as db:
        summary = generate(db, persons=2000, seed=11)
    return path, summary


def _hh(path: Path, uuid: str, month: str = "2020-03") -> int:
    return _q(path, "SELECT h.id FROM households h JOIN periods p ON p.id = h.period_id "
                    "WHERE h.uuid = ? AND p.month = ?", uuid, month)[0][0]


def test_sizes_and_periods(demo2000):
    path, s = demo2000
    assert s["persons"] == 2000 and s["periods"] == ["2020-02", "2020-03"]
    assert _q(path, "SELECT month, state FROM periods ORDER BY month") == [("2020-02", "locked"), ("2020-03", "open")]
    for month in s["periods"]:
        n_p = _q(path, "SELECT count(*) FROM persons p JOIN households h ON h.id = p.household_id "
                       "JOIN periods m ON m.id = h.period_id WHERE m.month = ?", month)[0][0]
        n_h = _q(path, "SELECT count(*) FROM households h JOIN periods m ON m.id = h.period_id WHERE m.month = ?",
                 month)[0][0]
        assert (n_p, n_h) == (2000, s["households"])
    levels = dict(_q(path, "SELECT level, count(*) FROM units GROUP BY level"))
    assert levels["county"] == 1 and 4 <= levels["township"] <= 8 and levels["village"] == s["villages"]
    codes = [c for (c,) in _q(path, "SELECT division_code FROM units")]
    assert all(len(c) == 12 and c.isdigit() for c in codes)
    towns = [n for (n,) in _q(path, "SELECT name FROM units WHERE level = 'township'")]
    assert all(n.endswith(("镇", "乡", "街道")) for n in towns)
    assert all(n.endswith("村") for (n,) in _q(path, "SELECT name FROM units WHERE level = 'village'"))
    # The same households (by uuid) in both months.
    uu = _q(path, "SELECT count(DISTINCT uuid), count(*) FROM households")[0]
    assert uu == (s["households"], 2 * s["households"])
    sizes = [n for (n,) in _q(path, "SELECT count(*) FROM persons GROUP BY household_id")]
    assert min(sizes) >= 1 and max(sizes) <= 7
    office = _q(path, "SELECT unit_id, preparer, preparer_phone, upper_mailbox FROM office WHERE id = 1")[0]
    assert office[0] == 1 and all(office)
    n_proj = _q(path, "SELECT count(*) FROM fund_projects GROUP BY period_id")
    assert [6 <= n <= 10 for (n,) in n_proj] == [True, True]


def test_households_are_consistent(demo2000):
    path, s = demo2000
    bad_first = _q(path, "SELECT count(*) FROM persons WHERE position = 0 AND relation != '户主'")[0][0]
    assert bad_first == 0
    two_heads = _q(path, "SELECT household_id FROM persons WHERE relation = '户主' GROUP BY household_id "
                         "HAVING count(*) != 1")
    assert {h for (h,) in two_heads} == {_hh(path, s["violations"]["H-01"], m) for m in s["periods"]}
    # Children 20+ years younger than the head, except the deliberate H-07 household.
    young = _q(path, "SELECT DISTINCT c.household_id FROM persons c JOIN persons h ON h.household_id = c.household_id "
                     "AND h.position = 0 WHERE c.relation IN ('之子', '之女') AND c.age > h.age - 18")
    assert {h for (h,) in young} == {_hh(path, s["violations"]["H-07"], m) for m in s["periods"]}
    # 其中 columns are subsets.
    for sub, of in (("industry_started", "industry"), ("industry_benefited", "industry"),
                    ("public_post", "employment"), ("graduate_placement", "employment")):
        assert _q(path, f"SELECT count(*) FROM persons WHERE {sub} AND NOT {of}")[0][0] == 0
        assert _q(path, f"SELECT count(*) FROM persons WHERE {sub}")[0][0] > 0 or sub == "graduate_placement"
    bands = dict(_q(path, "SELECT band, count(*) FROM households GROUP BY band"))
    assert bands["A"] > 0 and bands["B"] > 0
    out_of_band = _q(path, "SELECT uuid FROM households WHERE (band = 'A' AND prior_income >= 5000) "
                           "OR (band = 'B' AND (prior_income < 5000 OR prior_income > 5760))")
    assert {u for (u,) in out_of_band} == {s["violations"]["H-13"]}
    colours = dict(_q(path, "SELECT risk_colour, count(*) FROM households GROUP BY risk_colour"))
    assert colours["green"] > colours.get("yellow", 0) > 0
    assert _q(path, "SELECT count(*) FROM households WHERE risk_colour != 'green' AND risk_reasons IS NULL")[0][0] == 0
    closed = _q(path, "SELECT count(*) FROM households WHERE closed_out AND closed_out_on IS NOT NULL")[0][0]
    assert closed > 0
    assert _q(path, "SELECT count(*) FROM households h WHERE band = 'A' AND NOT EXISTS "
                    "(SELECT 1 FROM measures m WHERE m.household_id = h.id)")[0][0] == 0


def test_names_ids_and_phones(demo2000):
    path, s = demo2000
    names = [n for (n,) in _q(path, "SELECT DISTINCT name FROM persons")]
    assert any("堃" in n for n in names) and any("䶮" in n for n in names) and any("𠮷" in n for n in names)
    assert any("·" in n for n in names)
    assert missing_chars("".join(names)) == []
    with_digit = [n for n in names if any(ch.isdigit() for ch in n)]
    assert len(with_digit) == 1
    ids = _q(path, "SELECT h.uuid, p.id_number, p.age FROM persons p JOIN households h ON h.id = p.household_id "
                   "WHERE p.id_number IS NOT NULL")
    assert len(ids) > 100
    bad = {u for u, n, _a in ids if check_digit(n[:17]) != n[17]}
    assert bad == {s["violations"]["H-15"]}
    for _u, n, age in ids:  # birth date gives the age at the end of February and of March 2020
        born = (int(n[6:10]), int(n[10:12]), int(n[12:14]))
        assert 2020 - born[0] - (born[1] > 2) == age
    phones = [p for (p,) in _q(path, "SELECT head_phone FROM households")]
    invalid = {p for p in phones if not (p and len(p) == 11 and p[0] == "1" and p[1] in "3456789")}
    assert invalid == {"1381234567"}
    assert {r for (r,) in _q(path, "SELECT expected_month FROM households WHERE expected_month NOT LIKE '2020.%'")} \
        == {"2021.05"}
    assert _q(path, "SELECT count(*), max(age) FROM persons WHERE age > 120") == [(2, 130)]
    assert _q(path, "SELECT DISTINCT uuid FROM households WHERE housing_grade IN ('C', 'D') "
                    "AND NOT housing_renovated") == [(s["violations"]["H-14"],)]


def test_month_over_month(demo2000):
    path, s = demo2000
    town, village = s["m07_village"].split("/")

    def benefited(month: str) -> int:
        return _q(path, "SELECT count(*) FROM persons p JOIN households h ON h.id = p.household_id "
                        "JOIN periods m ON m.id = h.period_id JOIN units v ON v.id = h.village_id "
                        "JOIN units t ON t.id = v.parent_id WHERE m.month = ? AND v.name = ? AND t.name = ? "
                        "AND h.band = 'A' AND p.industry_benefited", month, village, town)[0][0]

    feb, mar = benefited("2020-02"), benefited("2020-03")
    assert feb > 5 and mar <= 1
    closed = dict(_q(path, "SELECT m.month, sum(h.closed_out) FROM households h JOIN periods m ON m.id = h.period_id "
                           "GROUP BY m.month"))
    assert closed["2020-03"] > closed["2020-02"]


def test_deterministic(tmp_path):
    out = []
    for k in range(2):
        path = tmp_path / f"d{k}.db"
        with Database(path, create=True) as db:
            generate(db, persons=150, seed=5)
        out.append(_q(path, "SELECT p.uuid, p.name, p.age, h.uuid FROM persons p JOIN households h "
                            "ON h.id = p.household_id ORDER BY p.id"))
    assert out[0] == out[1]
    path = tmp_path / "d2.db"
    with Database(path, create=True) as db:
        generate(db, persons=150, seed=6)
    assert _q(path, "SELECT p.uuid FROM persons p ORDER BY p.id") != [(r[0],) for r in out[0]]


def test_check_finds_every_deliberate_code(demo2000, tmp_path, capsys):
    path, s = demo2000
    copy = tmp_path / "c.db"
    copy.write_bytes(path.read_bytes())
    assert main(["check", "--db", str(copy), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == "2020-03"
    by_code: dict[str, set] = {}
    for f in report["findings"]:
        by_code.setdefault(f["code"], set()).add(f["household"])
    for code in DELIBERATE:  # each deliberate code fires on its household and nowhere else
        assert by_code.get(code) == {s["violations"][code]}, code
    assert sum(f["code"] == "H-07" for f in report["findings"]) == 1
    errors = {f["code"] for f in report["findings"] if f["severity"] == "E"}
    assert errors <= DELIBERATE
    assert {f["unit"] for f in report["findings"] if f["code"] == "M-07"} == {s["m07_village"]}


def test_cli_demo_and_init(tmp_path, capsys):
    db = tmp_path / "sub" / "demo.db"
    assert main(["demo", "--db", str(db), "--persons", "120", "--seed", "2", "--year", "2020"]) == 0
    assert "120人" in capsys.readouterr().err
    assert main(["demo", "--db", str(db)]) == 1  # has data
    assert main(["demo", "--db", str(db), "--persons", "0"]) == 2
    assert main(["init", "--db", str(db)]) == 2  # refuses an existing, non-empty file

    new = tmp_path / "new.db"
    assert main(["init", "--db", str(new), "--unit", "康平县/暖泉镇"]) == 0
    assert _q(new, "SELECT u.name, u.level FROM office o JOIN units u ON u.id = o.unit_id") == [("暖泉镇", "township")]
    assert _q(new, "SELECT count(*) FROM units") == [(2,)]
    assert main(["init", "--db", str(tmp_path / "x.db"), "--unit", "a/b/c/d"]) == 2
    empty = tmp_path / "empty.db"
    assert main(["init", "--db", str(empty)]) == 0
    assert _q(empty, "SELECT count(*) FROM units") == [(0,)]
    with Database(empty) as database:  # the schema is at head: the register opens without upgrading
        from app.migrations import current_revision, head_revision

        assert current_revision(database.engine) == head_revision()


@pytest.mark.parametrize(("today", "months"), [
    ("2026-11-30", ("2026-10", "2026-11")),  # November's data is being reported (due 5 December)
    ("2026-12-04", ("2026-10", "2026-11")),  # still November's until the 5th
    ("2026-12-06", ("2026-11", "2026-12")),
    ("2027-01-20", ("2026-11", "2026-12")),  # January: both months stay in one year
    ("2026-03-01", ("2026-01", "2026-02")),
])
def test_demo_months_before_today(today, months):
    import datetime as dt

    from app.services.demo_parts import DemoMonths

    m = DemoMonths.before(dt.date.fromisoformat(today))
    assert (m.prev, m.latest) == months
    assert DemoMonths.of_year(2020) == DemoMonths()


def test_cli_demo_is_dated_to_this_month(tmp_path, capsys):
    """The default demo opens on the month being reported now, not overdue; --year keeps 2020."""
    import datetime as dt

    from app.kernel.month import due_date
    from app.services.demo_parts import DemoMonths

    db = tmp_path / "now.db"
    assert main(["demo", "--db", str(db), "--persons", "300", "--seed", "3"]) == 0
    want = DemoMonths.before(dt.date.today())
    assert _q(db, "SELECT month, state FROM periods ORDER BY month") == [(want.prev, "locked"), (want.latest, "open")]
    assert due_date(want.latest) >= dt.date.today()
    closed = _q(db, "SELECT max(closed_out_on) FROM households")[0][0]
    assert closed is None or closed <= dt.date.today().isoformat()
    capsys.readouterr()
    assert main(["check", "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["period"] == want.latest
    errors = {f["code"] for f in report["findings"] if f["severity"] == "E"}
    assert errors <= DELIBERATE and {"H-13", "H-05"} <= errors
    old = tmp_path / "2020.db"
    assert main(["demo", "--db", str(old), "--persons", "120", "--year", "2020"]) == 0
    assert _q(old, "SELECT month FROM periods ORDER BY month") == [("2020-02",), ("2020-03",)]


def test_a_november_demo_has_the_same_findings(tmp_path, capsys):
    """Shifted months keep the deliberate violations and nothing else erroneous (here Oct/Nov 2026)."""
    import datetime as dt

    from app.services.demo_parts import DemoMonths

    path = tmp_path / "nov.db"
    with Database(path, create=True) as db:
        s = generate(db, persons=1000, seed=11, months=DemoMonths("2026-10", "2026-11", dt.date(2026, 11, 20)))
    assert s["periods"] == ["2026-10", "2026-11"]
    assert main(["check", "--db", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_code: dict[str, set] = {}
    for f in report["findings"]:
        by_code.setdefault(f["code"], set()).add(f["household"])
    for code in DELIBERATE:
        assert by_code.get(code) == {s["violations"][code]}, code
    assert {f["code"] for f in report["findings"] if f["severity"] == "E"} <= DELIBERATE
    assert _q(path, "SELECT max(closed_out_on) FROM households")[0][0] <= "2026-11-20"

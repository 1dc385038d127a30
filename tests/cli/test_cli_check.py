"""`guatu check` and `guatu stats` through app.cli.main: JSON shapes, human output, exit codes."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.models import Household, Measure, Person
from app.services.periods import ensure_period
from app.services.units import ensure_path

FINDING_KEYS = {"code", "severity", "message", "file", "sheet", "row", "column", "unit", "household", "person",
                "field", "note"}


@pytest.fixture
def small(db, db_path):
    """暖泉镇 with two villages, one household each in 2020-03; one household has an age of 130 (H-05)."""
    with db.session() as s:
        period = ensure_period(s, "2020-03")
        for village, head, age in (("前暖泉村", "于德海", 55), ("后暖泉村", "孙永和", 130)):
            v = ensure_path(s, ["康平县", "暖泉镇", village])
            h = Household(period_id=period.id, village_id=v.id, band="A", prior_income=4200,
                          head_phone="15140731234", cause="收入较低", helper_name="李振国",
                          helper_phone="024-82703810", expected_month="2020.10", ytd_income=1200)
            h.members = [Person(position=0, name=head, relation="户主", age=age, health="健康", labour="弱劳动力")]
            h.measures = [Measure(position=0, category="产业带动", text="养羊")]
            s.add(h)
    db.close()
    return db_path


def run_json(capsys, *argv) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_check_json(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "check", "--json")
    assert code == 0  # a report, even with errors
    assert doc["period"] == "2020-03" and doc["errors"] == 1 and doc["warnings"] == 0
    (f,) = doc["findings"]
    assert set(f) == FINDING_KEYS
    assert (f["code"], f["severity"], f["unit"], f["field"]) == ("H-05", "E", "暖泉镇/后暖泉村", "age")
    assert "130" in f["message"]


def test_check_unit_and_period(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "check", "--unit", "前暖泉村", "--period", "2020-03", "--json")
    assert code == 0 and doc["findings"] == [] and doc["errors"] == 0
    code, doc = run_json(capsys, "check", "--db", str(small), "--unit", "康平县/暖泉镇/后暖泉村", "--json")
    assert code == 0 and doc["errors"] == 1


def test_check_human_output(small, capsys):
    assert main(["--db", str(small), "check"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("[H-05 错误] 暖泉镇/后暖泉村：") and "130" in out[0]
    assert out[-1].startswith("2020年3月数据") and "错误1条" in out[-1] and "提示0条" in out[-1]


@pytest.mark.parametrize("argv", [
    ["check", "--unit", "不存在村"],
    ["check", "--period", "2020-13"],
    ["check", "--period", "2019-01"],
    ["stats", "--period", "20-03"],
])
def test_usage_errors_exit_2(small, capsys, argv):
    assert main(["--db", str(small), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err and captured.err.strip()


def test_not_a_database_exits_2(tmp_path, capsys):
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库", encoding="utf-8")
    assert main(["--db", str(bogus), "check", "--json"]) == 2
    assert main(["--db", str(tmp_path / "missing.db"), "stats"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_check_opens_read_only(small, capsys):
    """A running GUI holds the write lock; check still works (it never writes)."""
    from app.storage import Database

    with Database(small):
        code, doc = run_json(capsys, "--db", str(small), "check", "--json")
    assert code == 0 and doc["errors"] == 1


def test_stats_json(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "stats", "--json")
    assert code == 0
    assert doc == {
        "period": "2020-03", "households": 2, "persons": 2,
        "villages": {"暖泉镇/前暖泉村": {"households": 1, "persons": 1},
                     "暖泉镇/后暖泉村": {"households": 1, "persons": 1}},
        "findings": {"H-05": 1},
    }


def test_stats_human(small, capsys):
    assert main(["--db", str(small), "stats"]) == 0
    out = capsys.readouterr().out
    assert "2户，2人，2个村" in out and "H-05 错误 1条" in out

"""附件1/附件2 rows derived from a register built here, checked cell by cell; hand counts, drill-down."""

from __future__ import annotations

import json

import pytest
from _counts_register import build
from sqlalchemy import select

from app.domain import FORM1_COUNTS
from app.models import AuditEntry, HandCount
from app.services import counts
from app.services.errors import LockedPeriod, Refused, UsageError
from app.services.periods import get_period, lock_period
from app.services.units import find_unit

F1 = ("kind", "seq", "county", "township", "village", *FORM1_COUNTS)
# kind, seq, county, township, village, total, housing, education, medical, water, industry, started,
# benefited, employment, public_post, graduate_placement, dibao, <4400, 4400-5000, >=5000
FORM1_COUNTY = [
    ("county_total", 1, "康平县", "全县合计数", None, 17, 3, 1, 3, 3, 6, 5, 5, 3, 1, 0, 2, 9, 4, 4),
    ("township_total", 2, "康平县", "暖泉镇", "全镇合计", 10, 1, 1, 3, 1, 6, 5, 5, 3, 1, 0, 2, 4, 2, 4),
    ("unit", 3, "康平县", "暖泉镇", "前暖泉村", 5, 1, 1, 2, 1, 2, 1, 1, 2, 1, 0, 1, 3, 2, 0),
    ("unit", 4, "康平县", "暖泉镇", "后暖泉村", 5, 0, 0, 1, 0, 4, 4, 4, 1, 0, 0, 1, 1, 0, 4),
    ("township_total", 5, "康平县", "沙金乡", "全乡合计", 7, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0),
    ("unit", 6, "康平县", "沙金乡", "沙金村", 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0),
    ("unit", 7, "康平县", "沙金乡", "手填村", 5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0),
]


@pytest.fixture
def register(db):
    build(db)
    return db


def _rows(db, form, unit="康平县", month="2020-03"):
    with db.session() as s:
        return counts.rows(s, get_period(s, month), find_unit(s, unit), form)


def test_form1_county_rows_cell_by_cell(register):
    rows = _rows(register, 1)
    assert [tuple(r[c] for c in F1) for r in rows] == FORM1_COUNTY
    assert all(list(r) == ["kind", *counts.FORM_CODES[1]] for r in rows)  # column order of forms.md
    json.dumps(rows, ensure_ascii=False)  # the --json document as is


def test_form1_township_scope_starts_with_its_total(register):
    rows = _rows(register, 1, "暖泉镇")
    assert [tuple(r[c] for c in F1) for r in rows] == [
        (k, i, *rest) for i, (k, _, *rest) in enumerate(FORM1_COUNTY[1:4], 1)
    ]


def test_form1_village_scope_is_its_row(register):
    rows = _rows(register, 1, "暖泉镇/后暖泉村")
    assert [tuple(r[c] for c in F1) for r in rows] == [FORM1_COUNTY[3][:1] + (1,) + FORM1_COUNTY[3][2:]]


def test_income_bins_count_persons_and_missing_ytd_is_lowest(register):
    # 后暖泉村: one person of a household without ytd income (< 4400), four at 5200 (≥ 5000);
    # 沙金村: 4400 exactly falls in 4400-5000.
    by_village = {r["village"]: r for r in _rows(register, 1)}
    assert (by_village["后暖泉村"]["inc_lt_4400"], by_village["后暖泉村"]["inc_ge_5000"]) == (1, 4)
    assert by_village["沙金村"]["inc_4400_5000"] == 2


def test_form2_county_rows(register):
    rows = _rows(register, 2)
    counts_b = {"total": 8, "housing": 1, "education": 0, "medical": 0, "water": 0, "industry": 3,
                "industry_started": 0, "industry_benefited": 0, "employment": 1, "public_post": 0,
                "graduate_placement": 1, "dibao": 1, "inc_5000_5760": 4, "inc_gt_5760": 3}
    assert rows == [
        {"kind": "county_total", "seq": None, "county": "全县合计", **counts_b},
        {"kind": "unit", "seq": 1, "county": "康平县", **counts_b},
    ]
    assert list(rows[1]) == ["kind", *counts.FORM_CODES[2]]


def test_form2_township_fills_its_own_row(register):
    rows = _rows(register, 2, "暖泉镇")
    assert [(r["kind"], r["seq"], r["county"], r["total"], r["industry"], r["inc_5000_5760"], r["inc_gt_5760"])
            for r in rows] == [("township_total", None, "全镇合计", 5, 3, 2, 3), ("unit", 1, "暖泉镇", 5, 3, 2, 3)]


def test_previous_rows_are_last_months(register):
    with register.session() as s:
        period, unit = get_period(s, "2020-03"), find_unit(s, "康平县")
        prev = counts.previous_rows(s, period, unit, 1)
        assert [r.values["employment"] for r in prev] == [6, 6, 2, 4, 0, 0, 0]
        assert counts.previous_rows(s, get_period(s, "2020-02"), unit, 1) == []


def test_drill_down_lists_the_persons_behind_a_number(register):
    with register.session() as s:
        period = get_period(s, "2020-03")
        people = counts.derived_persons(s, period, find_unit(s, "暖泉镇"), "medical")
        assert [(p["name"], p["unit"]) for p in people] == [
            ("成员0甲", "暖泉镇/前暖泉村"), ("成员1乙", "暖泉镇/前暖泉村"), ("成员3甲", "暖泉镇/后暖泉村")]
        lt = counts.derived_persons(s, period, find_unit(s, "暖泉镇/后暖泉村"), "inc_lt_4400")
        assert [p["ytd_income"] for p in lt] == [None]
        gt = counts.derived_persons(s, period, find_unit(s, "康平县"), "inc_gt_5760", form=2)
        assert len(gt) == 3 and {p["unit"] for p in gt} == {"暖泉镇/后暖泉村"}
        for row in counts.rows(s, period, find_unit(s, "暖泉镇"), 1):  # every derived cell = its persons
            for code in FORM1_COUNTS:
                unit = find_unit(s, f"暖泉镇/{row['village']}") if row["kind"] == "unit" else find_unit(s, "暖泉镇")
                assert len(counts.derived_persons(s, period, unit, code)) == row[code], (row["village"], code)
        with pytest.raises(UsageError):
            counts.derived_persons(s, period, find_unit(s, "暖泉镇"), "inc_gt_5760", form=1)


def test_hand_value_replaces_derived_and_is_audited(register):
    with register.session() as s:
        period, village = get_period(s, "2020-03"), find_unit(s, "暖泉镇/前暖泉村")
        assert counts.set_hand_count(s, period, village, 1, "housing", 3) == (None, 3)
        rows = {r.values["village"]: r for r in counts.count_rows(s, period, find_unit(s, "暖泉镇"), 1)}
        row = rows["前暖泉村"]
        assert (row.values["housing"], row.derived["housing"], row.typed, row.has_households) == (3, 1, {"housing": 3}, True)
        assert rows["全镇合计"].values["housing"] == 3  # totals are computed from the rows as used
        entry = s.scalars(select(AuditEntry).where(AuditEntry.table == "hand_counts")).one()
        assert (entry.period, entry.field, entry.old, entry.new) == ("2020-03", "housing", None, "3")
        assert counts.clear_hand_counts(s, period, village, 1) == {"housing": 3}
        assert s.scalars(select(HandCount).where(HandCount.unit_id == village.id)).first() is None
        assert counts.hand_counts(s, period, village, 1) == {}
        with pytest.raises(Refused):
            counts.set_hand_count(s, period, village, 1, "housing", -1)
        with pytest.raises(UsageError):
            counts.set_hand_count(s, period, find_unit(s, "暖泉镇"), 1, "housing", 1)
        lock_period(s, period, "报送")
        with pytest.raises(LockedPeriod):
            counts.set_hand_count(s, period, village, 1, "housing", 2)


def test_counts_cli_json_prints_the_rows(register, db_path, capsys):
    from app.cli import main

    register.close()
    assert main(["counts", "--db", str(db_path), "--form", "1", "--period", "2020-03", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [tuple(r[c] for c in F1) for r in out] == FORM1_COUNTY
    assert main(["counts", "--db", str(db_path), "--form", "2", "--unit", "暖泉镇", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[1]["county"] == "暖泉镇"


def test_counts_cli_table_for_people(register, db_path, capsys):
    from app.cli import main

    register.close()
    assert main(["counts", "--db", str(db_path), "--form", "1", "--unit", "沙金乡"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "全乡2020年度年人均收入5000元以下的7人帮扶情况调度表"
    assert out[2].split()[:5] == ["序号", "县(市、区)", "乡镇", "村", "年人均纯收入5000元以下建档立卡总人数"]
    assert out[3].split()[:5] == ["1", "康平县", "沙金乡", "全乡合计", "7"]
    assert main(["counts", "--db", str(db_path), "--form", "1", "--unit", "无此乡"]) == 2


def test_count_findings_c01_m07_m08_and_row_rules(register):
    from app.models import Household, Person

    with register.session() as s:
        period = get_period(s, "2020-03")
        assert [(f.code, f.unit, f.field) for f in counts.count_findings(s, period)] == [
            ("M-07", "暖泉镇/后暖泉村", "employment"),  # employment 4 → 1 against February
            ("M-08", "康平县", "inc_5000_5760"),  # one band-B person without a year-to-date income
        ]
        counts.set_hand_count(s, period, find_unit(s, "暖泉镇/前暖泉村"), 1, "housing", 3)  # derived: 1
        village = find_unit(s, "沙金乡/沙金村")
        person = s.scalars(select(Person).join(Household).where(
            Household.period_id == period.id, Household.village_id == village.id, Household.band == "A")).first()
        person.industry_started = True  # started without industry: M-03 on the derived row
        s.flush()
        found = counts.count_findings(s, period)
        assert sorted((f.code, f.severity, f.unit, f.field) for f in found) == [
            ("C-01", "W", "暖泉镇/前暖泉村", "housing"),
            ("M-03", "E", "沙金乡/沙金村", "industry_started"),
            ("M-07", "W", "暖泉镇/后暖泉村", "employment"),
            ("M-08", "W", "康平县", "inc_5000_5760"),
        ]
        c01 = next(f for f in found if f.code == "C-01")
        assert "3" in c01.message and "1" in c01.message
        # 手填村 is typed but not kept in the register: no C-01 for it; a township scope sees its own rows.
        assert [(f.code, f.unit) for f in counts.count_findings(s, period, find_unit(s, "沙金乡"))] == [
            ("M-03", "沙金乡/沙金村"), ("M-08", "沙金乡")]

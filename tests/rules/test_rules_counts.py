"""Count-row rules M-01 … M-08 and C-01 of 附件1/附件2: each fires, and stays quiet."""

from __future__ import annotations

import pytest

from app.domain import FORM1_COUNTS, FORM2_COUNTS
from app.rules.counts import (
    check_count_row,
    check_hand_vs_derived,
    check_month_over_month,
    check_totals,
)

WHERE = {"unit": "暖泉镇/前暖泉村"}


def row1(**kw) -> dict:
    r = dict.fromkeys(FORM1_COUNTS, 0)
    r.update(total=20, housing=3, education=2, medical=20, water=5, industry=10, industry_started=6,
             industry_benefited=4, employment=8, public_post=2, graduate_placement=1, dibao=6,
             inc_lt_4400=5, inc_4400_5000=10, inc_ge_5000=5)
    r.update(kw)
    return r


def row2(**kw) -> dict:
    r = dict.fromkeys(FORM2_COUNTS, 0)
    r.update(total=30, industry=10, employment=12, public_post=3, inc_5000_5760=20, inc_gt_5760=10)
    r.update(kw)
    return r


def codes(found) -> list[str]:
    return [f.code for f in found]


def test_valid_rows_pass():
    assert check_count_row(row1(), 1, WHERE) == []
    assert check_count_row(row2(), 2, WHERE) == []


ROW_CASES = [
    ("M-01", 1, {"water": -1}, {"water": None}),
    ("M-01", 1, {"water": 2.5}, {"water": "5"}),
    ("M-01", 2, {"dibao": "两人"}, {"dibao": ""}),
    ("M-02", 1, {"medical": 21}, {"medical": 20}),
    ("M-02", 2, {"dibao": 31}, {"dibao": 30}),
    ("M-03", 1, {"industry_started": 11}, {"industry_started": 10}),
    ("M-03", 1, {"industry_benefited": 11}, {"industry_benefited": 10}),
    ("M-04", 1, {"public_post": 9}, {"public_post": 7}),
    ("M-04", 1, {"public_post": 5, "graduate_placement": 4}, {"public_post": 5, "graduate_placement": 3}),
    ("M-05", 1, {"inc_ge_5000": 6}, {"inc_ge_5000": 5}),
    ("M-08", 2, {"inc_5000_5760": 15}, {"inc_5000_5760": 20}),
    ("M-08", 2, {"inc_gt_5760": 11}, {"inc_gt_5760": 10}),
]


@pytest.mark.parametrize(("code", "form", "fire", "quiet"), ROW_CASES)
def test_row_rules(code, form, fire, quiet):
    make = row1 if form == 1 else row2
    found = check_count_row(make(**fire), form, WHERE)
    assert code in codes(found)
    f = next(f for f in found if f.code == code)
    assert f.unit == "暖泉镇/前暖泉村" and f.field in FORM1_COUNTS + FORM2_COUNTS and f.message
    assert code not in codes(check_count_row(make(**quiet), form, WHERE))


def test_bad_cell_gives_one_finding():
    found = check_count_row(row1(total="二十"), 1, WHERE)
    assert codes(found) == ["M-01"]
    assert found[0].field == "total" and "二十" in found[0].message


def test_m08_says_how_many_fall_outside():
    (f,) = check_count_row(row2(inc_5000_5760=15), 2, WHERE)
    assert f.severity == "W" and "5人" in f.message


def test_m06_totals():
    rows = [
        {"kind": "county_total", "county": "康平县", **row1(total=40, inc_lt_4400=10, inc_4400_5000=20,
                                                           inc_ge_5000=10)},
        {"kind": "township_total", "township": "暖泉镇", **row1(total=40, inc_lt_4400=10, inc_4400_5000=20,
                                                               inc_ge_5000=10)},
        {"kind": "unit", "township": "暖泉镇", "village": "前暖泉村", **row1()},
        {"kind": "unit", "township": "暖泉镇", "village": "后暖泉村", **row1()},
    ]
    # every column except total/distribution doubles: make the totals right first
    for c in FORM1_COUNTS:
        rows[0][c] = rows[1][c] = rows[2][c] + rows[3][c]
    assert check_totals(rows, 1) == []
    rows[1]["water"] = 11
    found = check_totals(rows, 1)
    assert [(f.code, f.unit, f.field) for f in found] == [("M-06", "暖泉镇", "water"), ("M-06", "康平县", "water")]
    assert "10" in found[0].message and "11" in found[0].message


def test_m06_form2_county_row_sums_unit_rows():
    rows = [{"kind": "county_total", "county": "全县合计", **row2(total=60, inc_5000_5760=40, inc_gt_5760=20,
                                                               industry=20, employment=24, public_post=6)},
            {"kind": "unit", "county": "暖泉镇", **row2()}, {"kind": "unit", "county": "郝官屯镇", **row2()}]
    assert check_totals(rows, 2) == []
    rows[0]["dibao"] = 1
    assert [(f.code, f.field) for f in check_totals(rows, 2)] == [("M-06", "dibao")]


MOM_CASES = [
    ({"total": 21}, {"total": 20}),
    ({"industry_benefited": 3}, {"industry_benefited": 4}),   # 4 → 3 is 25 %
    ({"employment": 2}, {"employment": 7}),                   # −6 persons
    ({"dibao": 21}, {"dibao": 20}),                           # from 0 to more than last total (20)
]


@pytest.mark.parametrize(("fire", "quiet"), MOM_CASES)
def test_m07_month_over_month(fire, quiet):
    prev = row1(dibao=0, industry_benefited=5)
    now = row1(dibao=0, industry_benefited=5)
    now.update(fire)
    found = check_month_over_month(now, prev, WHERE)
    assert codes(found) and set(codes(found)) == {"M-07"} and found[0].severity == "W"
    now = row1(dibao=0, industry_benefited=5)
    now.update(quiet)
    assert check_month_over_month(now, prev, WHERE) == []


def test_m07_without_previous_month():
    assert check_month_over_month(row1(), None, WHERE) == []


def test_c01_hand_vs_derived():
    hand = dict.fromkeys(FORM1_COUNTS)
    hand.update(total=20, water=5)
    derived = row1()
    assert check_hand_vs_derived(hand, derived, WHERE) == []
    hand["water"] = 6
    (f,) = check_hand_vs_derived(hand, derived, WHERE)
    assert (f.code, f.severity, f.field, f.unit) == ("C-01", "W", "water", "暖泉镇/前暖泉村")
    assert "6" in f.message and "5" in f.message

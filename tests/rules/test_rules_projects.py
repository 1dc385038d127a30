"""Fund-project rules P-01 … P-06 (附件3): each fires, and stays quiet."""

from __future__ import annotations

import datetime as dt

import pytest

from app.rules.projects import check_project, progress_of

PERIOD = "2020-05"
WHERE = {"unit": "暖泉镇", "target": "proj-1"}


def project(**kw) -> dict:
    p = {"name": "肉牛养殖基地", "planned": 120, "received": 100, "disbursed": 60.5, "stage": "已开工",
         "planned_start": "2020-04", "started_on": dt.date(2020, 4, 10), "completed_on": None,
         "households": 30, "persons": 85}
    p.update(kw)
    return p


def test_good_project_passes():
    assert check_project(project(), PERIOD, WHERE) == []


CASES = [
    ("P-01", {"planned": -1}, {"planned": 0, "received": 0, "disbursed": 0}),
    ("P-01", {"disbursed": 60.12345}, {"disbursed": 60.1234}),
    ("P-01", {"received": "一百"}, {"received": "100"}),
    ("P-02", {"disbursed": 101}, {"disbursed": 100}),
    ("P-02", {"received": 121}, {"received": 120}),
    ("P-03", {"progress": 50}, {"progress": "50.4%"}),
    ("P-03", {"progress": "50.42"}, {"progress": None}),
    ("P-04", {"started_on": None}, {"started_on": "2020-04-10"}),
    ("P-04", {"stage": "已完工"}, {"stage": "已完工", "completed_on": dt.date(2020, 5, 20)}),
    ("P-04", {"stage": "已验收", "completed_on": "2020-03-01"}, {"stage": "已验收", "completed_on": "2020-04-10"}),
    ("P-04", {"stage": "在建"}, {"stage": "未开工", "planned_start": "2020-06"}),
    ("P-05", {"stage": "未开工", "started_on": None}, {"stage": "未开工", "started_on": None, "planned_start": "2020-06"}),
    ("P-06", {"persons": 29}, {"persons": 30}),
]


@pytest.mark.parametrize(("code", "fire", "quiet"), CASES)
def test_project_rules(code, fire, quiet):
    found = check_project(project(**fire), PERIOD, WHERE)
    assert code in [f.code for f in found], found
    f = next(f for f in found if f.code == code)
    assert f.unit == "暖泉镇" and f.target == "proj-1" and "肉牛养殖基地" in f.message and f.field
    assert "target" not in f.to_dict()
    assert code not in [f.code for f in check_project(project(**quiet), PERIOD, WHERE)]


def test_progress_rounds_half_up_to_one_decimal():
    assert str(progress_of(120, 60.5)) == "50.4"
    assert str(progress_of(3, 1)) == "33.3"
    assert str(progress_of(8, 1)) == "12.5"
    assert str(progress_of(0, 0)) == "0.0"


def test_severities():
    found = check_project(project(disbursed=101, persons=1), PERIOD, WHERE)
    sev = {f.code: f.severity for f in found}
    assert sev == {"P-02": "W", "P-06": "E"}

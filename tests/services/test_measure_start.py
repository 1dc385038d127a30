"""Measures carry a start month: unchanged lines keep it across edits and the carry-forward, so R-01 and
the analysis' 红黄户无新措施 can tell a month without a new measure."""

from __future__ import annotations

from _small_register import build_register
from sqlalchemy import select

from app.models import Household, Measure
from app.services import feedback, monitoring, register
from app.services.new_month import new_month
from app.services.periods import get_period


def _starts(s, hid: int) -> dict[str, str | None]:
    return {m.text: m.start_month for m in s.scalars(select(Measure).where(Measure.household_id == hid))}


def _april_id(s, march_id: int) -> int:
    uuid = s.get(Household, march_id).uuid
    return s.scalar(select(Household.id).where(Household.uuid == uuid,
                                               Household.period_id == get_period(s, "2020-04").id))


def _r01(s, month: str) -> list[str]:
    return [f.household for f in monitoring.findings(s, get_period(s, month)) if f.code == "R-01"]


def _no_new(s, month: str) -> list[str]:
    return [ln.household for sh in feedback.feedback_sheets(s, month, "康平县") for ln in sh.lines
            if ln.kind == "红黄户无新措施"]


def test_start_month_kept_by_the_carry_forward_and_edits_and_read_by_r01(db):
    ids = build_register(db, "2020-03")
    red = ids["households"][2]
    with db.session() as s:
        register.set_risk(s, red, "red", ["因病"])
        uuid = s.get(Household, red).uuid
        assert _starts(s, red) == {"发展庭院经济": "2020-03"}
        assert _r01(s, "2020-03") == [] and _no_new(s, "2020-03") == []  # its measure is new this month
    with db.session() as s:
        new_month(s, "2020-03", "2020-04")
    with db.session() as s:
        april = _april_id(s, red)
        assert _starts(s, april) == {"发展庭院经济": "2020-03"}  # carried with its month
        assert _starts(s, red) == {"发展庭院经济": "2020-03"}
        assert _r01(s, "2020-04") == [uuid]  # a registered 红 household, nothing new in April
        assert _no_new(s, "2020-04") == [uuid]
        (f,) = [f for f in monitoring.findings(s, get_period(s, "2020-04")) if f.code == "R-01"]
        assert f.severity == "W" and "刘德明" in f.message and "2020年3月" in f.message
        # an edit that keeps the old text keeps its month; the new line starts in April
        register.set_measures(s, april, [("产业带动", "发展庭院经济"), ("公益岗位", "公益岗位保洁员")])
        assert _starts(s, april) == {"发展庭院经济": "2020-03", "公益岗位保洁员": "2020-04"}
        assert _r01(s, "2020-04") == [] and _no_new(s, "2020-04") == []
        # a household back to green is no longer R-01's
        register.set_measures(s, april, [("产业带动", "发展庭院经济")])
        assert _r01(s, "2020-04") == [uuid]
        register.set_risk(s, april, "green", [])
        assert _r01(s, "2020-04") == []

"""The window's register requests through ``operations.execute``: each one and its inverse, typed refusals."""

from __future__ import annotations

import pytest
from _query import query
from sqlalchemy import select

from app.models import Household, Period, Unit
from app.services import register_ops as ops
from app.services.errors import LockedPeriod, Refused
from app.services.operations import execute
from app.services.register import InvalidValue


def _household(db, month: str) -> tuple[int, str, str, int]:
    """(period id, household uuid, its 户主's uuid, its village id) of a household with three members or more."""
    with db.session() as s:
        for hh in s.scalars(select(Household).join(Period).where(Period.month == month).order_by(Household.id)):
            if len(hh.members) >= 3:
                return hh.period_id, hh.uuid, hh.members[0].uuid, hh.village_id
    raise AssertionError("no household")


def _undo(db, request, out):
    return execute(db, request.inverse(out.value))


def test_a_member_field_and_its_inverse(demo_db):
    period, hh, head, _v = _household(demo_db, "2020-03")
    out = execute(demo_db, ops.SetMemberField(period, hh, head, "age", 150))
    assert out.value.new == 150 and out.changed.persons == {out.value.person_id}
    assert [f.code for f in out.findings.added if f.field == "age"] == ["H-05"]
    back = _undo(demo_db, ops.SetMemberField(period, hh, head, "age", 150), out)
    assert back.value.new == out.value.old and [f.code for f in back.findings.removed if f.field == "age"] == ["H-05"]


def test_removed_member_comes_back_with_its_uuid_in_its_place(demo_db):
    period, hh, _head, _v = _household(demo_db, "2020-03")
    with demo_db.session() as s:
        hid = s.scalar(select(Household.id).where(Household.uuid == hh, Household.period_id == period))
        before = [(p.uuid, p.name) for p in s.get(Household, hid).members]
    remove = ops.RemoveMember(period, hh, before[1][0])
    out = execute(demo_db, remove)
    assert out.changed.structural and out.value.snapshot is not None
    put_back = remove.inverse(out.value)
    again = execute(demo_db, put_back)
    assert again.value.new == before[1][0]
    with demo_db.session() as s:
        hid = s.scalar(select(Household.id).where(Household.uuid == hh, Household.period_id == period))
        assert [(p.uuid, p.name) for p in s.get(Household, hid).members] == before
    with pytest.raises(Refused):  # the inverse of the inverse removes it; twice is refused: it is gone
        execute(demo_db, put_back.inverse(again.value))
        execute(demo_db, put_back.inverse(again.value))


def test_household_added_removed_and_restored_keeps_its_uuids(demo_db):
    period, _hh, _head, village = _household(demo_db, "2020-03")
    add = ops.AddHousehold(period, village, "周新华")
    out = execute(demo_db, add)
    uuid = out.value.new
    assert out.changed.structural and out.changed.households
    remove = add.inverse(out.value)
    gone = execute(demo_db, remove)
    assert gone.value.old == uuid and not query(demo_db.location, "SELECT 1 FROM households WHERE uuid = ?", uuid)
    back = execute(demo_db, remove.inverse(gone.value))
    assert back.value.new == uuid
    assert query(demo_db.location, "SELECT p.name, p.relation FROM persons p JOIN households h ON h.id = p.household_id "
                              "WHERE h.uuid = ?", uuid) == [("周新华", "户主")]


def test_panel_requests_and_their_inverses(demo_db):
    period, hh, _head, _v = _household(demo_db, "2020-03")

    def values() -> tuple:
        return query(demo_db.location, "SELECT closed_out, risk_colour, risk_reasons, helper_name FROM households "
                                   "WHERE uuid = ? AND period_id = ?", hh, period)[0]

    start = values()
    for request in (ops.SetHouseholdField(period, hh, "helper_name", "陈云"), ops.CloseOut(period, hh),
                    ops.SetRisk(period, hh, "red", ("因病",))):
        out = execute(demo_db, request)
        assert out.changed.households and values() != start
        execute(demo_db, request.inverse(out.value))
        assert values() == start, request
    lines = ops.SetIncomeItems(period, hh, (("种植业", "务工", "2400"),))
    out = execute(demo_db, lines)
    assert out.value.new == [("种植业", "务工", 2400.0)]
    assert execute(demo_db, lines.inverse(out.value)).value.new == out.value.old
    measures = ops.SetMeasures(period, hh, (("产业带动", "养牛两头"),))
    out = execute(demo_db, measures)
    assert execute(demo_db, measures.inverse(out.value)).value.new == out.value.old


def test_refusals_are_typed(demo_db):
    period, hh, head, _v = _household(demo_db, "2020-02")  # exported and locked
    with pytest.raises(LockedPeriod):
        execute(demo_db, ops.SetMemberField(period, hh, head, "age", 40))
    period, hh, head, village = _household(demo_db, "2020-03")
    with pytest.raises(InvalidValue):
        execute(demo_db, ops.SetMemberField(period, hh, head, "age", "七十岁半"))
    with pytest.raises(Refused, match="该成员已不存在"):
        execute(demo_db, ops.SetMemberField(period, hh, "no-such-uuid", "age", 40))
    with pytest.raises(Refused, match="该户已不存在"):
        execute(demo_db, ops.SetHouseholdField(period, "no-such-uuid", "remark", "x"))
    with demo_db.session() as s:
        township = s.scalar(select(Unit.id).where(Unit.level == "township"))
    with pytest.raises(Refused, match="村"):
        execute(demo_db, ops.AddHousehold(period, township))


def test_unit_requests_name_the_unit_and_refuse_typed(demo_db):
    from app.services import unit_ops
    from app.services.errors import UsageError

    with demo_db.session() as s:
        town = s.scalar(select(Unit).where(Unit.level == "township").order_by(Unit.id))
        village = s.scalar(select(Unit.id).where(Unit.level == "village", Unit.parent_id == town.id))
        town_id = town.id
    added = execute(demo_db, unit_ops.AddUnit(town_id, "新丰村", "village"))
    assert added.changed.units == {added.value} and added.changed.structural
    execute(demo_db, unit_ops.RenameUnit(added.value, "新峰村"))
    assert query(demo_db.location, "SELECT name FROM units WHERE id = ?", added.value) == [("新峰村",)]
    with pytest.raises(UsageError):  # nothing below a village
        execute(demo_db, unit_ops.AddUnit(village, "三组", "village"))
    with pytest.raises(Refused):  # a village with households stays
        execute(demo_db, unit_ops.RemoveUnit(village))
    assert execute(demo_db, unit_ops.RemoveUnit(added.value)).value
    with pytest.raises(Refused, match="该单位已不存在"):
        execute(demo_db, unit_ops.RenameUnit(added.value, "x"))

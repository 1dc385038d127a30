"""Typed requests through ``operations.execute``: what changed, the findings that changed, typed errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Household, Period, Person
from app.services import operations as ops
from app.services.errors import LockedPeriod, Refused
from app.services.register import InvalidValue


def _person(db, month: str) -> tuple[int, int]:
    with db.session() as s:
        p = s.execute(select(Person.id, Person.household_id).join(Household).join(Period)
                      .where(Period.month == month, Person.relation == "户主", Person.id_number.is_(None))
                      .order_by(Person.id)).first()
        return p[0], p[1]


def _audits(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def test_edit_returns_changed_ids_and_findings(demo_db):
    pid, hid = _person(demo_db, "2020-03")
    out = ops.execute(demo_db, ops.EditPerson(pid, "age", 150))
    assert out.changed.households == {hid} and out.changed.persons == {pid}
    assert [f.code for f in out.findings.added if f.field == "age"] == ["H-05"]
    assert out.value.old != 150 and out.value.new == 150
    back = ops.execute(demo_db, ops.EditPerson(pid, "age", out.value.old))
    assert [f.code for f in back.findings.removed if f.field == "age"] == ["H-05"]
    assert not [f for f in back.findings.added if f.code == "H-05"]


def test_refusals_are_typed_errors_and_write_nothing(demo_db):
    pid, _hid = _person(demo_db, "2020-02")  # exported and locked
    n = _audits(demo_db)
    with pytest.raises(LockedPeriod):
        ops.execute(demo_db, ops.EditPerson(pid, "age", 40))
    pid, _hid = _person(demo_db, "2020-03")
    with pytest.raises(InvalidValue):
        ops.execute(demo_db, ops.EditPerson(pid, "age", "七十岁半"))
    assert _audits(demo_db) == n


def test_reopen_changes_the_period(demo_db):
    out = ops.execute(demo_db, ops.ReopenPeriod("2020-02", "更正户主电话"))
    assert out.value.month == "2020-02" and not out.value.locked
    assert out.changed.periods == {out.value.id} and not out.changed.households
    with pytest.raises(Refused):
        ops.execute(demo_db, ops.ReopenPeriod("2020-03", "不需要"))


def test_project_requests_name_the_changed_form3_rows(demo_db):
    from app.models import Unit

    with demo_db.session() as s:
        town = s.scalars(select(Unit).where(Unit.level == "township").order_by(Unit.id)).first()
        path, town_id = f"{town.parent.name}/{town.name}", town.id
        march = s.scalar(select(Period.id).where(Period.month == "2020-03"))
    added = ops.execute(demo_db, ops.AddProject("2020-03", path, {"name": "新项目", "stage": "未开工"}))
    assert added.changed.count_rows == {(march, town_id, 3)} and added.changed.structural
    edited = ops.execute(demo_db, ops.EditProject("2020-03", added.value, {"name": "村道硬化"}))
    assert edited.value == {"name": ("新项目", "村道硬化")} and edited.changed.count_rows == {(march, town_id, 3)}
    assert ops.execute(demo_db, ops.DeleteProject("2020-03", added.value)).value == "村道硬化"
    with pytest.raises(LockedPeriod):
        ops.execute(demo_db, ops.AddProject("2020-02", path, {"name": "x"}))


def test_a_warning_note_names_its_household_and_shows_on_the_finding(demo_db):
    from app.services import checks

    with demo_db.session() as s:
        period = s.scalar(select(Period).where(Period.month == "2020-03"))
        hid, warning = next((h.id, f) for h in s.scalars(select(Household).where(Household.period_id == period.id))
                            for f in checks.check_household_id(s, h.id) if not f.is_error and f.household)
    out = ops.execute(demo_db, ops.AddFindingNote("2020-03", warning, "已入户核实", "李会计"))
    assert out.changed.households == {hid}
    assert [f.note for f in out.findings.added if (f.code, f.person, f.field) ==
            (warning.code, warning.person, warning.field)] == ["已入户核实"]
    with pytest.raises(LockedPeriod):
        ops.execute(demo_db, ops.AddFindingNote("2020-02", warning, "已核实"))


def test_office_settings_and_the_first_month_are_requests(demo_db):
    n = _audits(demo_db)
    out = ops.execute(demo_db, ops.UpdateOffice({"preparer": "李会计"}))
    assert out.value["preparer"][1] == "李会计" and _audits(demo_db) == n + 1
    assert ops.execute(demo_db, ops.UpdateOffice({"preparer": "李会计"})).value == {}  # nothing changed
    with pytest.raises(Refused):  # the register has months already
        ops.execute(demo_db, ops.OpenFirstMonth("2021-01"))

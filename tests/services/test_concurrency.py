"""Two clerks on one register: an edit based on a row another register changed since is refused
with who and when (never a silent overwrite), re-applied on the current version, and every other
open register reads what changed from the change sequence."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app.models import Household, Office, Period, Person, Problem
from app.services import concurrency
from app.services import register_ops as ops
from app.services.concurrency import StaleEdit
from app.services.operations import EditHousehold, execute
from app.storage import Database


def _first(db) -> tuple[int, str, str, int, int]:
    """(period id, household uuid, head uuid, household version, head version) as a window shows them."""
    with db.read_session() as s:
        hh = s.scalars(select(Household).join(Period).where(Period.month == "2020-03").order_by(Household.id)).first()
        head = hh.members[0]
        return hh.period_id, hh.uuid, head.uuid, hh.version, head.version


def _name_preparer(db, name: str) -> str:
    """The 填表人 of the office set to ``name``; returns who a change through ``db`` is by: that name on
    a laptop's file, the clerk's login on the server."""
    with db.session() as s:
        s.get(Office, 1).preparer = name
    return make_url(db.url).username if db.is_server else name


def test_existing_rows_start_at_version_1_and_every_change_moves_it(demo_db):
    period, hh, head, hv, pv = _first(demo_db)
    assert (hv, pv) == (1, 1) or (hv >= 1 and pv >= 1)
    execute(demo_db, ops.SetMemberField(period, hh, head, "age", 41, base_version=pv))
    _p, _h, _hd, hv2, pv2 = _first(demo_db)
    assert pv2 == pv + 1 and hv2 == hv  # a member's field moves the member's version, not the household's
    execute(demo_db, ops.SetHouseholdField(period, hh, "remark", "一号", base_version=hv))
    execute(demo_db, ops.SetMeasures(period, hh, (("产业带动", "养牛"),), base_version=hv + 1))
    assert _first(demo_db)[3] > hv + 1  # the measure lines replaced move the household's version too


def test_stale_member_edit_names_the_other_clerk_and_when_and_reapply_works(demo_db_path):
    with Database(demo_db_path) as window:  # clerk A's window reads the household …
        period, hh, head, _hv, shown = _first(window)
    with Database(demo_db_path) as other:  # … clerk B (another register: a CLI run, another laptop) edits it …
        who = _name_preparer(other, "张三")
        execute(other, ops.SetMemberField(period, hh, head, "age", 50, base_version=shown))
    with Database(demo_db_path) as window:  # … and A's edit, based on what A saw, is refused
        with pytest.raises(StaleEdit) as err:
            execute(window, ops.SetMemberField(period, hh, head, "age", 61, base_version=shown))
        e = err.value
        assert e.who == who and e.at is not None and abs((dt.datetime.now() - e.at).total_seconds()) < 60
        assert e.values["age"] == 50 and e.field == "age" and e.version == shown + 1
        assert f"该成员已被 {who} 于" in e.message and "没有保存" in e.message
        with window.session() as s:  # nothing overwritten
            assert s.scalar(select(Person.age).join(Household).where(Person.uuid == head,
                                                                    Household.period_id == period)) == 50
        out = execute(window, ops.SetMemberField(period, hh, head, "age", 61, base_version=e.version))  # 重新应用
        assert out.value.old == 50 and out.value.new == 61


def test_own_queued_edits_are_not_conflicts_but_another_registers_are(demo_db_path):
    with Database(demo_db_path) as window:
        period, hh, head, hv, pv = _first(window)
        # two cells typed quickly: both requests were made from what the window showed (version pv)
        execute(window, ops.SetMemberField(period, hh, head, "age", 33, base_version=pv))
        execute(window, ops.SetMemberField(period, hh, head, "name", "王一", base_version=pv))
        execute(window, ops.SetHouseholdField(period, hh, "remark", "甲", base_version=hv))
    with Database(demo_db_path) as other:
        with other.session() as s:
            hid = s.scalar(select(Household.id).where(Household.uuid == hh, Household.period_id == period))
        execute(other, EditHousehold(hid, "remark", "乙"))  # a script: no version shown, applied
    with Database(demo_db_path) as window, pytest.raises(StaleEdit) as err:
        execute(window, ops.SetHouseholdField(period, hh, "remark", "丙", base_version=hv + 1))
    assert err.value.values["remark"] == "乙" and err.value.message.startswith("该户已被")


def test_a_ledger_problem_edited_by_another_clerk_is_refused_then_reapplied(demo_db_path):
    from app.services import ledgers
    from app.services.ledgers import AddProblem, UpdateProblem

    with Database(demo_db_path) as window, window.session() as s:
        concurrency.bind(s, window)
        uuid = ledgers.add_problem(s, AddProblem(2020, "自查", "危房未改造")).problems[0]
        shown = s.scalar(select(Problem.version).where(Problem.uuid == uuid))
    with Database(demo_db_path) as other, other.session() as s:
        who = _name_preparer(other, "王五")
        concurrency.bind(s, other)
        ledgers.update_problem(s, UpdateProblem(uuid, "measures", "年底前改造", base_version=shown))
    with Database(demo_db_path) as window, window.session() as s:
        concurrency.bind(s, window)
        with pytest.raises(StaleEdit) as err:
            ledgers.update_problem(s, UpdateProblem(uuid, "measures", "下月改造", base_version=shown))
        assert err.value.who == who and err.value.values["measures"] == "年底前改造"
        assert err.value.message.startswith(f"该问题已被 {who} 于")
        ledgers.update_problem(s, UpdateProblem(uuid, "measures", "下月改造", base_version=err.value.version))
        assert s.scalar(select(Problem.measures).where(Problem.uuid == uuid)) == "下月改造"


def _village_row(db, month: str):
    from app.models import Unit
    from app.services import count_sheet

    with db.read_session() as s:
        township = s.scalar(select(Unit.id).where(Unit.level == "township").order_by(Unit.id))
        sheet = count_sheet.count_sheet(s, month, township, 1)
        return next(r for r in sheet.rows if r.kind == "unit" and r.unit_id is not None and r.unit_id != township)


def test_a_count_row_typed_by_two_clerks(demo_db_path):
    from app.models import HandCount
    from app.services.operations import SetHandCount

    with Database(demo_db_path) as window:
        row = _village_row(window, "2020-03")  # no count typed for the row yet: version 0 shown
    with Database(demo_db_path) as other:
        who = _name_preparer(other, "赵六")
        execute(other, SetHandCount("2020-03", row, 1, "housing", 7, base_version=0))
    with Database(demo_db_path) as window:
        with pytest.raises(StaleEdit) as err:
            execute(window, SetHandCount("2020-03", row, 1, "housing", 9, base_version=0))
        assert err.value.who == who and err.value.values["housing"] == 7
        execute(window, SetHandCount("2020-03", row, 1, "housing", 9, base_version=err.value.version))
        with window.read_session() as s:
            assert s.scalar(select(HandCount.housing).where(HandCount.unit_id == row.unit_id)) == 9


def test_the_change_sequence_carries_what_other_registers_changed(demo_db_path):
    with Database(demo_db_path) as window, window.read_session() as s:
        cursor = concurrency.start(s)
        mine = concurrency.via_of(window)
        period, hh, head, _hv, pv = _first(window)
        execute(window, ops.SetMemberField(period, hh, head, "age", 70, base_version=pv))
    with Database(demo_db_path) as other:
        who = _name_preparer(other, "李四")
        out = execute(other, ops.SetHouseholdField(period, hh, "remark", "二号"))
    with Database(demo_db_path) as window, window.read_session() as s:
        remote = concurrency.poll(s, cursor, mine)
        assert remote is not None and remote.households == out.changed.households and remote.who == (who,)
        assert remote.persons == frozenset()  # the window's own edit is not repainted as another's
        assert concurrency.poll(s, cursor, mine) is None  # read once


def test_an_operation_changing_thousands_of_rows_is_logged_as_everything(db):
    from app.services.operations import Changed

    with db.read_session() as s:
        cursor = concurrency.start(s)
    with db.session() as s:  # an import's outcome: too many ids to list, every window reads all again
        concurrency.log(s, Changed(households=frozenset(range(1, concurrency.MANY + 2))))
    with db.read_session() as s:
        remote = concurrency.poll(s, cursor, "another-window")
    assert remote is not None and remote.everything and not remote.households


def test_an_undo_puts_back_only_what_this_register_wrote(demo_db_path, engine):
    """Undo and redo replay the window's own edits: while no one else has changed the row they land;
    after another clerk's change the undo is refused naming them, and their value stays."""

    def age(db) -> int:
        with db.read_session() as s:
            return s.scalar(select(Person.age).join(Household).where(Person.uuid == head,
                                                                     Household.period_id == period))

    with Database(demo_db_path) as window:
        period, hh, head, _hv, shown = _first(window)
        before = age(window)
        edit = ops.SetMemberField(period, hh, head, "age", before + 1, base_version=shown)
        undo = concurrency.replayed(edit.inverse(execute(window, edit).value))
        assert undo.base_version == concurrency.OWN
        redo = concurrency.replayed(undo.inverse(execute(window, undo).value))  # 撤销: nobody else wrote
        assert age(window) == before
        again = execute(window, redo)  # 重做
        assert age(window) == before + 1
        if engine == "sqlite":
            return  # a file has one writer at a time: no other register writes while this window is open
        with Database(demo_db_path) as other:  # another register changes the member meanwhile
            who = _name_preparer(other, "李四")
            execute(other, ops.SetMemberField(period, hh, head, "age", 70))
        with pytest.raises(StaleEdit) as err:  # 撤销 now would overwrite 李四's 70 with the old age
            execute(window, concurrency.replayed(redo.inverse(again.value)))
        assert err.value.who == who and err.value.values["age"] == 70
        assert age(window) == 70

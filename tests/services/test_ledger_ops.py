"""The ledger and record requests through ``operations.execute`` on a real register: what changed by
kind, the inverse of each undoable edit and the inverse of that, refusals rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.models import AnalysisReport, AuditEntry, Problem, TaskProgress, TaskUnit
from app.services import ledger_ops as ops
from app.services import ledgers as L
from app.services import record_ops
from app.services.operations import execute
from app.services.periods import ensure_period
from app.services.units import ensure_path

TODAY = dt.date(2018, 7, 18)


@pytest.fixture
def county(db):
    with db.session() as s:
        ensure_period(s, "2018-06")
        ensure_path(s, ["康平县", "暖泉镇", "前村"])
    return db


@pytest.fixture
def task(county):
    out = execute(county, ops.AddTask(L.AddTask(2018, "departments", "群众满意度", "入户走访", "6月30日", "王天昊",
                                                "扶贫办", "康明礼", today=TODAY)))
    (uuid,) = out.changed.of("task")
    assert out.changed.structural and len(out.changed.of("task_unit")) == 1
    return uuid


def _row(db, task: str) -> tuple[str, list[tuple[str, str]]]:
    with db.read_session() as s:
        u = s.scalars(select(TaskUnit).join(TaskUnit.task).where(TaskUnit.task.has(uuid=task))).one()
        return u.status, [(p.month, p.text) for p in s.scalars(select(TaskProgress).where(
            TaskProgress.task_unit_id == u.id).order_by(TaskProgress.month))]


def test_progress_undone_removes_the_entry_and_restores_the_status(county, task):
    request = ops.RecordProgress(L.RecordProgress(task, "扶贫办", "2018-07", "已部署", None, TODAY))
    done = execute(county, request)
    assert _row(county, task) == ("推进中", [("2018-07", "已部署")])
    assert ("task", task) in done.changed.records
    back = request.inverse(done.value)
    undone = execute(county, back)
    assert _row(county, task) == ("未开始", [])
    execute(county, back.inverse(undone.value))  # redo
    assert _row(county, task) == ("推进中", [("2018-07", "已部署")])


def test_progress_replaced_is_undone_to_the_text_before(county, task):
    execute(county, ops.RecordProgress(L.RecordProgress(task, "扶贫办", "2018-07", "第一次", None, TODAY)))
    request = ops.RecordProgress(L.RecordProgress(task, "扶贫办", "2018-07", "第二次", None, TODAY))
    done = execute(county, request)
    execute(county, request.inverse(done.value))
    assert _row(county, task) == ("推进中", [("2018-07", "第一次")])


def test_close_out_undone_and_a_field_typed_back(county, task):
    close = ops.CloseOutTask(L.CloseOutTask(task, "扶贫办", dt.date(2018, 7, 1), "验收报告", ("验收.pdf",), TODAY))
    done = execute(county, close)
    assert _row(county, task)[0] == "已销号"
    undone = execute(county, close.inverse(done.value))
    assert _row(county, task)[0] == "未开始"
    execute(county, close.inverse(done.value).inverse(undone.value))
    assert _row(county, task)[0] == "已销号"

    edit = ops.EditTask(L.UpdateTask(task, "deadline", "长期坚持", TODAY))
    changed = execute(county, edit)
    execute(county, edit.inverse(changed.value))
    with county.read_session() as s:
        t = L._task(s, task)
        assert (t.deadline_text, t.deadline, t.ongoing) == ("6月30日", dt.date(2018, 6, 30), False)


def test_problem_status_and_date_undone(county):
    out = execute(county, ops.AddProblem(L.AddProblem(2018, "自查", "档案不全", "扶贫办", "2018-07-31", today=TODAY)))
    (uuid,) = out.changed.of("problem")
    edit = ops.EditProblem(L.UpdateProblem(uuid, "deadline", "2018-08-15", TODAY))
    execute(county, ops.EditProblem(L.UpdateProblem(uuid, "status", "整改中", TODAY)))
    done = execute(county, edit)
    execute(county, edit.inverse(done.value))
    close = ops.CloseOutProblem(L.CloseOutProblem(uuid, dt.date(2018, 7, 20), "已补齐", (), TODAY))
    closed = execute(county, close)
    with county.read_session() as s:
        p = s.scalar(select(Problem).where(Problem.uuid == uuid))
        assert (p.deadline, p.status) == (dt.date(2018, 7, 31), "已销号")
    execute(county, close.inverse(closed.value))
    with county.read_session() as s:
        p = s.scalar(select(Problem).where(Problem.uuid == uuid))
        assert (p.status, p.closed_on, p.closed_basis) == ("整改中", None, None)


def test_a_refused_close_out_writes_nothing(county, task):
    with county.read_session() as s:
        before = s.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(L.LedgerRefused):
        execute(county, ops.CloseOutTask(L.CloseOutTask(task, "扶贫办", dt.date(2018, 7, 1), " ", (), TODAY)))
    with county.read_session() as s:
        assert s.scalar(select(func.count(AuditEntry.id))) == before
    assert _row(county, task)[0] == "未开始"


def test_report_section_saved_and_taken_back(demo_db):
    request = record_ops.SaveReportSection(None, None, "四、下步工作", "按时报送")
    done = execute(demo_db, request)
    assert done.value.edits == {"四、下步工作": "按时报送"} and done.value.before is None
    assert done.changed.of("report")
    execute(demo_db, request.inverse(done.value))
    with demo_db.read_session() as s:
        assert s.scalars(select(AnalysisReport.edits).where(AnalysisReport.edits.is_not(None))).all() == ["{}"]

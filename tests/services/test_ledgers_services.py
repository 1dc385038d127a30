"""Ledger operations on a real register: typed results, refusals, the audit trail, 各乡镇 expansion."""

from __future__ import annotations

import datetime as dt

import pytest
from _ledger_files import seed002_docx
from sqlalchemy import func, select

from app.models import AuditEntry, Problem, Task, TaskUnit
from app.rules.ledgers import check_problem
from app.services import ledgers as L
from app.services.periods import ensure_period
from app.services.units import ensure_path

TODAY = dt.date(2018, 7, 18)


@pytest.fixture
def county(db):
    with db.session() as s:
        ensure_period(s, "2018-06")
        for town in ("暖泉镇", "沙金台乡"):
            ensure_path(s, ["康平县", town, "前村"])
    return db


def test_add_update_close_out_with_typed_results_and_audit(county):
    with county.session() as s:
        added = L.add_task(s, L.AddTask(2018, "departments", "群众满意度。满意度达到90%以上。", "入户走访。",
                                        "6月30日、长期坚持", "王天昊", "扶贫办、各乡镇", "康明礼", today=TODAY))
    (uuid,) = added.tasks
    assert len(added.task_units) == 3  # 扶贫办 + two townships
    # passed, no July progress; 长期坚持 but entered today: D-05 waits two months
    assert {f.code for f in added.findings} == {"D-02", "D-04"}
    assert all(f.record == ("task", uuid) for f in added.findings)
    with county.session() as s:
        t = s.scalars(select(Task).where(Task.uuid == uuid)).one()
        assert t.created_on == TODAY
        assert next(ln for v in L.list_views(s, 2018, TODAY) for ln in v.lines if ln.task_uuid == uuid).created_on == TODAY
        two_months_on = dt.date(2018, 9, 18)
        assert "D-05" in {f.code for f in L.task_findings(s, 2018, two_months_on)}
        assert (t.deadline, t.ongoing, t.target_value, t.target_unit) == (dt.date(2018, 6, 30), True, 90.0, "%")
        changed = L.update_task(s, L.UpdateTask(uuid, "units", "扶贫办、暖泉镇", TODAY))
        assert len(changed.task_units) == 2
        with pytest.raises(L.LedgerRefused) as e:
            L.close_out_task(s, L.CloseOutTask(uuid, "扶贫办", dt.date(2018, 7, 1), "  ", (), TODAY))
        assert e.value.findings[0].code == "D-03" and e.value.exit_code == 1
        with pytest.raises(L.LedgerRefused):
            L.set_task_status(s, L.SetTaskStatus(uuid, None, "已销号", TODAY))
        with pytest.raises(L.UnknownRecord):
            L.close_out_task(s, L.CloseOutTask(uuid, "组织部", dt.date(2018, 7, 1), "x", (), TODAY))
        done = L.close_out_task(s, L.CloseOutTask(uuid, None, dt.date(2018, 7, 1), "验收报告", ("D:/材料/验收.pdf",),
                                                  TODAY))
        assert len(done.task_units) == 2 and "D-02" not in {f.code for f in done.findings}
        assert {u.evidence_files for u in s.scalars(select(TaskUnit))} == {"验收.pdf"}
        assert L.task_status(t) == "已销号"
    with county.session() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[:2] == ["insert", "insert"]  # the list, the task
    assert "update" in actions and actions.count("close_out") == 2


def test_dry_run_writes_nothing_and_replace_keeps_one_list(county, tmp_path):
    path = seed002_docx(tmp_path / "清单.docx")
    with county.session() as s:
        preview = L.import_list(s, L.ImportList(path, 2018, dry_run=True, today=TODAY))
        assert preview.tasks == 4 and preview.list_uuid is None
    with county.session() as s:
        assert s.scalar(select(func.count(Task.id))) == 0
        first = L.import_list(s, L.ImportList(path, 2018, today=TODAY))
    with county.session() as s:
        again = L.import_list(s, L.ImportList(path, 2018, replace=True, today=TODAY))
        assert again.list_uuid == first.list_uuid and s.scalar(select(func.count(Task.id))) == 4


def test_problem_operations(county):
    with county.session() as s:
        with pytest.raises(L.LedgerRefused):
            L.add_problem(s, L.AddProblem(2018, "不存在", "x"))
        with pytest.raises(L.UnknownRecord):
            L.add_problem(s, L.AddProblem(2018, "入户走访", "x", household="00000000-0000-4000-8000-000000000000"))
        made = L.add_problem(s, L.AddProblem(2018, "入户走访", "危房未拆除", "住建局", "2018-07-01", unit="暖泉镇",
                                             today=TODAY))
        (uuid,) = made.problems
        assert [f.code for f in made.findings] == ["D-07"]
        changed = L.update_problem(s, L.UpdateProblem(uuid, "deadline", "2018-08-01", TODAY))
        assert changed.findings == ()
        with pytest.raises(L.LedgerRefused):
            L.update_problem(s, L.UpdateProblem(uuid, "status", "已销号", TODAY))
        L.close_out_problem(s, L.CloseOutProblem(uuid, dt.date(2018, 7, 10), "已拆除", ("照片.jpg",), TODAY))
        p = s.scalars(select(Problem)).one()
        assert (p.status, p.evidence_files) == ("已销号", "照片.jpg")
        L.update_problem(s, L.UpdateProblem(uuid, "status", "整改中", TODAY))  # reopened: its 销号 goes
        assert (p.status, p.closed_on, p.closed_basis) == ("整改中", None, None)


def test_a_visit_problem_becomes_a_ledger_row(demo_db):
    """household-records.md §2 → supervision.md §2: 来源 入户走访, the township answers, 化解 when 已销号."""
    from app.models import Household, Period, VisitProblem
    from app.services import visits

    with demo_db.session() as s:
        period = s.scalars(select(Period).order_by(Period.month.desc())).first()
        hh = s.scalars(select(Household).where(Household.period_id == period.id).order_by(Household.id)).first()
        on = dt.date(period.year, period.month_number, 10)
        ch = visits.record_visit(s, visits.RecordVisit(hh.uuid, on, "孙丽华", problems=(
            visits.ProblemIn("西屋墙体裂缝，需鉴定", "housing"), visits.ProblemIn("门前路灯不亮", solved_on_spot=True))))
        raised = list(s.scalars(select(VisitProblem).where(VisitProblem.uuid.in_(ch.problems))
                                .order_by(VisitProblem.position)))
        rows = {p.uuid: p for p in s.scalars(select(Problem).where(Problem.uuid.in_([r.ledger_uuid for r in raised])))}
        crack, lamp = (rows[r.ledger_uuid] for r in raised)
        assert (crack.source, crack.household_uuid, crack.status, crack.deadline) == (
            "入户走访", hh.uuid, "未整改", on + dt.timedelta(days=30))
        assert crack.resp_unit and crack.unit_id == hh.village_id
        assert (lamp.status, lamp.closed_on, lamp.closed_basis) == ("已销号", on, "入户走访时当场化解")
        assert check_problem(L.problem_row(crack), on) == []  # complete: no D-06

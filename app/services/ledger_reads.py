"""The ledgers as read (supervision.md): each task, problem and 督战对象 of a year as the D-rules read it
and their findings on a day, the lists and the ledger as printed, the poor persons left per unit. Kept
apart from the ledger operations, so a check or an analysis reads the ledgers without loading the
operations and their file readers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.kernel.ledger_views import ListView, ProblemLine, TargetLine, TaskLine
from app.kernel.ledgers import LIST_KIND_NAMES, PROBLEM_CLOSED, TASK_CLOSED, deadline_text
from app.models import (
    Household,
    Period,
    Person,
    Problem,
    ResponsibilityList,
    SupervisionTarget,
    Task,
    TaskProgress,
    TaskUnit,
    Unit,
)
from app.models.units import unit_path
from app.rules.findings import Finding
from app.rules.ledgers import (
    ProblemRow,
    TargetRow,
    TaskRow,
    TaskUnitRow,
    check_problem,
    check_target,
    check_task,
    due_this_month,
    is_overdue,
)


def task_row(t: Task) -> TaskRow:
    return TaskRow(
        uuid=t.uuid, seq=t.seq, target=t.target, measures=t.measures, deadline=t.deadline, ongoing=t.ongoing,
        units_text=t.units_text, persons=t.persons, created_on=t.created_on,
        units=tuple(TaskUnitRow(u.name, u.uuid, u.status, u.closed_on, u.closed_basis,
                                frozenset(p.month for p in u.progress)) for u in t.units),
    )


def problem_row(p: Problem, unit: str | None = None) -> ProblemRow:
    return ProblemRow(uuid=p.uuid, source=p.source, description=p.description, resp_unit=p.resp_unit,
                      deadline=p.deadline, status=p.status, closed_on=p.closed_on, closed_basis=p.closed_basis,
                      unit=unit, household=p.household_uuid)


def task_findings(session: Session, year: int, today: dt.date) -> list[Finding]:
    q = (select(Task).join(ResponsibilityList).where(ResponsibilityList.year == year)
         .options(selectinload(Task.units).selectinload(TaskUnit.progress)).order_by(ResponsibilityList.kind, Task.position))
    return [f for t in session.scalars(q) for f in check_task(task_row(t), today)]


def problem_findings(session: Session, year: int, today: dt.date) -> list[Finding]:
    units = {u.id: u for u in session.scalars(select(Unit))}
    q = select(Problem).where(Problem.year == year).order_by(Problem.position, Problem.id)
    return [f for p in session.scalars(q)
            for f in check_problem(problem_row(p, unit_path(units[p.unit_id]) if p.unit_id in units else None), today)]


def target_row_findings(t: SupervisionTarget, today: dt.date) -> tuple[Finding, ...]:
    return tuple(check_target(TargetRow(t.uuid, t.name, frozenset(e.month for e in t.entries)), today))


def target_findings(session: Session, year: int, today: dt.date) -> list[Finding]:
    q = (select(SupervisionTarget).where(SupervisionTarget.year == year)
         .options(selectinload(SupervisionTarget.entries)).order_by(SupervisionTarget.position))
    return [f for t in session.scalars(q) for f in target_row_findings(t, today)]


def task_status(t: Task) -> str:
    """A task's 状态 from its unit rows: 已销号 when all are, 已完成 when all are done, else 推进中/未开始."""
    states = [u.status for u in t.units]
    if not states:
        return "未开始"
    if all(s == TASK_CLOSED for s in states):
        return TASK_CLOSED
    if all(s in ("已完成", TASK_CLOSED) for s in states):
        return "已完成"
    if any(s != "未开始" for s in states) or any(u.progress for u in t.units):
        return "推进中"
    return "未开始"


def _latest_progress(u: TaskUnit) -> TaskProgress | None:
    return u.progress[-1] if u.progress else None


def list_views(session: Session, year: int, today: dt.date, kind: str | None = None) -> list[ListView]:
    """The year's lists as printed: one line per 责任单位, with the D-codes found on each."""
    q = (select(ResponsibilityList).where(ResponsibilityList.year == year)
         .options(selectinload(ResponsibilityList.tasks).selectinload(Task.units).selectinload(TaskUnit.progress))
         .order_by(ResponsibilityList.kind))
    if kind:
        q = q.where(ResponsibilityList.kind == kind)
    out = []
    for lst in session.scalars(q):
        lines = []
        for t in lst.tasks:
            found = check_task(task_row(t), today)
            whole = {f.code for f in found if f.unit is None}
            text = t.deadline_text or deadline_text(t.deadline, t.ongoing, year)
            for u in t.units or [None]:
                codes = sorted(whole | {f.code for f in found if u is not None and f.unit == u.name})
                last = _latest_progress(u) if u else None
                closed = u is not None and u.status == TASK_CLOSED
                lines.append(TaskLine(
                    task_uuid=t.uuid, unit_uuid=u.uuid if u else "", seq=t.seq, heading=t.heading, target=t.target,
                    measures=t.measures, deadline_text=text, deadline=t.deadline, ongoing=t.ongoing,
                    leaders=t.leaders, unit=u.name if u else "", persons=t.persons,
                    status=u.status if u else task_status(t),
                    progress=f"{int(last.month[5:])}月：{last.text}" if last else None,
                    progress_month=last.month if last else None,
                    closed_on=u.closed_on if u else None, closed_basis=u.closed_basis if u else None,
                    evidence_files=tuple((u.evidence_files or "").splitlines()) if u else (),
                    overdue=is_overdue(t.deadline, closed, today), due_this_month=due_this_month(t.deadline, today)
                    and not closed, codes=tuple(codes), units_text=t.units_text, created_on=t.created_on,
                    version=t.version))
        out.append(ListView(lst.uuid, lst.year, lst.kind, lst.title or f"{year}年{LIST_KIND_NAMES[lst.kind]}",
                            tuple(lines)))
    return out


def problem_lines(session: Session, year: int, today: dt.date) -> list[ProblemLine]:
    units = {u.id: u for u in session.scalars(select(Unit))}
    tasks = dict(session.execute(select(Task.uuid, Task.target)).all())
    out = []
    q = select(Problem).where(Problem.year == year).order_by(Problem.position, Problem.id)
    for i, p in enumerate(session.scalars(q), 1):
        unit = unit_path(units[p.unit_id]) if p.unit_id in units else None
        codes = sorted({f.code for f in check_problem(problem_row(p, unit), today)})
        closed = p.status == PROBLEM_CLOSED
        out.append(ProblemLine(
            uuid=p.uuid, seq=i, source=p.source, description=p.description, unit=unit, household=p.household_uuid,
            task=(tasks.get(p.task_uuid) or p.task_uuid) if p.task_uuid else None, measures=p.measures,
            resp_unit=p.resp_unit, resp_person=p.resp_person, deadline=p.deadline, status=p.status,
            closed_on=p.closed_on, closed_basis=p.closed_basis,
            evidence_files=tuple((p.evidence_files or "").splitlines()),
            overdue=is_overdue(p.deadline, closed, today), due_this_month=due_this_month(p.deadline, today) and not closed,
            codes=tuple(codes), opened_on=p.opened_on, feedback_month=p.feedback_month, version=p.version))
    return out


def target_lines(session: Session, year: int, today: dt.date) -> list[TargetLine]:
    q = (select(SupervisionTarget).where(SupervisionTarget.year == year)
         .options(selectinload(SupervisionTarget.entries))
         .order_by(SupervisionTarget.position, SupervisionTarget.id))
    out = []
    for t in session.scalars(q):
        codes = tuple(sorted({f.code for f in target_row_findings(t, today)}))
        out.append(TargetLine(t.uuid, t.county, t.level, t.name, t.reason, t.figure, t.persons, t.leaders, t.team_lead,
                              tuple(e.month for e in t.entries), codes))
    return out


def remaining_by_unit(session: Session, period: Period) -> dict[int, int]:
    """Poor persons not closed out in the month, per unit id (villages, townships and counties)."""
    q = (select(Household.village_id, func.count(Person.id))
         .join(Person, Person.household_id == Household.id)
         .where(Household.period_id == period.id, Household.closed_out.is_(False))
         .group_by(Household.village_id))
    per_village = dict(session.execute(q).all())
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    out: dict[int, int] = {}
    for vid, n in per_village.items():
        u: int | None = vid
        while u is not None:
            out[u] = out.get(u, 0) + n
            u = parents.get(u)
    return out

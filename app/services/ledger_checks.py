"""The D-rules' reading of the ledgers (supervision.md): each task, problem and 督战对象 of a year as the
rules read it, and their findings on a day. Kept apart from the ledger operations so a check or an
analysis reads the ledgers without loading the operations and their file readers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Problem, ResponsibilityList, SupervisionTarget, Task, TaskUnit, Unit
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

"""D-01 … D-09: the year's ledgers against today's date (supervision.md §1–3).

Pure functions over plain rows (``TaskRow``, ``ProblemRow``, ``TargetRow``), so the register, an
import preview and the window judge a task the same way. ``today`` is always passed in: the clock
is the caller's (a test injects it). Each finding names the ledger row it is on in ``record``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.kernel.ledgers import (
    ONGOING,
    PROBLEM_CLOSED,
    PROGRESS_DAY,
    REPORT_DAY,
    TASK_CLOSED,
    cn_date,
    month_key,
)
from app.kernel.month import Month

from .codes import RULES
from .findings import Finding


@dataclass(frozen=True, slots=True)
class TaskUnitRow:
    """One 责任单位 of a task: its state, 销号 and the months it has progress for."""

    name: str
    uuid: str | None = None
    status: str = "未开始"
    closed_on: dt.date | None = None
    closed_basis: str | None = None
    progress_months: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TaskRow:
    uuid: str | None = None
    seq: int | None = None
    target: str | None = None
    measures: str | None = None
    deadline: dt.date | None = None
    ongoing: bool = False
    units_text: str | None = None
    persons: str | None = None
    units: tuple[TaskUnitRow, ...] = ()
    row: int | None = None  # sheet row or paragraph number, for files
    file: str | None = None
    created_on: dt.date | None = None  # None: not known (made before the date was kept)


@dataclass(frozen=True, slots=True)
class ProblemRow:
    uuid: str | None = None
    source: str | None = None
    description: str | None = None
    resp_unit: str | None = None
    deadline: dt.date | None = None
    status: str = "未整改"
    closed_on: dt.date | None = None
    closed_basis: str | None = None
    unit: str | None = None
    household: str | None = None


@dataclass(frozen=True, slots=True)
class TargetRow:
    uuid: str | None = None
    name: str = ""
    entry_months: frozenset[str] = field(default_factory=frozenset)
    unit: str | None = None


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _task_label(t: TaskRow) -> str:
    name = (t.target or "").strip().split("。")[0][:20] or "未命名任务"
    return f"任务{t.seq}“{name}”" if t.seq is not None else f"任务“{name}”"


def _tf(code: str, t: TaskRow, message: str, field_: str | None = None, unit: str | None = None) -> Finding:
    rec = ("task", t.uuid) if t.uuid else None
    return Finding(code, RULES[code][0], f"{_task_label(t)}{message}", file=t.file, row=t.row, unit=unit,
                   field=field_, record=rec)


def _open_rows(t: TaskRow) -> list[TaskUnitRow]:
    return [u for u in t.units if u.status != TASK_CLOSED]


def d01_task_fields(t: TaskRow, today: dt.date) -> list[Finding]:
    missing = [label for label, ok in (
        ("指标", not _blank(t.target)),
        ("工作措施", not _blank(t.measures)),
        ("完成时限", t.deadline is not None or t.ongoing),
        ("责任单位", not _blank(t.units_text) or bool(t.units)),
        ("责任人", not _blank(t.persons)),
    ) if not ok]
    if not missing:
        return []
    return [_tf("D-01", t, f"缺少{'、'.join(missing)}", "task")]


def d02_overdue(t: TaskRow, today: dt.date) -> list[Finding]:
    if t.deadline is None or t.deadline >= today:
        return []
    late = f"逾期：完成时限{cn_date(t.deadline)}已过，"
    if not t.units:
        return [_tf("D-02", t, late + "尚未销号", "deadline")]
    return [_tf("D-02", t, late + f"{u.name}尚未销号", "deadline", unit=u.name) for u in _open_rows(t)]


def d03_closed_evidence(t: TaskRow, today: dt.date) -> list[Finding]:
    out = []
    for u in t.units:
        if u.status == TASK_CLOSED and (u.closed_on is None or _blank(u.closed_basis)):
            missing = "、".join(x for x, ok in (("销号日期", u.closed_on is not None),
                                                 ("销号依据", not _blank(u.closed_basis))) if not ok)
            out.append(_tf("D-03", t, f"{u.name}已销号但缺少{missing}", "closed", unit=u.name))
    return out


def d04_month_progress(t: TaskRow, today: dt.date) -> list[Finding]:
    if today.day <= PROGRESS_DAY:
        return []
    month = month_key(today)
    return [_tf("D-04", t, f"{u.name}没有{today.month}月进展", "progress", unit=u.name)
            for u in _open_rows(t) if month not in u.progress_months]


def d05_ongoing_silent(t: TaskRow, today: dt.date) -> list[Finding]:
    """A 长期坚持 task whose unit has no entry in this month or the one before. A task entered in
    this month or the one before has not yet had those two months, and is not judged yet."""
    if not t.ongoing:
        return []
    this = Month(today.year, today.month)
    if t.created_on is not None and t.created_on >= this.previous().first_day:
        return []
    recent = {str(this), str(this.previous())}
    return [_tf("D-05", t, f"为{ONGOING}，{u.name}已两个月没有进展", "progress", unit=u.name)
            for u in _open_rows(t) if not (recent & u.progress_months)]


def _pf(code: str, p: ProblemRow, message: str, field_: str | None = None) -> Finding:
    name = (p.description or "").strip()[:20] or "未描述的问题"
    return Finding(code, RULES[code][0], f"问题“{name}”{message}", unit=p.unit, household=p.household,
                   field=field_, record=("problem", p.uuid) if p.uuid else None)


def d06_problem_fields(p: ProblemRow, today: dt.date) -> list[Finding]:
    missing = [label for label, ok in (
        ("来源", not _blank(p.source)), ("问题描述", not _blank(p.description)),
        ("责任单位", not _blank(p.resp_unit)), ("整改时限", p.deadline is not None),
    ) if not ok]
    return [_pf("D-06", p, f"缺少{'、'.join(missing)}", "problem")] if missing else []


def d07_problem_overdue(p: ProblemRow, today: dt.date) -> list[Finding]:
    if p.deadline is None or p.deadline >= today or p.status == PROBLEM_CLOSED:
        return []
    return [_pf("D-07", p, f"逾期：整改时限{cn_date(p.deadline)}已过，尚未销号", "deadline")]


def d08_problem_closed(p: ProblemRow, today: dt.date) -> list[Finding]:
    if p.status != PROBLEM_CLOSED or (p.closed_on is not None and not _blank(p.closed_basis)):
        return []
    missing = "、".join(x for x, ok in (("销号日期", p.closed_on is not None),
                                         ("销号依据", not _blank(p.closed_basis))) if not ok)
    return [_pf("D-08", p, f"已销号但缺少{missing}", "closed")]


def d09_target_entry(t: TargetRow, today: dt.date) -> list[Finding]:
    if today.day <= REPORT_DAY or month_key(today) in t.entry_months:
        return []
    return [Finding("D-09", RULES["D-09"][0], f"督战对象“{t.name}”{today.month}月{REPORT_DAY}日前没有督战台账",
                    unit=t.unit, field="entry", record=("target", t.uuid) if t.uuid else None)]


TASK_RULES: dict[str, Callable[[TaskRow, dt.date], list[Finding]]] = {
    "D-01": d01_task_fields, "D-02": d02_overdue, "D-03": d03_closed_evidence,
    "D-04": d04_month_progress, "D-05": d05_ongoing_silent,
}
PROBLEM_RULES: dict[str, Callable[[ProblemRow, dt.date], list[Finding]]] = {
    "D-06": d06_problem_fields, "D-07": d07_problem_overdue, "D-08": d08_problem_closed,
}
TARGET_RULES: dict[str, Callable[[TargetRow, dt.date], list[Finding]]] = {"D-09": d09_target_entry}


def check_task(t: TaskRow, today: dt.date) -> list[Finding]:
    return [f for rule in TASK_RULES.values() for f in rule(t, today)]


def check_problem(p: ProblemRow, today: dt.date) -> list[Finding]:
    return [f for rule in PROBLEM_RULES.values() for f in rule(p, today)]


def check_target(t: TargetRow, today: dt.date) -> list[Finding]:
    return [f for rule in TARGET_RULES.values() for f in rule(t, today)]


def check_ledgers(tasks: Iterable[TaskRow], problems: Iterable[ProblemRow], targets: Iterable[TargetRow],
                  today: dt.date) -> list[Finding]:
    """Every D-rule over the year's ledgers."""
    out: list[Finding] = []
    for t in tasks:
        out.extend(check_task(t, today))
    for p in problems:
        out.extend(check_problem(p, today))
    for g in targets:
        out.extend(check_target(g, today))
    return out


def is_overdue(deadline: dt.date | None, closed: bool, today: dt.date) -> bool:
    """逾期, the one definition the grids and counts use (D-02, D-07)."""
    return deadline is not None and deadline < today and not closed


def due_this_month(deadline: dt.date | None, today: dt.date) -> bool:
    """本月到期: the deadline falls in today's month and has not passed."""
    return deadline is not None and deadline >= today and (deadline.year, deadline.month) == (today.year, today.month)

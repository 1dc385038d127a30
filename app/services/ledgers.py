"""Responsibility lists (两张清单) and the problems ledger as operations (supervision.md §1–2).

Each change is one function taking a session and a frozen request and returning what changed (uuids
per kind, the findings now on those records); a refusal raises. Every change is audited. Lists and
the ledger belong to the year: the month lock does not cover them. D-rules run against ``today``,
which the caller passes (the CLI and window pass the real date; tests inject one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.importers import limits
from app.importers.tasks import InTask, Unplaced, read_list
from app.kernel.ledgers import (
    ALL_TOWNSHIPS,
    LIST_KIND_NAMES,
    LIST_KINDS,
    PROBLEM_CLOSED,
    PROBLEM_SOURCES,
    PROBLEM_STATES,
    TASK_CLOSED,
    TASK_STATES,
    deadline_text,
    parse_deadline,
    split_names,
)
from app.models import Household, Problem, ResponsibilityList, Task, TaskProgress, TaskUnit, Unit
from app.models.units import unit_path
from app.rules.findings import Finding
from app.rules.ledgers import (
    check_problem,
    check_task,
)

from . import audit, concurrency
from .errors import Refused, UsageError
from .ledger_reads import (  # noqa: F401 - the ledger's own API
    list_views,
    problem_findings,
    problem_lines,
    problem_row,
    task_findings,
    task_row,
    task_status,
)
from .units import default_unit, find_unit


class LedgerRefused(Refused):
    """A change the ledger's rules refuse (销号 without evidence, a value outside a closed list)."""


class ListExists(LedgerRefused):
    """The year's list already has tasks: an import would replace them (asked for explicitly)."""


class UnknownRecord(UsageError):
    """No task, unit row, problem or list with the given key."""


@dataclass(frozen=True, slots=True)
class Changed:
    """What an operation changed, by kind, and the findings now on those records."""

    lists: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    task_units: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


# ------------------------------------------------------------------------------- reading helpers


def townships(session: Session) -> list[Unit]:
    """The townships "各乡镇" expands to: under the office's unit, else every township."""
    own = default_unit(session)
    if own is not None and own.level == "county":
        return [u for u in own.children if u.level == "township"]
    if own is not None and own.level == "township":
        return [own]
    return list(session.scalars(select(Unit).where(Unit.level == "township").order_by(Unit.position, Unit.id)))


def _unit_names(session: Session, text: str | None) -> list[tuple[str, int | None]]:
    """责任单位 as rows: departments by name, "各乡镇" as every township (once each)."""
    out: list[tuple[str, int | None]] = []
    seen: set[str] = set()
    by_name = None
    for name in split_names(text):
        if name == ALL_TOWNSHIPS:
            ts = townships(session)
            rows = [(t.name, t.id) for t in ts] or [(ALL_TOWNSHIPS, None)]
        else:
            if by_name is None:
                by_name = {t.name: t.id for t in townships(session)}
            rows = [(name, by_name.get(name))]
        for n, uid in rows:
            if n not in seen:
                seen.add(n)
                out.append((n, uid))
    return out


def _list(session: Session, year: int, kind: str, *, create: bool = False) -> ResponsibilityList | None:
    if kind not in LIST_KINDS:
        raise UsageError(f"清单类别应为 {'、'.join(LIST_KINDS)}（部门清单、乡镇清单）。")
    lst = session.scalars(select(ResponsibilityList).where(
        ResponsibilityList.year == year, ResponsibilityList.kind == kind)).first()
    if lst is None and create:
        lst = ResponsibilityList(year=year, kind=kind, title=f"{year}年{LIST_KIND_NAMES[kind]}")
        session.add(lst)
        session.flush()
        audit.record(session, "insert", table="responsibility_lists", record=lst.uuid, new=lst.title)
    return lst


def _task(session: Session, uuid: str) -> Task:
    t = session.scalars(select(Task).where(Task.uuid == uuid)).first()
    if t is None:
        raise UnknownRecord(f"找不到任务 {uuid}。")
    return t


def _task_unit(t: Task, name: str | None) -> list[TaskUnit]:
    if name is None:
        return list(t.units)
    rows = [u for u in t.units if u.name == name or u.uuid == name]
    if not rows:
        have = "、".join(u.name for u in t.units)
        raise UnknownRecord(f"任务{t.seq or ''}没有责任单位“{name}”（有：{have}）。")
    return rows


def _task_findings(t: Task, today: dt.date) -> tuple[Finding, ...]:
    return tuple(check_task(task_row(t), today))


def _files(files: Iterable[str]) -> str | None:
    names = [Path(str(f)).name for f in files if str(f).strip()]
    return "\n".join(names) or None


def _sync_units(session: Session, t: Task) -> None:
    """Unit rows follow 责任单位: new names added, rows of names removed go (their progress with them)."""
    wanted = _unit_names(session, t.units_text)
    keep = {n for n, _ in wanted}
    for u in list(t.units):
        if u.name not in keep:
            t.units.remove(u)
    have = {u.name: u for u in t.units}
    for i, (name, uid) in enumerate(wanted):
        u = have.get(name)
        if u is None:
            u = TaskUnit(name=name, unit_id=uid)
            t.units.append(u)
        u.position = i


# ------------------------------------------------------------------------------- import


@dataclass(frozen=True, slots=True)
class ImportList:
    path: Path
    year: int
    kind: str = "departments"
    replace: bool = False
    dry_run: bool = False
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True, slots=True)
class ImportedList:
    list_uuid: str | None
    tasks: int
    task_units: int
    unplaced: tuple[Unplaced, ...]
    unread_deadlines: tuple[str, ...]
    changed: Changed
    findings: tuple[Finding, ...]


def _fill(t: Task, inc: InTask, year: int) -> list[str]:
    t.seq, t.heading, t.target, t.measures = inc.seq, inc.heading, inc.target, inc.measures
    t.leaders, t.units_text, t.persons = inc.leaders, inc.units, inc.persons
    t.target_value, t.target_unit = inc.target_number()
    d = parse_deadline(inc.deadline, year)
    t.deadline, t.ongoing = d.date, d.ongoing
    t.deadline_text = inc.deadline if isinstance(inc.deadline, str) else deadline_text(d.date, d.ongoing, year)
    return [f"{inc.where}：完成时限“{part}”无法识别" for part in d.unread]


def _located(f: Finding, inc: InTask, file: str) -> Finding:
    """Where in the file: a workbook's sheet and row; a Word list's paragraph or table row in the message."""
    m = re.match(r"工作表“(.*)”第(\d+)行", inc.where)
    if m:
        return f.at(file=file, sheet=m[1], row=int(m[2]))
    return replace(f, file=file, message=f"{inc.where}：{f.message}")


def import_list(session: Session, req: ImportList) -> ImportedList:
    """Read a list from .docx/.xlsx and store it as the year's list of ``kind``, in one transaction.

    A list that already has tasks is refused unless ``replace``. Findings are the D-rules on the new
    tasks (an imported task with a 指标 line is never missing its 指标).
    """
    try:
        got = read_list(req.path)
    except limits.Rejected as e:
        raise Refused(e.message, [e.finding()]) from e
    if not got.tasks:
        raise LedgerRefused(f"“{Path(req.path).name}”中没有找到任务（需有表头为指标、工作措施等的表格，或“1、…… 工作措施：……”样式的段落）。")
    lst = _list(session, req.year, req.kind, create=not req.dry_run)
    if lst is not None and lst.tasks and not req.replace:
        raise ListExists(f"{lst.title}已有{len(lst.tasks)}项任务，导入会替换它们；请确认替换后再导入。")
    unread: list[str] = []
    tasks: list[Task] = []
    for i, inc in enumerate(got.tasks):
        t = Task(position=i, created_on=req.today)
        unread.extend(_fill(t, inc, req.year))
        _sync_units(session, t)
        tasks.append(t)
    findings: list[Finding] = []
    for t, inc in zip(tasks, got.tasks, strict=True):
        findings.extend(_located(f, inc, got.file) for f in _task_findings(t, req.today)
                        if f.code in ("D-01", "D-02"))
    if req.dry_run or lst is None:
        return ImportedList(None, len(tasks), sum(len(t.units) for t in tasks), tuple(got.unplaced), tuple(unread),
                            Changed(), tuple(findings))
    if req.replace:
        for old in list(lst.tasks):
            audit.record(session, "delete", table="tasks", record=old.uuid, old=old.target)
        lst.tasks.clear()
        session.flush()
    for t in tasks:
        lst.tasks.append(t)
    session.flush()
    audit.record(session, "import", table="responsibility_lists", record=lst.uuid, new=f"{Path(req.path).name}：{len(tasks)}项任务")
    findings = [_located(f, inc, got.file) for t, inc in zip(tasks, got.tasks, strict=True)
                for f in _task_findings(t, req.today) if f.code in ("D-01", "D-02")]
    changed = Changed(lists=(lst.uuid,), tasks=tuple(t.uuid for t in tasks),
                      task_units=tuple(u.uuid for t in tasks for u in t.units), findings=tuple(findings))
    return ImportedList(lst.uuid, len(tasks), len(changed.task_units), tuple(got.unplaced), tuple(unread), changed,
                        tuple(findings))


# ------------------------------------------------------------------------------- tasks


TASK_FIELDS = ("seq", "heading", "target", "measures", "deadline", "leaders", "units", "persons")


@dataclass(frozen=True, slots=True)
class AddTask:
    year: int
    kind: str
    target: str
    measures: str | None = None
    deadline: str | None = None  # as typed: 6月30日、长期坚持
    leaders: str | None = None
    units: str | None = None
    persons: str | None = None
    heading: str | None = None
    today: dt.date = field(default_factory=dt.date.today)


def add_task(session: Session, req: AddTask) -> Changed:
    lst = _list(session, req.year, req.kind, create=True)
    assert lst is not None
    t = Task(position=len(lst.tasks), seq=max((x.seq or 0 for x in lst.tasks), default=0) + 1, created_on=req.today)
    _fill(t, InTask("", heading=req.heading, target=req.target, measures=req.measures, deadline=req.deadline,
                    leaders=req.leaders, units=req.units, persons=req.persons, seq=t.seq), req.year)
    lst.tasks.append(t)
    _sync_units(session, t)
    session.flush()
    audit.record(session, "insert", table="tasks", record=t.uuid, new=t.target)
    return Changed(tasks=(t.uuid,), task_units=tuple(u.uuid for u in t.units), findings=_task_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class UpdateTask:
    uuid: str
    field: str  # one of TASK_FIELDS
    value: str | None
    today: dt.date = field(default_factory=dt.date.today)
    base_version: int | None = None  # the task's version shown (see ``concurrency``)


def update_task(session: Session, req: UpdateTask) -> Changed:
    """One field of a task; 完成时限 is re-read, 责任单位 re-expanded (rows of removed units go)."""
    if req.field not in TASK_FIELDS:
        raise UsageError(f"任务没有“{req.field}”这一栏。")
    t = _task(session, req.uuid)
    concurrency.check(session, t, req.base_version, req.field)
    value = (req.value or "").strip() or None
    if req.field == "deadline":
        d = parse_deadline(value, t.owner.year)
        if value and d.unread:
            raise LedgerRefused(f"完成时限“{'、'.join(d.unread)}”无法识别：请写日期（如 6月30日）或“长期坚持”。")
        old = t.deadline_text
        t.deadline, t.ongoing, t.deadline_text = d.date, d.ongoing, value
    elif req.field == "seq":
        old = t.seq
        try:
            t.seq = int(value) if value else None
        except ValueError as e:
            raise LedgerRefused(f"序号应为整数：{value}") from e
    elif req.field == "units":
        old = t.units_text
        t.units_text = value
        _sync_units(session, t)
    else:
        old = getattr(t, req.field)
        setattr(t, req.field, value)
        if req.field == "target":
            t.target_value, t.target_unit = InTask("", target=value).target_number()
    session.flush()
    audit.record(session, "update", table="tasks", record=t.uuid, field=req.field, old=old, new=value)
    return Changed(tasks=(t.uuid,), task_units=tuple(u.uuid for u in t.units), findings=_task_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class RecordProgress:
    task: str  # task uuid
    unit: str  # 责任单位 name (or the unit row's uuid)
    month: str  # YYYY-MM
    text: str
    percent: float | None = None
    entered_on: dt.date = field(default_factory=dt.date.today)


def record_progress(session: Session, req: RecordProgress) -> Changed:
    """月度进展 of one 责任单位 for a month (replacing that month's entry); 未开始 becomes 推进中."""
    from .periods import check_month

    check_month(req.month)
    if req.percent is not None and not 0 <= req.percent <= 100:
        raise LedgerRefused(f"进度百分比应在0至100之间：{req.percent}")
    t = _task(session, req.task)
    (u,) = _task_unit(t, req.unit)[:1]
    entry = next((p for p in u.progress if p.month == req.month), None)
    old = entry.text if entry else None
    if entry is None:
        entry = TaskProgress(month=req.month, entered_on=req.entered_on, text=req.text, percent=req.percent)
        u.progress.append(entry)
    else:
        entry.text, entry.percent, entry.entered_on = req.text, req.percent, req.entered_on
    if u.status == "未开始":
        u.status = "推进中"
    session.flush()
    audit.record(session, "update", table="task_progress", record=u.uuid, field=req.month, old=old, new=req.text)
    return Changed(tasks=(t.uuid,), task_units=(u.uuid,), findings=_task_findings(t, req.entered_on))


@dataclass(frozen=True, slots=True)
class ProgressState:
    """One 责任单位's entry of a month as it stands (``text`` None: no entry) and the row's 状态: what
    taking a 月度进展 back puts in place again."""

    unit: str  # the unit row's uuid
    month: str
    text: str | None
    percent: float | None
    entered_on: dt.date | None
    status: str


def progress_state(session: Session, task: str, unit: str, month: str) -> ProgressState:
    (u,) = _task_unit(_task(session, task), unit)[:1]
    entry = next((p for p in u.progress if p.month == month), None)
    return ProgressState(u.uuid, month, entry.text if entry else None, entry.percent if entry else None,
                         entry.entered_on if entry else None, u.status)


def restore_progress(session: Session, task: str, state: ProgressState, today: dt.date) -> Changed:
    """A month's entry and the row's 状态 put back as ``state`` says (no entry: the month's is removed)."""
    t = _task(session, task)
    (u,) = _task_unit(t, state.unit)[:1]
    entry = next((p for p in u.progress if p.month == state.month), None)
    old = entry.text if entry else None
    if state.text is None:
        if entry is not None:
            u.progress.remove(entry)
    elif entry is None:
        u.progress.append(TaskProgress(month=state.month, entered_on=state.entered_on or today, text=state.text,
                                       percent=state.percent))
    else:
        entry.text, entry.percent, entry.entered_on = state.text, state.percent, state.entered_on or today
    if u.status != TASK_CLOSED and state.status != TASK_CLOSED:
        u.status = state.status
    session.flush()
    audit.record(session, "update", table="task_progress", record=u.uuid, field=state.month, old=old, new=state.text)
    return Changed(tasks=(t.uuid,), task_units=(u.uuid,), findings=_task_findings(t, today))


@dataclass(frozen=True, slots=True)
class SetTaskStatus:
    task: str
    unit: str | None  # None: every row of the task
    status: str
    today: dt.date = field(default_factory=dt.date.today)


def set_task_status(session: Session, req: SetTaskStatus) -> Changed:
    """状态 of a task's rows; 已销号 only through ``close_out_task`` (it needs a date and evidence)."""
    if req.status not in TASK_STATES:
        raise LedgerRefused(f"状态应为：{'、'.join(TASK_STATES)}。")
    if req.status == TASK_CLOSED:
        raise LedgerRefused("销号需有销号日期和销号依据，请用“对表销号”。",
                            [Finding("D-03", "E", "销号需有销号日期和销号依据", record=("task", req.task))])
    t = _task(session, req.task)
    rows = _task_unit(t, req.unit)
    for u in rows:
        old = u.status
        u.status = req.status
        if old == TASK_CLOSED:  # reopening a row drops its 销号
            u.closed_on = u.closed_basis = u.evidence_files = None
        audit.record(session, "update", table="task_units", record=u.uuid, field="status", old=old, new=req.status)
    session.flush()
    return Changed(tasks=(t.uuid,), task_units=tuple(u.uuid for u in rows), findings=_task_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class CloseOutTask:
    """对表销号 of a task's row (or of every open row when ``unit`` is None)."""

    task: str
    unit: str | None
    on: dt.date | None
    basis: str | None
    files: tuple[str, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)


def close_out_task(session: Session, req: CloseOutTask) -> Changed:
    t = _task(session, req.task)
    if req.on is None or not (req.basis or "").strip():
        missing = "、".join(x for x, ok in (("销号日期", req.on is not None), ("销号依据", bool((req.basis or "").strip())))
                           if not ok)
        f = Finding("D-03", "E", f"销号缺少{missing}", record=("task", t.uuid))
        raise LedgerRefused(f"不能销号：缺少{missing}。", [f])
    rows = [u for u in _task_unit(t, req.unit) if u.status != TASK_CLOSED or req.unit is not None]
    for u in rows:
        old = u.status
        u.status, u.closed_on, u.closed_basis = TASK_CLOSED, req.on, req.basis.strip()
        u.evidence_files = _files(req.files)
        audit.record(session, "close_out", table="task_units", record=u.uuid, field="status", old=old,
                     new=f"{TASK_CLOSED} {req.on.isoformat()} {u.closed_basis}")
    session.flush()
    return Changed(tasks=(t.uuid,), task_units=tuple(u.uuid for u in rows), findings=_task_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class RemoveTask:
    uuid: str


def remove_task(session: Session, req: RemoveTask) -> Changed:
    t = _task(session, req.uuid)
    audit.record(session, "delete", table="tasks", record=t.uuid, old=t.target)
    units = tuple(u.uuid for u in t.units)
    session.delete(t)
    session.flush()
    return Changed(tasks=(req.uuid,), task_units=units)


# ------------------------------------------------------------------------------- problems


PROBLEM_FIELDS = ("source", "description", "unit", "household", "task", "measures", "resp_unit", "resp_person",
                  "deadline", "status")


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    d = parse_deadline(text, dt.date.today().year)
    if d.date is None or d.unread:
        raise LedgerRefused(f"{what}“{text}”不是日期（如 2020-06-30）。")
    return d.date


def _problem(session: Session, uuid: str) -> Problem:
    p = session.scalars(select(Problem).where(Problem.uuid == uuid)).first()
    if p is None:
        raise UnknownRecord(f"找不到问题 {uuid}。")
    return p


def _problem_findings(session: Session, p: Problem, today: dt.date) -> tuple[Finding, ...]:
    unit = session.get(Unit, p.unit_id) if p.unit_id else None
    return tuple(check_problem(problem_row(p, unit_path(unit) if unit else None), today))


def _set_problem_field(session: Session, p: Problem, name: str, value: str | dt.date | None) -> tuple[object, object]:
    if isinstance(value, str):
        value = value.strip() or None
    if name == "source":
        if value is not None and value not in PROBLEM_SOURCES:
            raise LedgerRefused(f"来源应为：{'、'.join(PROBLEM_SOURCES)}。")
        old, p.source = p.source, value
        return old, value
    if name == "status":
        if value not in PROBLEM_STATES:
            raise LedgerRefused(f"状态应为：{'、'.join(PROBLEM_STATES)}。")
        if value == PROBLEM_CLOSED:
            raise LedgerRefused("销号需有销号日期和销号依据，请用“销号”。",
                                [Finding("D-08", "E", "销号需有销号日期和销号依据", record=("problem", p.uuid))])
        old, p.status = p.status, value
        if old == PROBLEM_CLOSED:
            p.closed_on = p.closed_basis = p.evidence_files = None
        return old, value
    if name == "deadline":
        d = _date(value, "整改时限")
        old, p.deadline = p.deadline, d
        return old, d
    if name == "unit":
        unit = find_unit(session, str(value)) if value else None
        old, p.unit_id = p.unit_id, unit.id if unit else None
        return old, unit_path(unit) if unit else None
    if name == "household":
        if value and session.scalars(select(Household.id).where(Household.uuid == value)).first() is None:
            raise UnknownRecord(f"登记册中没有户 {value}。")
        old, p.household_uuid = p.household_uuid, value
        return old, value
    if name == "task":
        if value:
            _task(session, str(value))
        old, p.task_uuid = p.task_uuid, value
        return old, value
    old = getattr(p, name)
    setattr(p, name, value)
    return old, value


@dataclass(frozen=True, slots=True)
class AddProblem:
    year: int
    source: str | None
    description: str | None
    resp_unit: str | None = None
    deadline: str | dt.date | None = None
    measures: str | None = None
    resp_person: str | None = None
    unit: str | None = None  # name or path of the unit it concerns
    household: str | None = None  # uuid
    task: str | None = None  # uuid
    target: str | None = None  # 督战对象 uuid (来源 督战发现)
    today: dt.date = field(default_factory=dt.date.today)
    unit_id: int | None = None  # the unit it concerns, when the caller has it rather than a name


def add_problem(session: Session, req: AddProblem) -> Changed:
    p = Problem(year=req.year, status="未整改", target_uuid=req.target, unit_id=req.unit_id, opened_on=req.today)
    p.position = len(list(session.scalars(select(Problem.id).where(Problem.year == req.year))))
    for name in ("source", "description", "resp_unit", "deadline", "measures", "resp_person", "unit", "household",
                 "task"):
        if name == "unit" and req.unit is None and req.unit_id is not None:
            continue
        _set_problem_field(session, p, name, getattr(req, name))
    session.add(p)
    session.flush()
    audit.record(session, "insert", table="problems", record=p.uuid, new=p.description)
    return Changed(problems=(p.uuid,), findings=_problem_findings(session, p, req.today))


@dataclass(frozen=True, slots=True)
class UpdateProblem:
    uuid: str
    field: str
    value: str | None
    today: dt.date = field(default_factory=dt.date.today)
    base_version: int | None = None  # the problem's version shown (see ``concurrency``)


def update_problem(session: Session, req: UpdateProblem) -> Changed:
    if req.field not in PROBLEM_FIELDS:
        raise UsageError(f"问题没有“{req.field}”这一栏。")
    p = _problem(session, req.uuid)
    concurrency.check(session, p, req.base_version, req.field)
    old, new = _set_problem_field(session, p, req.field, req.value)
    session.flush()
    audit.record(session, "update", table="problems", record=p.uuid, field=req.field, old=old, new=new)
    return Changed(problems=(p.uuid,), findings=_problem_findings(session, p, req.today))


@dataclass(frozen=True, slots=True)
class CloseOutProblem:
    uuid: str
    on: dt.date | None
    basis: str | None
    files: tuple[str, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)


def close_out_problem(session: Session, req: CloseOutProblem) -> Changed:
    """销号 (化解, for a problem raised on a household visit): refused without a date and 销号依据."""
    p = _problem(session, req.uuid)
    if req.on is None or not (req.basis or "").strip():
        missing = "、".join(x for x, ok in (("销号日期", req.on is not None), ("销号依据", bool((req.basis or "").strip())))
                           if not ok)
        raise LedgerRefused(f"不能销号：缺少{missing}。",
                            [Finding("D-08", "E", f"销号缺少{missing}", record=("problem", p.uuid))])
    old = p.status
    p.status, p.closed_on, p.closed_basis, p.evidence_files = PROBLEM_CLOSED, req.on, req.basis.strip(), _files(req.files)
    session.flush()
    audit.record(session, "close_out", table="problems", record=p.uuid, field="status", old=old,
                 new=f"{PROBLEM_CLOSED} {req.on.isoformat()} {p.closed_basis}")
    return Changed(problems=(p.uuid,), findings=_problem_findings(session, p, req.today))


VISIT_DEADLINE_DAYS = 30  # a problem raised on a household visit: 整改时限 a month on (our design)


def problems_from_visit(session: Session, visit_uuid: str, visited_on: dt.date, household: str,
                        village_id: int, problems: list[tuple[str, bool]]) -> list[str]:
    """Problems raised on a household visit enter the ledger with 来源 入户走访 (supervision.md §2):
    the village's township answers for them, due a month on; one solved on the spot is 已销号 (化解)
    at once. Returns the ledger uuids, in order."""
    village = session.get(Unit, village_id)
    township = village.parent if village is not None else None
    out = []
    for text, solved in problems:
        made = add_problem(session, AddProblem(
            year=visited_on.year, source="入户走访", description=text, household=household, unit_id=village_id,
            resp_unit=township.name if township is not None else None,
            deadline=visited_on + dt.timedelta(days=VISIT_DEADLINE_DAYS), today=visited_on))
        uuid = made.problems[0]
        if solved:
            close_out_problem(session, CloseOutProblem(uuid, visited_on, "入户走访时当场化解", (), visited_on))
        out.append(uuid)
    return out


# ------------------------------------------------------------------------------- views (queries)


def task_uuid_of(session: Session, list_year: int, seq: int, kind: str | None = None) -> str:
    """A task by its 序号 in the year's list (the CLI's way of naming one)."""
    q = select(Task.uuid).join(ResponsibilityList).where(ResponsibilityList.year == list_year, Task.seq == seq)
    if kind:
        q = q.where(ResponsibilityList.kind == kind)
    found = list(session.scalars(q))
    if len(found) != 1:
        raise UnknownRecord(f"{list_year}年清单中{'没有' if not found else '有多项'}序号为{seq}的任务。")
    return found[0]

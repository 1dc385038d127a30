"""The year's ledgers (两张清单, 问题整改台账, 挂牌督战) changed through typed requests for
``operations.execute``.

Each request wraps the ledger service's own frozen request and returns a ``LedgerEdit``: what the
service reported changed (uuids per kind, the findings now on those records) and, for the edits a
clerk can take back, the state before. ``inverse(edit)`` is the request that puts that state back,
and its own inverse puts the edit back again (undo and redo in the 督战与销号 view). ``Outcome.changed``
names the records as ``(kind, uuid)``. Lists and ledgers belong to the year: no month lock applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.kernel.ledgers import PROBLEM_CLOSED, TASK_CLOSED
from app.models.units import unit_path

from . import ledger_export, ledgers, supervision
from .operations import Changed


@dataclass(frozen=True)
class LedgerEdit:
    """A ledger change: what the service reported and the state before (None: not to be taken back)."""

    changed: ledgers.Changed | supervision.TargetChanged
    before: Any = None

    @property
    def findings(self):
        return self.changed.findings


def _changed(ch: ledgers.Changed | supervision.TargetChanged, structural: bool = False) -> Changed:
    if isinstance(ch, supervision.TargetChanged):
        records = {("target", u) for u in ch.targets}
    else:
        records = ({("list", u) for u in ch.lists} | {("task", u) for u in ch.tasks}
                   | {("task_unit", u) for u in ch.task_units} | {("problem", u) for u in ch.problems})
    return Changed(records=frozenset(records), structural=structural)


class _Ledger:
    """No household's findings change with a ledger row (its D-rules are in ``LedgerEdit.findings``)."""

    def households(self, session: Session) -> set[int]:
        return set()


# -- tasks ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RowState:
    """A task's 责任单位 row as it stands: its 状态 and, when 已销号, the date, basis and files."""

    unit: str  # the row's uuid
    status: str
    closed_on: dt.date | None = None
    basis: str | None = None
    files: tuple[str, ...] = ()


def _rows(session: Session, task: str, unit: str | None) -> tuple[RowState, ...]:
    t = ledgers._task(session, task)
    rows = ledgers._task_unit(t, unit)
    return tuple(RowState(u.uuid, u.status, u.closed_on, u.closed_basis, tuple((u.evidence_files or "").splitlines()))
                 for u in rows)


@dataclass(frozen=True)
class RestoreTaskRows(_Ledger):
    """Task rows' 状态 (and 销号) put back as they were; the inverse of a status change or a 销号."""

    task: str
    rows: tuple[RowState, ...]
    today: dt.date = field(default_factory=dt.date.today)

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = tuple(r for u in self.rows for r in _rows(session, self.task, u.unit))
        found: list = []
        tasks, units = set(), set()
        for r in self.rows:
            if r.status == TASK_CLOSED and r.closed_on is not None and r.basis:
                ch = ledgers.close_out_task(session, ledgers.CloseOutTask(self.task, r.unit, r.closed_on, r.basis,
                                                                          r.files, self.today))
            else:
                ch = ledgers.set_task_status(session, ledgers.SetTaskStatus(
                    self.task, r.unit, r.status if r.status != TASK_CLOSED else "已完成", self.today))
            tasks.update(ch.tasks)
            units.update(ch.task_units)
            found = list(ch.findings)
        ch = ledgers.Changed(tasks=tuple(tasks), task_units=tuple(units), findings=tuple(found))
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreTaskRows:
        return RestoreTaskRows(self.task, edit.before, self.today)


@dataclass(frozen=True)
class SetTaskStatus(_Ledger):
    """状态 of a task's row (or of all its rows); 已销号 only through ``CloseOutTask``."""

    edit: ledgers.SetTaskStatus

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = _rows(session, self.edit.task, self.edit.unit)
        ch = ledgers.set_task_status(session, self.edit)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreTaskRows:
        return RestoreTaskRows(self.edit.task, edit.before, self.edit.today)


@dataclass(frozen=True)
class CloseOutTask(_Ledger):
    """对表销号 of a task's row with its date, 销号依据 and evidence files."""

    edit: ledgers.CloseOutTask

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = _rows(session, self.edit.task, self.edit.unit)
        ch = ledgers.close_out_task(session, self.edit)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreTaskRows:
        return RestoreTaskRows(self.edit.task, edit.before, self.edit.today)


_TASK_OLD = {"deadline": "deadline_text", "units": "units_text"}


@dataclass(frozen=True)
class EditTask(_Ledger):
    """One field of a task (指标, 工作措施, 完成时限, 责任单位 …); the inverse types the old text back."""

    edit: ledgers.UpdateTask

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        t = ledgers._task(session, self.edit.uuid)
        old = getattr(t, _TASK_OLD.get(self.edit.field, self.edit.field), None) if self.edit.field in ledgers.TASK_FIELDS \
            else None
        ch = ledgers.update_task(session, self.edit)
        return LedgerEdit(ch, "" if old is None else str(old)), _changed(ch, self.edit.field == "units")

    def inverse(self, edit: LedgerEdit) -> EditTask:
        return EditTask(ledgers.UpdateTask(self.edit.uuid, self.edit.field, edit.before, self.edit.today))


@dataclass(frozen=True)
class RestoreTaskProgress(_Ledger):
    """A 责任单位's 月度进展 of a month (and the row's 状态) put back; no entry before: it is removed."""

    task: str
    state: ledgers.ProgressState
    today: dt.date = field(default_factory=dt.date.today)

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = ledgers.progress_state(session, self.task, self.state.unit, self.state.month)
        ch = ledgers.restore_progress(session, self.task, self.state, self.today)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreTaskProgress:
        return RestoreTaskProgress(self.task, edit.before, self.today)


@dataclass(frozen=True)
class RecordProgress(_Ledger):
    """月度进展 of one 责任单位 for a month (replacing that month's entry); undone, the month's entry
    and the row's 状态 are as they were."""

    edit: ledgers.RecordProgress

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = ledgers.progress_state(session, self.edit.task, self.edit.unit, self.edit.month)
        ch = ledgers.record_progress(session, self.edit)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreTaskProgress:
        return RestoreTaskProgress(self.edit.task, edit.before, self.edit.entered_on)


@dataclass(frozen=True)
class AddTask(_Ledger):
    """A new task at the end of the year's list."""

    edit: ledgers.AddTask

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        ch = ledgers.add_task(session, self.edit)
        return LedgerEdit(ch), _changed(ch, structural=True)


@dataclass(frozen=True)
class ImportList(_Ledger):
    """A responsibility list read from .docx/.xlsx as the year's list (``guatu tasks import``); the
    value is the service's ``ImportedList``."""

    edit: ledgers.ImportList

    def run(self, session: Session) -> tuple[ledgers.ImportedList, Changed]:
        got = ledgers.import_list(session, self.edit)
        return got, _changed(got.changed, structural=not self.edit.dry_run)


# -- problems ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProblemState:
    status: str
    closed_on: dt.date | None = None
    basis: str | None = None
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class RestoreProblem(_Ledger):
    """A problem's 状态 (and 销号) put back; the inverse of a status change or a 销号."""

    uuid: str
    state: ProblemState
    today: dt.date = field(default_factory=dt.date.today)

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = _problem_state(session, self.uuid)
        s = self.state
        if s.status == PROBLEM_CLOSED and s.closed_on is not None and s.basis:
            ch = ledgers.close_out_problem(session, ledgers.CloseOutProblem(self.uuid, s.closed_on, s.basis, s.files,
                                                                            self.today))
        else:
            status = s.status if s.status != PROBLEM_CLOSED else "整改中"
            ch = ledgers.update_problem(session, ledgers.UpdateProblem(self.uuid, "status", status, self.today))
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreProblem:
        return RestoreProblem(self.uuid, edit.before, self.today)


def _problem_state(session: Session, uuid: str) -> ProblemState:
    p = ledgers._problem(session, uuid)
    return ProblemState(p.status, p.closed_on, p.closed_basis, tuple((p.evidence_files or "").splitlines()))


def _problem_value(session: Session, uuid: str, name: str) -> str:
    """A problem's field as it would be typed back (a date as YYYY-MM-DD, a unit by its path)."""
    from app.models import Unit

    p = ledgers._problem(session, uuid)
    if name == "unit":
        unit = session.get(Unit, p.unit_id) if p.unit_id else None
        return unit_path(unit) if unit is not None else ""
    value = {"household": p.household_uuid, "task": p.task_uuid}.get(name, getattr(p, name, None)) \
        if name in ledgers.PROBLEM_FIELDS else None
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


@dataclass(frozen=True)
class EditProblem(_Ledger):
    """One field of a problem (来源, 问题描述, 整改措施, 整改时限, 状态 …); the inverse puts the old one back."""

    edit: ledgers.UpdateProblem

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        if self.edit.field == "status":
            before: Any = _problem_state(session, self.edit.uuid)
        else:
            before = _problem_value(session, self.edit.uuid, self.edit.field)
        ch = ledgers.update_problem(session, self.edit)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> EditProblem | RestoreProblem:
        if isinstance(edit.before, ProblemState):
            return RestoreProblem(self.edit.uuid, edit.before, self.edit.today)
        return EditProblem(ledgers.UpdateProblem(self.edit.uuid, self.edit.field, edit.before, self.edit.today))


@dataclass(frozen=True)
class CloseOutProblem(_Ledger):
    """销号 of a problem with its date, 销号依据 and evidence files."""

    edit: ledgers.CloseOutProblem

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        before = _problem_state(session, self.edit.uuid)
        ch = ledgers.close_out_problem(session, self.edit)
        return LedgerEdit(ch, before), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> RestoreProblem:
        return RestoreProblem(self.edit.uuid, edit.before, self.edit.today)


@dataclass(frozen=True)
class AddProblem(_Ledger):
    """A new row of the problems ledger."""

    edit: ledgers.AddProblem

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        ch = ledgers.add_problem(session, self.edit)
        return LedgerEdit(ch), _changed(ch, structural=True)


# -- 挂牌督战 -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EditTarget(_Ledger):
    """A 督战对象's figure, leaders or team lead; the inverse types the old text back."""

    edit: supervision.UpdateTarget

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        old = getattr(supervision._target(session, self.edit.target), self.edit.field, None)
        ch = supervision.update_target(session, self.edit)
        return LedgerEdit(ch, old or ""), _changed(ch)

    def inverse(self, edit: LedgerEdit) -> EditTarget:
        return EditTarget(supervision.UpdateTarget(self.edit.target, self.edit.field, edit.before, self.edit.today))


@dataclass(frozen=True)
class RecordSupervision(_Ledger):
    """督战台账 of a 督战对象 for a month."""

    edit: supervision.RecordSupervision

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        ch = supervision.record_supervision(session, self.edit)
        return LedgerEdit(ch), _changed(ch)


@dataclass(frozen=True)
class AddTarget(_Ledger):
    """A 督战对象 listed by hand (``guatu supervision add``)."""

    edit: supervision.AddTarget

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        ch = supervision.add_target(session, self.edit)
        return LedgerEdit(ch), _changed(ch, structural=True)


@dataclass(frozen=True)
class ConfirmCandidates(_Ledger):
    """The register's proposed 督战对象 confirmed (all, or those of the given units)."""

    edit: supervision.ConfirmCandidates

    def run(self, session: Session) -> tuple[LedgerEdit, Changed]:
        ch = supervision.confirm_candidates(session, self.edit)
        return LedgerEdit(ch), _changed(ch, structural=bool(ch.targets))


@dataclass(frozen=True)
class SetThresholds(_Ledger):
    """The office's 挂牌督战 thresholds kept."""

    thresholds: supervision.Thresholds

    def run(self, session: Session) -> tuple[supervision.Thresholds, Changed]:
        return supervision.set_thresholds(session, supervision.SetThresholds(self.thresholds)), Changed()


@dataclass(frozen=True)
class SetRuralPopulation(_Ledger):
    """A village's 农村人口 (what its 贫困发生率 is counted against)."""

    edit: supervision.SetRuralPopulation

    def run(self, session: Session) -> tuple[supervision.UnitChanged, Changed]:
        got = supervision.set_rural_population(session, self.edit)
        return got, Changed(units=frozenset(got.units))


# -- exports (audited) ---------------------------------------------------------------------------
LEDGER_EXPORTS = ("departments", "townships", "problems", "targets")


@dataclass(frozen=True)
class ExportLedger(_Ledger):
    """A list, the problems ledger or the 挂牌督战表 written to ``out`` (.xlsx or PDF); the export is
    audited, so it is a change too. Returns the rows written."""

    what: str  # one of LEDGER_EXPORTS
    year: int
    out: Path
    today: dt.date = field(default_factory=dt.date.today)

    def run(self, session: Session) -> tuple[int, Changed]:
        if self.what in ("departments", "townships"):
            n = ledger_export.export_list(session, self.year, self.what, self.out, self.today)
        elif self.what == "problems":
            n = ledger_export.export_problems(session, self.year, self.out, self.today)
        elif self.what == "targets":
            n = ledger_export.export_supervision(session, self.year, self.out, self.today)
        else:
            raise ValueError(self.what)
        return n, Changed()


@dataclass(frozen=True)
class ExportTownships(_Ledger):
    """The township list (seed-003 layout) of a month written to ``out``; audited."""

    month: str | None
    out: Path
    thresholds: supervision.Thresholds
    today: dt.date = field(default_factory=dt.date.today)

    def run(self, session: Session) -> tuple[int, Changed]:
        return ledger_export.export_townships(session, self.month, self.out, self.thresholds, self.today), Changed()

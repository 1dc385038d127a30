"""One door for changes: a typed request in, a typed result out, or a typed error.

``execute(db, request)`` runs ``request`` in one write transaction and returns an ``Outcome``: the
request's value, what changed (ids per kind: household, person, unit, count row, period) and, for
requests that touch households, the findings of those households that appeared or went away. A
refusal is raised as a ``GuatuError`` (``Refused``, ``UsageError``, ``LockedPeriod``,
``register.InvalidValue``), never returned as data, and rolls the transaction back.

The CLI's changing commands call these requests; the window runs the same requests (its register
edits are in ``register_ops``) on its write worker and repaints from ``Outcome.changed`` and
``Outcome.findings``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.models import Period, Person
from app.rules.findings import Finding
from app.storage import Database

from . import adjustments, checks, count_sheet, new_month, office, periods, projects, register, treatment
from .counts import CountRow
from .errors import UsageError
from .units import find_unit

T = TypeVar("T")


@dataclass(frozen=True)
class Changed:
    """What a request changed, by kind. A period in ``periods`` changed as a whole (opened,
    reopened, carried forward): everything shown of it is to be read again."""

    households: frozenset[int] = frozenset()
    persons: frozenset[int] = frozenset()
    units: frozenset[int] = frozenset()
    count_rows: frozenset[tuple[int, int, int]] = frozenset()  # (period id, unit id, form)
    periods: frozenset[int] = frozenset()
    structural: bool = False  # records added or removed: lists of ids are to be read again
    # the year's ledgers and the household records, by (kind, uuid): kind is "list", "task",
    # "task_unit", "problem", "target", "visit", "report" (the kinds of a finding's ``record``, and more)
    records: frozenset[tuple[str, str]] = frozenset()

    def __or__(self, other: Changed) -> Changed:
        return Changed(self.households | other.households, self.persons | other.persons, self.units | other.units,
                       self.count_rows | other.count_rows, self.periods | other.periods,
                       self.structural or other.structural, self.records | other.records)

    def of(self, kind: str) -> frozenset[str]:
        """The uuids of one kind of record changed."""
        return frozenset(uuid for k, uuid in self.records if k == kind)


@dataclass(frozen=True)
class FindingsChange:
    """The findings of the changed households: those that appeared and those that went away. An
    H-12 that an edit gives or takes from *another* household (the person it matched) is not here:
    that household shows it from the month's next full check."""

    added: tuple[Finding, ...] = ()
    removed: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    changed: Changed
    findings: FindingsChange = field(default_factory=FindingsChange)


class Request(Protocol[T]):
    def households(self, session: Session) -> set[int]:
        """The households whose findings the request may change (looked at before it runs)."""

    def run(self, session: Session) -> tuple[T, Changed]: ...


def execute(db: Database, request: Request[T]) -> Outcome[T]:
    """Run ``request`` in one write transaction (committed on success, rolled back on an error).
    A request with an ``outcome(db)`` runs its transaction elsewhere (a large import in a child
    process, ``import_child.ImportInChild``) and is handed the database instead."""
    elsewhere = getattr(request, "outcome", None)
    if callable(elsewhere):
        return elsewhere(db)
    with db.session() as s:
        touched = request.households(s)
        before = {hid: _findings(s, hid) for hid in touched}
        value, changed = request.run(s)
        s.flush()
        after = {hid: _findings(s, hid) for hid in touched | set(changed.households)}
    old = [f for fs in before.values() for f in fs]
    new = [f for fs in after.values() for f in fs]
    return Outcome(value, changed, FindingsChange(tuple(f for f in new if f not in old),
                                                  tuple(f for f in old if f not in new)))


def _findings(session: Session, household_id: int) -> list[Finding]:
    try:
        return checks.check_household_id(session, household_id)
    except UsageError:  # removed by the request
        return []


# -- requests ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EditPerson:
    """One member's field set to a typed value (normalised, audited; refused in a locked month)."""

    person_id: int
    field: str
    value: Any

    def households(self, session: Session) -> set[int]:
        person = session.get(Person, self.person_id)
        return {person.household_id} if person is not None else set()

    def run(self, session: Session) -> tuple[register.Change, Changed]:
        change = register.update_person(session, self.person_id, self.field, self.value)
        return change, Changed(households=frozenset({change.household_id}), persons=frozenset({self.person_id}))


@dataclass(frozen=True)
class EditHousehold:
    """One household field set to a typed value (normalised, audited; refused in a locked month)."""

    household_id: int
    field: str
    value: Any

    def households(self, session: Session) -> set[int]:
        return {self.household_id}

    def run(self, session: Session) -> tuple[register.Change, Changed]:
        change = register.update_household(session, self.household_id, self.field, self.value)
        return change, Changed(households=frozenset({self.household_id}))


@dataclass(frozen=True)
class ReopenPeriod:
    """A month exported as final opened again for changes; the reason goes to the audit log."""

    month: str
    reason: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[Period, Changed]:
        period = periods.reopen_period(session, self.month, self.reason)
        return period, Changed(periods=frozenset({period.id}))


@dataclass(frozen=True)
class NewMonth:
    """结转: the register of ``source`` carried into the new month ``target``."""

    source: str
    target: str
    prior_incomes: dict[str, float] | None = None
    # called once the month is carried, before the commit: raising there (取消 pressed) rolls it back
    cancel: Callable[[], None] | None = field(default=None, compare=False, repr=False)

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[dict[str, Any], Changed]:
        result = new_month.new_month(session, self.source, self.target, self.prior_incomes)
        if self.cancel is not None:
            self.cancel()
        target = periods.get_period(session, result["period"])
        return result, Changed(periods=frozenset({target.id}), structural=True)


@dataclass(frozen=True)
class SetHandCount:
    """One count of a village row of 附件1/附件2 typed by hand (None: un-typed); audited, open months only."""

    month: str
    row: CountRow
    form: int
    code: str
    value: int | None

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[tuple[int | None, int | None], Changed]:
        old_new = count_sheet.set_cell(session, self.month, self.row, self.form, self.code, self.value)
        period = periods.get_period(session, self.month)
        return old_new, Changed(count_rows=frozenset({(period.id, self.row.unit_id, self.form)}))


@dataclass(frozen=True)
class SaveCountNote:
    """The 核实说明 of a count finding kept (audited, open months only)."""

    month: str
    finding: Finding
    text: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[Finding, Changed]:
        return count_sheet.save_note(session, self.month, self.finding, self.text), Changed()


@dataclass(frozen=True)
class EditProject:
    """Fields of a fund project (附件3) changed; returns {field: (old, new)}."""

    month: str
    uuid: str
    values: dict[str, Any]

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[dict[str, tuple[Any, Any]], Changed]:
        period = periods.get_period(session, self.month)
        township = projects.get_project(session, period, self.uuid).township_id
        changed = projects.update_project(session, period, self.uuid, **self.values)
        return changed, Changed(count_rows=frozenset({(period.id, township, 3)}) if changed else frozenset())


@dataclass(frozen=True)
class AddProject:
    """A new fund project of the township at ``township`` (a unit path); returns its uuid."""

    month: str
    township: str
    values: dict[str, Any]

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[str, Changed]:
        period = periods.get_period(session, self.month)
        township = find_unit(session, self.township)
        project = projects.add_project(session, period, township, **self.values)
        return project.uuid, Changed(count_rows=frozenset({(period.id, township.id, 3)}), structural=True)


@dataclass(frozen=True)
class DeleteProject:
    """A fund project removed; returns its name."""

    month: str
    uuid: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[str, Changed]:
        period = periods.get_period(session, self.month)
        township = projects.get_project(session, period, self.uuid).township_id
        name = projects.delete_project(session, period, self.uuid)
        return name, Changed(count_rows=frozenset({(period.id, township, 3)}), structural=True)


@dataclass(frozen=True)
class OpenFirstMonth:
    """The register's first month, empty and open (a database without any month); returns the month."""

    month: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[str, Changed]:
        period = periods.open_first_period(session, self.month)
        return period.month, Changed(periods=frozenset({period.id}), structural=True)


@dataclass(frozen=True)
class UpdateOffice:
    """Office settings set (own unit, filler, phone, mailboxes, export folder); returns
    {field: (old, new)} for what changed, audited."""

    values: dict[str, Any]

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[dict[str, tuple], Changed]:
        return office.update_office(session, **self.values), Changed()


@dataclass(frozen=True)
class AddFindingNote:
    """The 核实说明 of a warning kept for the month (audited, open months only); its household's
    findings are looked at again, so the note shows on the finding at once."""

    month: str | None
    finding: Finding
    text: str
    who: str | None = None

    def households(self, session: Session) -> set[int]:
        if not self.finding.household:
            return set()
        hid = register.household_id_for(session, periods.get_period(session, self.month).id, self.finding.household)
        return {hid} if hid is not None else set()

    def run(self, session: Session) -> tuple[Finding, Changed]:
        checks.add_note(session, self.month, self.finding, self.text, self.who)
        return self.finding, Changed(households=frozenset(self.households(session)))


@dataclass(frozen=True)
class SetTreatmentRecord:
    """A member's 治疗用药 record added or edited (audited without its content)."""

    record: treatment.SetTreatment

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[tuple[str, list[Finding]], Changed]:
        return treatment.set_treatment(session, self.record), Changed()


@dataclass(frozen=True)
class DeleteTreatmentRecord:
    """A 治疗用药 record removed (the log keeps only that it was)."""

    uuid: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[None, Changed]:
        return treatment.delete_treatment(session, self.uuid), Changed()


@dataclass(frozen=True)
class SetAdjustmentDetails:
    """A 动态调整 record filled or corrected (reason closing A-01, kind, cause, dates, approval)."""

    details: adjustments.SetDetails

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[adjustments.AdjustmentChange, Changed]:
        return adjustments.set_details(session, self.details), Changed()


@dataclass(frozen=True)
class ExportPackage:
    """导出月报: the month's package written (a final one locks the month); audited. The files appear
    when the transaction commits and are discarded when it rolls back."""

    month: str | None
    unit: str | int | None
    out_dir: str
    draft: bool = False
    recipient: str | None = None
    passphrase: str | None = field(default=None, repr=False)
    progress: Callable[[int, int, str], None] | None = field(default=None, compare=False, repr=False)
    cancelled: Callable[[], bool] | None = field(default=None, compare=False, repr=False)
    # called once the package is staged, before the commit: raising there (取消 pressed) rolls it back
    cancel: Callable[[], None] | None = field(default=None, compare=False, repr=False)

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[dict[str, Any], Changed]:
        from . import export

        result = export.export_package(session, self.month, self.unit, self.out_dir, self.draft,
                                       progress=self.progress, cancel=self.cancelled, recipient=self.recipient,
                                       passphrase=self.passphrase)
        if self.cancel is not None:
            self.cancel()
        if self.draft:
            return result, Changed()
        return result, Changed(periods=frozenset({periods.get_period(session, self.month).id}))

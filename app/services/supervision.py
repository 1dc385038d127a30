"""挂牌督战 (supervision.md §3): candidates from the register, listed 督战对象, the monthly 督战台账.

Candidates are counted from the register of a month: persons in households not closed out (未销号).
Thresholds are the office's (defaults from seeds 003 and 004). A listed unit keeps its reasons even
if its count later drops; the clerk confirms a candidate before it is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.kernel.ledger_views import TownshipLine
from app.kernel.ledgers import REASON_COLUMNS, REASONS, TARGET_LEVELS
from app.models import Period, SupervisionEntry, SupervisionTarget, Unit
from app.models.units import unit_path
from app.rules.findings import Finding

from . import audit
from .errors import Refused, UsageError
from .ledger_reads import (  # noqa: F401 - the targets' own API
    remaining_by_unit,
    target_findings,
    target_lines,
    target_row_findings,
)
from .ledgers import LedgerRefused, UnknownRecord


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a unit is proposed: county > 1000 persons, township ≥ 300, village incidence > 10 %."""

    county_over: int = 1000
    township_at_least: int = 300
    village_incidence_over: float = 10.0


@dataclass(frozen=True, slots=True)
class Candidate:
    level: str
    unit_id: int
    name: str
    path: str
    county: str | None
    reason: str
    persons: int
    incidence: float | None  # % of the village's rural population
    figure: str
    listed: bool  # already a 督战对象 of the year for this reason

    def to_dict(self) -> dict:
        return {"level": self.level, "unit": self.path, "county": self.county, "reason": self.reason,
                "reason_text": REASON_COLUMNS[self.reason], "persons": self.persons, "incidence": self.incidence,
                "figure": self.figure, "listed": self.listed}


def _county_of(u: Unit) -> str | None:
    x: Unit | None = u
    while x is not None and x.level != "county":
        x = x.parent
    return x.name if x else None


def candidates(session: Session, period: Period, thresholds: Thresholds = Thresholds()) -> list[Candidate]:
    """督战对象 the register proposes for ``period``'s year, in tree order."""
    counts = remaining_by_unit(session, period)
    listed = {(t.unit_id, t.reason) for t in session.scalars(
        select(SupervisionTarget).where(SupervisionTarget.year == period.year))}
    out: list[Candidate] = []
    units = list(session.scalars(select(Unit).order_by(Unit.level, Unit.position, Unit.id)))
    order = {"county": 0, "township": 1, "village": 2}
    for u in sorted(units, key=lambda u: (order.get(u.level, 3), unit_path(u))):
        n = counts.get(u.id, 0)
        if u.level == "county" and n > thresholds.county_over:
            out.append(Candidate("county", u.id, u.name, u.name, u.name, "remaining", n, None, f"{n}人",
                                 (u.id, "remaining") in listed))
        elif u.level == "township" and n >= thresholds.township_at_least:
            out.append(Candidate("township", u.id, u.name, unit_path(u), _county_of(u), "township", n, None,
                                 f"{n}人", (u.id, "township") in listed))
        elif u.level == "village" and u.rural_population and n:
            rate = round(n / u.rural_population * 100, 2)
            if rate > thresholds.village_incidence_over:
                out.append(Candidate("village", u.id, u.name, unit_path(u), _county_of(u), "incidence", n, rate,
                                     f"{rate:.2f}%", (u.id, "incidence") in listed))
    return out


# ------------------------------------------------------------------------------- changes


@dataclass(frozen=True, slots=True)
class AddTarget:
    year: int
    level: str
    name: str
    reason: str
    county: str | None = None
    figure: str | None = None
    persons: int | None = None
    unit_id: int | None = None
    leaders: str | None = None
    team_lead: str | None = None
    today: dt.date = field(default_factory=dt.date.today)


def add_target(session: Session, req: AddTarget) -> TargetChanged:
    """List a 督战对象 for the year (a county, township, village or 安置点) with why and who answers."""
    if req.level not in TARGET_LEVELS:
        raise UsageError(f"督战对象层级应为：{'、'.join(TARGET_LEVELS)}。")
    if req.reason not in REASONS:
        raise UsageError(f"挂牌原因应为：{'、'.join(REASONS)}。")
    if not req.name.strip():
        raise LedgerRefused("督战对象需有名称。")
    dup = session.scalars(select(SupervisionTarget).where(
        SupervisionTarget.year == req.year, SupervisionTarget.name == req.name.strip(),
        SupervisionTarget.reason == req.reason)).first()
    if dup is not None:
        raise Refused(f"“{req.name}”已是{req.year}年的督战对象。")
    n = session.scalar(select(func.count(SupervisionTarget.id)).where(SupervisionTarget.year == req.year)) or 0
    t = SupervisionTarget(year=req.year, position=n, level=req.level, name=req.name.strip(), county=req.county,
                          unit_id=req.unit_id, reason=req.reason, figure=req.figure, persons=req.persons,
                          leaders=req.leaders, team_lead=req.team_lead)
    session.add(t)
    session.flush()
    audit.record(session, "insert", table="supervision_targets", record=t.uuid, new=f"{t.name}（{REASON_COLUMNS[t.reason]}）")
    return TargetChanged(targets=(t.uuid,), findings=target_row_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class TargetChanged:
    targets: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class ConfirmCandidates:
    """The clerk confirms proposed candidates (all, or those of the given unit paths)."""

    month: str
    units: tuple[str, ...] = ()
    thresholds: Thresholds = Thresholds()
    today: dt.date = field(default_factory=dt.date.today)


def confirm_candidates(session: Session, req: ConfirmCandidates) -> TargetChanged:
    from .periods import get_period

    period = get_period(session, req.month)
    chosen = [c for c in candidates(session, period, req.thresholds)
              if not c.listed and (not req.units or c.path in req.units or c.name in req.units)]
    uuids: list[str] = []
    found: list[Finding] = []
    for c in chosen:
        r = add_target(session, AddTarget(year=period.year, level=c.level, name=c.name, reason=c.reason,
                                          county=c.county, figure=c.figure, persons=c.persons, unit_id=c.unit_id,
                                          today=req.today))
        uuids.extend(r.targets)
        found.extend(r.findings)
    return TargetChanged(tuple(uuids), tuple(found))


def _target(session: Session, key: str) -> SupervisionTarget:
    t = session.scalars(select(SupervisionTarget).where(
        (SupervisionTarget.uuid == key) | (SupervisionTarget.name == key))
        .options(selectinload(SupervisionTarget.entries))).first()
    if t is None:
        raise UnknownRecord(f"找不到督战对象“{key}”。")
    return t


@dataclass(frozen=True, slots=True)
class UpdateTarget:
    target: str  # uuid or name
    field: str  # leaders, team_lead, figure, county
    value: str | None
    today: dt.date = field(default_factory=dt.date.today)


def update_target(session: Session, req: UpdateTarget) -> TargetChanged:
    if req.field not in ("leaders", "team_lead", "figure", "county"):
        raise UsageError(f"督战对象没有“{req.field}”这一栏可改。")
    t = _target(session, req.target)
    old = getattr(t, req.field)
    setattr(t, req.field, (req.value or "").strip() or None)
    session.flush()
    audit.record(session, "update", table="supervision_targets", record=t.uuid, field=req.field, old=old, new=req.value)
    return TargetChanged((t.uuid,), target_row_findings(t, req.today))


@dataclass(frozen=True, slots=True)
class RecordSupervision:
    """督战台账 of a 督战对象 for a month: what the team did, problems found and solved, a note."""

    target: str
    month: str
    actions: str | None = None
    problems_found: int = 0
    problems_solved: int = 0
    note: str | None = None
    entered_on: dt.date = field(default_factory=dt.date.today)


def record_supervision(session: Session, req: RecordSupervision) -> TargetChanged:
    from .periods import check_month

    check_month(req.month)
    if req.problems_found < 0 or req.problems_solved < 0:
        raise LedgerRefused("问题数不能为负数。")
    t = _target(session, req.target)
    remaining = None
    if t.unit_id is not None:
        period = session.scalars(select(Period).where(Period.month <= req.month).order_by(Period.month.desc())).first()
        if period is not None:
            remaining = remaining_by_unit(session, period).get(t.unit_id, 0)
    e = next((x for x in t.entries if x.month == req.month), None)
    old = e.actions if e else None
    if e is None:
        e = SupervisionEntry(month=req.month, entered_on=req.entered_on)
        t.entries.append(e)
    e.actions, e.problems_found, e.problems_solved, e.note = req.actions, req.problems_found, req.problems_solved, req.note
    e.remaining, e.entered_on = remaining, req.entered_on
    session.flush()
    audit.record(session, "update", table="supervision_entries", record=t.uuid, field=req.month, old=old, new=req.actions)
    return TargetChanged((t.uuid,), target_row_findings(t, req.entered_on))


# ------------------------------------------------------------------------------- views


def township_lines(session: Session, period: Period, thresholds: Thresholds = Thresholds()) -> list[TownshipLine]:
    """Seed 003's list: townships with at least the threshold of poor persons, by county."""
    return [TownshipLine(c.county or "", c.name, c.persons)
            for c in candidates(session, period, thresholds) if c.level == "township"]


def target_entries(session: Session, year: int, month: str) -> list[tuple[str, str]]:
    """(target uuid, the month's 台账 as one line) for the 督战对象 with an entry that month."""
    q = (select(SupervisionTarget.uuid, SupervisionEntry)
         .join(SupervisionEntry, SupervisionEntry.target_id == SupervisionTarget.id)
         .where(SupervisionTarget.year == year, SupervisionEntry.month == month))
    out = []
    for uuid, e in session.execute(q).all():
        text = e.actions or ""
        if e.problems_found or e.problems_solved:
            text += f"（发现问题{e.problems_found}个，解决{e.problems_solved}个）"
        out.append((uuid, text))
    return out


@dataclass(frozen=True, slots=True)
class SetRuralPopulation:
    """A village's rural population (农村人口), what its 贫困发生率 is counted against; None clears it."""

    unit: str  # name or path of a village
    persons: int | None


@dataclass(frozen=True, slots=True)
class UnitChanged:
    units: tuple[int, ...]


def set_rural_population(session: Session, req: SetRuralPopulation) -> UnitChanged:
    from .units import find_unit

    unit = find_unit(session, req.unit)
    if unit.level != "village":
        raise UsageError(f"农村人口按村填写，“{unit.name}”不是村。")
    if req.persons is not None and req.persons <= 0:
        raise LedgerRefused("农村人口应为正整数。")
    old = unit.rural_population
    unit.rural_population = req.persons
    session.flush()
    audit.record(session, "update", table="units", record=unit_path(unit), field="rural_population", old=old,
                 new=req.persons)
    return UnitChanged((unit.id,))


def office_thresholds(session: Session) -> Thresholds:
    """The office's thresholds; each one not set is the seeds' default."""
    from app.models import Office

    office = session.get(Office, 1)
    base = Thresholds()
    if office is None:
        return base
    return Thresholds(
        office.sv_county_over if office.sv_county_over is not None else base.county_over,
        office.sv_township_at_least if office.sv_township_at_least is not None else base.township_at_least,
        office.sv_incidence_over if office.sv_incidence_over is not None else base.village_incidence_over)


@dataclass(frozen=True, slots=True)
class SetThresholds:
    thresholds: Thresholds


def set_thresholds(session: Session, req: SetThresholds) -> Thresholds:
    """Keep the office's 挂牌督战 thresholds (proposals use them from now on)."""
    from app.models import Office

    t = req.thresholds
    if t.county_over < 0 or t.township_at_least < 0 or not 0 <= t.village_incidence_over <= 100:
        raise LedgerRefused("挂牌标准应为不小于0的人数，贫困发生率在0至100之间。")
    office = session.get(Office, 1)
    if office is None:
        office = Office(id=1)
        session.add(office)
    old = office_thresholds(session)
    office.sv_county_over, office.sv_township_at_least = t.county_over, t.township_at_least
    office.sv_incidence_over = t.village_incidence_over
    session.flush()
    audit.record(session, "update", table="office", record="1", field="supervision_thresholds",
                 old=f"{old.county_over}/{old.township_at_least}/{old.village_incidence_over}",
                 new=f"{t.county_over}/{t.township_at_least}/{t.village_incidence_over}")
    return t

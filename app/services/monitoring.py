"""监测户 (household-records.md §3): households monitored against (re)entering poverty.

Beyond the register: 脱贫不稳定户, 边缘易致贫户, 突发严重困难户, each with its risk reasons, colour,
dated measures, review and 风险消除. A registered household coloured 红 is proposed as
脱贫不稳定户 until it is taken into monitoring. R-01…R-03 run in the month's check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import MONITOR_KINDS, RISK_COLOUR_NAMES, RISK_COLOURS, RISK_REASONS
from app.kernel.month import Month
from app.models import Household, Measure, MonitoredHousehold, MonitorMeasure, Office, Period, Person, Unit
from app.models.units import unit_path, villages_under
from app.rules.findings import Finding
from app.rules.records import MonitoredData, check_monitored, r01_registered

from . import audit
from .browse import unit_paths
from .errors import Refused, UsageError
from .units import period_and_unit


class MonitorRefused(Refused):
    """A monitored household that cannot be stored as given."""


@dataclass(frozen=True, slots=True)
class AddMonitored:
    village: str  # name or path
    head_name: str
    kind: str
    started_on: dt.date
    colour: str = "yellow"
    reasons: tuple[str, ...] = ()
    members: tuple[tuple[str, int | None, str | None], ...] = ()
    household: str | None = None  # uuid of a registered household


@dataclass(frozen=True, slots=True)
class EditMonitored:
    """A monitored household's particulars corrected: head, type, colour, risk reasons, start date."""

    uuid: str
    head_name: str
    kind: str
    colour: str
    reasons: tuple[str, ...]
    started_on: dt.date


@dataclass(frozen=True, slots=True)
class AddMeasure:
    uuid: str
    taken_on: dt.date
    text: str


@dataclass(frozen=True, slots=True)
class Review:
    uuid: str
    reviewed_on: dt.date
    colour: str | None = None


@dataclass(frozen=True, slots=True)
class ClearRisk:
    uuid: str
    cleared_on: dt.date | None
    basis: str | None


@dataclass(frozen=True, slots=True)
class MonitorChange:
    monitored: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


def get(session: Session, uuid: str) -> MonitoredHousehold:
    m = session.scalar(select(MonitoredHousehold).where(MonitoredHousehold.uuid == uuid))
    if m is None:
        raise UsageError(f"没有编号为 {uuid} 的监测户。")
    return m


def _data(m: MonitoredHousehold, paths: dict[int, str]) -> MonitoredData:
    last = max((x.taken_on for x in m.measures), default=None)
    return MonitoredData(m.uuid, m.head_name, paths.get(m.village_id), m.household_uuid, m.risk_colour, m.started_on,
                         m.reviewed_on, m.cleared_on, m.cleared_basis, last)


def _paths(session: Session) -> dict[int, str]:
    return unit_paths(session)


def _changed(session: Session, m: MonitoredHousehold) -> MonitorChange:
    session.flush()
    return MonitorChange((m.uuid,), tuple(check_monitored(_data(m, _paths(session)), dt.date.today())))


def findings_of(session: Session, uuid: str, as_of: dt.date | None = None) -> tuple[Finding, ...]:
    """R-01…R-03 of one monitored household as of ``as_of`` (today)."""
    session.flush()
    return tuple(check_monitored(_data(get(session, uuid), _paths(session)), as_of or dt.date.today()))


def add_monitored(session: Session, req: AddMonitored) -> MonitorChange:
    from .units import find_unit

    village = find_unit(session, req.village)
    if village.level != "village":
        raise MonitorRefused("监测户须登记到村。")
    _valid(req.kind, req.colour, req.reasons, req.head_name)
    m = MonitoredHousehold(
        village_id=village.id, household_uuid=req.household, head_name=req.head_name.strip(), kind=req.kind,
        risk_colour=req.colour, risk_reasons="、".join(req.reasons) or None, started_on=req.started_on,
        members="\n".join(",".join("" if x is None else str(x) for x in mem) for mem in req.members) or None)
    session.add(m)
    session.flush()
    audit.record(session, "insert", table="monitored", record=m.uuid, new=f"{req.kind} {m.head_name}")
    return _changed(session, m)


def _valid(kind: str, colour: str, reasons: tuple[str, ...], head: str) -> None:
    if kind not in MONITOR_KINDS:
        raise MonitorRefused(f"监测类型只能是{'、'.join(MONITOR_KINDS)}，现为“{kind}”。")
    if colour not in RISK_COLOURS:
        raise MonitorRefused("红黄绿只能是红、黄、绿。")
    bad = [r for r in reasons if r not in RISK_REASONS]
    if bad:
        raise MonitorRefused(f"风险原因“{'、'.join(bad)}”不在清单中。")
    if not head.strip():
        raise MonitorRefused("请填写户主姓名。")


def edit_monitored(session: Session, req: EditMonitored) -> MonitorChange:
    m = get(session, req.uuid)
    _valid(req.kind, req.colour, req.reasons, req.head_name)
    old = (m.head_name, m.kind, m.risk_colour, m.risk_reasons, m.started_on)
    m.head_name, m.kind, m.risk_colour = req.head_name.strip(), req.kind, req.colour
    m.risk_reasons, m.started_on = "、".join(req.reasons) or None, req.started_on
    new = (m.head_name, m.kind, m.risk_colour, m.risk_reasons, m.started_on)
    if new != old:
        audit.record(session, "update", table="monitored", record=m.uuid, field="particulars", old=old, new=new)
    return _changed(session, m)


def add_measure(session: Session, req: AddMeasure) -> MonitorChange:
    m = get(session, req.uuid)
    if not req.text.strip():
        raise MonitorRefused("请填写措施内容。")
    m.measures.append(MonitorMeasure(taken_on=req.taken_on, text=req.text.strip()))
    audit.record(session, "update", table="monitored", record=m.uuid, field="measures", new=req.text.strip())
    return _changed(session, m)


def review(session: Session, req: Review) -> MonitorChange:
    m = get(session, req.uuid)
    old = (m.reviewed_on, m.risk_colour)
    m.reviewed_on = req.reviewed_on
    if req.colour is not None:
        if req.colour not in RISK_COLOURS:
            raise MonitorRefused("红黄绿只能是红、黄、绿。")
        m.risk_colour = req.colour
    audit.record(session, "update", table="monitored", record=m.uuid, field="review", old=old,
                 new=(m.reviewed_on, m.risk_colour))
    return _changed(session, m)


def clear_risk(session: Session, req: ClearRisk) -> MonitorChange:
    """风险消除 (R-02: a date and a basis are both needed — stored as given, the rule shows what is missing)."""
    m = get(session, req.uuid)
    old = (m.cleared_on, m.cleared_basis)
    m.cleared_on, m.cleared_basis = req.cleared_on, (req.basis or "").strip() or None
    audit.record(session, "update", table="monitored", record=m.uuid, field="cleared", old=old,
                 new=(m.cleared_on, m.cleared_basis))
    return _changed(session, m)


def _of_unit(session: Session, unit: Unit | None) -> list[MonitoredHousehold]:
    q = select(MonitoredHousehold)
    if unit is not None:
        q = q.where(MonitoredHousehold.village_id.in_([v.id for v in villages_under(session, unit)]))
    return list(session.scalars(q.order_by(MonitoredHousehold.village_id, MonitoredHousehold.started_on,
                                           MonitoredHousehold.id)))


def findings(session: Session, period: Period, unit: Unit | None = None, today: dt.date | None = None
             ) -> list[Finding]:
    """R-01…R-03 of the monitored households and R-01 of the register's 红 households — one R-01 a
    household: a registered household that is also monitored (linked by UUID, risk not cleared) has a
    new measure when its register line started this month or its monitoring record has one of the
    last 30 days; when it has neither, the monitoring record's R-01 stands for it (the register's when
    the monitoring record is not 红)."""
    as_of = min(today or dt.date.today(), Month.parse(period.month).last_day)
    paths = _paths(session)
    out: list[Finding] = []
    linked: dict[str, bool] = {}  # registered household uuid → its monitoring has a measure of the last 30 days
    for m in _of_unit(session, unit):
        if m.started_on > as_of:
            continue
        d = _data(m, paths)
        found = check_monitored(d, as_of)
        if m.household_uuid and m.cleared_on is None:
            recent = d.last_measure is not None and (as_of - d.last_measure).days <= 30
            linked[m.household_uuid] = linked.get(m.household_uuid, False) or recent
            if _started_this_month(session, period, m.household_uuid):
                found = [f for f in found if f.code != "R-01"]
        out.extend(found)
    monitored_r01 = {f.household for f in out if f.code == "R-01" and f.household}
    out.extend(f for f in registered_findings(session, period, unit)
               if not (f.household in linked and (linked[f.household] or f.household in monitored_r01)))
    return out


def _started_this_month(session: Session, period: Period, household_uuid: str) -> bool:
    """Whether a 主要脱贫措施 line of the registered household started in the data month."""
    last = session.scalar(select(func.max(Measure.start_month)).join(Household, Household.id == Measure.household_id)
                          .where(Household.period_id == period.id, Household.uuid == household_uuid))
    return last is not None and last >= period.month


def registered_findings(session: Session, period: Period, unit: Unit | None = None) -> list[Finding]:
    """R-01 on the register's 红 households not closed out: a measure must have started this month."""
    head = (select(Person.name).where(Person.household_id == Household.id, Person.relation == "户主")
            .order_by(Person.position, Person.id).limit(1).scalar_subquery())
    q = (select(Household.uuid, Household.village_id, func.max(Measure.start_month), head)
         .outerjoin(Measure, Measure.household_id == Household.id)
         .where(Household.period_id == period.id, Household.risk_colour == "red", Household.closed_out.is_(False))
         .group_by(Household.id).order_by(Household.village_id, Household.position))
    if unit is not None:
        q = q.where(Household.village_id.in_([v.id for v in villages_under(session, unit)]))
    rows = session.execute(q).all()
    if not rows:
        return []
    paths = _paths(session)
    out: list[Finding] = []
    for uuid, vid, last, head_name in rows:
        out.extend(r01_registered(uuid, paths.get(vid), head_name, period.month, last))
    return out


def proposals(session: Session, period: Period, unit: Unit | None = None) -> list[dict[str, Any]]:
    """Registered households coloured 红 in the month and not yet monitored: proposed 脱贫不稳定户."""
    monitored = {u for (u,) in session.execute(select(MonitoredHousehold.household_uuid).where(
        MonitoredHousehold.household_uuid.is_not(None), MonitoredHousehold.cleared_on.is_(None)))}
    q = (select(Household).where(Household.period_id == period.id, Household.risk_colour == "red")
         .order_by(Household.village_id, Household.position))
    if unit is not None:
        q = q.where(Household.village_id.in_([v.id for v in villages_under(session, unit)]))
    paths = _paths(session)
    out = []
    for hh in session.scalars(q):
        if hh.uuid in monitored:
            continue
        head = hh.head
        out.append({"household": hh.uuid, "unit": paths.get(hh.village_id), "head": head.name if head else None,
                    "persons": len(hh.members), "kind": "脱贫不稳定户", "reasons": hh.risk_reasons,
                    "colour": "红", "proposed": True})
    return out


def listing(session: Session, period: Period, unit: Unit | None = None) -> list[dict[str, Any]]:
    """The month's monitored households (monitored during the month) then the 红 proposals."""
    m0, m1 = Month.parse(period.month).first_day, Month.parse(period.month).last_day
    paths = _paths(session)
    out = []
    for m in _of_unit(session, unit):
        if m.started_on > m1 or (m.cleared_on is not None and m.cleared_on < m0):
            continue
        members = [ln for ln in (m.members or "").splitlines() if ln.strip()]
        persons = len(members) or 1
        if m.household_uuid:
            n = session.scalar(select(Household).where(Household.period_id == period.id,
                                                       Household.uuid == m.household_uuid))
            persons = len(n.members) if n is not None else persons
        out.append({
            "uuid": m.uuid, "household": m.household_uuid, "unit": paths.get(m.village_id), "head": m.head_name,
            "persons": persons, "kind": m.kind, "reasons": m.risk_reasons,
            "colour": RISK_COLOUR_NAMES.get(m.risk_colour, m.risk_colour),
            "measures": "；".join(f"{x.taken_on:%m-%d} {x.text}" for x in m.measures),
            "started_on": m.started_on.isoformat(), "reviewed_on": m.reviewed_on.isoformat() if m.reviewed_on else None,
            "cleared_on": m.cleared_on.isoformat() if m.cleared_on else None, "cleared_basis": m.cleared_basis,
            "status": "风险已消除" if m.cleared_on else "监测中", "proposed": False,
        })
    return out + proposals(session, period, unit)


@dataclass(frozen=True, slots=True)
class ExportMonitored:
    period: str | None
    unit: str | None
    out: str


@dataclass
class MonitoredExport:
    files: list[str] = field(default_factory=list)
    rows: int = 0


def export_list(session: Session, req: ExportMonitored) -> MonitoredExport:
    """The month's 监测户名单 as .xlsx and PDF (no 身份证号, no health details)."""
    from app.exporters.monitored import MonitoredSheet, write


    period, unit = period_and_unit(session, req.period, req.unit)
    rows = listing(session, period, unit)
    office = session.get(Office, 1)
    out = Path(req.out)
    m = Month.parse(period.month)
    if out.suffix.lower() in (".xlsx", ".pdf"):
        xlsx, pdf = out.with_suffix(".xlsx"), out.with_suffix(".pdf")
    else:
        out.mkdir(parents=True, exist_ok=True)
        stem = f"{unit.name}{m.year}年{m.month}月防止返贫监测户名单"
        xlsx, pdf = out / f"{stem}.xlsx", out / f"{stem}.pdf"
    files = write(MonitoredSheet(unit.name, period.month, rows, (office.preparer or "") if office else "",
                                 (office.preparer_phone or "") if office else ""), xlsx, pdf)
    audit.record(session, "export", period=period.month, table="monitored", record=unit_path(unit),
                 new=f"{len(rows)}户")
    return MonitoredExport([str(f) for f in files], len(rows))


__all__ = ["AddMeasure", "AddMonitored", "ClearRisk", "EditMonitored", "Person", "Review"]

"""一册两表 of a unit's households for a month (household-records.md §4): view-models for the exporter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import RISK_COLOUR_NAMES
from app.kernel.month import Month
from app.models import Adjustment, Household, Period, Person, Visit

from . import audit
from .cards import cards_for
from .errors import UsageError
from .units import period_and_unit

KINDS = ("income", "handbook", "medical")
LAYOUTS = ("booklet", "sequence")  # 扶贫手册: saddle-stitch booklet order, or pages in sequence


@dataclass(frozen=True, slots=True)
class WritePapers:
    period: str | None
    unit: str | None
    out: str
    kind: str = "income"
    layout: str = "booklet"  # the handbook's imposition (``exporters.handbook.LAYOUTS``)
    household: str | None = None  # one household of the unit: its UUID or its head's name


def write_papers(session: Session, req: WritePapers) -> dict:
    from app.exporters.papers import HouseholdPaper, write_papers


    if req.kind not in KINDS:
        raise UsageError(f"文书种类只能是 {'、'.join(KINDS)}。")
    if req.layout not in LAYOUTS:
        raise UsageError(f"手册排版只能是 {'、'.join(LAYOUTS)}。")
    if Path(req.out).suffix.lower() != ".pdf":
        raise UsageError(f"输出文件应为 .pdf：{req.out}")
    period, unit = period_and_unit(session, req.period, req.unit)
    m = Month.parse(period.month)
    cards = cards_for(session, unit, period)
    if req.household:
        cards = _one(cards, req.household.strip(), unit.name)
    hhs = {h.uuid: h for h in session.scalars(select(Household).where(
        Household.period_id == period.id, Household.uuid.in_([c.uuid for c in cards])))} if cards else {}
    visits: dict[str, list[tuple[str, str, str]]] = {}
    if req.kind == "handbook" and cards:
        for v in session.scalars(select(Visit).where(Visit.household_uuid.in_(list(hhs)),
                                                     Visit.visited_on <= m.last_day).order_by(Visit.visited_on)):
            visits.setdefault(v.household_uuid, []).append((v.visited_on.isoformat(), v.visitor, v.satisfaction or ""))
    treatments: dict[str, list[tuple]] = {}
    if req.kind == "medical" and cards:
        from .treatment import SERIOUS, of_household

        for c in cards:
            h = hhs[c.uuid]
            recs = of_household(session, c.uuid, m.year)
            if not recs and not any(p.health in SERIOUS for p in h.members):
                continue
            treatments[c.uuid] = [(
                r.person_name, r.disease, f"{r.hospital or ''} {r.diagnosed_on.isoformat() if r.diagnosed_on else ''}",
                r.treatment, r.doctor, (r.medicines or "").replace("\n", "；"), r.total_cost, r.basic_insurance,
                r.serious_insurance, r.medical_assistance, r.other_reimbursement, r.out_of_pocket,
                (r.followups or "").replace("\n", "；")) for r in recs]
        cards = [c for c in cards if c.uuid in treatments]
    ytd: dict[str, dict[int, tuple[float | None, int]]] = {}
    if req.kind == "income" and cards:
        ytd = _ytd_by_month(session, list(hhs), m)
    papers = []
    for c in cards:
        h = hhs[c.uuid]
        papers.append(HouseholdPaper(
            uuid=c.uuid, township=c.township, village=c.village, head=c.head, year=m.year, month=period.month,
            members=[(x.name, x.relation, x.age) for x in c.members],
            income=[(i.category, i.label or i.category, i.amount) for i in h.income_items],
            ytd_per_capita=h.ytd_income, helper=c.helper_name, helper_phone=c.helper_phone, cause=h.cause or "",
            measures=c.measures, visits=visits.get(c.uuid, []),
            colour=RISK_COLOUR_NAMES.get(h.risk_colour, h.risk_colour),
            closed_out=h.closed_out_on.isoformat() if h.closed_out and h.closed_out_on else "", payload=c.payload,
            treatments=treatments.get(c.uuid, []),
            ytd_by_month=[(k, *ytd.get(c.uuid, {}).get(k, (None, 0))) for k in range(1, m.month + 1)]))
        if req.kind == "handbook":
            _history(session, papers[-1], h, period.month)
    info = write_papers(papers, req.out, req.kind, req.layout)
    audit.record(session, "export", period=period.month, table="papers", record=unit.name, new=req.kind)
    return info


def _one(cards: list, key: str, unit: str) -> list:
    """The card of the household ``key`` names (UUID, or head's name unique in the unit)."""
    hits = [c for c in cards if c.uuid == key] or [c for c in cards if c.head == key]
    if not hits:
        raise UsageError(f"{unit}没有户主为“{key}”（或编号为此）的户。")
    if len(hits) > 1:
        raise UsageError(f"{unit}有{len(hits)}户户主名为“{key}”，请用户的编号（uuid）：" + "、".join(c.uuid for c in hits))
    return hits


def _ytd_by_month(session: Session, uuids: list[str], m: Month) -> dict[str, dict[int, tuple[float | None, int]]]:
    """uuid → month number → (本年累计人均纯收入 of that month's register, household size), for the
    months of ``m``'s year up to ``m``."""
    out: dict[str, dict[int, tuple[float | None, int]]] = {}
    size = (select(func.count(Person.id)).where(Person.household_id == Household.id).scalar_subquery())
    for start in range(0, len(uuids), 500):
        q = (select(Household.uuid, Period.month, Household.ytd_income, size)
             .join(Period, Period.id == Household.period_id)
             .where(Household.uuid.in_(uuids[start:start + 500]), Period.month >= f"{m.year}-01",
                    Period.month <= str(m)))
        for uuid, month, value, n in session.execute(q):
            out.setdefault(uuid, {})[int(month[5:7])] = (value, n)
    return out


def _history(session: Session, paper, h: Household, month: str) -> None:
    """The handbook's history of one household, by its UUID across the months up to ``month``:
    measures by start month (those ended: the last month they were held), income by year (the year's last month), colours, 销号/返贫."""
    rows = session.execute(
        select(Period.month, Household).join(Household, Household.period_id == Period.id)
        .where(Household.uuid == h.uuid, Period.month <= month).order_by(Period.month)).all()
    seen: dict[tuple[str, str], list[str]] = {}  # (category, text) → [start month, last month held]
    for mon, hh in rows:
        for x in hh.measures:
            if x.text.strip():
                first = seen.setdefault((x.category, x.text), [x.start_month or mon, mon])
                first[0], first[1] = min(first[0], x.start_month or mon), mon
    paper.measure_months = sorted((start, cat, text, "实施中" if last == month else f"至{last}")
                                  for (cat, text), (start, last) in seen.items())
    by_year: dict[int, Household] = {}
    closed = False
    for mon, hh in rows:
        by_year[int(mon[:4])] = hh
        state = "已销号" if hh.closed_out else "未销号"
        paper.colour_history.append((mon, RISK_COLOUR_NAMES.get(hh.risk_colour, hh.risk_colour), state))
        if hh.closed_out and not closed and hh.closed_out_on:
            paper.events.append((hh.closed_out_on.isoformat(), "销号", f"{mon}月数据"))
        closed = hh.closed_out
    for year, hh in sorted(by_year.items()):
        total = sum(i.amount for i in hh.income_items)
        n = len(hh.members)
        paper.yearly_income.append((year, total, total / n if n else None, hh.ytd_income))
    for a in session.scalars(select(Adjustment).where(Adjustment.household_uuid == h.uuid,
                                                      Adjustment.kind == "返贫", Adjustment.person_uuid.is_(None))):
        paper.events.append(((a.effective_on or a.recorded_at.date()).isoformat(), "返贫", a.reason or ""))
    paper.events.sort()

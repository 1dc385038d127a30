"""入户走访 and the 扶贫工作日志 (household-records.md §2): record, import, list, 群众满意度, V-rules.

A visit belongs to a household by UUID (it outlives the month's copy of the register) and to its
village. Problems raised (一化解) are kept with the visit; each is one row of the problems
ledger with 来源 入户走访 (``VisitProblem.ledger_uuid``, ``app.services.ledgers.problems_from_visit``);
one solved on the spot is 已销号 at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain import LOOK_RESULTS, SATISFACTION, SATISFACTION_TARGET, VISIT_INTERVAL_DAYS
from app.kernel.month import Month
from app.models import Household, Period, Person, Unit, Visit, VisitProblem, WorkLogEntry
from app.models.units import unit_path, villages_under
from app.rules.findings import Finding
from app.rules.records import satisfaction_rate, v01_overdue, v02_unopened, v03_satisfaction

from . import audit
from .browse import unit_paths
from .errors import Refused, UsageError

ASKS = ("basic", "living", "budget", "satisfaction", "advice")
ASK_NAMES = {"basic": "问基本信息", "living": "问生活状况", "budget": "问家庭收支", "satisfaction": "问满意成效",
             "advice": "问意见建议"}
TALKS = ("party", "policy", "hope", "inspire")
TALK_NAMES = {"party": "讲党恩", "policy": "讲政策", "hope": "讲希望", "inspire": "讲励志"}
LOOKS = ("housing", "water", "papers")
LOOK_NAMES = {"housing": "看住房", "water": "看饮水", "papers": "看“一册两表”"}


class VisitRefused(Refused):
    """A visit that cannot be recorded as given (unknown household, a 满意度 not in the list …)."""


@dataclass(frozen=True, slots=True)
class ProblemIn:
    text: str
    look: str | None = None  # housing / water / papers when a 三看 found it
    solved_on_spot: bool = False


@dataclass(frozen=True, slots=True)
class RecordVisit:
    """One visit as typed from the paper form."""

    household: str  # uuid
    visited_on: dt.date
    visitor: str
    asked: frozenset[str] = frozenset()
    ask_notes: tuple[tuple[str, str], ...] = ()
    talks: frozenset[str] = frozenset()
    looks: tuple[tuple[str, str, str | None], ...] = ()  # (look, 正常/有问题, note)
    problems: tuple[ProblemIn, ...] = ()
    satisfaction: str | None = None
    remark: str | None = None


@dataclass(frozen=True, slots=True)
class VisitChange:
    visits: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    log_entries: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """群众满意度 of a unit for a month: households visited and their answers (latest visit each)."""

    unit: str
    month: str
    visited: int
    satisfied: int
    basically: int
    dissatisfied: int
    rate: float | None
    target: float = SATISFACTION_TARGET

    @property
    def meets(self) -> bool | None:
        return None if self.rate is None else self.rate >= self.target

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "month": self.month, "visited": self.visited, "满意": self.satisfied,
                "基本满意": self.basically, "不满意": self.dissatisfied, "rate": self.rate, "target": self.target}


# -- recording -----------------------------------------------------------------------------------


def _household(session: Session, uuid: str, on: dt.date) -> Household:
    """The household's copy in the month of the visit, else its latest copy."""
    q = (select(Household).join(Period, Period.id == Household.period_id).where(Household.uuid == uuid)
         .order_by((Period.month == str(Month.of(on))).desc(), Period.month.desc()).limit(1))
    hh = session.scalar(q)
    if hh is None:
        raise VisitRefused("台账中没有这一户，无法登记走访。")
    return hh


def record_visit(session: Session, req: RecordVisit) -> VisitChange:
    """Store a visit with its problems; audited. Refuses a 满意度 or 三看 outside the lists."""
    if req.satisfaction is not None and req.satisfaction not in SATISFACTION:
        raise VisitRefused(f"满意度只能是{'、'.join(SATISFACTION)}，现为“{req.satisfaction}”。")
    if not (req.visitor or "").strip():
        raise VisitRefused("请填写走访人。")
    if req.visited_on > dt.date.today():
        raise VisitRefused(f"走访日期{req.visited_on.isoformat()}晚于今天。")
    hh = _household(session, req.household, req.visited_on)
    head = hh.head
    v = Visit(visited_on=req.visited_on, household_uuid=hh.uuid, village_id=hh.village_id,
              head_name=head.name if head else None, visitor=req.visitor.strip(),
              satisfaction=req.satisfaction, remark=(req.remark or "").strip() or None)
    for code in req.asked:
        if code not in ASKS:
            raise VisitRefused(f"未知的“五问”项：{code}")
        setattr(v, f"ask_{code}", True)
    for code, note in req.ask_notes:
        setattr(v, f"ask_{code}_note", (note or "").strip() or None)
    for code in req.talks:
        if code not in TALKS:
            raise VisitRefused(f"未知的“四讲”项：{code}")
        setattr(v, f"talk_{code}", True)
    for code, result, note in req.looks:
        if code not in LOOKS or result not in LOOK_RESULTS:
            raise VisitRefused(f"“三看”应为{'或'.join(LOOK_RESULTS)}。")
        setattr(v, f"look_{code}", result)
        setattr(v, f"look_{code}_note", (note or "").strip() or None)
    for i, p in enumerate(req.problems):
        if p.text.strip():
            v.problems.append(VisitProblem(position=i, text=p.text.strip(), look=p.look,
                                           solved_on_spot=p.solved_on_spot))
    session.add(v)
    session.flush()
    from .ledgers import problems_from_visit  # each problem is also a row of the problems ledger

    ledger = problems_from_visit(session, v.uuid, v.visited_on, hh.uuid, hh.village_id,
                                 [(p.text, p.solved_on_spot) for p in v.problems])
    for p, uuid in zip(v.problems, ledger, strict=True):
        p.ledger_uuid = uuid
    audit.record(session, "insert", period=str(Month.of(v.visited_on)), table="visits",
                 record=v.uuid, new=f"{v.visited_on.isoformat()} {v.visitor} {v.head_name or ''}".strip())
    return VisitChange(visits=(v.uuid,), problems=tuple(p.uuid for p in v.problems),
                       findings=tuple(visit_findings(session, v)))


def delete_visit(session: Session, uuid: str) -> VisitChange:
    v = session.scalar(select(Visit).where(Visit.uuid == uuid))
    if v is None:
        raise UsageError(f"没有编号为 {uuid} 的走访记录。")
    session.delete(v)
    audit.record(session, "delete", table="visits", record=uuid, old=f"{v.visited_on} {v.visitor}")
    session.flush()
    return VisitChange(visits=(uuid,))


# -- the work log ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AddLogEntry:
    cadre: str
    written_on: dt.date
    text: str
    household: str | None = None
    task: str | None = None


def add_log_entry(session: Session, req: AddLogEntry) -> VisitChange:
    if not req.text.strip() or not req.cadre.strip():
        raise VisitRefused("工作日志需要填写人和内容。")
    e = WorkLogEntry(cadre=req.cadre.strip(), written_on=req.written_on, text=req.text.strip(),
                     household_uuid=req.household, task_uuid=req.task)
    session.add(e)
    session.flush()
    audit.record(session, "insert", table="work_log", record=e.uuid, new=e.text[:60])
    return VisitChange(log_entries=(e.uuid,))


def work_log(session: Session, cadre: str, month: str) -> list[dict[str, Any]]:
    """A cadre's 扶贫工作日志 for a month: typed entries and visits (its structured part), by date."""
    m = Month.parse(month)
    out: list[dict[str, Any]] = []
    for e in session.scalars(select(WorkLogEntry).where(
            WorkLogEntry.cadre == cadre, WorkLogEntry.written_on.between(m.first_day, m.last_day))):
        out.append({"date": e.written_on.isoformat(), "kind": "日志", "text": e.text, "uuid": e.uuid})
    for v in session.scalars(select(Visit).where(
            Visit.visitor == cadre, Visit.visited_on.between(m.first_day, m.last_day))):
        out.append({"date": v.visited_on.isoformat(), "kind": "入户走访", "text": visit_summary(v), "uuid": v.uuid})
    out.sort(key=lambda r: (r["date"], r["kind"] != "入户走访"))
    return out


def visit_summary(v: Visit) -> str:
    asked = "、".join(ASK_NAMES[c] for c in ASKS if getattr(v, f"ask_{c}"))
    talks = "、".join(TALK_NAMES[c] for c in TALKS if getattr(v, f"talk_{c}"))
    bad = "、".join(LOOK_NAMES[c] for c in LOOKS if getattr(v, f"look_{c}") == "有问题")
    parts = [f"走访{v.head_name or ''}户"]
    if asked:
        parts.append(asked)
    if talks:
        parts.append(talks)
    parts.append(f"{bad}有问题" if bad else "三看正常")
    if v.problems:
        parts.append("问题：" + "；".join(p.text + ("（当场解决）" if p.solved_on_spot else "") for p in v.problems))
    if v.satisfaction:
        parts.append(f"满意度：{v.satisfaction}")
    return "，".join(parts)


# -- reading -------------------------------------------------------------------------------------


def visits_of(session: Session, unit: Unit | None, month: str | None) -> list[Visit]:
    q = select(Visit)
    if unit is not None:
        q = q.where(Visit.village_id.in_([v.id for v in villages_under(session, unit)]))
    if month:
        m = Month.parse(month)
        q = q.where(Visit.visited_on.between(m.first_day, m.last_day))
    return list(session.scalars(q.order_by(Visit.visited_on, Visit.id)))


def visit_row(v: Visit, paths: dict[int, str]) -> dict[str, Any]:
    return {
        "uuid": v.uuid, "visited_on": v.visited_on.isoformat(), "unit": paths.get(v.village_id), "head": v.head_name,
        "household": v.household_uuid, "visitor": v.visitor,
        "asked": [ASK_NAMES[c] for c in ASKS if getattr(v, f"ask_{c}")],
        "talks": [TALK_NAMES[c] for c in TALKS if getattr(v, f"talk_{c}")],
        "looks": {LOOK_NAMES[c]: getattr(v, f"look_{c}") for c in LOOKS},
        "problems": [{"uuid": p.uuid, "text": p.text, "look": p.look, "solved_on_spot": p.solved_on_spot,
                      "ledger": p.ledger_uuid} for p in v.problems],
        "satisfaction": v.satisfaction, "remark": v.remark,
    }


def _paths(session: Session) -> dict[int, str]:
    return unit_paths(session)


def list_visits(session: Session, unit: Unit | None, month: str | None) -> list[dict[str, Any]]:
    paths = _paths(session)
    return [visit_row(v, paths) for v in visits_of(session, unit, month)]


def satisfaction(session: Session, unit: Unit, month: str) -> Satisfaction:
    """群众满意度 = (满意 + 基本满意) ÷ households visited, each household's latest answer of the month."""
    latest: dict[str, str | None] = {}
    for v in visits_of(session, unit, month):
        if v.satisfaction is not None:
            latest[v.household_uuid] = v.satisfaction
    answers = list(latest.values())
    return Satisfaction(unit_path(unit), month, len(answers), answers.count("满意"), answers.count("基本满意"),
                        answers.count("不满意"), satisfaction_rate(answers))


def satisfaction_by_unit(session: Session, unit: Unit, month: str) -> list[Satisfaction]:
    """The unit itself, then each township (and, for a township, each village) below it."""
    out = [satisfaction(session, unit, month)]
    for child in unit.children:
        out.append(satisfaction(session, child, month))
    return out


# -- V-rules --------------------------------------------------------------------------------------


def visit_findings(session: Session, v: Visit) -> list[Finding]:
    """V-02 on one visit: a 看住房/看饮水 problem with no problem raised (the ledger's row) for it."""
    path = unit_path(session.get(Unit, v.village_id))
    out = []
    for look in ("housing", "water"):
        if getattr(v, f"look_{look}") == "有问题" and not any(p.look == look for p in v.problems):
            out.extend(v02_unopened(v.household_uuid, path, look, v.visited_on, v.uuid))
    return out


def findings(session: Session, period: Period, unit: Unit | None = None, today: dt.date | None = None,
             interval_days: int = VISIT_INTERVAL_DAYS) -> list[Finding]:
    """V-01 (band-A households of the month not visited within the interval, as of the month's end or
    today), V-02 (the month's visits), V-03 (each township's 群众满意度 for the month)."""
    m = Month.parse(period.month)
    as_of = min(today or dt.date.today(), m.last_day)
    villages = [v.id for v in villages_under(session, unit)] if unit is not None else None
    paths = _paths(session)
    out: list[Finding] = []
    if session.scalar(select(Visit.id).limit(1)) is not None:  # a register that keeps visits
        # SQLite names the households with no visit inside the interval (V-01's own test then judges
        # them): the month's band-A households visited in time never come back as rows.
        seen_since = as_of - dt.timedelta(days=interval_days)
        mine = (Visit.household_uuid == Household.uuid) & (Visit.visited_on <= as_of)
        last = select(func.max(Visit.visited_on)).where(mine).scalar_subquery()
        head = (select(Person.name).where(Person.household_id == Household.id, Person.relation == "户主")
                .order_by(Person.position, Person.id).limit(1).scalar_subquery())
        hq = (select(Household.uuid, Household.village_id, head, last)
              .where(Household.period_id == period.id, Household.band == "A", Household.closed_out.is_(False),
                     ~select(Visit.id).where(mine, Visit.visited_on >= seen_since).exists()))
        if villages is not None:
            hq = hq.where(Household.village_id.in_(villages))
        for uuid, vid, name, visited in session.connection().execute(hq.order_by(Household.village_id, Household.position)):
            if isinstance(visited, str):  # a max() over dates comes back as text
                visited = dt.date.fromisoformat(visited)
            out.extend(v01_overdue(uuid, paths.get(vid), name, visited, as_of, interval_days))
    vq = select(Visit).where(Visit.visited_on.between(m.first_day, m.last_day),
                             (Visit.look_housing == "有问题") | (Visit.look_water == "有问题"))
    if villages is not None:
        vq = vq.where(Visit.village_id.in_(villages))
    for v in session.scalars(vq.order_by(Visit.visited_on, Visit.id).options(selectinload(Visit.problems))):
        out.extend(visit_findings(session, v))
    scope = unit or session.scalar(select(Unit).where(Unit.level == "county").limit(1))
    if scope is not None:
        towns = [scope] if scope.level == "township" else [t for t in scope.children if t.level == "township"]
        town_of = {v.id: t for t in towns for v in villages_under(session, t)}
        latest: dict[int, dict[str, str]] = {t.id: {} for t in towns}
        aq = (select(Visit.village_id, Visit.household_uuid, Visit.satisfaction)
              .where(Visit.visited_on.between(m.first_day, m.last_day), Visit.satisfaction.is_not(None))
              .order_by(Visit.visited_on, Visit.id))
        for vid, hu, answer in session.connection().execute(aq).all():  # Core rows: a month holds thousands
            t = town_of.get(vid)
            if t is not None:
                latest[t.id][hu] = answer
        for t in towns:
            rate = satisfaction_rate(list(latest[t.id].values()))
            out.extend(v03_satisfaction(unit_path(t), rate, period.month))
    return out


# -- import ----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    ok: bool
    visits: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "visits": len(self.visits), "findings": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True, slots=True)
class ImportVisits:
    path: str
    dry_run: bool = False


def _match(session: Session, township: str | None, village: str | None, head: str, on: dt.date
           ) -> list[Household]:
    month = str(Month.of(on))
    period = session.scalar(select(Period).where(Period.month <= month).order_by(Period.month.desc()).limit(1)) \
        or session.scalar(select(Period).order_by(Period.month).limit(1))
    if period is None:
        return []
    q = (select(Household).join(Person, Person.household_id == Household.id)
         .join(Unit, Unit.id == Household.village_id)
         .where(Household.period_id == period.id, Person.relation == "户主", Person.name == head))
    if village:
        q = q.where(Unit.name == village)
    found = list(session.scalars(q))
    if township:
        found = [h for h in found if (session.get(Unit, h.village_id).parent or Unit(name="")).name == township]
    return found


def import_visits(session: Session, req: ImportVisits) -> ImportResult:
    """Read a visits workbook (one row per visit) and record every row — or none: any E finding
    (an unreadable cell, a household not found or not unique) refuses the whole file."""
    from app.importers.limits import Rejected
    from app.importers.visits import read_visits

    path = Path(req.path)
    try:
        rows, found = read_visits(path)
    except Rejected as e:
        return ImportResult(False, findings=[e.finding()])
    reqs: list[RecordVisit] = []
    for r in rows:
        if any(f.row == r.row for f in found) or r.visited_on is None or not r.head:
            continue
        where = {"file": path.name, "row": r.row, "column": "户主"}
        matches = _match(session, r.township, r.village, r.head, r.visited_on)
        if len(matches) != 1:
            what = "台账中找不到" if not matches else f"台账中有{len(matches)}户同名，请填写乡镇和村"
            found.append(Finding("V-11", "E", f"户主“{r.head}”{what}", **where))
            continue
        hh = matches[0]
        looks = tuple((c, res, note) for c, (res, note) in r.looks.items())
        bad = [c for c, (res, _n) in r.looks.items() if res == "有问题"]
        problems = tuple(ProblemIn(t, bad[0] if len(bad) == 1 else None, r.solved) for t in r.problems)
        reqs.append(RecordVisit(hh.uuid, r.visited_on, r.visitor or "", frozenset(r.asked),
                                tuple(r.ask_notes.items()), frozenset(r.talks), looks, problems, r.satisfaction,
                                r.remark))
    if any(f.severity == "E" for f in found):
        return ImportResult(False, findings=found)
    if req.dry_run:
        return ImportResult(True, findings=found)
    result = ImportResult(True, findings=found)
    for rq in reqs:
        ch = record_visit(session, rq)
        result.visits.extend(ch.visits)
        result.findings.extend(ch.findings)
    audit.record(session, "import", table="visits", record=path.name, new=f"{len(result.visits)}次走访")
    return result


def household_choices(session: Session, period_month: str | None) -> tuple[Period, dict[str, str]]:
    """The month and its households to pick by typing, "户主（村）" → uuid, in village then register
    order (the visit form's and the treatment table's list), in one query."""
    from .units import period_and_unit

    period, unit = period_and_unit(session, period_month, None)
    villages = {v.id: (i, v.name) for i, v in enumerate(villages_under(session, unit))}
    rows = session.execute(select(Household.uuid, Person.name, Household.village_id, Household.position)
                           .join(Person, Person.household_id == Household.id)
                           .where(Household.period_id == period.id, Person.relation == "户主")).all()
    rows = sorted((r for r in rows if r[2] in villages), key=lambda r: (villages[r[2]][0], r[3]))
    return period, {f"{head}（{villages[vid][1]}）": uuid for uuid, head, vid, _pos in rows}


def months_with_visits(session: Session) -> list[str]:
    out = set()
    for (d,) in session.execute(select(Visit.visited_on).distinct()):
        out.add(str(Month.of(d)))
    return sorted(out)


def by_household(session: Session, uuid: str) -> list[dict[str, Any]]:
    paths = _paths(session)
    return [visit_row(v, paths) for v in session.scalars(
        select(Visit).where(Visit.household_uuid == uuid).order_by(Visit.visited_on))]



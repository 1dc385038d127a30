"""Checking the register: load a period into the rules engine's plain data, run every rule,
attach verification notes (核实说明). No Qt.

``check_period`` first screens the whole period on plain DB-API tuples (``check_screen``,
``app.rules.screen``) and loads as ``HouseholdData`` (one Core select per table, never ORM objects)
only the households that may have a finding; every rule then runs on those, so the findings are
those of running every rule on every household. ``check_household_id`` is the cheap per-edit check
of the GUI (indexed queries only).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session, aliased

from app.domain import ASSISTANCE
from app.models import FundProject, Household, IncomeItem, Measure, Period, Person, Unit, VerificationNote
from app.models.dialect import group_concat, is_postgres, raw
from app.rules.data import Context, HouseholdData, PersonData
from app.rules.duplicates import h12_duplicates
from app.rules.engine import check_household, check_households
from app.rules.findings import Finding
from app.rules.projects import check_project

from . import audit
from .errors import UsageError
from .periods import get_period, require_open
from .units import find_unit

_H_COLS = (
    Household.id, Household.uuid, Household.village_id, Household.band, Household.prior_income,
    Household.head_phone, Household.cause, Household.helper_name, Household.helper_unit,
    Household.helper_phone, Household.expected_month, Household.closed_out, Household.housing_grade,
    Household.housing_renovated, Household.ytd_income, Household.remark, Household.position,
)
_P_COLS = (
    Person.household_id, Person.uuid, Person.name, Person.relation, Person.age, Person.health,
    Person.labour, Person.id_number, Person.phone,
)
_A_COLS = tuple(getattr(Person, c) for c in ASSISTANCE)


# --- units and periods --------------------------------------------------------------------------
def _period(session: Session, period: Period | str | None) -> Period:
    return period if isinstance(period, Period) else get_period(session, period)


def _unit(session: Session, unit: Unit | str | None) -> Unit | None:
    return find_unit(session, unit) if isinstance(unit, str) else unit


class UnitIndex:
    """The unit tree in dicts: path "乡镇/村" of every unit and the villages below a unit."""

    def __init__(self, session: Session):
        rows = session.execute(select(Unit.id, Unit.name, Unit.level, Unit.parent_id, Unit.position)).all()
        self.info = {r.id: r for r in rows}
        self.children: dict[int | None, list] = defaultdict(list)
        for r in sorted(rows, key=lambda r: (r.position, r.id)):
            self.children[r.parent_id].append(r)
        self.paths: dict[int, str] = {}
        for r in rows:
            names, u = [], r
            while u is not None and u.level != "county":
                names.append(u.name)
                u = self.info.get(u.parent_id)
            self.paths[r.id] = "/".join(reversed(names)) if names else r.name

    def villages(self, root: int | None) -> list[int]:
        """Village ids in tree order, under ``root`` (every village when None)."""
        out: list[int] = []
        stack = [self.info[root]] if root is not None else list(reversed(self.children[None]))
        while stack:
            u = stack.pop()
            if u.level == "village":
                out.append(u.id)
            stack.extend(reversed(self.children[u.id]))
        return out

    def is_everything(self, villages: list[int]) -> bool:
        """``villages`` names every village of the tree (no unit holds households but villages)."""
        return len(villages) == len(set(villages)) == sum(u.level == "village" for u in self.info.values())

    def townships(self, root: int | None) -> list[int]:
        if root is not None and self.info[root].level == "village":
            return []
        ids = [root] if root is not None else [None]
        out: list[int] = []
        while ids:
            i = ids.pop()
            if i is not None and self.info[i].level == "township":
                out.append(i)
            else:
                ids.extend(c.id for c in self.children[i])
        return out


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while ~10 objects a person are made: each full collection
    walks every live object, so on a 100,000-person register it costs more than the rules.

    On the way out everything alive is frozen (``gc.freeze``) before collection resumes: else the
    first collection walks every object made meanwhile (over a second after a 100,000-person import)
    and holds the GIL, so the window froze. Frozen objects are still freed when no longer referenced;
    only reference cycles among them stay (an import leaves none: ``gc.collect()`` finds 0) until
    ``gc.unfreeze`` — the window thaws them once a minute (app.ui.app), a command simply exits."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.freeze()
            gc.enable()


# --- loading ----------------------------------------------------------------------------------
def _household(r: Any, unit: str | None) -> HouseholdData:
    """HouseholdData from a row of ``_H_COLS`` (unpacked by position: named access on rows is slow)."""
    (_id, uuid, _village, band, prior, head_phone, cause, helper_name, helper_unit, helper_phone, expected,
     closed, grade, renovated, ytd, remark, _position) = r[:17]
    texts = {}
    if helper_unit:
        texts["helper_unit"] = helper_unit
    if remark:
        texts["remark"] = remark
    return HouseholdData(uuid, unit, band, prior, None, head_phone, cause, helper_name, helper_phone, expected,
                         bool(closed), grade, bool(renovated), ytd, texts=texts)


def _fill(session: Session, by_id: dict[int, HouseholdData], where, assistance: bool, grouped: bool = False) -> None:
    """Members, measures and income items of the households ``by_id`` (selected by ``where``)."""
    conn = session.connection()  # Core rows, without the ORM's result machinery
    cols = _P_COLS + _A_COLS if assistance else _P_COLS
    # "household_id IN (households of the period)": driven by the household_id index, so rows come in
    # household order and SQLite sorts only within a household (a join would sort them all).
    q = select(*cols).where(Person.household_id.in_(select(Household.id).where(*where)))
    get = by_id.get
    for r in conn.execute(q.order_by(Person.household_id, Person.position, Person.id)).all():
        h = get(r[0])
        if h is None:
            continue
        # _P_COLS[1:] are PersonData's first fields, in order: uuid, name, relation, age, health, labour, id, phone
        p = PersonData(*r[1:9])
        if assistance:
            p.assistance = dict(zip(ASSISTANCE, map(bool, r[9:]), strict=True))
        h.members.append(p)
    if grouped:
        _fill_grouped(conn, by_id, where)
    else:
        _fill_details(conn, by_id, where)


def _fill_details(conn, by_id: dict[int, HouseholdData], where) -> None:
    """Measures and income items row by row, in position order."""
    q = (select(Measure.household_id, Measure.category, Measure.text)
         .where(Measure.household_id.in_(select(Household.id).where(*where))))
    for hid, category, text in conn.execute(q.order_by(Measure.household_id, Measure.position, Measure.id)).all():
        if hid in by_id:
            by_id[hid].measures.append((category, text))
    q = (select(IncomeItem.household_id, IncomeItem.category, IncomeItem.amount, IncomeItem.label)
         .where(IncomeItem.household_id.in_(select(Household.id).where(*where))))
    for hid, category, amount, label in conn.execute(
            q.order_by(IncomeItem.household_id, IncomeItem.position, IncomeItem.id)).all():
        h = by_id.get(hid)
        if h is not None:
            h.income_items.append((category, amount))
            if label:
                h.texts["income"] = f"{h.texts.get('income', '')} {label}".strip()


_SEP = "\x1f"  # ASCII unit separator: never typed into a cell


def _fill_grouped(conn, by_id: dict[int, HouseholdData], where) -> None:
    """Measures and income items as one row per household (group_concat), split in C-level calls.

    A 100,000-person register has ~250,000 such rows; one Python iteration per household instead
    of per row halves the load. The order of lines within a household is not kept (rules don't
    need it); a household whose text holds the separator is read row by row instead.
    """
    exact: set[int] = set()
    q = (select(Measure.household_id, group_concat(Measure.category, _SEP), group_concat(Measure.text, _SEP))
         .where(Measure.household_id.in_(select(Household.id).where(*where))).group_by(Measure.household_id))
    for hid, cats, texts in conn.execute(q).all():
        h = by_id.get(hid)
        if h is not None:
            cs, ts = cats.split(_SEP), texts.split(_SEP)
            if len(cs) == len(ts):
                h.measures = list(zip(cs, ts, strict=True))
            else:
                exact.add(hid)
    label = func.coalesce(IncomeItem.label, "")
    q = (select(IncomeItem.household_id, group_concat(IncomeItem.category, _SEP),
                group_concat(IncomeItem.amount, _SEP), group_concat(label, _SEP))
         .where(IncomeItem.household_id.in_(select(Household.id).where(*where))).group_by(IncomeItem.household_id))
    for hid, cats, amounts, labels in conn.execute(q).all():
        h = by_id.get(hid)
        if h is not None:
            cs, amts = cats.split(_SEP), amounts.split(_SEP)
            if len(cs) == len(amts) == labels.count(_SEP) + 1:
                h.income_items = list(zip(cs, map(float, amts), strict=True))
                if labels.strip(_SEP):
                    h.texts["income"] = " ".join(x for x in labels.split(_SEP) if x)
            else:
                exact.add(hid)
    if exact:  # rare: read these households row by row
        for hid in exact:
            by_id[hid].measures, by_id[hid].income_items = [], []
            by_id[hid].texts.pop("income", None)
        _fill_details(conn, by_id, [Household.id.in_(exact)])


def load_households(session: Session, period: Period | str | None, unit: Unit | str | None = None, *,
                    assistance: bool = True, for_rules: bool = False) -> list[HouseholdData]:
    """The register of ``period`` (under ``unit``) as rules-engine data, in tree and position order.

    ``for_rules``: what the rules need, fastest (no assistance flags; measures and income items
    of a household in no particular order).
    """
    with gc_paused():
        return _load(session, _period(session, period), _unit(session, unit), assistance, for_rules)


def _scope(session: Session, period: Period, unit: Unit | None) -> tuple[UnitIndex, list, dict[int, int]]:
    """The unit tree, the WHERE of the period's households (under ``unit``) and the village order.

    A unit over every village (the county of a one-county register) adds no village filter: a list of
    every village would only lead SQLite to read the month through the village index."""
    units = UnitIndex(session)
    where = [Household.period_id == period.id]
    villages = units.villages(unit.id if unit is not None else None)
    if unit is not None and not units.is_everything(villages):
        where.append(Household.village_id.in_(villages))
    return units, where, {v: i for i, v in enumerate(villages)}


def _load(session: Session, period: Period, unit: Unit | None, assistance: bool, for_rules: bool
          ) -> list[HouseholdData]:
    units, where, order = _scope(session, period, unit)
    return list(_load_where(session, units, where, order, assistance and not for_rules, for_rules).values())


def _load_where(session: Session, units: UnitIndex, where: list, order: dict[int, int], assistance: bool,
                grouped: bool) -> dict[int, HouseholdData]:
    """Households selected by ``where`` by id, in tree and position order."""
    rows = session.connection().execute(select(*_H_COLS).where(*where)).all()
    last = len(order)
    rows.sort(key=lambda r: (order.get(r[2], last), r[16], r[0]))  # village order, position, id (_H_COLS)
    paths = units.paths
    by_id = {r[0]: _household(r, paths.get(r[2])) for r in rows}
    _fill(session, by_id, where, assistance, grouped=grouped)
    return by_id


def village_sizes(session: Session, period: Period | str | None) -> dict[str, dict[str, int]]:
    """{"乡镇/村": {"households": n, "persons": n}} of the whole period, villages in register order (as
    ``load_households`` meets them), counted by SQLite (two GROUP BYs) instead of loading the register."""
    period = _period(session, period)
    units, _where, order = _scope(session, period, None)
    conn = raw(session)
    households = dict(conn.execute(
        "SELECT village_id, count(*) FROM households WHERE period_id = ? GROUP BY village_id", (period.id,)).fetchall())
    persons = dict(conn.execute(
        "SELECT h.village_id, count(*) FROM households h JOIN persons p ON p.household_id = h.id "
        "WHERE h.period_id = ? GROUP BY h.village_id", (period.id,)).fetchall())
    if all(v in order for v in households):
        ids = sorted(households, key=order.__getitem__)
    else:  # a household under a unit that is not a village: by its first household, as the load sorts
        last, first = len(order), {}
        for v, position, hid in conn.execute(
                "SELECT village_id, position, id FROM households WHERE period_id = ?", (period.id,)).fetchall():
            key = (order.get(v, last), position, hid)
            if v not in first or key < first[v]:
                first[v] = key
        ids = sorted(households, key=first.__getitem__)
    out: dict[str, dict[str, int]] = {}
    for v in ids:
        size = out.setdefault(units.paths.get(v) or "", {"households": 0, "persons": 0})
        size["households"] += households[v]
        size["persons"] += persons.get(v, 0)
    return out


# --- checking -----------------------------------------------------------------------------------
def note_key(f: Finding) -> tuple[str, str, str]:
    """(code, target, field) under which a verification note of ``f`` is kept."""
    return f.code, f.person or f.household or f.target or f.unit or "", f.field or ""


def apply_notes(session: Session, period: Period | int, findings: list[Finding]) -> list[Finding]:
    """The findings with their verification notes (核实说明) filled in (``period``: a Period or its id)."""
    pid = period.id if isinstance(period, Period) else period
    notes = {(code, target, field): note
             for code, target, field, note in session.connection().execute(_one().notes, {"pid": pid}).all()}
    if not notes:
        return findings
    return [f.at(note=notes[k]) if (k := note_key(f)) in notes else f for f in findings]


def project_findings(session: Session, period: Period, unit: Unit | None = None) -> list[Finding]:
    """P-01 … P-06 on the fund projects of the townships at or under ``unit`` (all when None)."""
    units = UnitIndex(session)
    townships = units.townships(unit.id if unit is not None else None)
    if not townships:
        return []
    cols = (FundProject.uuid, FundProject.township_id, FundProject.name, FundProject.planned,
            FundProject.received, FundProject.disbursed, FundProject.stage, FundProject.planned_start,
            FundProject.started_on, FundProject.completed_on, FundProject.households, FundProject.persons)
    q = (select(*cols).where(FundProject.period_id == period.id, FundProject.township_id.in_(townships))
         .order_by(FundProject.township_id, FundProject.position, FundProject.id))
    out: list[Finding] = []
    for r in session.execute(q):
        data = r._asdict()
        out.extend(check_project(data, period.month, {"unit": units.paths[r.township_id], "target": r.uuid}))
    return out


def _count_findings(session: Session, period: Period, unit: Unit | None) -> list[Finding]:
    """M-01…M-05, M-07, M-08 on each count row and C-01 against hand counts (``app.services.counts``)."""
    from app.services.counts import count_findings  # imported directly: a broken module must not hide rows

    return count_findings(session, period, unit)


def check_households_data(hs: list[HouseholdData], period: str) -> list[Finding]:
    """Every household rule over loaded data, plus H-12 (what ``check_period`` runs on households)."""
    return check_households(hs, Context(period))


def check_period(session: Session, period: Period | str | None, unit: Unit | str | None = None, *,
                 households: list[HouseholdData] | None = None, today: dt.date | None = None) -> list[Finding]:
    """All findings of a period: households (H-rules and H-12), fund projects, count rows; with notes.

    ``households``: the period's register already loaded by ``load_households`` (same unit), to
    avoid loading it twice (every rule then runs on every one of them); without it the period is
    screened first and only the households that may have a finding are loaded.
    ``today``: also the D-rules on the ledgers of the period's year, judged on that day
    (``ledger_findings``); the export leaves it out, since the ledgers are not the month's report.
    """
    period = _period(session, period)
    unit = _unit(session, unit)
    with gc_paused():
        if households is not None:
            out = check_households_data(households, period.month)
        else:
            out = _check_screened(session, period, unit)
    out.extend(project_findings(session, period, unit))
    out.extend(_count_findings(session, period, unit))
    out.extend(_record_findings(session, period, unit))
    out = apply_notes(session, period, out)
    if today is not None:
        out.extend(ledger_findings(session, period.year, today, unit))
    return out


def ledger_findings(session: Session, year: int, today: dt.date, unit: Unit | None = None) -> list[Finding]:
    """D-01…D-09 on the year's responsibility lists, problems ledger and 督战对象 (supervision.md),
    each with its ``record``. Ledgers belong to the office's year, so a county (or no unit) gets them
    all; a township or village only those whose 责任单位 lies within it."""
    from app.services.ledger_reads import problem_findings, target_findings, task_findings

    found = task_findings(session, year, today) + problem_findings(session, year, today) \
        + target_findings(session, year, today)
    if unit is None or unit.level == "county":
        return found
    from app.models.units import unit_path

    path = unit_path(unit)
    return [f for f in found if f.unit and (f.unit == path or f.unit.startswith(path + "/"))]


def _record_findings(session: Session, period: Period, unit: Unit | None) -> list[Finding]:
    """A-01…A-03 on the month's 动态调整, V-01…V-03 on visits, R-01…R-03 on 监测户, T-01/T-02
    on treatment records (household-records.md)."""
    from app.services import adjustments, monitoring, treatment, visits

    return (adjustments.findings(session, period, unit) + visits.findings(session, period, unit)
            + monitoring.findings(session, period, unit) + treatment.findings(session, period, unit))


_IN_LIST_LIMIT = 20_000  # more suspects than this: load the whole period and pick them out


def _check_screened(session: Session, period: Period, unit: Unit | None) -> list[Finding]:
    """``check_households_data`` of the whole period, the same findings in the same order, but the
    rules run only on the households the screen names (``check_screen``); a clean register is read
    as plain tuples and never turned into ``HouseholdData``."""
    from .check_screen import suspects

    units, where, order = _scope(session, period, unit)
    found = suspects(raw(session), period.id, period.month, list(order) if len(where) > 1 else None,
                     postgres=is_postgres(session.get_bind()))
    wanted = found.rules | found.twins
    if not wanted:
        return []
    picked = where if len(wanted) > _IN_LIST_LIMIT else [*where, Household.id.in_(wanted)]
    by_id = _load_where(session, units, picked, order, assistance=False, grouped=False)
    ctx = Context(period.month)
    out: list[Finding] = []
    for hid, h in by_id.items():
        if hid in found.rules:
            out.extend(check_household(h, ctx))
    out.extend(h12_duplicates([h for hid, h in by_id.items() if hid in found.twins]))
    return out


@lru_cache(maxsize=1)
def _one() -> SimpleNamespace:
    """The statements of ``check_household_id``, built once with bound parameters (SQLAlchemy then
    reuses their compiled form: building a select costs more than running it on one household)."""
    hid, pid = bindparam("hid"), bindparam("pid")
    village, township = aliased(Unit), aliased(Unit)
    twin_cols = (Person.household_id, Person.uuid, Person.name, Person.age, Person.id_number, Person.phone,
                 Household.uuid, village.name, township.name, township.level)
    # Driven by the persons index of each key; "period_id + 0" keeps SQLite (no statistics here) from
    # driving the join by the period's households instead, which is a scan of the month.
    twins = (select(*twin_cols).join(Household, Household.id == Person.household_id)
             .join(village, village.id == Household.village_id).outerjoin(township, township.id == village.parent_id)
             .where((Household.period_id + 0) == pid, Household.id != hid))
    return SimpleNamespace(
        household=(select(*_H_COLS, Household.period_id, Period.month, village.name, township.name, township.level)
                   .join(Period, Period.id == Household.period_id).join(village, village.id == Household.village_id)
                   .outerjoin(township, township.id == village.parent_id).where(Household.id == hid)),
        persons=select(*_P_COLS).where(Person.household_id == hid).order_by(Person.position, Person.id),
        measures=(select(Measure.category, Measure.text).where(Measure.household_id == hid)
                  .order_by(Measure.position, Measure.id)),
        income=(select(IncomeItem.category, IncomeItem.amount, IncomeItem.label).where(IncomeItem.household_id == hid)
                .order_by(IncomeItem.position, IncomeItem.id)),
        by_id=twins.where(Person.id_number.in_(bindparam("keys", expanding=True))),
        by_name=twins.where(Person.name.in_(bindparam("keys", expanding=True))),
        by_phone=twins.where(Person.phone.in_(bindparam("keys", expanding=True))),
        heads=select(Person.household_id, Person.name).where(
            Person.household_id.in_(bindparam("hids", expanding=True)), Person.relation == "户主"),
        notes=select(VerificationNote.code, VerificationNote.target, VerificationNote.field, VerificationNote.note)
        .where(VerificationNote.period_id == pid),
    )


def _village_path(village: str, township: str | None, township_level: str | None) -> str:
    return village if township is None or township_level == "county" else f"{township}/{village}"


def check_household_id(session: Session, household_id: int) -> list[Finding]:
    """The findings of one household (every H-rule, H-12 against its period), with notes. For the GUI."""
    q = _one()
    conn = session.connection()
    r = conn.execute(q.household, {"hid": household_id}).first()
    if r is None:
        raise UsageError(f"找不到户（编号 {household_id}）。")
    period_id, month = r[17], r[18]
    h = _household(r, _village_path(r[19], r[20], r[21]))
    h.members = [PersonData(*p[1:9]) for p in conn.execute(q.persons, {"hid": household_id}).all()]
    h.measures = [tuple(m) for m in conn.execute(q.measures, {"hid": household_id}).all()]
    for category, amount, label in conn.execute(q.income, {"hid": household_id}).all():
        h.income_items.append((category, amount))
        if label:
            h.texts["income"] = f"{h.texts.get('income', '')} {label}".strip()
    out = check_household(h, Context(month))
    twins = _twins(conn, h, household_id, period_id)
    out.extend(f for f in h12_duplicates([h, *twins]) if f.household == h.uuid)
    return apply_notes(session, period_id, out)


def _twins(conn, h: HouseholdData, household_id: int, period_id: int) -> list[HouseholdData]:
    """Other households of the period holding a person with the same 身份证号, name or phone (indexed)."""
    q = _one()
    ids = {str(p.id_number).strip() for p in h.members if p.id_number and str(p.id_number).strip()}
    ids |= {i.upper() for i in ids} | {i.lower() for i in ids}
    names = {str(p.name).strip() for p in h.members if p.name and str(p.name).strip()}
    phones = {str(p.phone).strip() for p in h.members if p.phone and str(p.phone).strip()}
    rows = []
    for stmt, keys in ((q.by_id, ids), (q.by_name, names), (q.by_phone, phones)):
        if keys:
            rows += conn.execute(stmt, {"keys": list(keys), "pid": period_id, "hid": household_id}).all()
    others: dict[int, HouseholdData] = {}
    seen: set[tuple[int, str]] = set()
    for hid, uuid, name, age, id_number, phone, h_uuid, village, township, level in rows:
        if (hid, uuid) in seen:
            continue
        seen.add((hid, uuid))
        o = others.get(hid)
        if o is None:
            o = others[hid] = HouseholdData(uuid=h_uuid, unit=_village_path(village, township, level))
        o.members.append(PersonData(uuid=uuid, name=name, age=age, id_number=id_number, phone=phone))
    if others:
        for hid, name in conn.execute(q.heads, {"hids": list(others)}).all():
            others[hid].head_name = name
    return list(others.values())


# --- verification notes -------------------------------------------------------------------------
def add_note(session: Session, period: Period | str, finding: Finding, text: str, who: str | None = None
             ) -> VerificationNote:
    """Attach (or replace) the 核实说明 of ``finding`` for ``period``; audited; refused on a locked month."""
    period = _period(session, period)
    require_open(period)
    text = (text or "").strip()
    if not text:
        raise UsageError("核实说明不能为空。")
    code, target, field = note_key(finding)
    note = session.scalars(select(VerificationNote).where(
        VerificationNote.period_id == period.id, VerificationNote.code == code,
        VerificationNote.target == target, VerificationNote.field == field)).first()
    old = note.note if note is not None else None
    if note is None:
        note = VerificationNote(period_id=period.id, code=code, target=target, field=field, note=text, who=who)
        session.add(note)
    else:
        note.note, note.who = text, who
    session.flush()
    audit.record(session, "note", period=period.month, table="verification_notes", record=f"{code} {target}",
                 field=field or None, old=old, new=text)
    return note


def remove_note(session: Session, period: Period | str, finding: Finding) -> bool:
    """Remove the 核实说明 of ``finding``; True when there was one."""
    period = _period(session, period)
    require_open(period)
    code, target, field = note_key(finding)
    cond = (VerificationNote.period_id == period.id, VerificationNote.code == code,
            VerificationNote.target == target, VerificationNote.field == field)
    old = session.scalars(select(VerificationNote.note).where(*cond)).first()
    if old is None:
        return False
    session.execute(delete(VerificationNote).where(*cond))
    audit.record(session, "note", period=period.month, table="verification_notes", record=f"{code} {target}",
                 field=field or None, old=old, new=None)
    return True

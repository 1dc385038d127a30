"""The unit-by-unit part of an import: resolve the files' units, compare with the register, write.

``imports.py`` is the public face (preview/apply); this module holds the plan's shape and knows
how households, hand counts and fund projects of a unit are matched and replaced.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import FORM1_COUNTS, FORM2_COUNTS
from app.importers import store
from app.importers.incoming import Source
from app.importers.match import VillagePlan, plan_village
from app.models import FundProject, HandCount, Household, Office, Period, Unit, VerificationNote
from app.models.units import full_path
from app.rules.findings import Finding

from . import adjustments, audit
from .periods import ensure_period, require_open
from .register import fill_measure_starts
from .units import ensure_path, root_units

COUNT_CODES = tuple(dict.fromkeys(FORM1_COUNTS + FORM2_COUNTS))
PROJECT_FIELDS = ("name", "content", "fund_source", "planned", "received", "disbursed", "stage", "planned_start",
                  "started_on", "completed_on", "households", "persons", "remark")


@dataclass
class UnitChange:
    """One unit's part of an import: its households (or hand counts / projects) and their status."""

    unit: str  # full path
    kind: str  # "households" | "counts1" | "counts2" | "projects"
    status: str  # "added" | "changed" | "unchanged"
    file: str
    households: dict[str, int] = field(default_factory=dict)
    persons: dict[str, int] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    band: str | None = None  # a workbook's 附件4 replaces only its band's households

    def to_dict(self) -> dict:
        return {"unit": self.unit, "kind": self.kind, "band": self.band, "status": self.status, "file": self.file,
                "households": self.households, "persons": self.persons, "differences": self.differences[:50]}


@dataclass
class ImportPlan:
    period: str
    files: list[str]
    sources: list[Source]
    units: list[UnitChange] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    normalised: list[dict] = field(default_factory=list)
    locked: bool = False
    # What apply writes: village path → (plan, source); counts and projects per unit.
    villages: dict[tuple[str, str | None], tuple[VillagePlan, Source]] = field(default_factory=dict)
    counts: list[tuple] = field(default_factory=list)  # (unit path, form, values, source)
    projects: dict[str, list] = field(default_factory=dict)  # township path → [(InProject, source)]

    @property
    def errors(self) -> list[Finding]:
        """The E findings that refuse the import: every one from a workbook, and any file problem.

        A package is the register as the sending office keeps it: its own rule findings travel
        with it and are listed (they show in ``guatu check`` as they did there), but only the
        package's integrity (I-codes: checksums, schema, limits) refuses it.
        """
        packages = {s.file for s in self.sources if s.kind == "package"}
        return [f for f in self.findings if f.severity == "E" and (f.file not in packages or f.code.startswith("I-"))]

    @property
    def needs_replace(self) -> list[UnitChange]:
        return [u for u in self.units if u.status == "changed"]

    def totals(self, key: str) -> dict[str, int]:
        """{"households": n, "persons": n} for added/changed/unchanged/removed."""
        return {
            "households": sum(u.households.get(key, 0) for u in self.units),
            "persons": sum(u.persons.get(key, 0) for u in self.units),
        }

    def to_dict(self, ok: bool) -> dict[str, Any]:
        return {
            "ok": ok, "period": self.period,
            "added": self.totals("added"), "changed": self.totals("changed"),
            "unchanged": self.totals("unchanged"), "removed": self.totals("removed"),
            "units": [u.to_dict() for u in self.units],
            "normalised": self.normalised, "findings": [f.to_dict() for f in self.findings],
        }


def units_by_path(session: Session) -> dict[str, Unit]:
    out: dict[str, Unit] = {}

    def walk(u: Unit) -> None:
        out[full_path(u)] = u
        for c in u.children:
            walk(c)

    for r in root_units(session):
        walk(r)
    return out



def _default_county(session: Session) -> str | None:
    roots = [u for u in root_units(session) if u.level == "county"]
    if len(roots) == 1:
        return roots[0].name
    office = session.get(Office, 1)
    u = session.get(Unit, office.unit_id) if office and office.unit_id else None
    while u is not None and u.parent is not None:
        u = u.parent
    return u.name if u is not None else None


def _resolve(path: tuple, src: Source, county: str | None, depth: int) -> str | None:
    """A full path from a file's (county, township, village) names; None when incomplete."""
    names = list(path)
    if src.kind == "workbook" and len(names) == depth and not names[0]:
        names[0] = county
    if len(names) != depth or any(not n for n in names):
        return None
    return "/".join(str(n).strip() for n in names)


def plan_units(session: Session, plan: ImportPlan, period: Period | None) -> None:
    """Group the files' households by village — and by band for workbooks, since 附件4 and its
    band-B twin each replace only their own band's households — and compare with the register."""
    units = units_by_path(session)
    county = _default_county(session)
    incoming: dict[tuple[str, str | None], list] = defaultdict(list)
    owner: dict[tuple[str, str | None], Source] = {}
    for src in plan.sources:
        for h in src.households:
            path = _resolve(h.village, src, county, 3)
            if path is None:
                plan.findings.append(Finding("I-05", "E", "无法确定该户所在的县、乡镇、村（请填写县(市、区)、乡镇、村）",
                                             file=src.file, sheet=h.data.sheet, row=h.row))
                continue
            key = (path, None if src.kind == "package" else h.fields.get("band"))
            clash = [k for k in ((path, None), (path, "A"), (path, "B")) if k in owner and owner[k] is not src
                     and (k[1] is None or key[1] is None or k[1] == key[1])]
            if clash:
                plan.findings.append(Finding("I-09", "E", f"{path}同时出现在“{owner[clash[0]].file}”和本文件中，请分开导入",
                                             file=src.file, sheet=h.data.sheet, row=h.row))
                continue
            owner[key] = src
            incoming[key].append(h)
        if src.kind == "package" and src.unit and period is not None:
            for path, unit in units.items():  # villages of the package's unit absent from it lose their households
                if unit.level == "village" and (path + "/").startswith(src.unit + "/") and (path, None) not in incoming:
                    incoming.setdefault((path, None), [])
                    owner.setdefault((path, None), src)
    ids = {path: units[path].id for path, _b in incoming if path in units}
    existing = store.load_households(session, period.id, list(ids.values())) if period is not None else {}
    moved = _moved(session, plan, period, set(ids.values()))
    for (path, band), hs in incoming.items():
        old = existing.get(ids[path], []) if path in ids else []
        if band is not None:
            old = [h for h in old if h.get("band") == band]
        if not hs and not old:
            continue
        vp = plan_village(old, hs, moved)
        plan.villages[(path, band)] = (vp, owner[(path, band)])
        plan.units.append(UnitChange(path, "households", vp.status, owner[(path, band)].file, vp.households,
                                     vp.persons, vp.differences, band=band))
    _plan_counts(session, plan, period, units, county)
    _plan_projects(session, plan, period, units, county)


def _moved(session: Session, plan: ImportPlan, period: Period | None, villages: set[int]) -> dict[str, dict]:
    """Package households already in the period under another village (moved): uuid → record."""
    uuids = [h.fields.get("uuid") for s in plan.sources if s.kind == "package" for h in s.households]
    if period is None or not uuids:
        return {}
    t = Household.__table__
    found: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(uuids), store.BATCH):
        q = select(t.c.id, t.c.village_id).where(t.c.period_id == period.id, t.c.uuid.in_(uuids[start:start + 500]))
        for hid, vid in session.execute(q):
            if vid not in villages:
                found[vid].append(hid)
    out: dict[str, dict] = {}
    for recs in store.load_households(session, period.id, list(found)).values():
        for r in recs:
            out[r["uuid"]] = r
    return out


def _plan_counts(session, plan, period, units, county) -> None:
    for src in plan.sources:
        for c in src.counts:
            if src.kind == "workbook" and c.form == 2:
                name = c.unit[0]
                hits = [p for p in units if p.split("/")[-1] == name and units[p].level != "village"]
                path = hits[0] if len(hits) == 1 else name
            else:
                path = _resolve(c.unit, src, county, len(c.unit) if src.kind == "package" else 3)
            if path is None:
                plan.findings.append(Finding("I-05", "E", "无法确定该行的单位", file=src.file, sheet=c.sheet, row=c.row))
                continue
            values = {k: c.values.get(k) for k in (FORM1_COUNTS if c.form == 1 else FORM2_COUNTS)}
            old = None
            if period is not None and path in units:
                old = session.scalars(select(HandCount).where(
                    HandCount.period_id == period.id, HandCount.unit_id == units[path].id, HandCount.form == c.form)).first()
            if old is None:
                status, diffs = "added", []
            else:
                diffs = [f"{k} {getattr(old, k)} → {v}" for k, v in values.items() if getattr(old, k) != v]
                status = "changed" if diffs else "unchanged"
            plan.counts.append((path, c.form, values, src))
            plan.units.append(UnitChange(path, f"counts{c.form}", status, src.file, differences=diffs))


def _plan_projects(session, plan, period, units, county) -> None:
    for src in plan.sources:
        for p in src.projects:
            path = _resolve(p.township, src, county, 2)
            if path is None:
                plan.findings.append(Finding("I-05", "E", "无法确定项目所在的县、乡镇", file=src.file, sheet=p.sheet,
                                             row=p.row))
                continue
            plan.projects.setdefault(path, []).append((p, src))
    for path, items in plan.projects.items():
        old = []
        if period is not None and path in units:
            old = list(session.scalars(select(FundProject).where(
                FundProject.period_id == period.id, FundProject.township_id == units[path].id)))
        diffs = []
        by_key = {(o.uuid if items[0][1].kind == "package" else o.name): o for o in old}
        for p, src in items:
            o = by_key.pop(p.fields.get("uuid") if src.kind == "package" else p.fields.get("name"), None)
            if o is None:
                diffs.append(f"新增项目{p.fields.get('name')}")
                continue
            p.fields.setdefault("uuid", o.uuid)
            for k in PROJECT_FIELDS:
                if k in p.fields and getattr(o, k) != p.fields[k] and not (
                        isinstance(p.fields[k], int | float) and float(getattr(o, k) or 0) == float(p.fields[k] or 0)):
                    diffs.append(f"项目{o.name}：{k} 有变化")
        diffs.extend(f"减少项目{o.name}" for o in by_key.values())
        status = "added" if not old else ("changed" if diffs else "unchanged")
        plan.units.append(UnitChange(path, "projects", status, items[0][1].file, differences=diffs))


def _unit(session: Session, path: str, units: dict[str, Unit], plan: ImportPlan) -> Unit:
    if path in units:
        return units[path]
    codes = {}
    for src in plan.sources:
        for rec in src.units:
            codes[rec.get("path")] = rec.get("division_code")
    names = path.split("/")
    unit = ensure_path(session, names, [codes.get("/".join(names[: i + 1])) for i in range(len(names))])
    units[path] = unit
    return unit


def write_plan(session: Session, plan: ImportPlan) -> dict[str, Any]:
    period = ensure_period(session, plan.period)
    require_open(period)
    units = units_by_path(session)
    todo = [u for u in plan.units if u.status != "unchanged"]
    changed = {(u.kind, u.unit, u.band) for u in todo}
    deletes: list[int] = []
    records: list[tuple[int, dict]] = []
    for (path, band), (vp, _src) in plan.villages.items():
        if ("households", path, band) not in changed:
            continue
        deletes.extend(vp.delete_ids)
        vid = _unit(session, path, units, plan).id
        records.extend((vid, r) for r in vp.records)
    before = adjustments.snapshot_households(session, deletes)
    store.delete_households(session, deletes)
    store.insert_households(session, period.id, records)
    fill_measure_starts(session.connection())
    session.expire_all()
    adjustments.on_import(session, period, before, records)
    units = units_by_path(session)  # a record's village must be one the register holds (never created for it)
    carried = [(units[a["village"]].id, a) for src in plan.sources for a in src.adjustments
               if units.get(a.get("village")) is not None and units[a["village"]].level == "village"]
    if carried:
        adjustments.take_package_records(session, period, carried)
    for path, form, values, _src in plan.counts:
        if (f"counts{form}", path, None) not in changed:
            continue
        unit = _unit(session, path, units, plan)
        hc = session.scalars(select(HandCount).where(
            HandCount.period_id == period.id, HandCount.unit_id == unit.id, HandCount.form == form)).first()
        if hc is None:
            hc = HandCount(period_id=period.id, unit_id=unit.id, form=form)
            session.add(hc)
        for k, v in values.items():
            setattr(hc, k, v)
    for path, items in plan.projects.items():
        if ("projects", path, None) not in changed:
            continue
        town = _unit(session, path, units, plan)
        for old in session.scalars(select(FundProject).where(
                FundProject.period_id == period.id, FundProject.township_id == town.id)):
            session.delete(old)
        session.flush()
        for pos, (p, _src) in enumerate(items):
            fields = {k: v for k, v in p.fields.items() if hasattr(FundProject, k) and k != "id"}
            fields.setdefault("position", pos)
            session.add(FundProject(period_id=period.id, township_id=town.id, **fields))
    _notes(session, plan, period)
    session.flush()
    _office(session, plan, units_by_path(session))
    for u in todo:
        audit.record(session, "import", period=plan.period, table=u.kind, record=u.unit, old=u.status,
                     new=f"{u.file}：{u.households.get('added', 0)}户新增，{u.households.get('changed', 0)}户变化")
    session.flush()
    return plan.to_dict(True)


def _office(session: Session, plan: ImportPlan, units: dict[str, Unit]) -> None:
    """A database without office settings (a new laptop) takes them from the package."""
    office = session.get(Office, 1)
    if office is not None and office.unit_id is not None:
        return
    for src in plan.sources:
        rec = src.office
        if not rec or not rec.get("unit") or rec["unit"] not in units:
            continue
        if office is None:
            office = Office(id=1)
            session.add(office)
        office.unit_id = units[rec["unit"]].id
        for k in ("preparer", "preparer_phone", "upper_mailbox", "mailbox"):
            setattr(office, k, rec.get(k))
        audit.record(session, "import", table="office", record="1", new=rec["unit"])
        return


def _notes(session: Session, plan: ImportPlan, period: Period) -> None:
    for src in plan.sources:
        for n in src.notes:
            old = session.scalars(select(VerificationNote).where(
                VerificationNote.period_id == period.id, VerificationNote.code == n.get("code"),
                VerificationNote.target == n.get("target"), VerificationNote.field == (n.get("field") or ""))).first()
            if old is None:
                session.add(VerificationNote(period_id=period.id, **n))
            else:
                for k, v in n.items():
                    setattr(old, k, v)


__all__ = ["ImportPlan", "UnitChange", "plan_units", "units_by_path", "write_plan"]

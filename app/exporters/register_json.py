"""register.json: the whole register of a unit for a period, every stored field (docs/register-json.md).

This is what makes the import round trip lossless and county consolidation possible: records are
keyed by their UUIDs, units by their full path ("康平县/暖泉镇/前暖泉村"), never by database ids.
Columns are serialised from the ORM tables themselves, so a column added to a model travels
without a change here. ``decode_fields`` turns a record back into model attribute values.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app import __version__
from app.models import FundProject, HandCount, Household, Office, Period, Person, Unit, VerificationNote
from app.models.register import IncomeItem, Measure
from app.services.units import full_path, unit_path, villages_under

SCHEMA = "guatu.register/1"

# Foreign keys and ids are replaced by UUIDs / unit paths; never written.
_SKIP = {"id", "period_id", "household_id", "village_id", "unit_id", "township_id", "parent_id"}


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fields(obj: Any) -> dict[str, Any]:
    """Every stored column of ``obj`` except ids and foreign keys, JSON-ready."""
    return {c.key: _encode(getattr(obj, c.key)) for c in type(obj).__table__.columns if c.key not in _SKIP}


def decode_fields(model: type, data: dict[str, Any]) -> dict[str, Any]:
    """Attribute values for ``model`` from a register.json record (dates parsed; unknown keys dropped)."""
    out: dict[str, Any] = {}
    for col in model.__table__.columns:
        if col.key in _SKIP or col.key not in data:
            continue
        v = data[col.key]
        py = getattr(col.type, "python_type", None) if v is not None else None
        try:
            if py is dt.datetime and isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            elif py is dt.date and isinstance(v, str):
                v = dt.date.fromisoformat(v)
        except (NotImplementedError, ValueError):
            pass
        out[col.key] = v
    return out


def _unit_record(unit: Unit) -> dict[str, Any]:
    rec = {"path": full_path(unit), "parent": full_path(unit.parent) if unit.parent else None}
    rec.update(fields(unit))
    return rec


def _scope_units(unit: Unit) -> list[Unit]:
    """The unit's ancestors (so paths resolve on import), the unit, and every unit below it."""
    chain: list[Unit] = []
    u = unit.parent
    while u is not None:
        chain.insert(0, u)
        u = u.parent
    out = list(chain)

    def walk(x: Unit) -> None:
        out.append(x)
        for child in x.children:
            walk(child)

    walk(unit)
    return out


def _below(unit: Unit) -> list[Unit]:
    out = [unit]
    for child in unit.children:
        out.extend(_below(child))
    return out


def _household_record(h: Household, village_path: str) -> dict[str, Any]:
    rec = {"village": village_path}
    rec.update(fields(h))
    rec["members"] = [fields(p) for p in h.members]
    rec["measures"] = [fields(m) for m in h.measures]
    rec["income_items"] = [fields(i) for i in h.income_items]
    return rec


def households_of(session: Session, period: Period, unit: Unit) -> list[Household]:
    """The period's households of every village under ``unit``, in tree order then position."""
    villages = villages_under(session, unit)
    order = {v.id: i for i, v in enumerate(villages)}
    if not villages:
        return []
    found: list[Household] = []
    ids = list(order)
    for start in range(0, len(ids), 500):  # SQLite parameter limits
        found.extend(
            session.scalars(
                select(Household)
                .where(Household.period_id == period.id, Household.village_id.in_(ids[start:start + 500]))
                .options(
                    selectinload(Household.members),
                    selectinload(Household.measures),
                    selectinload(Household.income_items),
                )
            )
        )
    found.sort(key=lambda h: (order[h.village_id], h.position, h.id))
    return found


def dump_register(session: Session, period: Period, unit: Unit) -> dict[str, Any]:
    """The whole register of ``unit`` for ``period``, as the dict written to register.json."""
    scope = _below(unit)
    scope_ids = {u.id for u in scope}
    paths = {u.id: full_path(u) for u in _scope_units(unit)}
    households = households_of(session, period, unit)

    office = session.get(Office, 1)
    office_rec = None
    if office is not None:
        office_unit = session.get(Unit, office.unit_id) if office.unit_id else None
        office_rec = {
            "unit": full_path(office_unit) if office_unit else None,
            "preparer": office.preparer,
            "preparer_phone": office.preparer_phone,
            "upper_mailbox": office.upper_mailbox,
        }

    hand = [
        {"unit": paths[hc.unit_id], **fields(hc)}
        for hc in session.scalars(
            select(HandCount).where(HandCount.period_id == period.id).order_by(HandCount.form, HandCount.id)
        )
        if hc.unit_id in scope_ids
    ]
    projects = [
        {"township": paths[fp.township_id], **fields(fp)}
        for fp in session.scalars(
            select(FundProject).where(FundProject.period_id == period.id).order_by(FundProject.position, FundProject.id)
        )
        if fp.township_id in scope_ids
    ]

    targets: set[str] = {unit_path(u) for u in scope} | {full_path(u) for u in scope}
    for h in households:
        targets.add(h.uuid)
        targets.update(p.uuid for p in h.members)
    targets.update(p["uuid"] for p in projects)
    notes = [
        fields(n)
        for n in session.scalars(
            select(VerificationNote).where(VerificationNote.period_id == period.id).order_by(VerificationNote.id)
        )
        if n.target in targets
    ]

    return {
        "schema": SCHEMA,
        "app_version": __version__,
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "unit": full_path(unit),
        "period": fields(period),
        "office": office_rec,
        "units": [_unit_record(u) for u in _scope_units(unit)],
        "households": [_household_record(h, paths[h.village_id]) for h in households],
        "hand_counts": hand,
        "fund_projects": projects,
        "verification_notes": notes,
        "counts": {
            "households": len(households),
            "persons": sum(len(h.members) for h in households),
            "fund_projects": len(projects),
        },
    }


def write_register_json(path: str | os.PathLike, session: Session, period: Period, unit: Unit) -> dict[str, Any]:
    """Write register.json at ``path``; returns the dumped document's ``counts``."""
    doc = dump_register(session, period, unit)
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return doc["counts"]


def read_register_json(path: str | os.PathLike) -> dict[str, Any]:
    """Load and check the schema tag; ValueError for another schema."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("guatu.register/"):
        raise ValueError("不是 guatu 台账数据文件（register.json）")
    major = str(doc["schema"]).split("/", 1)[1]
    if major != SCHEMA.split("/", 1)[1]:
        raise ValueError(f"台账数据文件版本 {doc['schema']} 不受支持（支持 {SCHEMA}）")
    return doc


MODELS = {
    "units": Unit, "households": Household, "members": Person, "measures": Measure,
    "income_items": IncomeItem, "hand_counts": HandCount, "fund_projects": FundProject,
    "verification_notes": VerificationNote, "period": Period,
}

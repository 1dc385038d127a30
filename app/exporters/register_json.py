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
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import __version__
from app.kernel.register_codec import SCHEMA, SKIP, encode, fields
from app.models import (
    Adjustment,
    FundProject,
    HandCount,
    Household,
    Office,
    Period,
    Person,
    Unit,
    VerificationNote,
)
from app.models.register import IncomeItem, Measure
from app.models.units import full_path, unit_path, villages_under


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


def _rows(session: Session, model: type, where, order) -> list[tuple[int, dict[str, Any]]]:
    """(owner id, JSON-ready fields) of ``model`` rows, with Core (100,000 persons: no ORM objects)."""
    table = model.__table__
    cols = [c for c in table.columns if c.key not in SKIP]
    owner = table.c.household_id if "household_id" in table.c else table.c.id
    dates = [i for i, c in enumerate(cols) if getattr(c.type, "python_type", None) in (dt.date, dt.datetime)]
    bools = [i for i, c in enumerate(cols) if getattr(c.type, "python_type", None) is bool]
    keys = [c.key for c in cols]
    out = []
    q = select(owner, *cols).select_from(table)
    if model is not Household:
        q = q.join(Household.__table__, Household.__table__.c.id == table.c.household_id)
    for r in session.execute(q.where(*where).order_by(*order)):
        values = list(r[1:])
        for i in dates:
            values[i] = encode(values[i])
        for i in bools:
            values[i] = None if values[i] is None else bool(values[i])
        out.append((r[0], dict(zip(keys, values, strict=True))))
    return out


def iter_household_records(session: Session, period: Period, unit: Unit,
                           paths: dict[int, str]) -> Iterator[dict[str, Any]]:
    """Every household of the period under ``unit`` with its members, measures and income items,
    in village tree order then position; read in chunks of villages so memory stays bounded."""
    villages = villages_under(session, unit)
    order = {v.id: i for i, v in enumerate(villages)}
    ids = list(order)
    for start in range(0, len(ids), 100):  # 100 villages a chunk (SQLite parameter limits, memory)
        where = [Household.period_id == period.id, Household.village_id.in_(ids[start:start + 100])]
        village_of = dict(session.execute(select(Household.id, Household.village_id).where(*where)).all())
        recs: dict[int, dict[str, Any]] = {}
        for hid, rec in _rows(session, Household, where, [Household.id]):
            recs[hid] = {"village": paths[village_of[hid]], **rec, "members": [], "measures": [],
                         "income_items": []}
        for model, key in ((Person, "members"), (Measure, "measures"), (IncomeItem, "income_items")):
            t = model.__table__
            for hid, rec in _rows(session, model, where, [t.c.household_id, t.c.position, t.c.id]):
                recs[hid][key].append(rec)
        yield from (rec for _, rec in sorted(
            ((order[village_of[hid]], rec["position"], hid), rec) for hid, rec in recs.items()))


def _note_targets(session: Session, period: Period, unit: Unit, scope: list[Unit], projects: list[dict]) -> set[str]:
    """What a verification note in the package may point at: unit paths, household/person/project UUIDs."""
    targets: set[str] = {unit_path(u) for u in scope} | {full_path(u) for u in scope}
    targets.update(p["uuid"] for p in projects)
    ids = [v.id for v in villages_under(session, unit)]
    for start in range(0, len(ids), 500):
        where = (Household.period_id == period.id, Household.village_id.in_(ids[start:start + 500]))
        targets.update(session.scalars(select(Household.uuid).where(*where)))
        targets.update(session.scalars(select(Person.uuid).join(Household, Household.id == Person.household_id)
                                       .where(*where)))
    return targets


def _parts(session: Session, period: Period, unit: Unit):
    """(head, households iterator, tail) of the document, in the order register.json writes them."""
    scope = _below(unit)
    scope_ids = {u.id for u in scope}
    paths = {u.id: full_path(u) for u in _scope_units(unit)}
    office = session.get(Office, 1)
    office_rec = None
    if office is not None:
        office_unit = session.get(Unit, office.unit_id) if office.unit_id else None
        office_rec = {
            "unit": full_path(office_unit) if office_unit else None,
            "preparer": office.preparer,
            "preparer_phone": office.preparer_phone,
            "upper_mailbox": office.upper_mailbox,
            "mailbox": office.mailbox,
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
    village_paths = {v.id: paths[v.id] for v in villages_under(session, unit)}
    adjustments = [
        {"village": village_paths[a.village_id], **fields(a)}
        for a in session.scalars(select(Adjustment).where(Adjustment.period_id == period.id).order_by(Adjustment.id))
        if a.village_id in village_paths
    ]
    targets = _note_targets(session, period, unit, scope, projects)
    notes = [
        fields(n)
        for n in session.scalars(
            select(VerificationNote).where(VerificationNote.period_id == period.id).order_by(VerificationNote.id)
        )
        if n.target in targets
    ]
    head = {
        "schema": SCHEMA,
        "app_version": __version__,
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "unit": full_path(unit),
        "period": fields(period),
        "office": office_rec,
        "units": [_unit_record(u) for u in _scope_units(unit)],
    }
    tail = {"hand_counts": hand, "fund_projects": projects, "verification_notes": notes, "adjustments": adjustments}
    return head, iter_household_records(session, period, unit, paths), tail


def _counts(households: int, persons: int, tail: dict[str, Any]) -> dict[str, int]:
    return {"households": households, "persons": persons, "fund_projects": len(tail["fund_projects"])}


def dump_register(session: Session, period: Period, unit: Unit) -> dict[str, Any]:
    """The whole register of ``unit`` for ``period``, as the dict written to register.json."""
    head, households, tail = _parts(session, period, unit)
    hs = list(households)
    return {**head, "households": hs, **tail, "counts": _counts(len(hs), sum(len(h["members"]) for h in hs), tail)}


PERSONAL_IDENTIFIERS = ("id_number", "phone")  # members' 身份证号 and phone numbers


def _without_identifiers(households: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for h in households:
        h["members"] = [{k: v for k, v in m.items() if k not in PERSONAL_IDENTIFIERS} for m in h["members"]]
        yield h


def write_register_json(path: str | os.PathLike, session: Session, period: Period, unit: Unit,
                        identifiers: bool = True) -> dict[str, Any]:
    """Write register.json at ``path``, one household a line, streaming (a county: 100,000 persons);
    returns the document's ``counts``. ``identifiers=False`` leaves the members' 身份证号 and phone
    numbers out (the document says so: an import keeps the values it holds for them)."""
    head, households, tail = _parts(session, period, unit)
    if not identifiers:
        head["identifiers"] = False
        households = _without_identifiers(households)
        tail["adjustments"] = [{k: v for k, v in a.items() if k != "id_number"} for a in tail["adjustments"]]

    def dumps(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)

    n_h = n_p = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("{\n")
        for k, v in head.items():
            fh.write(f" {dumps(k)}: {dumps(v)},\n")
        fh.write(' "households": [')
        for h in households:
            fh.write(("\n  " if n_h == 0 else ",\n  ") + dumps(h))
            n_h += 1
            n_p += len(h["members"])
        fh.write("\n ],\n")
        for k, v in tail.items():
            fh.write(f" {dumps(k)}: {dumps(v)},\n")
        counts = _counts(n_h, n_p, tail)
        fh.write(f' "counts": {dumps(counts)}\n}}\n')
    return counts


IDENTIFIERS_SCHEMA = "guatu.identifiers/1"
IDENTIFIERS_MEMBER = "identifiers.json"


def write_identifiers(path: str | os.PathLike, session: Session, period: Period, unit: Unit,
                      passphrase: str) -> int:
    """The members' 身份证号 and phone numbers, by person UUID, in an AES-256 zip (pyzipper; Windows
    Explorer cannot open it — guatu or 7-Zip can); returns how many persons it holds."""
    import pyzipper

    persons: dict[str, list[str | None]] = {}
    for h in iter_household_records(session, period, unit, {u.id: full_path(u) for u in _scope_units(unit)}):
        for m in h["members"]:
            if m.get("id_number") or m.get("phone"):
                persons[m["uuid"]] = [m.get("id_number"), m.get("phone")]
    village_ids = [v.id for v in villages_under(session, unit)]
    for uuid, id_number in session.execute(select(Adjustment.uuid, Adjustment.id_number).where(
            Adjustment.period_id == period.id, Adjustment.village_id.in_(village_ids), Adjustment.id_number.is_not(None))):
        persons[uuid] = [id_number, None]  # a 动态调整 record's 身份证号, by the record's UUID
    doc = {"schema": IDENTIFIERS_SCHEMA, "unit": full_path(unit), "period": period.month, "persons": persons}
    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(passphrase.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        zf.writestr(IDENTIFIERS_MEMBER, json.dumps(doc, ensure_ascii=False))
    return len(persons)


MODELS = {
    "units": Unit, "households": Household, "members": Person, "measures": Measure,
    "income_items": IncomeItem, "hand_counts": HandCount, "fund_projects": FundProject,
    "verification_notes": VerificationNote, "adjustments": Adjustment, "period": Period,
}

"""Core reads and bulk writes of whole households, for imports and the new month.

The ORM is the contract for columns (a column added to a model travels without a change here);
the rows themselves go through Core ``executemany`` with ids assigned up front, which is what lets
a 100,000-person workbook land in seconds. Callers hold the write transaction (BEGIN IMMEDIATE),
so ``max(id) + 1`` cannot race.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import Household, IncomeItem, Measure, Person
from app.models.dialect import insert_rows, reserve_ids, sync_ids

BATCH = 500  # SQLite parameter limits
CHILDREN = (("members", Person), ("measures", Measure), ("income_items", IncomeItem))


_COLUMNS: dict[type, list[str]] = {}


def columns(model) -> list[str]:
    cols = _COLUMNS.get(model)
    if cols is None:
        cols = _COLUMNS[model] = [c.key for c in model.__table__.columns]
    return cols


def defaults(model) -> dict[str, Any]:
    """Python-side defaults of the model's columns (callables are called per row by ``complete``)."""
    out: dict[str, Any] = {}
    for c in model.__table__.columns:
        d = c.default
        if d is None or c.key == "id":
            continue
        out[c.key] = d.arg  # SQLAlchemy wraps callables to take an execution context
    return out


def complete(model, record: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """A full row for ``model``: every column, from ``record`` else the default, else None."""
    row = {}
    for key in columns(model):
        if key in record:
            row[key] = record[key]
        elif key in base:
            v = base[key]
            row[key] = v(None) if callable(v) else v
        else:
            row[key] = None
    return row


def _row_maker(model):
    """A function record → tuple in column order, with defaults and dates as SQLAlchemy stores them."""
    from operator import itemgetter

    cols = columns(model)
    base = defaults(model)
    consts = {k: None for k in cols}
    consts.update({k: v for k, v in base.items() if not callable(v)})
    calls = [(k, v) for k, v in base.items() if callable(v)]
    dates = [i for i, c in enumerate(model.__table__.columns)
             if getattr(c.type, "python_type", None) in (dt.date, dt.datetime)]
    get = itemgetter(*cols)

    def make(record: dict[str, Any]) -> tuple:
        row = {**consts, **record}
        for k, fn in calls:
            if k not in record:
                row[k] = fn(None)
        out = get(row)
        if dates:
            out = list(out)
            for i in dates:
                if out[i] is not None:
                    out[i] = _sql_value(out[i])
            out = tuple(out)
        return out

    return make


def load_households(session: Session, period_id: int, village_ids: list[int]) -> dict[int, list[dict]]:
    """village id → its households as full records (with members, measures, income_items)."""
    out: dict[int, list[dict]] = defaultdict(list)
    if not village_ids:
        return out
    table = Household.__table__
    by_id: dict[int, dict] = {}
    for start in range(0, len(village_ids), BATCH):
        ids = village_ids[start:start + BATCH]
        q = select(table).where(table.c.period_id == period_id, table.c.village_id.in_(ids)).order_by(
            table.c.village_id, table.c.position, table.c.id)
        for row in session.execute(q).mappings():
            rec = dict(row)
            rec.update(members=[], measures=[], income_items=[])
            by_id[rec["id"]] = rec
            out[rec["village_id"]].append(rec)
    hids = list(by_id)
    for key, model in CHILDREN:
        t = model.__table__
        for start in range(0, len(hids), BATCH):
            q = select(t).where(t.c.household_id.in_(hids[start:start + BATCH])).order_by(t.c.position, t.c.id)
            for row in session.execute(q).mappings():
                by_id[row["household_id"]][key].append(dict(row))
    return out


def next_ids(session: Session) -> dict[str, int]:
    out = {}
    for model in (Household, Person, Measure, IncomeItem):
        t = model.__table__
        out[t.name] = (session.execute(select(func.max(t.c.id))).scalar() or 0) + 1
    return out


def delete_households(session: Session, ids: list[int]) -> None:
    t = Household.__table__
    for start in range(0, len(ids), BATCH):
        session.execute(delete(t).where(t.c.id.in_(ids[start:start + BATCH])))


_ID_TABLES = ["households", "persons", "measures", "income_items"]


def _sql_value(v: Any) -> Any:
    """A date as SQLAlchemy's Date stores it on SQLite (ISO text); PostgreSQL casts that text itself."""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v.isoformat()
    if isinstance(v, dt.datetime):
        return v.isoformat(" ")
    return v


def _executemany(session: Session, model, rows: list[tuple]) -> None:
    """Plain DB-API executemany: the rows are already complete tuples in column order."""
    insert_rows(session.connection(), model.__table__.name, list(columns(model)), rows)


def insert_households(session: Session, period_id: int, records: list[tuple[int, dict]]) -> tuple[int, int]:
    """Insert (village id, full record) households of ``period_id``; returns (households, persons)."""
    if not records:
        return 0, 0
    reserve_ids(session, _ID_TABLES)  # ids are chosen here: other clerks' inserts wait (PostgreSQL)
    ids = next_ids(session)
    makers = {m: _row_maker(m) for m in (Household, Person, Measure, IncomeItem)}
    hrows: list[tuple] = []
    child_rows: dict[str, list[tuple]] = {"members": [], "measures": [], "income_items": []}
    for village_id, rec in records:
        hid = ids["households"]
        ids["households"] += 1
        h = {k: v for k, v in rec.items() if k not in ("members", "measures", "income_items")}
        h.update(id=hid, period_id=period_id, village_id=village_id)
        hrows.append(makers[Household](h))
        for key, model in CHILDREN:
            name = model.__table__.name
            make = makers[model]
            out = child_rows[key]
            for pos, child in enumerate(rec.get(key) or []):
                c = dict(child)
                c["id"] = ids[name]
                c["household_id"] = hid
                c.setdefault("position", pos)
                ids[name] += 1
                out.append(make(c))
    _executemany(session, Household, hrows)
    for key, model in CHILDREN:
        if child_rows[key]:
            _executemany(session, model, child_rows[key])
    sync_ids(session, _ID_TABLES)
    return len(hrows), len(child_rows["members"])

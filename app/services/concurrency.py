"""Several clerks on one register: row versions, stale edits, and the change sequence.

Households, persons, count rows and ledger rows are ``Versioned`` (migration 0009): every flush that
changes one stamps who changed it, when and through which open register, and SQLAlchemy bumps its
version (an UPDATE based on an older version matches no row: ``StaleDataError``, which
``operations.execute`` turns into a retry and then into ``StaleEdit``). An edit request carries the
version the window showed (``base_version``); when the row has moved on since, through another
register, ``check`` refuses it with ``StaleEdit`` naming who changed it, when, and the current values,
never overwriting it silently. The same window's own earlier edits (queued before it saw their result)
are not a conflict.

Every operation adds one ``changes`` row (what it changed); an open window polls ``poll`` every few
seconds and repaints what other registers changed. Works on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid as _uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.models import ChangeEntry, HandCount, Household, Office, Person, Problem, Task, Versioned
from app.storage import os_user

from . import audit
from .errors import Refused

_VIA: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
KEEP_CHANGES = 5000  # the change sequence keeps this many operations (a window asleep longer reloads)
MANY = 2000  # more ids than this in one operation: logged as "everything changed"
LOOKBACK = 64  # ids re-read each poll: on PostgreSQL a lower id may commit after a higher one


def via_of(db: Any) -> str:
    """The token of one open register (a ``Database`` object): the rows it changed carry it."""
    token = _VIA.get(db)
    if token is None:
        token = _VIA[db] = _uuid.uuid4().hex
    return token


def bind(session: Session, db: Any) -> None:
    """Mark a write session as ``db``'s, so what it changes is stamped with that register's token."""
    session.info["via"] = via_of(db)
    clerk = getattr(db, "clerk", None)
    if clerk:
        session.info["clerk"] = clerk


def clerk(session: Session) -> str:
    """Who is changing the register: the logged-in clerk (PostgreSQL), else the office's 填表人,
    else the computer's user name."""
    who = session.info.get("clerk") or audit.login(session)
    if who:
        return who
    with session.no_autoflush:
        office = session.get(Office, 1)
    return (office.preparer if office and office.preparer else None) or os_user()


# -- stamping ------------------------------------------------------------------------------------
@event.listens_for(Session, "before_flush")
def _stamp(session: Session, _context, _instances) -> None:
    rows = [o for o in session.new if isinstance(o, Versioned)]
    rows += [o for o in session.dirty if isinstance(o, Versioned) and session.is_modified(o)]
    if not rows:
        return
    who, now, via = clerk(session), dt.datetime.now().replace(microsecond=0), session.info.get("via")
    for row in rows:
        row.changed_by, row.changed_at, row.changed_via = who, now, via
        flag_modified(row, "changed_at")  # an UPDATE (and a new version) even when only its lines changed


# -- stale edits ---------------------------------------------------------------------------------
KIND_NAMES = {"households": "该户", "persons": "该成员", "hand_counts": "该行计数", "tasks": "该任务",
              "problems": "该问题"}


class StaleEdit(Refused):
    """An edit based on a row another clerk changed since the window showed it: not written.
    Carries who changed it, when, and the row's current values, so the window can show them and
    the clerk can re-apply (with ``version``) or drop the edit."""

    def __init__(self, table: str, record: str, who: str | None, at: dt.datetime | None, version: int,
                 values: dict[str, Any], field_name: str | None = None):
        self.table, self.record, self.who, self.at = table, record, who or "另一位填表人", at
        self.version, self.values, self.field = version, values, field_name
        when = ""
        if at is not None:
            when = f"于 {at:%H:%M} " if at.date() == dt.date.today() else f"于 {at:%m月%d日 %H:%M} "
        super().__init__(f"{KIND_NAMES.get(table, '该记录')}已被 {self.who} {when}修改，"
                         "您这次的修改基于修改前的内容，没有保存。")


def _values(row: Versioned) -> dict[str, Any]:
    from .register import HOUSEHOLD_FIELDS, PERSON_FIELDS

    if isinstance(row, Person):
        names = list(PERSON_FIELDS)
    elif isinstance(row, Household):
        names = list(HOUSEHOLD_FIELDS)
    else:
        names = [c.key for c in row.__table__.columns if not c.key.endswith("_id") and c.key not in
                 {"id", "uuid", "position", "form", "version", "changed_by", "changed_at", "changed_via"}]
    return {n: getattr(row, n) for n in names}


OWN = -1  # base_version of an undo or redo: valid while this register made the row's last change


def replayed(request: Any) -> Any:
    """An undo or redo of a field edit: it may only put back what this register itself wrote, so it is
    refused (StaleEdit, naming who) once another register has changed the row since — never a silent
    overwrite of another clerk's later change."""
    if getattr(request, "base_version", "absent") is None and hasattr(request, "field"):
        return dataclasses.replace(request, base_version=OWN)
    inner = getattr(request, "edit", None)  # a ledger request wraps the service's own edit
    if inner is not None and dataclasses.is_dataclass(inner) and replayed(inner) is not inner:
        return dataclasses.replace(request, edit=replayed(inner))
    return request


def check(session: Session, row: Versioned | None, base_version: int | None, field_name: str | None = None) -> None:
    """Refuse an edit based on ``base_version`` when ``row`` has moved on through another register.
    ``base_version`` None: no version was shown (a script); 0: the row did not exist yet; ``OWN``: an
    undo or redo, valid while this register made the row's last change."""
    if base_version is None:
        return
    if row is not None:
        # Read again under a row lock (FOR UPDATE on the server; SQLite's write transaction already
        # excludes other writers): the version compared and every value the edit then reads are one
        # committed state, which no other clerk can change before this transaction ends.
        session.refresh(row, with_for_update=True)
    current = row.version if row is not None else 0
    if current == base_version and base_version != OWN:
        return
    if row is not None and row.changed_via is not None and row.changed_via == session.info.get("via"):
        return  # this window's own earlier edit, landed after the window read the row
    if row is None:
        raise Refused("该记录已被另一位填表人删除，您的修改没有保存。")
    record = getattr(row, "uuid", None) or str(row.id)
    raise StaleEdit(row.__tablename__, record, row.changed_by, row.changed_at, row.version, _values(row), field_name)


def version_of(session: Session, model: type[Versioned], row_id: int) -> int:
    return session.scalar(select(model.version).where(model.id == row_id)) or 0


VERSIONED = {"households": Household, "persons": Person, "hand_counts": HandCount, "tasks": Task, "problems": Problem}


# -- the change sequence -------------------------------------------------------------------------
def log(session: Session, changed: Any) -> None:
    """One ``changes`` row for a committed operation (nothing for one that changed nothing)."""
    payload = {"households": sorted(changed.households), "persons": sorted(changed.persons),
               "units": sorted(changed.units), "count_rows": sorted(list(r) for r in changed.count_rows),
               "periods": sorted(changed.periods), "structural": changed.structural,
               "records": sorted(list(r) for r in getattr(changed, "records", ()))}
    if not any(payload.values()):
        return
    if len(payload["households"]) + len(payload["persons"]) > MANY:  # an import: windows read everything again
        payload = {"everything": True}
    entry = ChangeEntry(via=session.info.get("via"), who=clerk(session), payload=json.dumps(payload))
    session.add(entry)
    session.flush()
    if entry.id % 500 == 0:
        session.execute(delete(ChangeEntry).where(ChangeEntry.id <= entry.id - KEEP_CHANGES))


def latest(session: Session) -> int:
    return session.scalar(select(func.max(ChangeEntry.id))) or 0


@dataclass
class Cursor:
    """Where an open window is in the change sequence: the highest id read and the recent ids it has
    seen (a lower id committed late is still picked up)."""

    last: int = 0
    seen: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Remote:
    """What other registers changed since the last poll: ``operations.Changed``-like ids, and who."""

    households: frozenset[int] = frozenset()
    persons: frozenset[int] = frozenset()
    units: frozenset[int] = frozenset()
    count_rows: frozenset[tuple[int, int, int]] = frozenset()
    periods: frozenset[int] = frozenset()
    structural: bool = False
    who: tuple[str, ...] = ()
    everything: bool = False  # so much changed (an import) that everything shown is to be read again
    records: frozenset[tuple[str, str]] = frozenset()  # ledgers and household records: (kind, uuid)


def poll(session: Session, cursor: Cursor, via: str | None) -> Remote | None:
    """The changes of other registers committed since ``cursor`` (None: nothing new); moves it on."""
    rows = session.execute(select(ChangeEntry.id, ChangeEntry.via, ChangeEntry.who, ChangeEntry.payload)
                           .where(ChangeEntry.id > cursor.last - LOOKBACK).order_by(ChangeEntry.id)).all()
    acc: dict[str, set] = {"households": set(), "persons": set(), "units": set(), "count_rows": set(),
                           "periods": set(), "records": set()}
    structural, who, any_new, everything = False, [], False, False
    for cid, row_via, row_who, payload in rows:
        if cid in cursor.seen or cid <= cursor.last - LOOKBACK:
            continue
        cursor.seen.add(cid)
        cursor.last = max(cursor.last, cid)
        if row_via is not None and row_via == via:
            continue
        data = json.loads(payload)
        any_new = True
        for key in acc:
            acc[key].update(tuple(v) if key in ("count_rows", "records") else v for v in data.get(key, ()))
        structural = structural or bool(data.get("structural"))
        everything = everything or bool(data.get("everything"))
        if row_who and row_who not in who:
            who.append(row_who)
    cursor.seen = {c for c in cursor.seen if c > cursor.last - LOOKBACK}
    if not any_new:
        return None
    return Remote(frozenset(acc["households"]), frozenset(acc["persons"]), frozenset(acc["units"]),
                  frozenset(acc["count_rows"]), frozenset(acc["periods"]), structural, tuple(who), everything,
                  frozenset(acc["records"]))


def start(session: Session) -> Cursor:
    """A cursor at the end of the sequence (a window just opened has read everything)."""
    last = latest(session)
    return Cursor(last, set(session.scalars(select(ChangeEntry.id).where(ChangeEntry.id > last - LOOKBACK))))

"""The audit log: who (the clerk's login on the county server, else the filler name; + OS user), when,
what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEntry, Office
from app.storage import os_user


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


def login(session: Session) -> str | None:
    """The clerk logged in to the county register (their PostgreSQL login), None on a laptop's file."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    return bind.url.username or None


def record(
    session: Session,
    action: str,
    *,
    period: str | None = None,
    table: str | None = None,
    record: str | None = None,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> AuditEntry:
    office = session.get(Office, 1)
    entry = AuditEntry(
        who=login(session) or (office.preparer if office else None),
        os_user=os_user(),
        period=period,
        action=action,
        table=table,
        record=record,
        field=field,
        old=_text(old),
        new=_text(new),
    )
    session.add(entry)
    return entry

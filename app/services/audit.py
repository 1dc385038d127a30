"""The audit log: who (filler name + OS user), when, what changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEntry, Office
from app.storage import os_user


def _text(v: Any) -> str | None:
    return None if v is None else str(v)


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
        who=office.preparer if office else None,
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

"""Office settings: own unit, filler name and phone (form header), upper office's mailbox, export folder."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Office


def read_office(session: Session) -> Office:
    """The settings as stored, or the empty ones (not added: a read never writes)."""
    return session.get(Office, 1) or Office(id=1)


def get_office(session: Session) -> Office:
    office = session.get(Office, 1)
    if office is None:
        office = Office(id=1)
        session.add(office)
        session.flush()
    return office


def update_office(session: Session, **values) -> dict[str, tuple]:
    """Set settings; returns {field: (old, new)} for what changed, and audits it."""
    from . import audit

    office = get_office(session)
    changed = {}
    for key, new in values.items():
        if not hasattr(Office, key) or key == "id":
            raise KeyError(key)
        old = getattr(office, key)
        if old != new:
            setattr(office, key, new)
            changed[key] = (old, new)
            audit.record(session, "update", table="office", record="1", field=key, old=old, new=new)
    return changed

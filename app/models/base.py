"""Declarative base with a naming convention, so Alembic batch migrations can name constraints."""

from __future__ import annotations

import datetime as dt
import uuid as _uuid

from sqlalchemy import MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def new_uuid() -> str:
    return str(_uuid.uuid4())


class Versioned:
    """A row two clerks may edit at once: ``version`` counts its changes (SQLAlchemy's
    ``version_id_col``, so an UPDATE based on an older version matches no row and is refused), and
    who changed it last, when, and through which open register (``changed_via``: an edit is not
    stale against the same window's own earlier edits). Migration 0009."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")
    changed_by: Mapped[str | None] = mapped_column(String(80))
    changed_at: Mapped[dt.datetime | None]
    changed_via: Mapped[str | None] = mapped_column(String(32))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


class ChangeEntry(Base):
    """One committed operation, in commit order of its sequence number: what it changed (the
    ``operations.Changed`` ids as JSON) and through which open register, so every other open
    window can repaint it within seconds (polled; on both engines)."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    via: Mapped[str | None] = mapped_column(String(32))
    who: Mapped[str | None] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text, default="{}")

"""Administrative units and reporting periods."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.kernel.month import Month, due_date

from .base import Base


class Unit(Base):
    """县(市、区) → 乡镇 → 村; ``level`` is one of domain.LEVELS."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    division_code: Mapped[str | None] = mapped_column(String(12))
    position: Mapped[int] = mapped_column(default=0)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(
        back_populates="parent", order_by="Unit.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"Unit({self.level} {self.name})"


class Period(Base):
    """A data month ``YYYY-MM``; due by the 5th of the next month; ``state`` open or locked."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    locked_at: Mapped[dt.datetime | None]

    @property
    def year(self) -> int:
        return Month.parse(self.month).year

    @property
    def month_number(self) -> int:
        return Month.parse(self.month).month

    @property
    def due(self) -> dt.date:
        return due_date(self.month)

    @property
    def locked(self) -> bool:
        return self.state == "locked"


def unit_path(unit: Unit) -> str:
    """"乡镇/村" for a village, the township's name for a township, the county's for a county."""
    names = []
    u: Unit | None = unit
    while u is not None and u.level != "county":
        names.append(u.name)
        u = u.parent
    if not names:
        return unit.name
    return "/".join(reversed(names))


def full_path(unit: Unit) -> str:
    names = []
    u: Unit | None = unit
    while u is not None:
        names.append(u.name)
        u = u.parent
    return "/".join(reversed(names))


def villages_under(session: object, unit: Unit) -> list[Unit]:
    """Every village at or below ``unit``, in tree order."""
    if unit.level == "village":
        return [unit]
    out: list[Unit] = []
    for child in unit.children:
        out.extend(villages_under(session, child))
    return out

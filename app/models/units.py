"""Administrative units and reporting periods."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
        return int(self.month[:4])

    @property
    def month_number(self) -> int:
        return int(self.month[5:7])

    @property
    def due(self) -> dt.date:
        return due_date(self.month)

    @property
    def locked(self) -> bool:
        return self.state == "locked"


def due_date(month: str) -> dt.date:
    """The 5th of the month after the data month (seed 000: 每月5日前)."""
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y + (m == 12), m % 12 + 1, 5)


def month_label(month: str) -> str:
    """``2020-03`` → ``2020年3月数据``, as forms, charts and messages name a period."""
    return f"{int(month[:4])}年{int(month[5:7])}月数据"


def last_day(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)

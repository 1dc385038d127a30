"""A data month (``YYYY-MM``, the key of a period) as a value: year, month, label, due date.

Periods are stored and exchanged as ``YYYY-MM`` text (the database, register.json, the CLI);
``Month`` is what code reads from that text instead of slicing it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_TEXT = re.compile(r"^(\d{4})[-.](0[1-9]|1[0-2])$")  # YYYY-MM, or YYYY.MM as 预计脱贫时间 is written


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1–12")

    @classmethod
    def parse(cls, text: str | Month) -> Month:
        """``Month`` from ``YYYY-MM`` or ``YYYY.MM`` (a ``Month`` is returned as is); ValueError otherwise."""
        if isinstance(text, Month):
            return text
        return _parse(str(text))

    @classmethod
    def valid(cls, text: str) -> bool:
        return bool(_TEXT.match(str(text).strip()))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    @property
    def due(self) -> dt.date:
        """The 5th of the month after the data month (seed 000: 每月5日前)."""
        return dt.date(self.year + (self.month == 12), self.month % 12 + 1, 5)

    @property
    def short(self) -> str:
        """``2020年3月``."""
        return f"{self.year}年{self.month}月"

    @property
    def label(self) -> str:
        """``2020年3月数据``, as forms, charts and messages name a period."""
        return f"{self.year}年{self.month}月数据"


def due_date(month: str | Month) -> dt.date:
    """The 5th of the month after the data month (seed 000: 每月5日前)."""
    return Month.parse(month).due


def month_label(month: str | Month) -> str:
    """``2020-03`` → ``2020年3月数据``, as forms, charts and messages name a period."""
    return Month.parse(month).label


def last_day(month: str | Month) -> dt.date:
    return Month.parse(month).last_day


@lru_cache(maxsize=256)
def _parse(text: str) -> Month:
    m = _TEXT.match(text.strip())
    if m is None:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return Month(int(m.group(1)), int(m.group(2)))

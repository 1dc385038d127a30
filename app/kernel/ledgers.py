"""Closed lists of supervision.md §1–3: the year's responsibility lists, problems ledger and 督战.

Stored values are the exact strings of the spec. Lists, ledger and 督战 records belong to a year,
not to a month: the month lock never covers them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

LIST_KINDS = ("departments", "townships")
LIST_KIND_NAMES = {"departments": "部门清单", "townships": "乡镇清单"}

TASK_STATES = ("未开始", "推进中", "已完成", "已销号")
TASK_CLOSED = "已销号"

PROBLEM_SOURCES = ("国家考核", "省级考核", "市级考核", "第三方评估", "巡视巡察", "督战发现", "入户走访", "自查", "分析反馈")
PROBLEM_STATES = ("未整改", "整改中", "已整改", "已销号")
PROBLEM_CLOSED = "已销号"

TARGET_LEVELS = ("county", "township", "village", "site")
TARGET_LEVEL_NAMES = {"county": "县", "township": "乡镇", "village": "村", "site": "安置点"}

# Why a unit is listed: the four middle columns of seed 004's 挂牌督战表, plus seed 003's township threshold.
REASONS = ("remaining", "township", "incidence", "relocation", "hydro")
REASON_COLUMNS = {
    "remaining": "剩余贫困人口超过1000人",
    "incidence": "贫困发生率超过10%的行政村",
    "relocation": "千人以上易地扶贫搬迁集中安置点",
    "hydro": "千人以上乌东德水电移民安置点",
    "township": "贫困人口300人以上的乡镇",
}

ONGOING = "长期坚持"
ALL_TOWNSHIPS = "各乡镇"

# The day of the month by which a month's progress is due upward (seed 004: 每月20日前).
REPORT_DAY = 20
# After this day an open task without this month's progress is flagged (D-04).
PROGRESS_DAY = 15


def month_key(d: dt.date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


_SPACES = re.compile(r"\s+")
_FULL_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_END = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(?:底|末)")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末)")
_BARE_YEAR_END = re.compile(r"^年\s*(?:底|末)")
_DOTTED = re.compile(r"^(\d{1,2})[.．](\d{1,2})(?:日|号)?(?:前|之前)?$")
_ONGOING_WORDS = (ONGOING, "长期", "常态化", "持续推进")
_PARTS = re.compile(r"[、，,；;]")
_RANGE = re.compile(r"[—–~～至到]|(?<=日)\s*-\s*")


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)


def _date_in(part: str, year: int) -> dt.date | None:
    m = _FULL_DATE.search(part)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_DAY.search(part)
    if m:
        return dt.date(year, int(m[1]), int(m[2]))
    m = _MONTH_END.search(part)
    if m:
        return _month_end(int(m[1] or year), int(m[2]))
    m = _YEAR_END.search(part)
    if m:
        return dt.date(int(m[1]), 12, 31)
    if _BARE_YEAR_END.search(part):
        return dt.date(year, 12, 31)
    m = _DOTTED.search(part)  # 6.30
    if m:
        return dt.date(year, int(m[1]), int(m[2]))
    return None


@dataclass(frozen=True, slots=True)
class Deadline:
    """完成时限 read: the last date (a range's end), whether 长期坚持, what could not be read."""

    date: dt.date | None
    ongoing: bool
    unread: tuple[str, ...] = ()


def parse_deadline(text: str | dt.date | dt.datetime | None, year: int) -> Deadline:
    """``6月30日、长期坚持`` → (year-06-30, ongoing); ``3月20日—4月30日`` → year-04-30; a date without
    a year is in the list's ``year``; several dates keep the latest."""
    if isinstance(text, dt.datetime):
        return Deadline(text.date(), False)
    if isinstance(text, dt.date):
        return Deadline(text, False)
    s = _SPACES.sub("", str(text or ""))
    dates: list[dt.date] = []
    ongoing = False
    unread: list[str] = []
    for part in filter(None, _PARTS.split(s)):
        word = next((w for w in _ONGOING_WORDS if w in part), None)
        if word:
            ongoing = True
            part = part.replace(word, "")
            if not part:
                continue
        found = None
        for piece in reversed([p for p in _RANGE.split(part) if p]):  # a range ends at its last date
            try:
                found = _date_in(piece, year)
            except ValueError:  # 2月30日
                found = None
            if found:
                break
        if found:
            dates.append(found)
        else:
            unread.append(part)
    return Deadline(max(dates) if dates else None, ongoing, tuple(unread))


def deadline_text(date: dt.date | None, ongoing: bool, year: int | None = None) -> str:
    """完成时限 as offices write it: ``6月30日、长期坚持`` (the year shown only when not the list's)."""
    parts = []
    if date:
        parts.append(f"{date.month}月{date.day}日" if year == date.year else cn_date(date))
    if ongoing:
        parts.append(ONGOING)
    return "、".join(parts)


def split_names(text: str | None) -> list[str]:
    """责任单位 / 责任领导 / 责任人 cells: names separated by 、，, ; or spaces, in order, once each."""
    out: list[str] = []
    for n in re.split(r"[、，,；;\s]+", str(text or "")):
        n = n.strip()
        if n and n not in out:
            out.append(n)
    return out

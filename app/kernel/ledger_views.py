"""What the ledger exporters and grids draw, filled by the services (plain data, no database).

A task prints one line per 责任单位 (a task for 各乡镇 one line per township): each is closed out
on its own. ``overdue`` and ``due_this_month`` are judged by the service against today's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TaskLine:
    task_uuid: str
    unit_uuid: str
    seq: int | None
    heading: str | None
    target: str | None
    measures: str | None
    deadline_text: str
    deadline: dt.date | None
    ongoing: bool
    leaders: str | None
    unit: str
    persons: str | None
    status: str
    progress: str | None  # the latest 月度进展, "3月：…"
    progress_month: str | None
    closed_on: dt.date | None
    closed_basis: str | None
    evidence_files: tuple[str, ...]
    overdue: bool
    due_this_month: bool
    codes: tuple[str, ...] = ()  # D-codes of the findings on this line
    units_text: str | None = None  # 责任单位 of the whole task as typed ("扶贫办、各乡镇")
    created_on: dt.date | None = None  # entered in the list (None: before the date was kept)


@dataclass(frozen=True, slots=True)
class ListView:
    uuid: str
    year: int
    kind: str
    title: str
    lines: tuple[TaskLine, ...]


@dataclass(frozen=True, slots=True)
class ProblemLine:
    uuid: str
    seq: int
    source: str | None
    description: str | None
    unit: str | None  # 涉及 unit path
    household: str | None
    task: str | None
    measures: str | None
    resp_unit: str | None
    resp_person: str | None
    deadline: dt.date | None
    status: str
    closed_on: dt.date | None
    closed_basis: str | None
    evidence_files: tuple[str, ...]
    overdue: bool
    due_this_month: bool
    codes: tuple[str, ...] = ()
    opened_on: dt.date | None = None  # entered in the ledger (None: before the date was kept)
    feedback_month: str | None = None  # 分析反馈: the data month of the 反馈单 it came from


@dataclass(frozen=True, slots=True)
class TargetLine:
    """A row of the 挂牌督战表: the reason decides the column its name and figure print in."""

    uuid: str
    county: str | None
    level: str
    name: str
    reason: str
    figure: str | None
    persons: int | None
    leaders: str | None
    team_lead: str | None
    months: tuple[str, ...] = ()  # months with a 督战台账 entry
    codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TownshipLine:
    """A row of seed 003's township list: 序号 | 县 | 乡(镇) | 贫困人口数(人)."""

    county: str
    township: str
    persons: int


@dataclass(frozen=True, slots=True)
class LedgerHeader:
    """The header block every ledger export carries (forms.md §0): unit, preparer, data month."""

    unit: str
    month: str  # YYYY-MM the export is dated by
    preparer: str | None = None
    phone: str | None = None
    today: dt.date | None = None

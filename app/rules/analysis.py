"""D-10 and D-11 (supervision.md §4): the monthly analysis is due by the 20th of the month after the
data month (seed 004), and each line of last month's 反馈单 must be closed out or answered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.kernel.ledgers import PROBLEM_CLOSED, REPORT_DAY
from app.kernel.month import Month

from .codes import RULES
from .findings import Finding

ANSWERED = ("整改中", "已整改")  # the township has said what it did: the line is explained


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    uuid: str
    description: str
    township: str | None
    household: str | None
    status: str


def report_month(today: dt.date) -> str:
    """The data month whose analysis is due this month: last month."""
    return str(Month.of(today).previous())


def d10_report_exported(month: str, unit: str, exported_on: dt.date | None, today: dt.date) -> list[Finding]:
    """The analysis of ``month`` not exported by the 20th of the month after it."""
    m = Month.parse(month).next()
    due = dt.date(m.year, m.month, REPORT_DAY)
    if today <= due or (exported_on is not None and exported_on <= due):
        return []
    state = f"{exported_on.year}年{exported_on.month}月{exported_on.day}日才导出" if exported_on else "尚未导出"
    return [Finding("D-10", RULES["D-10"][0], f"{unit}{Month.parse(month).year}年{Month.parse(month).month}月的月度分析报告"
                    f"应于{due.month}月{due.day}日前报送，{state}", unit=unit, field="report")]


def d11_feedback_answered(rows: list[FeedbackRow], today: dt.date) -> list[Finding]:
    """A line of last month's 反馈单 (a 分析反馈 problem) neither 已销号 nor answered (整改中/已整改)."""
    return [Finding("D-11", RULES["D-11"][0], f"上月反馈的问题“{r.description[:24]}”尚未销号，也未说明整改情况",
                    unit=r.township, household=r.household, field="status", record=("problem", r.uuid))
            for r in rows if r.status != PROBLEM_CLOSED and r.status not in ANSWERED]


ANALYSIS_RULES = {"D-10": d10_report_exported, "D-11": d11_feedback_answered}

"""The counts of open and overdue ledger rows the main window's status line shows, and the days
left to the 20th (seed 004: each month's 督战 progress is due upward by the 20th)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.kernel.ledgers import REPORT_DAY, month_key

from .errors import UsageError
from .ledgers import list_views, problem_lines
from .supervision import target_lines


@dataclass(frozen=True, slots=True)
class LedgerCounts:
    open_tasks: int  # task lines (per 责任单位) not 已销号
    overdue_tasks: int
    open_problems: int
    overdue_problems: int
    targets_without_entry: int  # 督战对象 without this month's 台账
    days_to_report: int  # to the 20th of this month (negative once past)
    report_late: bool = False  # D-10: last month's analysis not exported by the 20th
    feedback_unanswered: int = 0  # D-11: last month's feedback lines neither closed out nor answered

    def short(self) -> str:
        """For the status line: 逾期 first, the 20th last."""
        due = f"距20日{self.days_to_report}天" if self.days_to_report >= 0 else f"20日已过{-self.days_to_report}天"
        late = " · 月度分析未报送" if self.report_late else ""
        return (f"任务逾期{self.overdue_tasks}/未销号{self.open_tasks} · 问题逾期{self.overdue_problems}/"
                f"未销号{self.open_problems} · {due}{late}")

    def text(self) -> str:
        due = (f"距20日报送还剩{self.days_to_report}天" if self.days_to_report >= 0
               else f"本月20日报送已过{-self.days_to_report}天")
        parts = [f"任务未销号{self.open_tasks}（逾期{self.overdue_tasks}）",
                 f"问题未销号{self.open_problems}（逾期{self.overdue_problems}）"]
        if self.targets_without_entry:
            parts.append(f"{self.targets_without_entry}个督战对象本月无台账")
        if self.report_late:
            parts.append("上月的月度分析报告20日前尚未导出")
        if self.feedback_unanswered:
            parts.append(f"上月反馈单{self.feedback_unanswered}项未销号也未说明")
        return "督战与销号：" + "，".join(parts) + f"；{due}"


def ledger_counts(session: Session, year: int, today: dt.date) -> LedgerCounts:
    lines = [ln for v in list_views(session, year, today) for ln in v.lines]
    problems = problem_lines(session, year, today)
    month = month_key(today)
    targets = target_lines(session, year, today)
    try:
        from .analysis import analysis_findings

        codes = [f.code for f in analysis_findings(session, today)]
    except UsageError:  # no unit yet
        codes = []
    return LedgerCounts(
        open_tasks=sum(ln.status != "已销号" for ln in lines), overdue_tasks=sum(ln.overdue for ln in lines),
        open_problems=sum(p.status != "已销号" for p in problems), overdue_problems=sum(p.overdue for p in problems),
        targets_without_entry=sum(month not in t.months for t in targets),
        days_to_report=(dt.date(today.year, today.month, REPORT_DAY) - today).days,
        report_late="D-10" in codes, feedback_unanswered=codes.count("D-11"))

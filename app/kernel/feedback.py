"""一反馈 view data (supervision.md §4): one 反馈单 per township, each line a problem in the ledger
(来源 分析反馈, or the problem already there), with the 整改回执 the township signs and returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FEEDBACK_SOURCE = "分析反馈"
# What a line is about, in the order a sheet lists them.
LINE_KINDS = ("问题", "逾期任务", "红黄户无新措施", "错误", "预计时间已过")


@dataclass(frozen=True, slots=True)
class FeedbackLine:
    kind: str  # LINE_KINDS
    description: str
    unit: str  # 乡镇/村 or the township
    household: str | None  # uuid
    head: str | None
    deadline: dt.date | None
    problem: str | None  # the ledger problem's uuid (None until recorded)
    status: str  # the problem's 状态


@dataclass(frozen=True, slots=True)
class FeedbackSheet:
    township: str
    unit: str  # who sends it: the analysing unit
    period: str
    lines: tuple[FeedbackLine, ...]
    fixed_since_last: int = 0  # last month's 分析反馈 problems of this township closed out since
    still_open_from_last: int = 0

    @property
    def title(self) -> str:
        y, m = self.period.split("-")
        return f"{self.township}{y}年{int(m)}月脱贫攻坚工作分析反馈单"


RETURN_SLIP = (
    "整改回执：{township}已收到{unit}{period_label}分析反馈单，共{n}项问题，将于{due}前整改到位并报送整改情况。",
    "整改情况：",
    "乡镇负责人（签字）：__________    联系电话：__________    （盖章）    年    月    日",
)

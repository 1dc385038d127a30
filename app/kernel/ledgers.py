"""Closed lists of supervision.md §1–3: the year's responsibility lists, problems ledger and 督战.

Stored values are the exact strings of the spec. Lists, ledger and 督战 records belong to a year,
not to a month: the month lock never covers them.
"""

from __future__ import annotations

import datetime as dt

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

"""一反馈 sheets (反馈单) as ``FormTable``s, so the official xlsx and PDF writers print them with the
header block and seal area (forms.md §0); the 整改回执 the township signs is the note under the table.
Plain view-models in, nothing of the database."""

from __future__ import annotations

import datetime as dt

from app.forms.table import FormTable, HeaderNode
from app.kernel.feedback import RETURN_SLIP, FeedbackSheet
from app.kernel.ledgers import cn_date
from app.kernel.month import month_label


def _leaf(label: str, width: float, kind: str = "text") -> HeaderNode:
    return HeaderNode(label, code=label, width=width, kind=kind)


def _header(all_townships: bool) -> list[HeaderNode]:
    cols = [_leaf("序号", 5, "seq")]
    if all_townships:
        cols.append(_leaf("乡镇", 10))
    return [*cols, _leaf("类别", 12), _leaf("问题", 46), _leaf("涉及", 18), _leaf("整改时限", 12), _leaf("状态", 8)]


def sheet_table(sheet: FeedbackSheet, filed_on: dt.date | None = None) -> FormTable:
    t = FormTable(form="反馈单", name=f"{sheet.township}反馈单", title=sheet.title, header=_header(False),
                  reporting_unit=sheet.unit, filed_on=filed_on or dt.date.today(), period=sheet.period)
    for i, ln in enumerate(sheet.lines, 1):
        t.rows.append([i, ln.kind, ln.description, ln.unit, cn_date(ln.deadline) if ln.deadline else "", ln.status or "未整改"])
        t.row_kinds.append("unit")
    t.summary = (f"共{len(sheet.lines)}项。上月反馈问题已销号{sheet.fixed_since_last}项，"
                 f"仍未销号{sheet.still_open_from_last}项。")
    due = min((ln.deadline for ln in sheet.lines if ln.deadline), default=None)
    t.notes = [f"数据月份：{month_label(sheet.period)}",
               RETURN_SLIP[0].format(township=sheet.township, unit=sheet.unit, period_label=month_label(sheet.period),
                                     n=len(sheet.lines), due=cn_date(due) if due else "规定时限"),
               *RETURN_SLIP[1:]]
    return t


def all_table(sheets: list[FeedbackSheet], unit: str, period: str, filed_on: dt.date | None = None) -> FormTable:
    y, m = period.split("-")
    t = FormTable(form="反馈单", name="反馈单汇总", title=f"{unit}{y}年{int(m)}月脱贫攻坚工作分析反馈单（汇总）",
                  header=_header(True), reporting_unit=unit, filed_on=filed_on or dt.date.today(), period=period)
    n = 0
    for s in sheets:
        for ln in s.lines:
            n += 1
            t.rows.append([n, s.township, ln.kind, ln.description, ln.unit,
                           cn_date(ln.deadline) if ln.deadline else "", ln.status or "未整改"])
            t.row_kinds.append("unit")
    t.summary = f"共{len(sheets)}个乡镇{n}项。"
    t.notes = [f"数据月份：{month_label(period)}"]
    return t

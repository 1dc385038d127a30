"""The month's 防止返贫监测户名单 (household-records.md §3) as .xlsx and PDF, through the forms' writers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.forms.table import FormTable, HeaderNode
from app.kernel.month import Month

COLUMNS = (
    ("序号", "seq", 5, "seq"), ("乡镇/村", "unit", 18, "text"), ("户主", "head", 8, "text"),
    ("人口", "persons", 5, "count"), ("监测类型", "kind", 13, "text"), ("风险原因", "reasons", 18, "text"),
    ("红黄绿", "colour", 6, "text"), ("帮扶措施", "measures", 30, "text"), ("纳入监测日期", "started_on", 11, "text"),
    ("风险消除日期", "cleared_on", 11, "text"), ("状态", "status", 10, "text"),
)


@dataclass
class MonitoredSheet:
    unit: str
    period: str
    rows: list[dict[str, Any]]
    preparer: str = ""
    preparer_phone: str = ""


def table(sheet: MonitoredSheet) -> FormTable:
    m = Month.parse(sheet.period)
    rows = []
    for i, r in enumerate(sheet.rows, 1):
        status = "建议纳入监测" if r.get("proposed") else r.get("status")
        rows.append([i, r.get("unit"), r.get("head"), r.get("persons"), r.get("kind"), r.get("reasons"),
                     r.get("colour"), r.get("measures"), r.get("started_on"), r.get("cleared_on"), status])
    kinds = Counter(r.get("kind") for r in sheet.rows if not r.get("proposed"))
    proposed = sum(1 for r in sheet.rows if r.get("proposed"))
    summary = "监测户" + "，".join(f"{k}{n}户" for k, n in kinds.items()) if kinds else "本月无监测户"
    if proposed:
        summary += f"；红色建档立卡户{proposed}户建议纳入脱贫不稳定户监测"
    return FormTable(
        form="监测户名单", name="防止返贫监测户名单", title=f"{sheet.unit}{m.year}年{m.month}月防止返贫监测户名单",
        header=[HeaderNode(lab, code, width=w, kind=k) for lab, code, w, k in COLUMNS], rows=rows,
        row_kinds=["person"] * len(rows), summary=summary, reporting_unit=sheet.unit, preparer=sheet.preparer,
        preparer_phone=sheet.preparer_phone, period=sheet.period)


def write(sheet: MonitoredSheet, xlsx: Path | None, pdf: Path | None) -> list[Path]:
    from app.exporters.pdf.forms import write_form_pdf
    from app.exporters.xlsx import write_xlsx

    t = table(sheet)
    out = []
    if xlsx is not None:
        write_xlsx(t, xlsx)
        out.append(Path(xlsx))
    if pdf is not None:
        write_form_pdf(t, pdf, exported_at=dt.datetime.now())
        out.append(Path(pdf))
    return out

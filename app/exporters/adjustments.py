"""The month's 动态调整名单 (household-records.md §1) as .xlsx and PDF, through the forms' writers.

Takes plain rows (身份证号 already masked by the caller with ``app.rules.ids.mask_id``), so the
list prints the same way as 附件1–4: header block, counts by kind at the top, signature lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.forms.table import FormTable, HeaderNode
from app.kernel.month import Month
from app.rules.ids import mask_id

COLUMNS = (
    ("序号", "seq", 5, "seq"), ("乡镇", "township", 10, "text"), ("村", "village", 10, "text"),
    ("户主", "head", 8, "text"), ("姓名", "name", 9, "text"), ("身份证号", "id_masked", 20, "text"),
    ("调整类型", "kind", 14, "text"), ("生效日期", "effective_on", 11, "text"), ("原因", "reason", 26, "text"),
    ("批准文号", "approval_no", 14, "text"),
)


@dataclass
class AdjustmentSheet:
    """What the 名单 prints: unit, month, rows (dicts with the COLUMNS codes), the counts line."""

    unit: str
    period: str  # YYYY-MM
    rows: list[dict[str, Any]]
    summary: str
    preparer: str = ""
    preparer_phone: str = ""
    filed_on: dt.date = field(default_factory=dt.date.today)


def table(sheet: AdjustmentSheet) -> FormTable:
    m = Month.parse(sheet.period)
    header = [HeaderNode(label, code, width=w, kind=kind) for label, code, w, kind in COLUMNS]
    rows = []
    for r in sheet.rows:
        idn = r.get("id_masked") or ""
        if idn and "*" not in idn:  # never print a full 身份证号 here
            idn = mask_id(idn)
        rows.append([r.get("seq"), r.get("township"), r.get("village"), r.get("head"), r.get("name"), idn,
                     r.get("kind"), r.get("effective_on"), r.get("reason"), r.get("approval_no")])
    return FormTable(
        form="动态调整名单", name="贫困人口动态调整名单",
        title=f"{sheet.unit}{m.year}年{m.month}月贫困人口动态调整名单", header=header, rows=rows,
        row_kinds=["person"] * len(rows), summary=sheet.summary, reporting_unit=sheet.unit,
        preparer=sheet.preparer, preparer_phone=sheet.preparer_phone, filed_on=sheet.filed_on,
        period=sheet.period,
    )


def write(sheet: AdjustmentSheet, xlsx: Path | None, pdf: Path | None) -> list[Path]:
    """Write the 名单 to ``xlsx`` and/or ``pdf``; returns the files written."""
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

"""The year's ledgers as ``FormTable``s, so the official xlsx and PDF writers print them (supervision.md §5).

Each carries the header block with the seal square (forms.md §0) and its data month in the notes;
overdue rows say 逾期 in 备注. The 挂牌督战表 follows seed 004 column for column (title
``{级别}定点挂牌督战表``); the township list follows seed 003 (``序号 | 县 | 乡(镇) | 贫困人口数(人)``).
Plain view-models in, nothing of the database.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from app.forms.table import FormTable, HeaderNode
from app.kernel.ledger_views import LedgerHeader, ListView, ProblemLine, TargetLine, TownshipLine
from app.kernel.ledgers import LIST_KIND_NAMES, REASON_COLUMNS, cn_date
from app.kernel.month import month_label

OVERDUE = "逾期"


def _leaf(label: str, width: float, kind: str = "text") -> HeaderNode:
    return HeaderNode(label, code=label, width=width, kind=kind)


def _d(d: dt.date | None) -> str:
    return cn_date(d) if d else ""


def _table(form: str, name: str, title: str, header: list[HeaderNode], head: LedgerHeader) -> FormTable:
    return FormTable(form=form, name=name, title=title, header=header, reporting_unit=head.unit,
                     preparer=head.preparer or "", preparer_phone=head.phone or "",
                     filed_on=head.today or dt.date.today(), period=head.month)


def _month_note(head: LedgerHeader) -> str:
    return f"数据月份：{month_label(head.month)}"


def list_table(view: ListView, head: LedgerHeader) -> FormTable:
    """A responsibility list, one line per 责任单位 (a task's own cells merged over its lines)."""
    header = [
        _leaf("序号", 5, "seq"), _leaf("方面", 10), _leaf("指标", 22), _leaf("工作措施", 40), _leaf("完成时限", 12),
        _leaf("责任领导", 10), _leaf("责任单位", 10), _leaf("责任人", 10), _leaf("状态", 7), _leaf("月度进展", 22),
        _leaf("销号日期", 11), _leaf("销号依据", 16), _leaf("备注", 6),
    ]
    t = _table("责任清单", LIST_KIND_NAMES.get(view.kind, "责任清单"), view.title, header, head)
    start = 0
    overdue = 0
    for i, ln in enumerate(view.lines):
        overdue += ln.overdue
        t.rows.append([ln.seq, ln.heading or "", ln.target or "", ln.measures or "", ln.deadline_text,
                       ln.leaders or "", ln.unit, ln.persons or "", ln.status, ln.progress or "", _d(ln.closed_on),
                       "\n".join(filter(None, [ln.closed_basis or "", *ln.evidence_files])),
                       OVERDUE if ln.overdue else ""])
        t.row_kinds.append("unit")
        last = i + 1 == len(view.lines) or view.lines[i + 1].task_uuid != ln.task_uuid
        if last:
            if i > start:
                for c in (0, 1, 2, 3, 4, 5, 7):
                    t.merges.append((start, c, i, c))
            start = i + 1
    tasks = len({ln.task_uuid for ln in view.lines})
    closed = sum(1 for ln in view.lines if ln.status == "已销号")
    t.summary = f"共{tasks}项任务、{len(view.lines)}个责任单位行：已销号{closed}行，逾期{overdue}行。"
    t.notes = [_month_note(head)]
    return t


def problem_table(lines: list[ProblemLine], head: LedgerHeader, year: int) -> FormTable:
    header = [
        _leaf("序号", 5, "seq"), _leaf("来源", 9), _leaf("问题描述", 30), _leaf("涉及", 14), _leaf("整改措施", 30),
        _leaf("责任单位", 10), _leaf("责任人", 8), _leaf("整改时限", 11), _leaf("状态", 7), _leaf("销号日期", 11),
        _leaf("销号依据", 16), _leaf("备注", 6),
    ]
    t = _table("问题整改台账", "问题整改台账", f"{head.unit}{year}年问题整改台账", header, head)
    for ln in lines:
        t.rows.append([ln.seq, ln.source or "", ln.description or "", ln.unit or ln.task or "", ln.measures or "",
                       ln.resp_unit or "", ln.resp_person or "", _d(ln.deadline), ln.status, _d(ln.closed_on),
                       "\n".join(filter(None, [ln.closed_basis or "", *ln.evidence_files])),
                       OVERDUE if ln.overdue else ""])
        t.row_kinds.append("unit")
    closed = sum(1 for ln in lines if ln.status == "已销号")
    t.summary = f"共{len(lines)}个问题：已销号{closed}个，逾期{sum(ln.overdue for ln in lines)}个。"
    t.notes = [_month_note(head)]
    return t


SUPERVISION_REASONS = ("remaining", "incidence", "relocation", "hydro")


def supervision_table(lines: list[TargetLine], head: LedgerHeader, level: str) -> FormTable:
    """Seed 004's table: ``序号 | 督战县 | 剩余贫困人口超过1000人 | 贫困发生率超过10%的行政村 |
    千人以上易地扶贫搬迁集中安置点 | 千人以上乌东德水电移民安置点 | {级}领导 | 督战小分队部门牵头人``.

    A county's targets print under it (序号 and 督战县 merged down); a township listed by seed 003's
    threshold prints in the first reason column with its name and count.
    """
    header = [_leaf("序号", 5, "seq"), _leaf("督战县", 10),
              *[_leaf(REASON_COLUMNS[r], 16) for r in SUPERVISION_REASONS],
              _leaf(f"{level}领导", 14), _leaf("督战小分队部门牵头人", 14)]
    t = _table("附件", "挂牌督战表", f"{level}定点挂牌督战表", header, head)
    groups: dict[str, list[TargetLine]] = {}
    for ln in lines:
        groups.setdefault(ln.county or ln.name, []).append(ln)
    for seq, (county, members) in enumerate(groups.items(), 1):
        start = len(t.rows)
        for k, ln in enumerate(members):
            row: list = [seq if k == 0 else None, county if k == 0 else "", "", "", "", "",
                         ln.leaders or "", ln.team_lead or ""]
            if ln.reason == "remaining":
                row[2] = ln.figure or (f"{ln.persons}人" if ln.persons is not None else "")
            elif ln.reason == "township":
                row[2] = f"{ln.name} {ln.figure or ''}".strip()
            else:
                row[2 + SUPERVISION_REASONS.index(ln.reason)] = ln.name
            t.rows.append(row)
            t.row_kinds.append("unit")
        if len(members) > 1:
            end = len(t.rows) - 1
            t.merges.extend([(start, 0, end, 0), (start, 1, end, 1)])
    t.notes = [_month_note(head)]
    return t


def township_table(lines: list[TownshipLine], head: LedgerHeader, threshold: int) -> FormTable:
    """Seed 003's list, the county cell reading ``虞城县(12个)`` over its townships."""
    header = [_leaf("序号", 6, "seq"), _leaf("县", 14), _leaf("乡(镇)", 14), _leaf("贫困人口数(人)", 14, "count")]
    t = _table("附件", "乡镇名单", f"贫困人口{threshold}人以上的{len(lines)}个乡镇名单", header, head)
    by_county: dict[str, list[TownshipLine]] = {}
    for ln in lines:
        by_county.setdefault(ln.county, []).append(ln)
    for county, members in by_county.items():
        start = len(t.rows)
        for k, ln in enumerate(members):
            t.rows.append([len(t.rows) + 1, f"{county}({len(members)}个)" if k == 0 else "", ln.township, ln.persons])
            t.row_kinds.append("unit")
        if len(members) > 1:
            t.merges.append((start, 1, len(t.rows) - 1, 1))
    t.notes = [_month_note(head)]
    return t


def write(table: FormTable, path: str | os.PathLike, *, exported_at: dt.datetime | None = None) -> int:
    """Write ``table`` as .xlsx or .pdf by the file's suffix; the number of data rows."""
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        from .pdf.forms import write_form_pdf

        write_form_pdf(table, path, exported_at=exported_at or dt.datetime.now())
    else:
        from .xlsx import write_xlsx

        write_xlsx(table, path)
    return len(table.rows)


def level_label(level: str) -> str:
    """Who lists: 州级/市级/县级/乡级, from the exporting unit's level or name."""
    return {"county": "县级", "township": "乡级", "village": "村级"}.get(level, level)


__all__ = ["list_table", "problem_table", "supervision_table", "township_table", "write"]

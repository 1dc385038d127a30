"""Visits typed on paper or phone forms, one row per visit (household-records.md §2), read from .xlsx.

The header row names the columns (any order; the first row whose cells include 走访日期 and 户主);
checkboxes are 是/√/1 or blank; 三看 are 正常 or 有问题 (blank: 正常). Reading goes through the
hostile-file checks of ``workbook.load_sheets``. Rows are returned as plain data with their sheet
row; values that cannot be read are V-10 findings at the cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain import LOOK_RESULTS, SATISFACTION
from app.rules.findings import Finding

from .workbook import load_sheets

ASKS = {"问基本信息": "basic", "问生活状况": "living", "问家庭收支": "budget", "问满意成效": "satisfaction",
        "问意见建议": "advice"}
TALKS = {"讲党恩": "party", "讲政策": "policy", "讲希望": "hope", "讲励志": "inspire"}
LOOKS = {"看住房": "housing", "看饮水": "water", "看一册两表": "papers", "看“一册两表”": "papers", '看"一册两表"': "papers"}
OTHER = {"走访日期": "visited_on", "乡镇": "township", "村": "village", "户主": "head", "走访人": "visitor",
         "问题": "problems", "发现问题": "problems", "当场解决": "solved", "满意度": "satisfaction", "备注": "remark"}
_YES = {"是", "√", "✓", "1", "有", "Y", "y", "true", "True", "已"}


@dataclass
class InVisit:
    row: int  # 1-based sheet row
    visited_on: dt.date | None
    township: str | None
    village: str | None
    head: str | None
    visitor: str | None
    asked: set[str] = field(default_factory=set)
    ask_notes: dict[str, str] = field(default_factory=dict)
    talks: set[str] = field(default_factory=set)
    looks: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    solved: bool = False
    satisfaction: str | None = None
    remark: str | None = None


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = _text(v)
    if not s:
        return None
    s = s.replace("年", "-").replace("月", "-").replace("日", "").replace(".", "-").replace("/", "-")
    y, m, d = (int(x) for x in s.split("-")[:3])
    return dt.date(y, m, d)


def _columns(header: list[Any]) -> dict[str, tuple[str, str]]:
    """column index → (group, code): group is ask/ask_note/talk/look/look_note/other."""
    out: dict[int, tuple[str, str]] = {}
    for c, v in enumerate(header):
        label = (_text(v) or "").replace(" ", "")
        note = label.endswith(("说明", "情况", "记录"))
        base = label.removesuffix("说明").removesuffix("情况").removesuffix("记录") if note else label
        if base in ASKS:
            out[c] = ("ask_note" if note else "ask", ASKS[base])
        elif base in TALKS:
            out[c] = ("talk", TALKS[base])
        elif base in LOOKS:
            out[c] = ("look_note" if note else "look", LOOKS[base])
        elif label in OTHER:
            out[c] = ("other", OTHER[label])
    return out


def read_visits(path: str | Path) -> tuple[list[InVisit], list[Finding]]:
    """The visits of the first sheet with a 走访日期 and 户主 header; findings for unreadable cells."""
    path = Path(path)
    findings: list[Finding] = []
    for sheet in load_sheets(path):
        top = next((i for i, h in enumerate(sheet.rows[:20])
                    if {"visited_on", "head"} <= {code for g, code in _columns(h).values() if g == "other"}), None)
        if top is None:
            continue
        header = sheet.rows[top]
        cols = _columns(header)
        out = []
        for r in range(top + 1, len(sheet.rows)):
            values = sheet.rows[r]
            if not any(_text(v) for v in values):
                continue
            v = InVisit(r + 1, None, None, None, None, None)
            for c, (group, code) in cols.items():
                raw = values[c] if c < len(values) else None
                text = _text(raw)
                where = {"file": path.name, "sheet": sheet.name, "row": r + 1, "column": _text(header[c])}
                if group == "ask" and text in _YES:
                    v.asked.add(code)
                elif group == "ask_note" and text:
                    v.ask_notes[code] = text
                    v.asked.add(code)
                elif group == "talk" and text in _YES:
                    v.talks.add(code)
                elif group == "look":
                    result = text or "正常"
                    if result not in LOOK_RESULTS:
                        findings.append(Finding("V-10", "E", f"三看只能填{'或'.join(LOOK_RESULTS)}，现为“{text}”", **where))
                    v.looks[code] = (result, v.looks.get(code, (None, None))[1])
                elif group == "look_note" and text:
                    v.looks[code] = (v.looks.get(code, ("有问题", None))[0], text)
                elif group == "other":
                    if code == "visited_on":
                        try:
                            v.visited_on = _date(raw)
                        except (ValueError, TypeError):
                            findings.append(Finding("V-10", "E", f"走访日期“{text}”不是日期", **where))
                    elif code == "satisfaction":
                        if text and text not in SATISFACTION:
                            findings.append(Finding("V-10", "E", f"满意度只能填{'、'.join(SATISFACTION)}，现为“{text}”",
                                                    **where))
                        v.satisfaction = text
                    elif code == "problems":
                        v.problems = [p.strip() for p in (text or "").replace("；", ";").split(";") if p.strip()]
                    elif code == "solved":
                        v.solved = text in _YES
                    else:
                        setattr(v, code, text)
            for code in ("visited_on", "head", "visitor"):
                if getattr(v, code) is None and not any(f.row == r + 1 and f.code == "V-10" for f in findings):
                    label = {"visited_on": "走访日期", "head": "户主", "visitor": "走访人"}[code]
                    findings.append(Finding("V-10", "E", f"缺少{label}", file=path.name, sheet=sheet.name, row=r + 1,
                                            column=label))
            out.append(v)
        return out, findings
    return [], [Finding("V-10", "E", "没有找到走访表（表头应有“走访日期”和“户主”）", file=path.name)]

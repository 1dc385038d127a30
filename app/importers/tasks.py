"""Responsibility lists (两张清单) read from the Word and Excel files offices already keep.

Three shapes (supervision.md §1): an ``.xlsx`` in the list's column order or with its headings; a
``.docx`` whose tables carry these headings; and the seed-002 style, paragraphs under numbered
targets::

    （一）在组织推动方面。…
    4、群众满意度。确保群众对扶贫工作满意度达到90%以上。
    工作措施：扶贫办负责…          (may run on into the next paragraph)
    完成时限：6月30日、长期坚持
    市级责任领导：王天昊            (市级/县级责任领导 are 责任领导)
    责任部门：扶贫办、各乡镇        (责任部门 is 责任单位)
    责任人：康明礼、各乡镇党委书记

The numbered line is the 指标 (name and target sentence). What cannot be placed under a task is
returned in ``unplaced`` with where it was, never dropped silently. Nothing here knows the
register: "各乡镇" stays as typed and is expanded by the service that stores the list.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import limits
from .normalise import width

FIELDS = ("seq", "heading", "target", "measures", "deadline", "leaders", "units", "persons")
# The list's column order (an .xlsx without headings is read in this order).
COLUMN_ORDER = FIELDS
FIELD_NAMES = {
    "seq": "序号", "heading": "方面", "target": "指标", "measures": "工作措施", "deadline": "完成时限",
    "leaders": "责任领导", "units": "责任单位", "persons": "责任人",
}
# Headings as offices type them → field.
HEADINGS = {
    "序号": "seq", "编号": "seq",
    "方面": "heading", "类别": "heading", "项目": "heading", "工作方面": "heading",
    "指标": "target", "目标任务": "target", "任务": "target", "工作任务": "target", "工作目标": "target",
    "任务指标": "target", "目标": "target", "指标名称": "target",
    "工作措施": "measures", "具体措施": "measures", "主要措施": "measures", "措施": "measures",
    "完成时限": "deadline", "时限": "deadline", "完成时间": "deadline", "时间节点": "deadline",
    "责任领导": "leaders", "市级责任领导": "leaders", "县级责任领导": "leaders", "分管领导": "leaders",
    "牵头领导": "leaders",
    "责任单位": "units", "责任部门": "units", "牵头单位": "units", "责任单位（部门）": "units",
    "责任人": "persons", "具体责任人": "persons",
}
_LABEL_WORDS = (
    r"(?:(?:市级|县级|州级|乡级|乡镇|牵头|分管)?责\s*任\s*领\s*导|分管领导|牵头领导"
    r"|责\s*任\s*单\s*位(?:[（(]部门[)）])?|责\s*任\s*部\s*门|牵头单位"
    r"|责\s*任\s*人|工\s*作\s*措\s*施|具体措施|主要措施|完\s*成\s*时\s*限|完成时间|时间节点)"
)
_LABEL_ANY = re.compile(rf"({_LABEL_WORDS})\s*[:：]")
# 1、 1. 1． (1) （1） 1） — a "." only when no digit follows (1.5万人次 is not a target).
_NUMBERED = re.compile(r"^\s*[（(]?\s*(\d{1,3})\s*(?:[、)）]|[.．](?!\d))\s*(\S.*)$", re.S)
_ASPECT = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十]+\s*[)）]\s*(.+)$", re.S)
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]+\s*、")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|％|元|人次|万人次|人|户|天|个)")


@dataclass(slots=True)
class InTask:
    """A task as read: text as typed (完成时限 may be a date cell)."""

    where: str  # 第12段 / 表1第3行 / 工作表“清单”第5行
    row: int | None = None
    seq: int | None = None
    heading: str | None = None
    target: str | None = None
    measures: str | None = None
    deadline: Any = None
    leaders: str | None = None
    units: str | None = None
    persons: str | None = None
    last: str | None = field(default=None, repr=False)  # the last field filled, for run-on paragraphs

    def target_number(self) -> tuple[float | None, str | None]:
        """The 指标's number and unit (满意度达到90%以上 → 90, %), for progress in percent."""
        m = _NUMBER.search(self.target or "")
        if not m:
            return None, None
        return float(m[1]), m[2].replace("％", "%")


@dataclass(frozen=True, slots=True)
class Unplaced:
    where: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.where}：{self.why}：{self.text[:60]}"


@dataclass(slots=True)
class ReadList:
    file: str
    tasks: list[InTask] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


def _clean(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    return s or None


def _field_of(label: str) -> str:
    label = re.sub(r"[\s（）()]", "", width(label))
    if label.endswith("领导"):
        return "leaders"
    if label == "责任人":
        return "persons"
    if label.endswith(("单位", "部门")):
        return "units"
    if label.endswith("措施"):
        return "measures"
    return "deadline"  # 完成时限, 完成时间, 时间节点


def _fields_in(text: str) -> list[tuple[str, str]] | None:
    """``工作措施：… 完成时限：6月30日 责任单位：扶贫办`` → [(field, value)…] when the paragraph starts
    with a label; None otherwise (a label in mid-sentence is prose)."""
    found = list(_LABEL_ANY.finditer(text))
    if not found or text[: found[0].start()].strip():
        return None
    out = []
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(text)
        out.append((_field_of(m[1]), text[m.end():end].strip()))
    return out


def _aspect(text: str) -> str:
    """（一）在组织推动方面。严格执行… → 在组织推动方面."""
    m = re.match(r"(.+?方面)", text)
    if m:
        return m[1].strip()
    return re.split(r"[。．.]", text, maxsplit=1)[0].strip()[:60]


# ------------------------------------------------------------------------------- paragraphs (seed 002)


def read_paragraphs(paragraphs: list[str], file: str) -> ReadList:
    """Tasks from paragraphs typed the seed-002 way; the rest reported in ``unplaced``."""
    out = ReadList(file)
    heading: str | None = None
    task: InTask | None = None
    in_list = False  # after the first numbered target or （一）heading of a section
    prose: Unplaced | None = None  # the paragraph just before, when it was prose no task took
    for i, raw in enumerate(paragraphs, 1):
        text = raw.strip()
        if not text:
            continue
        where = f"第{i}段"
        fields = _fields_in(text) if len(text) < 20000 else None
        if fields:
            if prose is not None:  # "一是集中发力整改……" followed by its fields: that paragraph is the 指标
                if prose in out.unplaced:
                    out.unplaced.remove(prose)
                task = InTask(prose.where, row=int(prose.where[1:-1]), heading=heading, target=prose.text)
                out.tasks.append(task)
                in_list, prose = True, None
            if task is None:
                out.unplaced.append(Unplaced(where, text, "不在编号指标之下，无法归入任务"))
                continue
            for key, value in fields:
                old = getattr(task, key)
                setattr(task, key, value if not old else old + value if key == "measures" else f"{old}、{value}")
                task.last = key
            continue
        prose = None
        numbered = _NUMBERED.match(text)
        if numbered and not (task is not None and task.last == "measures" and task.persons is None
                             and task.units is None):
            task = InTask(where, row=i, seq=int(numbered[1]), heading=heading, target=numbered[2].strip())
            task.last = "target"
            out.tasks.append(task)
            in_list = True
            continue
        aspect = _ASPECT.match(text)
        if aspect:
            heading, task, in_list = _aspect(aspect[1]), None, True
            continue
        if _SECTION.match(text):
            heading, task, in_list = None, None, False
            continue
        if task is not None and task.last == "measures" and task.persons is None:
            task.measures = (task.measures or "") + text  # 工作措施 running on into the next paragraph
        elif task is not None and task.last == "target":
            task.target = f"{task.target}{text}"
        else:
            prose = Unplaced(where, text, "无法归入任何任务")
            if in_list:
                out.unplaced.append(prose)
    return out


# ------------------------------------------------------------------------------- tables (docx and xlsx)


def _header_map(cells: list[str | None]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    for j, c in enumerate(cells):
        key = re.sub(r"\s+", "", width(c or ""))
        key = key.rstrip(":：")
        f = HEADINGS.get(key)
        if f is None and key.endswith("责任领导"):
            f = "leaders"
        if f and f not in found.values():
            found[j] = f
    useful = set(found.values())
    if len(useful) >= 3 and useful & {"target", "measures"}:
        return found
    return None


def read_rows(rows: list[list[Any]], file: str, where: str, *, ordered: bool = False,
              out: ReadList | None = None) -> ReadList:
    """Tasks from a table's rows: found by headings, or in the list's column order when ``ordered``.

    A row whose non-blank cells all hold the same text (a merged row) is a 方面 heading.
    """
    out = out or ReadList(file)
    columns: dict[int, str] | None = None
    start = 0
    for r, row in enumerate(rows):
        columns = _header_map([_clean(v) for v in row])
        if columns:
            start = r + 1
            break
    if columns is None:
        if not ordered:
            if any(any(_clean(v) for v in row) for row in rows):
                out.unplaced.append(Unplaced(where, "", "没有可识别的表头（需有指标或工作措施等列）"))
            return out
        columns = dict(enumerate(COLUMN_ORDER))
    heading: str | None = None
    mine: list[InTask] = []
    for r in range(start, len(rows)):
        row = rows[r]
        values = [_clean(v) for v in row]
        filled = [v for v in values if v]
        row_where = f"{where}第{r + 1}行"
        if not filled:
            continue
        if len(set(filled)) == 1 and (len(filled) > 1 or values[0] == filled[0]) and not _is_seq(filled[0]):
            heading = _aspect(_ASPECT.sub(r"\1", filled[0]))
            continue
        t = InTask(row_where, row=r + 1, heading=heading)
        for j, f in columns.items():
            v = row[j] if j < len(row) else None
            if f == "deadline":
                t.deadline = v.date() if isinstance(v, dt.datetime) else v if isinstance(v, dt.date) else _clean(v)
            elif f == "seq":
                s = _clean(v)
                t.seq = int(s) if s and s.isdigit() else None
            elif f == "heading":
                h = _clean(v)
                if h:
                    heading = t.heading = _aspect(_ASPECT.sub(r"\1", h))
            else:
                setattr(t, f, _clean(v))
        if not any((t.target, t.measures, t.units, t.persons)):
            out.unplaced.append(Unplaced(row_where, "　".join(filled), "不是任务行"))
            continue
        prev = mine[-1] if mine else None
        if prev is not None and ((t.seq is None and not t.target and not t.measures)
                                 or (t.seq == prev.seq and t.target == prev.target)):
            _merge_into(prev, t)  # a task over several rows (merged cells): more 责任单位 of the same task
            continue
        mine.append(t)
        out.tasks.append(t)
    return out


def _merge_into(prev: InTask, more: InTask) -> None:
    for f in ("leaders", "units", "persons"):
        old, new = getattr(prev, f), getattr(more, f)
        if new and new not in (old or "").split("、"):
            setattr(prev, f, f"{old}、{new}" if old else new)
    if prev.deadline is None and more.deadline is not None:
        prev.deadline = more.deadline


def _is_seq(text: str) -> bool:
    return text.isdigit()


# ------------------------------------------------------------------------------- files


def read_docx(path: str | Path) -> ReadList:
    """A Word list: its tables with headings, then its paragraphs in the seed-002 style."""
    import docx

    path = Path(path)
    limits.check_zip(path, require=("word/document.xml",), word=True)
    try:
        document = docx.Document(str(path))
    except Exception as e:  # not a Word document after all
        raise limits.Rejected("I-01", f"无法读取 Word 文件：{type(e).__name__}", file=path.name) from e
    # a line break inside a paragraph (Shift+Enter) separates fields as a new paragraph does
    out = read_paragraphs([line for p in document.paragraphs for line in p.text.split("\n")], path.name)
    for n, table in enumerate(document.tables, 1):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        read_rows(rows, path.name, f"表{n}", out=out)
    return out


def read_xlsx(path: str | Path) -> ReadList:
    """An Excel list: each sheet by its headings, else in the list's column order."""
    import openpyxl

    path = Path(path)
    limits.check_workbook(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise limits.Rejected("I-01", f"无法读取 Excel 文件：{type(e).__name__}", file=path.name) from e
    out = ReadList(path.name)
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            data = [r for r in rows if any(_clean(v) for v in r)]
            ordered = bool(data) and _header_map([_clean(v) for v in data[0]]) is None and any(
                _clean(r[0]) and str(_clean(r[0])).isdigit() for r in data if r)
            read_rows(rows, path.name, f"工作表“{ws.title}”", ordered=ordered, out=out)
    finally:
        wb.close()
    return out


def read_list(path: str | Path) -> ReadList:
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        return read_docx(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    raise limits.Rejected("I-01", f"责任清单只能从 .docx 或 .xlsx 导入：{Path(path).name}", file=Path(path).name)

"""Hand-made workbooks in the official layouts: find each form's sheet and header rows by their text.

Values are read with python-calamine (several times faster than openpyxl here); it also reports
the merged ranges, which is all that merged household cells need. The header tree of each form
comes from ``app.forms.layouts`` — nothing about the layouts is repeated here. A header is found
by its text, tolerant of full/half-width brackets, quotes, stray spaces and line breaks; the rows
above it (附件N, title, 填报单位 line) are skipped; columns that are not part of the form are
reported (I-04) and ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from app.forms.layouts import FORM1, FORM2, FORM3, FORM4, FORM4B, FormLayout
from app.forms.table import HeaderNode, leaves
from app.rules.findings import Finding

from . import form4, form_counts, hidden_sheet, limits, schema
from .incoming import Source
from .normalise import header_key, header_key_loose, is_blank
from .sheet import Sheet

# Header wordings seen in hand-made files, mapped to the layout's label (keys are header_key()s).
ALIASES = {
    "主要致贫或返贫原因": "致贫原因", "致贫返贫原因": "致贫原因", "县": "县(市、区)", "县(市区)": "县(市、区)",
    "县市区": "县(市、区)", "乡(镇)": "乡镇", "乡镇(街道)": "乡镇", "村(社区)": "村", "行政村": "村",
    "家庭人口": "家庭人口数", "人口数": "家庭人口数", "户主姓名及联系方式": "户主联系方式",
    "帮扶责任人及联系方式": "帮扶责任人联系方式", "家庭收入情况": "家庭收入情况(预估)",
    "预计收入达到5000元以上的时间": "预计收入达到5000元以上时间", "劳动能力": "有无劳动能力",
}
HEADER_SCAN_ROWS = 40


CANDIDATES = (FORM4, FORM1, FORM2, FORM3)


def _label_keys(nodes: list[HeaderNode]) -> set[str]:
    out: set[str] = set()
    for n in nodes:
        out.add(header_key(n.label))
        out.add(header_key_loose(n.label))
        out |= _label_keys(n.children)
    return out


def _leaf_for(key: str, by_key: dict[str, str], by_loose: dict[str, str]) -> str | None:
    if key in by_key:
        return by_key[key]
    alias = ALIASES.get(key) or ALIASES.get(header_key_loose(key))
    if alias:
        return by_key.get(header_key(alias))
    return by_loose.get(header_key_loose(key))


def _header_like(values: list[Any], labels: set[str]) -> bool:
    filled = [v for v in values if not is_blank(v)]
    if not filled or any(isinstance(v, int | float) for v in filled):
        return False
    known = sum(1 for v in filled if header_key(v) in labels or header_key_loose(v) in labels
                or header_key(v) in ALIASES)
    return known * 2 >= len(filled)


def _fill_merges(sheet: Sheet, top: int, bottom: int) -> list[list[Any]]:
    """The header block with each merged range's value copied into all its cells."""
    width = max((len(r) for r in sheet.rows[top:bottom]), default=0)
    block = [list(sheet.rows[r]) + [""] * (width - len(sheet.rows[r])) for r in range(top, bottom)]
    for r0, c0, r1, c1 in sheet.merges:
        if r1 < top or r0 >= bottom:
            continue
        value = sheet.cell(r0, c0)
        for r in range(max(r0, top), min(r1, bottom - 1) + 1):
            for c in range(c0, min(c1, width - 1) + 1):
                if is_blank(block[r - top][c]):
                    block[r - top][c] = value if r == r0 or c1 > c0 else ""
    return block


def match_header(sheet: Sheet, lay: FormLayout) -> tuple[int, int, dict[str, int], list[tuple[int, str]]] | None:
    """(header top row, first data row, code → column, extra columns) of ``lay`` in ``sheet``, or None."""
    header = lay.header()
    labels = _label_keys(header) | {"其中"}
    by_key = {header_key(n.label): n.code for n in leaves(header)}
    by_loose = {header_key_loose(n.label): n.code for n in leaves(header)}
    depth_max = lay.header_rows() + 2
    for top in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
        if not _header_like(sheet.rows[top], labels):
            continue
        bottom = top + 1
        while bottom < len(sheet.rows) and bottom - top < depth_max and _header_like(sheet.rows[bottom], labels):
            bottom += 1
        block = _fill_merges(sheet, top, bottom)
        columns: dict[str, int] = {}
        extra: list[tuple[int, str]] = []
        for c in range(len(block[0]) if block else 0):
            path = [header_key(row[c]) for row in block if not is_blank(row[c])]
            if not path:
                continue
            code = _leaf_for(path[-1], by_key, by_loose)
            if code is not None and code not in columns:
                columns[code] = c
            elif code is None:
                extra.append((c, str(block[-1][c] if not is_blank(block[-1][c]) else path[-1])))
        if len(columns) * 10 >= len(by_key) * 6:
            return top, bottom, columns, extra
    return None


def _title(sheet: Sheet, top: int) -> str:
    texts = [str(v) for r in sheet.rows[:top] for v in r if isinstance(v, str) and len(v) > 8]
    return max(texts, key=len, default="")


def load_sheets(path: Path) -> list[Sheet]:
    """Every sheet's values and merges, after the hostile-file checks (sizes, entry names, the real
    extent of every sheet's XML). Whatever the reader then refuses — bad XML, an entity, an empty or
    missing part, a relationship pointing out of the zip — is I-01, never an exception."""
    from .sheet_reader import ReaderFailed, read_sheets

    limits.check_workbook(path)
    try:
        sheets = read_sheets(path)  # a large file in a child process: the GIL stays free for the window
    except ReaderFailed as e:  # calamine's own errors for damaged, password-protected or malformed files
        raise limits.Rejected("I-01", f"文件无法读取（{e}：工作簿内容已损坏或格式不对），"
                              "请在 Excel/WPS 中打开并重新保存为 .xlsx 后再导入。", file=path.name) from None
    out = [Sheet(name, rows, merges) for name, rows, merges in sheets]
    return out


def read_workbook(path: str | Path, period: str | None = None) -> Source:
    """A hand-made (or our exported) 附件 workbook as a ``Source``; problems are findings, never raised.

    ``period`` (the month imported into) is only used by rules that depend on it (P-05).
    """
    path = Path(path)
    src = Source(file=path.name, kind="workbook", check_period=period)
    try:
        sheets = load_sheets(path)
    except limits.Rejected as e:
        src.findings.append(e.finding())
        return src
    kept = hidden_sheet.find(sheets, src)
    if kept is not None:
        src.period = kept.period  # the workbook's own data month: no --period needed
        src.check_period = period or kept.period
    for sheet in sheets:
        best = None
        for lay in CANDIDATES:
            found = match_header(sheet, lay)
            if found and (best is None or len(found[2]) > len(best[1][2])):
                best = (lay, found)
        if best is None:
            continue
        lay, (top, start, columns, extra) = best
        sheet.header_top, sheet.data_start, sheet.columns = top, start, columns
        sheet.title = _title(sheet, top)
        if lay is FORM4 and ("5760" in sheet.title or "5760" in sheet.name):
            lay = FORM4B
        sheet.layout = lay
        missing = [n.label for n in leaves(lay.header()) if n.code != "seq" and n.code not in columns]
        if missing:
            src.findings.append(Finding(
                "I-03", "E", f"{lay.form}表头缺少：{'、'.join(missing)}（请按官方表样填写表头）",
                file=src.file, sheet=sheet.name, row=top + 1))
            continue
        for c, label in extra:
            src.findings.append(Finding(
                "I-04", "W", f"“{label}”列不属于{lay.form}，已忽略", file=src.file, sheet=sheet.name, row=top + 1,
                column=get_column_letter(c + 1)))
        src.forms.append(lay.form)
        src.columns[sheet.name] = {code: sheet.letter(code) or "" for code in columns}
        if lay in (FORM4, FORM4B):
            before = len(src.households)
            form4.read(sheet, src)
            if kept is not None:
                hidden_sheet.apply(src.households[before:], kept, src, sheet.name)
        else:
            form_counts.read(sheet, src)
    src.findings.extend(schema.check_sheet_records(src))
    if not src.forms and not any(f.code == "I-03" for f in src.findings):
        src.findings.append(Finding(
            "I-03", "E", "没有找到附件1、附件2、附件3或附件4的表头，无法导入（请使用官方表样）", file=src.file))
    return src

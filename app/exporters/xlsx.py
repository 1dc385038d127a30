"""Write a ``FormTable`` as .xlsx in the official layout (forms.md §0–§4).

Layout, top to bottom: ``附件N`` in A1; the title, merged over all columns; the header block line
(填报单位 … 填报人 … 联系电话 … 填报时间); the multi-level header with merged cells as the seed prints
it; the data rows with their merges; 附件4's summary line; notes (M-08); 填报说明 verbatim.

Why xlsxwriter in ``constant_memory`` mode: openpyxl's ``merge_cells`` is quadratic in the number
of merged ranges, and 附件4 of a county has one merge per household column per household. Rows are
streamed to disk in order; the vertical merges of a household are registered without writing
ahead (``_add_merge``), since constant-memory mode drops writes to rows already flushed.

Every text is written with ``write_string`` (never ``write``), so a cell such as ``=HYPERLINK(…)``
stays a literal string; such cells also get Excel's quote prefix so that editing keeps them text.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import xlsxwriter

from app.forms import hidden
from app.forms.layouts import HEADER_BLOCK, LAYOUTS, SEAL_NOTE
from app.forms.table import FormTable, header_grid

FONT = "宋体"
A3_WIDTH = 180  # total column width (characters) above which a form prints on A3
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def needs_quote(text: str) -> bool:
    """A text a spreadsheet would read as a formula (CSV/formula injection)."""
    return text.startswith(_FORMULA_START)


def text_width(text: str) -> int:
    """Display width in spreadsheet character units: CJK (3 bytes in UTF-8) counts 2, ASCII 1.

    Computed from the UTF-8 length, which is C-fast: 100,000 persons of 附件4 measure thousands of lines.
    """
    return (len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2


def lines_needed(text: str, width: float) -> int:
    """Wrapped line count of ``text`` in a cell ``width`` characters wide."""
    usable = max(2.0, width - 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def paper_for(total_width: float) -> int:
    """xlsxwriter paper code: 9 = A4, 8 = A3."""
    return 8 if total_width > A3_WIDTH else 9


MARGIN_IN = 0.4  # left and right print margins (inches)
SEAL_MM = 42.0  # forms.md §0: a clear square of at least 42 mm for the official round seal
_PAPER_LANDSCAPE_MM = {9: 297.0, 8: 420.0}


def column_mm(width: float) -> float:
    """A column ``width`` characters wide, in mm on screen at 100 % (Excel: 7 px a digit + 5 px, 96 dpi)."""
    return (int(width * 7 + 0.5) + 5) * 25.4 / 96


def print_scale(total_width: float, widths: list[float] | None = None) -> float:
    """The scale Excel prints at when fitting the sheet to one page wide (whole percent, never above 100 %)."""
    paper = paper_for(total_width)
    printable = _PAPER_LANDSCAPE_MM[paper] - 2 * MARGIN_IN * 25.4
    content = sum(column_mm(w) for w in widths) if widths else column_mm(total_width)
    return min(100, math.floor(100 * printable / content)) / 100


def seal_block(widths: list[float]) -> tuple[int, float]:
    """(columns the 填报单位 cell spans, its row height in points) so that, printed at the sheet's own
    fit-to-width scale, the cell leaves a clear square of ``SEAL_MM`` under the unit's name."""
    scale = print_scale(sum(widths), widths)
    need_mm = (SEAL_MM + 2) / scale
    span, width_mm = 0, 0.0
    while span < len(widths) and (width_mm < need_mm or span < 2):
        width_mm += column_mm(widths[span])
        span += 1
    text_line_mm = 6.0 / scale
    height_pt = (need_mm + text_line_mm) * 72 / 25.4
    return span, min(409.0, math.ceil(height_pt))


def instructions_label(table: FormTable) -> str:
    for lay in LAYOUTS.values():
        if tuple(table.instructions) == lay.instructions:
            return lay.instructions_label
    return "填报说明："


def _add_merge(ws, r0: int, c0: int, r1: int, c1: int) -> None:
    """Register a merged range without writing its cells (constant-memory safe; cells written by caller)."""
    ws.merge.append([r0, c0, r1, c1])


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        cell = {**base, "border": 1, "text_wrap": True}
        self.attach = wb.add_format({**base, "font_size": 12, "bold": True})
        self.title = wb.add_format({**base, "font_size": 16, "bold": True, "align": "center"})
        self.block = wb.add_format({**base, "font_size": 11})
        self.seal = wb.add_format({**base, "font_size": 11, "valign": "top"})
        self.head = wb.add_format({**cell, "bold": True, "align": "center"})
        self.left = wb.add_format({**cell, "align": "left"})
        self.left_q = wb.add_format({**cell, "align": "left", "quote_prefix": True})
        self.center = wb.add_format({**cell, "align": "center"})
        self.center_q = wb.add_format({**cell, "align": "center", "quote_prefix": True})
        self.num = wb.add_format({**cell, "align": "center", "num_format": "0"})
        self.dec = wb.add_format({**cell, "align": "right", "num_format": "0.0###"})
        self.total_left = wb.add_format({**cell, "align": "left", "bold": True})
        self.total_center = wb.add_format({**cell, "align": "center", "bold": True})
        self.total_num = wb.add_format({**cell, "align": "center", "num_format": "0", "bold": True})
        self.total_dec = wb.add_format({**cell, "align": "right", "num_format": "0.0###", "bold": True})
        self.foot = wb.add_format({**base, "text_wrap": True, "align": "left", "valign": "top"})
        self.foot_q = wb.add_format({**base, "text_wrap": True, "align": "left", "valign": "top", "quote_prefix": True})


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


def _write_text(ws, r: int, c: int, text: str, fmt, fmt_q) -> None:
    text = _clean(text)
    ws.write_string(r, c, text, fmt_q if needs_quote(text) else fmt)


def write_xlsx(table: FormTable, path: str | os.PathLike, *, progress=None, cancel=None) -> int:
    """Write ``table`` to ``path``; returns the number of data rows.

    ``progress(done, total)`` is called every few thousand rows; ``cancel()`` returning True stops
    the write (the partial file is removed) by raising ``InterruptedError``.
    """
    path = Path(path)
    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
         "strings_to_urls": False},
    )
    try:
        _write(wb, table, progress, cancel)
    except BaseException:
        try:
            wb.close()
        finally:
            path.unlink(missing_ok=True)
        raise
    wb.close()
    return len(table.rows)


def _sheet_name(table: FormTable) -> str:
    name = table.form
    if table.title and "5000元-5760元" in table.title and "明细表" in table.title:
        name = f"{table.form}（5000-5760元）"
    return name[:31]


def _write(wb: xlsxwriter.Workbook, table: FormTable, progress, cancel) -> None:
    f = _Formats(wb)
    ws = wb.add_worksheet(_sheet_name(table))
    cols = table.columns
    ncols = len(cols)
    last = ncols - 1
    total_width = sum(c.width for c in cols)
    for i, c in enumerate(cols):
        ws.set_column(i, i, c.width)

    # Print set-up: prints right the first time.
    ws.set_landscape()
    ws.set_paper(paper_for(total_width))
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.7)
    ws.set_footer("&C第 &P 页 共 &N 页")
    if table.draft:
        ws.set_header("&R草稿")

    r = 0
    ws.set_row(r, 20)
    ws.write_string(r, 0, table.form, f.attach)
    r += 1
    ws.set_row(r, 32)
    ws.merge_range(r, 0, r, last, _clean(table.title), f.title)
    r += 1
    r = _header_block(ws, f, table, r, ncols)

    # Header tree.
    hrows, cells = header_grid(table.header)
    head0 = r
    for hr in range(hrows):
        ws.set_row(head0 + hr, _header_row_height(cells, cols, hr))
    grid: dict[tuple[int, int], str | None] = {}
    for cell in cells:
        for rr in range(cell.row, cell.row + cell.rowspan):
            for cc in range(cell.col, cell.col + cell.colspan):
                grid[(rr, cc)] = None
        grid[(cell.row, cell.col)] = cell.label
        if cell.rowspan > 1 or cell.colspan > 1:
            _add_merge(ws, head0 + cell.row, cell.col, head0 + cell.row + cell.rowspan - 1,
                       cell.col + cell.colspan - 1)
    for hr in range(hrows):  # row by row: constant-memory mode cannot go back
        for cc in range(ncols):
            label = grid.get((hr, cc))
            if label is None:
                ws.write_blank(head0 + hr, cc, None, f.head)
            else:
                ws.write_string(head0 + hr, cc, label, f.head)
    r = head0 + hrows
    ws.repeat_rows(head0, r - 1)
    ws.freeze_panes(r, 0)

    _data(ws, f, table, r, progress, cancel)
    _footer_lines(ws, f, table, r + len(table.rows), last, total_width)
    _hidden_sheet(wb, table, r)


def _hidden_sheet(wb: xlsxwriter.Workbook, table: FormTable, data_top: int) -> None:
    """The very hidden ``guatu`` sheet (app.forms.hidden): data month, then one row per household
    with the sheet row (1-based) of its first member and its record."""
    ws = wb.add_worksheet(hidden.SHEET)
    ws.very_hidden()
    for c, v in enumerate(hidden.head_row(table.period, table.form_key)):
        ws.write_string(0, c, v)
    for i, (index, record) in enumerate(table.hidden, 1):
        ws.write_number(i, 0, data_top + index + 1)
        ws.write_string(i, 1, record)


def _header_block(ws, f: _Formats, table: FormTable, r: int, ncols: int) -> int:
    """填报单位 (with room for the seal) · 填报人 · 联系电话 · 填报时间, spread over the width."""
    texts = [
        f"{HEADER_BLOCK[0]}{table.reporting_unit}{SEAL_NOTE}",
        f"{HEADER_BLOCK[1]}{table.preparer}",
        f"{HEADER_BLOCK[2]}{table.preparer_phone}",
        f"{HEADER_BLOCK[3]}{table.filed_on_text}",
    ]
    widths = [c.width for c in table.columns]
    seal_span, height = seal_block(widths)
    ws.set_row(r, height)
    shares = (0.4, 0.2, 0.2, 0.2)
    bounds, start = [], 0
    for i, share in enumerate(shares):
        end = ncols if i == len(shares) - 1 else max(start + 1, start + round(ncols * share))
        if i == 0:
            end = max(end, seal_span)  # the unit's cell is wide enough for the seal
        end = min(end, ncols - (len(shares) - 1 - i))
        bounds.append((start, max(start, end - 1)))
        start = end
    for text, (c0, c1) in zip(texts, bounds, strict=True):
        fmt = f.seal  # one line on top, as the seed prints it; the seal's clear square below the unit
        if c1 > c0:
            ws.merge_range(r, c0, r, c1, "", fmt)
        _write_text(ws, r, c0, text, fmt, fmt)
    return r + 1


def _header_row_height(cells, cols, hr: int) -> float:
    need = 1
    for c in cells:
        if c.row == hr and c.rowspan == 1:
            width = sum(cols[i].width for i in range(c.col, c.col + c.colspan))
            need = max(need, lines_needed(c.label, width))
    leaf_lines = max((lines_needed(c.label, cols[c.col].width) for c in cells if c.rowspan > 1), default=1)
    span_rows = max((c.rowspan for c in cells), default=1)
    return max(14 * need + 4, 14 * math.ceil(leaf_lines / span_rows) + 4)


def _row_heights(table: FormTable) -> list[float]:
    """Each data row's height so that wrapped text (also merged over several rows) shows in full."""
    cols = table.columns
    n = len(table.rows)
    lines = [1.0] * n
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in table.merges:
        covered[(r0, c0)] = (r1, c1)
    fits = [max(1, int((c.width - 1) // 2)) for c in cols]  # characters that surely fit on one line
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row):
            if not isinstance(v, str) or not v or (len(v) <= fits[j] and "\n" not in v):
                continue
            span = covered.get((i, j))
            if span is None:
                lines[i] = max(lines[i], lines_needed(v, cols[j].width))
            else:
                r1, c1 = span
                width = sum(cols[k].width for k in range(j, c1 + 1))
                per = lines_needed(v, width) / (r1 - i + 1)
                for k in range(i, r1 + 1):
                    lines[k] = max(lines[k], per)
    return [max(18.0, 13.5 * math.ceil(x) + 4) for x in lines]


def _data(ws, f: _Formats, table: FormTable, r0: int, progress, cancel) -> None:
    """The data rows. The hot loop of a county's 附件4 (1.6 million cells): formats are chosen per
    column once, and cells go through xlsxwriter's undecorated ``_write_*`` (the public methods only
    add A1-notation parsing, which costs a third of the time here)."""
    cols = table.columns
    numeric = [c.kind in ("count", "seq", "number") for c in cols]
    is_count = [c.kind == "count" for c in cols]
    text_fmts = [(f.center, f.center_q, f.total_center) if c.width <= 10 else (f.left, f.left_q, f.total_left)
                 for c in cols]
    write_string = getattr(ws, "_write_string", ws.write_string)  # public names as a fallback
    write_number = getattr(ws, "_write_number", ws.write_number)
    write_blank = getattr(ws, "_write_blank", ws.write_blank)
    heights = _row_heights(table)
    merges = sorted(table.merges)
    mi, n_merges = 0, len(merges)
    kinds = table.row_kinds
    total = len(table.rows)
    for i, row in enumerate(table.rows):
        if i % 2000 == 0:
            if cancel is not None and cancel():
                raise InterruptedError("已取消")
            if progress is not None:
                progress(i, total)
        rr = r0 + i
        is_total = i < len(kinds) and kinds[i] in ("county_total", "township_total")
        ws.set_row(rr, heights[i])
        while mi < n_merges and merges[mi][0] <= i:
            _, c0, m1, c1 = merges[mi]
            _add_merge(ws, rr, c0, r0 + m1, c1)
            mi += 1
        for j, v in enumerate(row):
            if v is None or v == "":
                if is_count[j]:
                    write_number(rr, j, 0, f.total_num if is_total else f.num)
                else:
                    write_blank(rr, j, None, f.num if numeric[j] else f.left)
            elif numeric[j] and isinstance(v, int | float) and not isinstance(v, bool):
                whole = v == int(v)  # totals show the same decimals as their rows (附件3's 万元)
                if is_total:
                    write_number(rr, j, v, f.total_num if whole else f.total_dec)
                else:
                    write_number(rr, j, v, f.num if whole else f.dec)
            else:
                text = v if isinstance(v, str) else str(int(v) if isinstance(v, bool) else v)
                if not text.isprintable():
                    text = _clean(text)
                plain, quoted, bold = text_fmts[j]
                if text.startswith(_FORMULA_START):
                    write_string(rr, j, text, quoted)
                else:
                    write_string(rr, j, text, bold if is_total else plain)
    if progress is not None:
        progress(total, total)


def _footer_lines(ws, f: _Formats, table: FormTable, r: int, last: int, total_width: float) -> None:
    """Summary line, notes and 填报说明 under the table, each merged over the full width."""

    def line(text: str, gap: bool = False) -> None:
        nonlocal r
        text = _clean(text)
        ws.set_row(r, max(18.0, 14 * lines_needed(text, total_width) + 4))
        ws.merge_range(r, 0, r, last, "", f.foot)
        ws.write_string(r, 0, text, f.foot_q if needs_quote(text) else f.foot)
        r += 1

    r += 1  # one empty row under the table
    if table.summary:
        line(table.summary)
    for note in table.notes:
        line(note)
    if table.instructions:
        line(instructions_label(table))
        for item in table.instructions:
            line(item)

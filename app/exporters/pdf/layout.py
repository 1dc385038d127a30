"""Geometry of a form PDF: paper, column widths, header rows, row heights and page breaks.

Pure measurement, no drawing: ``plan(table)`` measures every row once (O(rows), merged blocks
grown to fit their text) and breaks pages, so that ``forms.py`` can print ``第x页 共y页`` while
drawing page by page. Households (blocks of vertically merged rows) are kept on one page when
they fit on one; a block taller than a page is split and its merged text repeated on each part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm

from app.exporters.pdf.text import text_width, wrap
from app.forms.table import FormTable, HeaderCell, header_grid

MARGIN_X = 12 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 15 * mm  # the footer lives below this
SEAL = 45 * mm  # the blank square kept for the round seal (at least 42 mm × 42 mm, forms.md §0)
PAD_X = 2.0
PAD_Y = 2.0
LEADING = 1.22  # line height as a multiple of the font size
TITLE_SIZE = 16.0
ATTACH_SIZE = 12.0
BLOCK_SIZE = 10.0  # the 填报单位 line
RUNNING_HEAD = 22.0  # height of the small heading on continuation pages
A4_MIN_PT_PER_UNIT = 4.2  # below this a form goes on A3 (a column unit is one xlsx character)
SIZE_PER_UNIT = 1.8  # body font size per point of a column unit
MIN_SIZE, MAX_SIZE = 7.0, 10.0
MIN_TEXT = 7.0  # no text on a form is set smaller (issue: 5–6 pt was unreadable); wrap, then grow the row
SHRINK_MIN = 0.8  # a one-word cell may be set down to this fraction of the body size …
NAME_SHRINK_MIN = 0.6  # … and a person's name further, to stay whole — never below MIN_TEXT
NAME_CODES = frozenset({"name"})
TOTAL_KINDS = frozenset({"county_total", "township_total", "total"})
CENTRED_KINDS = frozenset({"seq", "count", "number"})
CANCEL_EVERY = 2000  # rows between cancel checks while measuring


def cell_text(value: object, kind: str) -> str:
    """A value as printed: counts are never blank (forms.md §0), numbers without float noise."""
    if value is None or value == "":
        return "0" if kind == "count" else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float | Decimal):
        if value == int(value):
            return str(int(value))
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


@lru_cache(maxsize=8192)
def cell_lines(text: str, size: float, width: float) -> tuple[str, ...]:
    """Wrapped lines of a cell (cached: ages, relations, names repeat across many rows)."""
    return tuple(wrap(text, size, width))


@lru_cache(maxsize=8192)
def cell_fit(text: str, size: float, width: float, min_scale: float = SHRINK_MIN) -> tuple[float, tuple[str, ...]]:
    """(font size, lines) of a data cell: a word slightly too wide for its column (a long minority
    name, 之外孙女, 普通劳动力) is set smaller rather than broken, so that it stays whole for
    searching and copying — but never below ``MIN_TEXT``: then it wraps and the row grows; longer
    text, and text with spaces, wraps at the body size."""
    if "\n" not in text and " " not in text:  # text with spaces breaks cleanly at them
        natural = text_width(text, size)
        if natural > width and natural * min_scale <= width:
            fit = size * width / natural * 0.995
            if fit >= MIN_TEXT:
                return fit, (text,)
    return size, cell_lines(text, size, width)


@dataclass
class Page:
    rows: tuple[int, int]  # data rows [start, end)
    tail: tuple[int, int] = (0, 0)  # lines of the text under the table [start, end)
    table: bool = True  # False for a page that only continues the text under the table


@dataclass
class Plan:
    pagesize: tuple[float, float]
    paper: str  # "A4" / "A3"
    size: float  # body font size
    leading: float
    col_x: list[float]  # left edges of the columns, and the right edge last
    header_rows: int
    header_cells: list[HeaderCell]
    header_heights: list[float]
    heights: list[float]  # of every data row
    merges: dict[int, list[tuple[int, int, int, int]]]  # by start row
    kinds: list[str]  # leaf column kinds
    shrink: list[float]  # how far a one-word cell of each column may be set down
    tail: list[tuple[str, bool]]  # (line, starts a paragraph) under the table
    pages: list[Page] = field(default_factory=list)
    first_top: float = 0.0  # top of the table on page 1 (below the header block)
    top: float = 0.0  # top of the table on later pages

    @property
    def header_height(self) -> float:
        return sum(self.header_heights)

    @property
    def width(self) -> float:
        return self.col_x[-1] - self.col_x[0]

    def col_width(self, c0: int, c1: int | None = None) -> float:
        return self.col_x[(c1 if c1 is not None else c0) + 1] - self.col_x[c0]


def choose_paper(widths: list[float]) -> tuple[str, tuple[float, float], float, float]:
    """(paper, page size, points per column unit, body font size): A4 landscape when the
    columns fit at a readable size, else A3 landscape; columns are scaled to the full width."""
    units = sum(max(w, 1.0) for w in widths) or 1.0
    for paper, size in (("A4", A4), ("A3", A3)):
        page = landscape(size)
        ppu = (page[0] - 2 * MARGIN_X) / units
        if ppu >= A4_MIN_PT_PER_UNIT or paper == "A3":
            return paper, page, ppu, max(MIN_SIZE, min(MAX_SIZE, ppu * SIZE_PER_UNIT))
    raise AssertionError("unreachable")


def _header_heights(cells: list[HeaderCell], rows: int, col_w, size: float, leading: float) -> list[float]:
    minimum = leading + 2 * PAD_Y
    heights = [minimum] * rows
    for cell in sorted(cells, key=lambda c: c.rowspan):
        lines = len(cell_lines(cell.label, size, col_w(cell.col, cell.col + cell.colspan - 1) - 2 * PAD_X))
        need = lines * leading + 2 * PAD_Y
        have = sum(heights[cell.row : cell.row + cell.rowspan])
        if need > have:
            extra = (need - have) / cell.rowspan
            for r in range(cell.row, cell.row + cell.rowspan):
                heights[r] += extra
    return heights


def _merge_index(table: FormTable, ncols: int) -> dict[int, list[tuple[int, int, int, int]]]:
    """Merges by start row, clipped to the table; single-cell merges dropped."""
    nrows = len(table.rows)
    out: dict[int, list[tuple[int, int, int, int]]] = {}
    for r0, c0, r1, c1 in table.merges:
        r0, r1 = max(0, min(r0, r1)), min(nrows - 1, max(r0, r1))
        c0, c1 = max(0, min(c0, c1)), min(ncols - 1, max(c0, c1))
        if r0 <= r1 and c0 <= c1 and (r0, c0) != (r1, c1):
            out.setdefault(r0, []).append((r0, c0, r1, c1))
    return out


def tail_paragraphs(table: FormTable) -> list[str]:
    """The text under the table, in order: summary line, 填报说明 (verbatim), notes."""
    paras: list[str] = []
    if table.summary:
        paras.append(table.summary)
    if table.instructions:
        paras.append(instructions_label(table))
        paras.extend(table.instructions)
    paras.extend(table.notes)
    return paras


def instructions_label(table: FormTable) -> str:
    """The seed's own label ("填报说明:" or "填报说明：") when the layout is known."""
    try:
        from app.forms.layouts import LAYOUTS
    except ImportError:  # pragma: no cover - the layouts module is the xlsx side's
        return "填报说明："
    for lay in LAYOUTS.values():
        if lay.form == table.form and tuple(table.instructions) == lay.instructions:
            return lay.instructions_label
    return "填报说明："


def plan(table: FormTable, cancel: Callable[[], bool] | None = None) -> Plan:
    """Measure the whole table and break it into pages; ``cancel()`` True raises InterruptedError."""
    columns = table.columns
    kinds = [c.kind for c in columns]
    paper, pagesize, ppu, size = choose_paper([c.width for c in columns])
    col_x = [MARGIN_X]
    for c in columns:
        col_x.append(col_x[-1] + max(c.width, 1.0) * ppu)
    leading = size * LEADING
    nrows, cells = header_grid(table.header)
    shrink = [NAME_SHRINK_MIN if c.code in NAME_CODES else SHRINK_MIN for c in columns]
    p = Plan(pagesize, paper, size, leading, col_x, nrows, cells, [], [], _merge_index(table, len(columns)), kinds,
             shrink, [])
    p.header_heights = _header_heights(cells, nrows, p.col_width, size, leading)
    page_h = pagesize[1]
    p.first_top = page_h - MARGIN_TOP - first_page_head_height()
    p.top = page_h - MARGIN_TOP - RUNNING_HEAD
    for para in tail_paragraphs(table):
        for i, line in enumerate(wrap(para, size, p.width)):
            p.tail.append((line, i == 0))
    _measure_and_paginate(table, p, cancel)
    return p


def first_page_head_height() -> float:
    """附件N, the title and the 填报单位 line with the seal square, above the table on page 1."""
    return ATTACH_SIZE * 1.4 + TITLE_SIZE * 1.8 + SEAL + 4.0


def _measure_and_paginate(table: FormTable, p: Plan, cancel: Callable[[], bool] | None) -> None:
    size, leading = p.size, p.leading
    inner = [p.col_width(c) - 2 * PAD_X for c in range(len(p.kinds))]
    minimum = leading + 2 * PAD_Y
    bottom = MARGIN_BOTTOM
    caps = (p.first_top - p.header_height - bottom, p.top - p.header_height - bottom)
    heights = p.heights
    pages = p.pages
    state = {"start": 0, "used": 0.0, "cap": caps[0]}

    def new_page(at: int) -> None:
        pages.append(Page((state["start"], at)))
        state.update(start=at, used=0.0, cap=caps[1])

    def place(g0: int, g1: int) -> None:  # rows [g0, g1] form one block
        gh = sum(heights[g0 : g1 + 1])
        if state["used"] + gh <= state["cap"]:
            state["used"] += gh
        elif gh <= caps[1] and (state["used"] > 0 or gh > state["cap"]):  # page 1 is shorter
            new_page(g0)
            state["used"] = gh
        else:  # taller than a page: split between rows
            for r in range(g0, g1 + 1):
                if state["used"] + heights[r] > state["cap"] and (state["used"] > 0 or heights[r] > state["cap"]):
                    new_page(r)
                state["used"] += heights[r]

    active: list[tuple[int, int, int, int]] = []
    group_start, group_end = 0, -1
    for r, row in enumerate(table.rows):
        if cancel is not None and r % CANCEL_EVERY == 0 and cancel():
            raise InterruptedError("已取消")
        started = p.merges.get(r, ())
        active.extend(started)
        if active:
            active = [m for m in active if m[2] >= r]
        covered: set[int] = set()
        for m in active:
            covered.update(range(m[1], m[3] + 1))
        h = minimum
        for c, kind in enumerate(p.kinds):
            if c in covered:
                continue
            text = cell_text(row[c] if c < len(row) else None, kind)
            if text:
                n = len(cell_fit(text, size, inner[c], p.shrink[c])[1])
                h = max(h, n * leading + 2 * PAD_Y)
        heights.append(min(h, caps[1]))  # a cell taller than a page is cut (forms.py marks it)
        for m in started:
            group_end = max(group_end, m[2])
        # a merged block grows its rows evenly once all of them are measured
        for m in active:
            if m[2] == r:
                text = cell_text(value_at(table.rows[m[0]], m[1]), p.kinds[m[1]])
                n = len(cell_fit(text, size, p.col_width(m[1], m[3]) - 2 * PAD_X, p.shrink[m[1]])[1]) if text else 1
                need = min(n * leading + 2 * PAD_Y, caps[1])  # at most a page; more is cut
                have = sum(heights[m[0] : r + 1])
                if need > have:
                    extra = (need - have) / (r - m[0] + 1)
                    for k in range(m[0], r + 1):
                        heights[k] = min(heights[k] + extra, caps[1])
        if r >= group_end:
            place(group_start, r)
            group_start = r + 1
    pages.append(Page((state["start"], len(table.rows))))
    state["used"] += _no_widow(p, caps[1] - state["used"])
    _paginate_tail(p, state["used"], caps)


def _no_widow(p: Plan, room: float) -> float:
    """A last page holding a single row (a widow, e.g. 附件1's last village) takes the row before it
    along, when that row is not part of a merged block and fits; returns the height moved."""
    pages = p.pages
    if len(pages) < 2:
        return 0.0
    (a0, a1), (b0, b1) = pages[-2].rows, pages[-1].rows
    if b1 - b0 != 1 or a1 - a0 < 3 or a1 != b0:
        return 0.0
    r = a1 - 1
    if p.heights[r] > room or any(m[0] <= r <= m[2] for ms in p.merges.values() for m in ms if m[0] <= r + 1):
        return 0.0
    pages[-2].rows, pages[-1].rows = (a0, r), (r, b1)
    return p.heights[r]


def value_at(row: list, c: int) -> object:
    """The value of column ``c`` (a short row reads as blank)."""
    return row[c] if c < len(row) else None


def _paginate_tail(p: Plan, used: float, caps: tuple[float, float]) -> None:
    """The summary, 填报说明 and notes continue after the last row, onto new pages if needed."""
    if not p.tail:
        return
    line_h = p.leading
    gap = p.leading * 0.8
    cap = (caps[0] if len(p.pages) == 1 else caps[1]) - used - gap
    start = 0
    for i in range(len(p.tail)):
        if cap < line_h:
            p.pages[-1].tail = (start, i)
            p.pages.append(Page((0, 0), table=False))
            cap = caps[1] + p.header_height
            start = i
        cap -= line_h
    p.pages[-1].tail = (start, len(p.tail))

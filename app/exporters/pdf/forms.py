"""The official forms (附件1–4) as PDF, drawn directly on a reportlab canvas.

``write_form_pdf(table, path, exported_at=…)`` prints a ``FormTable`` the way the seed prints it
(forms.md §0–§4): ``附件N`` top-left, the title centred, the line 填报单位 … 填报时间 with a blank
square for the round seal beside the unit, the multi-level header (merged cells drawn merged,
repeated on every page), the rows with grid lines (total rows shaded and bold, 附件4's household
columns merged over their members), then the summary line, 填报说明 and notes; a footer with
``第x页 共y页``, the data month and the export time; a diagonal 草稿 on every page of a draft.

Why not platypus ``Table``: its split of a long table re-measures the remaining rows at every page
break (quadratic for 附件4 of 100,000 persons) and it knows no font fallback. ``layout.plan``
measures each row once; drawing is one text object and one set of lines per page.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from pathlib import Path

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas

from app import fonts
from app.exporters.pdf import furniture as F
from app.exporters.pdf import layout as L
from app.exporters.pdf.furniture import data_month_text, export_time_text, seal_area
from app.exporters.pdf.text import TextBatch, ensure_fonts
from app.forms.table import FormTable

__all__ = ["write_form_pdf", "seal_area", "data_month_text", "export_time_text"]

GRID_WIDTH = 0.5
OUTER_WIDTH = 0.9
TOTAL_SHADE = 0.88  # grey level of total rows
CUT_MARK = "…"
PROGRESS_EVERY = 50  # pages between progress calls and cancel checks


def write_form_pdf(
    table: FormTable,
    path: str | Path,
    *,
    exported_at: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> int:
    """Write ``table`` as a PDF at ``path``; return the number of pages.

    ``progress(done_pages, total_pages)`` is called every few dozen pages; ``cancel()`` returning
    True stops the write by raising ``InterruptedError`` (checked while measuring too). Nothing is
    written before the last page is drawn, and a failed save removes the partial file.
    """
    ensure_fonts()
    plan = L.plan(table, cancel=cancel)
    canvas = Canvas(str(path), pagesize=plan.pagesize, initialFontName=fonts.PRIMARY, pageCompression=1, invariant=1)
    _stamp(canvas, exported_at)
    canvas.setTitle(f"{table.form} {table.title}")
    canvas.setAuthor(table.reporting_unit)
    canvas.setSubject(data_month_text(table.period))
    canvas.setCreator("guatu")
    total = len(plan.pages)
    active: list[tuple[int, int, int, int]] = []
    for number, page in enumerate(plan.pages, start=1):
        if number % PROGRESS_EVERY == 1:
            if cancel is not None and cancel():
                raise InterruptedError("已取消")
            if progress is not None:
                progress(number - 1, total)
        top = plan.first_top if number == 1 else plan.top
        if number == 1:
            F.first_page_head(canvas, table, plan)
        else:
            F.running_head(canvas, table, plan)
        bottom = top
        if page.table:
            _draw_header(canvas, plan, top)
            bottom = _draw_rows(canvas, table, plan, page, top - plan.header_height, active)
        else:
            bottom = plan.top + plan.leading * 0.8
        if page.tail != (0, 0) and page.tail[1] > page.tail[0]:
            _draw_tail(canvas, plan, page, bottom - plan.leading * 0.8)
        F.footer(canvas, table, plan, number, total, exported_at)
        if table.draft:
            F.watermark(canvas, plan, F.head_geometry(table, plan.pagesize)["seal"] if number == 1 else None)
        canvas.showPage()
        _compress_last_page(canvas)
    try:
        canvas.save()
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(total, total)
    return total


def _stamp(canvas: Canvas, at: dt.datetime) -> None:
    """Creation date = the export time, and no wall-clock anywhere else (reportlab's invariant
    mode): the same table exported at the same time gives the same bytes, so a locked month's
    package can be reproduced and compared."""
    stamp = canvas._doc._timeStamp
    stamp.YMDhms = (at.year, at.month, at.day, at.hour, at.minute, at.second)
    offset = (at if at.tzinfo else at.astimezone()).utcoffset()  # naive means local time
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    stamp.dhh, stamp.dmm = int(minutes / 60), abs(minutes) % 60


def _compress_last_page(canvas: Canvas) -> None:
    """Deflate the page just finished now instead of at save: reportlab keeps every page's
    operators as text until ``save``, about 30 kB a page of 附件4, which for 100,000 persons
    (6,000 pages) was 250 MB. A stream whose dictionary already names its /Filter is written as
    is by reportlab (``PDFStream.format``). It also skips reportlab's ASCII85 layer on top of
    Flate (pure Python here: a third of the time of a long form, and 25 % more bytes)."""
    page = canvas._doc.Pages.pages[-1]
    stream = page.stream
    if page.Contents or not stream:
        return
    data = stream.encode("latin-1") if isinstance(stream, str) else stream
    page.Contents = PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}), zlib.compress(data))
    page.stream = None


def _draw_header(canvas: Canvas, plan: L.Plan, top: float) -> None:
    row_top = [top]
    for h in plan.header_heights:
        row_top.append(row_top[-1] - h)
    size, leading = plan.size, plan.leading
    canvas.setLineWidth(GRID_WIDTH)
    with TextBatch(canvas) as batch:
        for cell in plan.header_cells:
            x0, x1 = plan.col_x[cell.col], plan.col_x[cell.col + cell.colspan]
            y0, y1 = row_top[cell.row], row_top[cell.row + cell.rowspan]
            lines = L.cell_lines(cell.label, size, x1 - x0 - 2 * L.PAD_X)
            _lines_in_box(batch, lines, x0, x1, y0, y1, size, leading, "center", bold=True)
    path = canvas.beginPath()
    for cell in plan.header_cells:
        x0, x1 = plan.col_x[cell.col], plan.col_x[cell.col + cell.colspan]
        path.rect(x0, row_top[cell.row + cell.rowspan], x1 - x0, row_top[cell.row] - row_top[cell.row + cell.rowspan])
    canvas.drawPath(path, stroke=1, fill=0)


def _lines_in_box(batch, lines, x0, x1, y0, y1, size, leading, align, bold=False) -> None:
    """Lines centred vertically in the box. Lines that do not fit (a cell taller than a page, or
    a short part of a block split across pages) are cut, and the last line shown ends in …."""
    room = y0 - y1 - 2 * L.PAD_Y
    fits = max(1, int((room + 0.01) // leading))
    if fits < len(lines):
        lines = [*lines[: fits - 1], lines[fits - 1] + CUT_MARK]
    block = len(lines) * leading
    top = (y0 + y1) / 2 + block / 2 if block <= room else y0 - L.PAD_Y
    first = top - (leading - size) / 2 - size * 0.88
    if align == "text":
        align = "center" if len(lines) == 1 else "left"
    x = {"left": x0 + L.PAD_X, "center": (x0 + x1) / 2, "right": x1 - L.PAD_X}[align]
    for i, line in enumerate(lines):
        batch.draw(x, first - i * leading, line, size, align, bold)


def _draw_rows(canvas, table: FormTable, plan: L.Plan, page: L.Page, top: float, active: list) -> float:
    """Draw rows [a, b) below ``top``; ``active`` carries merges across pages. Returns the bottom."""
    a, b = page.rows
    size, leading, kinds, col_x = plan.size, plan.leading, plan.kinds, plan.col_x
    ncols = len(kinds)
    y = top
    row_top: dict[int, float] = {}
    for r in range(a, b):
        row_top[r] = y
        y -= plan.heights[r]
    row_top[b] = y
    bottom = y
    shade = {r for r in range(a, b) if r < len(table.row_kinds) and table.row_kinds[r] in L.TOTAL_KINDS}
    if shade:
        canvas.setFillGray(TOTAL_SHADE)
        canvas.addLiteral(" ".join(f"{col_x[0]:.2f} {row_top[r + 1]:.2f} {plan.width:.2f} {plan.heights[r]:.2f} re"
                                   for r in sorted(shade)) + " f")
        canvas.setFillGray(0)
    hskip: dict[int, set[int]] = {}  # boundary below row r → columns a merge crosses
    vskip: dict[int, set[int]] = {}  # row r → column boundaries a merge crosses
    with TextBatch(canvas) as batch:
        for r in range(a, b):
            active.extend(plan.merges.get(r, ()))
            if active:
                active[:] = [m for m in active if m[2] >= r]
            row = table.rows[r]
            bold = r in shade
            covered: set[int] = set()
            for m in active:
                covered.update(range(m[1], m[3] + 1))
                if m[2] > r:
                    hskip.setdefault(r, set()).update(range(m[1], m[3] + 1))
                if m[3] > m[1]:
                    vskip.setdefault(r, set()).update(range(m[1] + 1, m[3] + 1))
                if m[0] == r or r == a:  # a merged block, or its continuation on this page
                    last = min(m[2], b - 1)
                    text = L.cell_text(L.value_at(table.rows[m[0]], m[1]), kinds[m[1]])
                    if text:
                        x0, x1 = col_x[m[1]], col_x[m[3] + 1]
                        fit, lines = L.cell_fit(text, size, x1 - x0 - 2 * L.PAD_X, plan.shrink[m[1]])
                        _lines_in_box(batch, lines, x0, x1, row_top[r], row_top[last + 1], fit, leading,
                                      _align(kinds[m[1]]), bold)
            for c in range(ncols):
                if c in covered:
                    continue
                text = L.cell_text(row[c] if c < len(row) else None, kinds[c])
                if text:
                    x0, x1 = col_x[c], col_x[c + 1]
                    fit, lines = L.cell_fit(text, size, x1 - x0 - 2 * L.PAD_X, plan.shrink[c])
                    _lines_in_box(batch, lines, x0, x1, row_top[r], row_top[r + 1], fit, leading,
                                  _align(kinds[c]), bold)
    _grid(canvas, plan, a, b, row_top, hskip, vskip, top)
    return bottom


def _align(kind: str) -> str:
    return "center" if kind in L.CENTRED_KINDS else "text"


def _segments(cols: range, skip: set[int], col_x: list[float]) -> list[tuple[float, float]]:
    """Runs of columns not in ``skip``, as x ranges."""
    out: list[tuple[float, float]] = []
    start = None
    for c in cols:
        if c in skip:
            if start is not None:
                out.append((col_x[start], col_x[c]))
                start = None
        elif start is None:
            start = c
    if start is not None:
        out.append((col_x[start], col_x[cols.stop]))
    return out


def _grid(canvas, plan: L.Plan, a: int, b: int, row_top: dict, hskip: dict, vskip: dict, top: float) -> None:
    col_x = plan.col_x
    ncols = len(plan.kinds)
    lines: list[tuple[float, float, float, float]] = []
    for r in range(a, b - 1):  # inner horizontal lines, broken where a merge crosses
        y = row_top[r + 1]
        for x0, x1 in _segments(range(ncols), hskip.get(r, set()), col_x):
            lines.append((x0, y, x1, y))
    bottom = row_top[b]
    for k in range(1, ncols):  # inner vertical lines, broken where a horizontal merge crosses
        if not vskip:
            lines.append((col_x[k], top, col_x[k], bottom))
            continue
        seg_top = None
        for r in range(a, b):
            if k in vskip.get(r, ()):
                if seg_top is not None:
                    lines.append((col_x[k], seg_top, col_x[k], row_top[r]))
                    seg_top = None
            elif seg_top is None:
                seg_top = row_top[r]
        if seg_top is not None:
            lines.append((col_x[k], seg_top, col_x[k], bottom))
    canvas.setLineWidth(GRID_WIDTH)
    if lines:  # canvas.lines formats each number with reportlab's slow fp_str
        canvas.addLiteral("n " + " ".join(f"{x0:.2f} {y0:.2f} m {x1:.2f} {y1:.2f} l" for x0, y0, x1, y1 in lines) + " S")
    canvas.setLineWidth(OUTER_WIDTH)
    header_top = top + plan.header_height
    canvas.rect(col_x[0], bottom, plan.width, header_top - bottom, stroke=1, fill=0)
    canvas.line(col_x[0], top, col_x[-1], top)


def _draw_tail(canvas, plan: L.Plan, page: L.Page, top: float) -> None:
    """The summary line, 填报说明 and notes, wrapped to the table width."""
    i0, i1 = page.tail
    with TextBatch(canvas) as batch:
        for n, i in enumerate(range(i0, i1)):
            line, _first = plan.tail[i]
            y = top - n * plan.leading - plan.size * 0.88
            batch.draw(plan.col_x[0], y, line, plan.size)



"""Page furniture of the form PDFs: page 1's head with the seal square, the running head of
later pages, the footer, and the 草稿 watermark (forms.md §0).

The seal square (``seal_area``) is computed, not drawn: nothing is ever printed inside it, the
watermark included, so the office's round seal lands on clean paper beside 填报单位.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from reportlab.pdfgen.canvas import FILL_EVEN_ODD, FILL_NON_ZERO, Canvas

from app.exporters.pdf import layout as L
from app.exporters.pdf.text import TextBatch, ensure_fonts, text_width
from app.forms.layouts import HEADER_BLOCK, SEAL_NOTE
from app.forms.table import FormTable
from app.kernel.month import month_label

WATERMARK = "草稿"
SIGN_NOTE = "（签字）"


def data_month_text(period: str) -> str:
    """``2020-03`` → ``2020年3月数据``."""
    try:
        return month_label(period)
    except ValueError:
        return period


def export_time_text(at: dt.datetime) -> str:
    return f"导出时间：{at.year}年{at.month}月{at.day}日 {at:%H:%M}"


def head_geometry(table: FormTable, pagesize: tuple[float, float]) -> dict:
    """Where page 1's head goes: baselines, the seal square (x, y, w, h) and the block items."""
    width, height = pagesize
    x0, x1 = L.MARGIN_X, width - L.MARGIN_X
    size = L.BLOCK_SIZE
    seal_top = height - L.MARGIN_TOP - L.ATTACH_SIZE * 1.4 - L.TITLE_SIZE * 1.8
    baseline = seal_top - L.SEAL / 2 - size * 0.35
    unit = f"{HEADER_BLOCK[0]}{table.reporting_unit}{SEAL_NOTE}"
    seal_x = x0 + text_width(unit, size) + 4
    items = _block_items(table)
    widths = [text_width(t, size) for t, _ in items]
    sign = 18 * L.mm
    x = seal_x + L.SEAL + 10
    one_line = sum(widths) + sign + 4 + 18 * (len(items) - 1) <= x1 - x
    placed = []
    for i, ((text, signed), w) in enumerate(zip(items, widths, strict=True)):
        y = baseline if one_line else baseline + size * 1.8 * (1 - i)
        placed.append((x, y, text, signed, w))
        if one_line:
            x += w + (sign + 4 if signed else 0) + 18
    return {
        "attach": (x0, height - L.MARGIN_TOP - L.ATTACH_SIZE),
        "title": ((x0 + x1) / 2, height - L.MARGIN_TOP - L.ATTACH_SIZE - L.TITLE_SIZE * 1.6),
        "title_size": min(L.TITLE_SIZE, L.TITLE_SIZE * (x1 - x0) / max(text_width(table.title, L.TITLE_SIZE), 1)),
        "unit": (x0, baseline, unit),
        "seal": (seal_x, seal_top - L.SEAL, L.SEAL, L.SEAL),
        "items": placed,
        "sign": sign,
    }


def seal_area(table: FormTable) -> tuple[float, float, float, float]:
    """The square on page 1 kept blank for the round seal: (x, y, width, height) in points from
    the bottom-left corner of the page; at least 42 mm × 42 mm, beside 填报单位."""
    ensure_fonts()
    return head_geometry(table, L.choose_paper([c.width for c in table.columns])[1])["seal"]


def first_page_head(canvas: Canvas, table: FormTable, plan: L.Plan) -> None:
    """附件N, the title, and the 填报单位 line with the seal square kept blank beside the unit."""
    g = head_geometry(table, plan.pagesize)
    size = L.BLOCK_SIZE
    with TextBatch(canvas) as batch:
        batch.draw(*g["attach"], table.form, L.ATTACH_SIZE, bold=True)
        batch.draw(*g["title"], table.title, g["title_size"], "center", bold=True)
        x, y, unit = g["unit"]
        batch.draw(x, y, unit, size)
        for x, y, text, signed, w in g["items"]:
            batch.draw(x, y, text, size)
            if signed:
                _signature(canvas, batch, x + w + 2, y, g["sign"], size)


def _block_items(table: FormTable) -> list[tuple[str, bool]]:
    return [
        (f"{HEADER_BLOCK[1]}{table.preparer}", True),
        (f"{HEADER_BLOCK[2]}{table.preparer_phone}", False),
        (f"{HEADER_BLOCK[3]}{table.filed_on_text}", False),
    ]


def _signature(canvas: Canvas, batch: TextBatch, x: float, y: float, width: float, size: float) -> None:
    """A line to sign on after the preparer's name, with （签字） under it."""
    canvas.setLineWidth(0.5)
    canvas.line(x, y - 2, x + width, y - 2)
    batch.draw(x + width / 2, y - size * 1.1, SIGN_NOTE, max(L.MIN_TEXT, size * 0.6), "center")


def running_head(canvas: Canvas, table: FormTable, plan: L.Plan) -> None:
    width, height = plan.pagesize
    y = height - L.MARGIN_TOP - 11
    with TextBatch(canvas) as batch:
        batch.draw(L.MARGIN_X, y, table.form, 10, bold=True)
        batch.draw(width / 2, y, f"{table.title}（续）", 10, "center")


def footer(canvas, table: FormTable, plan: L.Plan, number: int, total: int, at: dt.datetime) -> None:
    width = plan.pagesize[0]
    y = L.MARGIN_BOTTOM * 0.45
    with TextBatch(canvas) as batch:
        batch.draw(L.MARGIN_X, y, data_month_text(table.period), 8)
        batch.draw(width / 2, y, f"第{number}页 共{total}页", 9, "center")
        batch.draw(width - L.MARGIN_X, y, export_time_text(at), 8, "right")


def watermark(canvas, plan: L.Plan, keep_clear: tuple[float, float, float, float] | None) -> None:
    """A light, diagonal 草稿 over the page centre (translucent, so the data stays legible),
    never over the seal square (clipped out of it on page 1)."""
    width, height = plan.pagesize
    canvas.saveState()
    if keep_clear:
        clip = canvas.beginPath()
        clip.rect(0, 0, width, height)
        clip.rect(*keep_clear)
        canvas.clipPath(clip, stroke=0, fill=0, fillMode=FILL_EVEN_ODD)
    canvas.setFillGray(0.5)
    canvas.setFillAlpha(0.22)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(30)
    size = min(width, height) * 0.38
    outline, advance = watermark_outline()
    canvas.translate(-advance * size / 2, -size * 0.35)
    canvas.scale(size, size)
    canvas.drawPath(outline(canvas), stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    canvas.restoreState()


@lru_cache(maxsize=1)
def watermark_outline():
    """草稿 as glyph outlines (one em = 1), not as text: drawn as paths it never enters the PDF's
    text layer, so copying or extracting a draft's text gives its data without 草稿 in it.
    Returns (a function canvas → path, the advance width in ems)."""
    from fontTools.pens.basePen import BasePen
    from fontTools.ttLib import TTFont

    from app.fonts import FACES
    from app.resources import resource

    font = TTFont(resource("fonts", FACES[0][1]), lazy=True)
    em = font["head"].unitsPerEm
    glyphs, cmap = font.getGlyphSet(), font.getBestCmap()
    ops: list[tuple[str, tuple[float, ...]]] = []

    class _Record(BasePen):
        def _moveTo(self, p):
            ops.append(("moveTo", (p[0] / em + self.dx, p[1] / em)))

        def _lineTo(self, p):
            ops.append(("lineTo", (p[0] / em + self.dx, p[1] / em)))

        def _curveToOne(self, p1, p2, p3):
            ops.append(("curveTo", tuple(v for p in (p1, p2, p3) for v in (p[0] / em + self.dx, p[1] / em))))

        def _closePath(self):
            ops.append(("close", ()))

    pen = _Record(glyphs)
    pen.dx = 0.0
    for ch in WATERMARK:
        name = cmap[ord(ch)]
        glyphs[name].draw(pen)
        pen.dx += glyphs[name].width / em
    advance = pen.dx
    font.close()

    def outline(canvas):
        path = canvas.beginPath()
        for op, args in ops:
            getattr(path, op)(*args)
        return path

    return outline, advance

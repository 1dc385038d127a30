"""Tiling a wall chart onto A4/A3 sheets: one redraw per sheet clipped to its printable area,
10 mm overlap strips to glue (dashed), crop marks at the trim corners, a row-column label on every
sheet, and a first index sheet with the whole chart and the sheet grid over it."""

from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.exporters.pdf.drawing import ink, save_flate
from app.exporters.pdf.text import draw_text, ensure_fonts
from app.exporters.wallchart import GREY, INK, PAPERS, RED, TILES, VW, chart_canvas, draw_chart
from app.kernel.views import WallChart


def needs_tiling(paper: str, tile: str) -> bool:
    """Whether ``tile`` sheets are smaller than the chart's ``paper`` (else there is nothing to tile)."""
    tw, th = PAPERS[tile]
    pw, ph = PAPERS[paper]
    return tw * th < pw * ph


def write_tiled(chart: WallChart, out, paper: str, tile: str) -> dict:
    """The chart drawn at ``paper`` size, cut onto ``tile`` sheets after an index sheet; returns
    {"pages", "paper", "tile", "rows", "cols"}."""
    ensure_fonts()
    pw, ph = landscape(PAPERS[paper])
    k = pw / VW
    if tile not in TILES:
        raise ValueError(tile)
    if not needs_tiling(paper, tile):
        raise ValueError(f"tile {tile} is not smaller than the chart's paper {paper}")
    m, overlap = 12 * mm, 10 * mm
    rows, cols, (sw, sh) = tile_plan(paper, tile)
    cw, chh = sw - 2 * m, sh - 2 * m
    c = chart_canvas(out, (sw, sh), chart)
    _index_sheet(c, chart, sw, sh, rows, cols, cw, chh, overlap, pw, ph, k, paper, tile)
    for r in range(rows):
        for col in range(cols):
            x0 = col * (cw - overlap)
            y_top = ph - r * (chh - overlap)
            c.saveState()
            p = c.beginPath()
            p.rect(m, m, cw, chh)
            c.clipPath(p, stroke=0, fill=0)
            c.translate(m - x0, m - (y_top - chh))
            c.scale(k, k)
            draw_chart(c, chart)
            c.restoreState()
            _marks(c, sw, sh, m, cw, chh, overlap, r, col, rows, cols, chart, paper)
            c.showPage()
    save_flate(c)
    return {"pages": rows * cols + 1, "paper": paper, "tile": tile, "rows": rows, "cols": cols}


def tile_plan(paper: str, tile: str) -> tuple[int, int, tuple[float, float]]:
    """(rows, cols, sheet size) of ``paper`` landscape tiled onto ``tile`` sheets, in the
    orientation needing fewer sheets; 12 mm margins for marks, 10 mm overlap to glue."""
    pw, ph = landscape(PAPERS[paper])
    tw, th = PAPERS[tile]
    m, overlap = 12 * mm, 10 * mm

    def grid(sw: float, sh: float) -> tuple[int, int]:
        cw, chh = sw - 2 * m, sh - 2 * m
        return (max(1, math.ceil((ph - overlap) / (chh - overlap))),
                max(1, math.ceil((pw - overlap) / (cw - overlap))))

    sheet = min(((tw, th), (th, tw)), key=lambda s: (grid(*s)[0] * grid(*s)[1], -s[0]))
    return (*grid(*sheet), sheet)


def _marks(c: Canvas, sw, sh, m, cw, chh, overlap, r, col, rows, cols, chart: WallChart, paper: str) -> None:
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.4)
    L = m * 0.7
    for x in (m, m + cw):
        for y in (m, m + chh):
            dx = -1 if x == m else 1
            dy = -1 if y == m else 1
            c.line(x + dx * 2, y, x + dx * L, y)
            c.line(x, y + dy * 2, x, y + dy * L)
    c.setDash(3, 3)
    c.setStrokeColor(GREY)
    if col < cols - 1:
        c.line(m + cw - overlap, m, m + cw - overlap, m + chh)
    if r < rows - 1:
        c.line(m, m + overlap, m + cw, m + overlap)
    c.setDash()
    ink(c, INK)
    label = f"第{r + 1}行第{col + 1}列（共{rows}行×{cols}列） {r + 1}-{col + 1}"
    draw_text(c, m + 8, sh - m + 8, label, 10, bold=True)  # clear of the corner marks
    draw_text(c, sw - m - 8, sh - m + 8, f"{chart.title} · {chart.month_label} · {paper}拼贴", 8, "right")
    hint = []
    if col < cols - 1:
        hint.append("右侧虚线外为粘贴重叠区")
    if r < rows - 1:
        hint.append("下方虚线外为粘贴重叠区")
    draw_text(c, m + 8, m - 16, "；".join(hint) or "沿角线裁切", 8)


def _index_sheet(c: Canvas, chart: WallChart, sw, sh, rows, cols, cw, chh, overlap, pw, ph, k, paper, tile) -> None:
    m = 12 * mm
    ink(c, INK)
    draw_text(c, sw / 2, sh - m - 14, f"拼贴索引：{chart.title}（{chart.month_label}）", 16, "center", bold=True)
    draw_text(c, sw / 2, sh - m - 34,
              f"{paper}横向，分{rows}行×{cols}列共{rows * cols}张{tile}纸；每张标有“第几行第几列”，"
              f"沿角线裁切，按虚线重叠粘贴。", 10, "center")
    avail_w, avail_h = sw - 2 * m, sh - 2 * m - 60
    s = min(avail_w / pw, avail_h / ph)
    ox = (sw - pw * s) / 2
    oy = m + (avail_h - ph * s) / 2
    c.saveState()
    c.translate(ox, oy)
    c.scale(s * k, s * k)
    draw_chart(c, chart)
    c.restoreState()
    c.setStrokeColor(colors.black)
    c.rect(ox, oy, pw * s, ph * s, stroke=1, fill=0)
    c.setStrokeColor(RED)
    c.setLineWidth(0.8)
    for r in range(rows):
        for col in range(cols):
            x0 = col * (cw - overlap)
            y_top = ph - r * (chh - overlap)
            rx, ry = ox + x0 * s, oy + (y_top - chh) * s
            rw, rh = cw * s, chh * s
            c.setDash(2, 2)
            c.rect(rx, max(ry, oy), min(rw, ox + pw * s - rx), min(rh, oy + ph * s - max(ry, oy)), stroke=1, fill=0)
            c.setDash()
            ink(c, RED)
            draw_text(c, rx + 4, ry + rh - 12 if ry + rh <= oy + ph * s else oy + ph * s - 12, f"{r + 1}-{col + 1}",
                      10, bold=True)
    c.showPage()

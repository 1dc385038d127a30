"""The wall chart PDF (挂图作战图, forms.md §6): one landscape sheet A0–A3, or tiled onto A4/A3.

The chart is drawn in a virtual A3-landscape space and scaled to the paper, so every A-size prints
the same picture (fonts grow with the paper: 12 pt at A3 is 34 pt at A0, readable from two
metres). Tiling redraws the chart once per sheet, clipped to the sheet's printable area, with an
overlap strip to glue, crop marks at the trim corners and a row-column label; a first index sheet
shows the whole chart with the sheet grid over it.
"""

from __future__ import annotations

import math
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A0, A1, A2, A3, A4, landscape
from reportlab.pdfgen.canvas import Canvas

from app.domain import RISK_COLOUR_NAMES
from app.exporters.pdf.drawing import fit, ink, new_canvas, save_flate
from app.exporters.pdf.text import TextBatch, draw_text, ensure_fonts, text_width
from app.kernel.month import Month
from app.kernel.views import WallChart

PAPERS = {"A0": A0, "A1": A1, "A2": A2, "A3": A3, "A4": A4}
TILES = ("A4", "A3")
VW, VH = landscape(A3)  # the virtual drawing space
MARGIN = 26.0
RED = colors.Color(0.72, 0.09, 0.09)
ORANGE = colors.Color(0.93, 0.56, 0.16)
INK = colors.Color(0.12, 0.12, 0.12)
GREY = colors.Color(0.55, 0.55, 0.55)
PALE = colors.Color(0.96, 0.93, 0.88)
CLOSED_FILL = colors.Color(0.88, 0.95, 0.88)
RISK_FILL = {"red": colors.Color(0.85, 0.12, 0.12), "yellow": colors.Color(0.96, 0.78, 0.1),
             "green": colors.Color(0.2, 0.62, 0.28)}
MAX_BARS = 30


def write_wallchart(chart: WallChart, out: str | Path, paper: str = "A1") -> dict:
    """Write the chart on one sheet; returns {"pages", "paper", "tile", "rows", "cols"}. Tiled onto
    smaller sheets: ``app.exporters.wallchart_tiles.write_tiled``."""
    ensure_fonts()
    pw, ph = landscape(PAPERS[paper])
    k = pw / VW
    c = chart_canvas(out, (pw, ph), chart)
    c.scale(k, k)
    draw_chart(c, chart)
    c.showPage()
    save_flate(c)
    return {"pages": 1, "paper": paper, "tile": None, "rows": 1, "cols": 1}


def chart_canvas(out, size, chart: WallChart) -> Canvas:
    return new_canvas(out, size, chart.title, f"{chart.unit_path} {chart.month_label}")


# ---------------------------------------------------------------------------- the chart
def draw_chart(c: Canvas, ch: WallChart) -> None:
    """Draw the whole chart in the virtual A3-landscape space (0..VW, 0..VH)."""
    ink(c, colors.white)
    c.rect(0, 0, VW, VH, stroke=0, fill=1)
    top = _header(c, ch)
    top = _key_figures(c, ch, top - 10)
    bottom = MARGIN + 30
    _footer(c, ch)
    if ch.level == "village":
        left_w = VW * 0.33
        _side_panels(c, ch, MARGIN, top - 10, left_w - MARGIN - 8, bottom)
        _household_table(c, ch, left_w + 4, top - 10, VW - MARGIN - left_w - 4, bottom)
    else:
        left_w = VW * 0.58
        y = _bar_chart(c, ch, MARGIN, top - 10, left_w - MARGIN - 10, (top - bottom) * 0.58)
        _cadres(c, ch, MARGIN, y - 12, left_w - MARGIN - 10, bottom)
        _side_panels(c, ch, left_w + 4, top - 10, VW - MARGIN - left_w - 4, bottom, cadres=False)


def _header(c: Canvas, ch: WallChart) -> float:
    h = 62
    ink(c, RED)
    c.rect(0, VH - h, VW, h, stroke=0, fill=1)
    ink(c, colors.white)
    draw_text(c, VW / 2, VH - 42, ch.title, 30, "center", bold=True)
    ink(c, INK)
    sub = (f"{ch.month_label} · {ch.due_label} · 单位：{ch.unit_path} · "
           f"制图：{ch.made.year}年{ch.made.month}月{ch.made.day}日 · 脱贫一户 销号一户")
    draw_text(c, VW / 2, VH - h - 20, sub, 13, "center")
    return VH - h - 28


def _key_figures(c: Canvas, ch: WallChart, top: float) -> float:
    boxes = [
        ("建档立卡贫困人口", f"{ch.persons}人", f"{ch.households}户"),
        ("年人均收入5000元以下", f"{ch.band_a[1]}人", f"{ch.band_a[0]}户"),
        ("5000—5760元之间", f"{ch.band_b[1]}人", f"{ch.band_b[0]}户"),
        ("已销号户", f"{ch.closed[0]}户", f"{ch.closed[1]}人"),
        ("贫困村（有建档立卡户的村）", f"{ch.poor_villages}个", f"共{ch.villages_total}个村"),
        ("返贫风险 红/黄/绿", f"{ch.risk.get('red', 0)}/{ch.risk.get('yellow', 0)}/{ch.risk.get('green', 0)}", "户"),
    ]
    n, gap, h = len(boxes), 10, 78
    w = (VW - 2 * MARGIN - gap * (n - 1)) / n
    for i, (label, big, small) in enumerate(boxes):
        x = MARGIN + i * (w + gap)
        ink(c, PALE)
        c.setStrokeColor(RED)
        c.setLineWidth(1.2)
        c.roundRect(x, top - h, w, h, 6, stroke=1, fill=1)
        ink(c, INK)
        draw_text(c, x + w / 2, top - 18, label, fit(label, 12, w - 10), "center")
        ink(c, RED)
        draw_text(c, x + w / 2, top - 50, big, fit(big, 28, w - 10), "center", bold=True)
        ink(c, INK)
        draw_text(c, x + w / 2, top - 70, small, 12, "center")
    return top - h


def _section(c: Canvas, x: float, y: float, w: float, title: str) -> float:
    ink(c, RED)
    c.rect(x, y - 20, 5, 18, stroke=0, fill=1)
    ink(c, INK)
    draw_text(c, x + 10, y - 16, title, 15, bold=True)
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    c.line(x, y - 24, x + w, y - 24)
    return y - 30


def _bar_chart(c: Canvas, ch: WallChart, x: float, top: float, w: float, h: float) -> float:
    word = "乡镇" if ch.level == "county" else "村"
    y = _section(c, x, top, w, f"建档立卡贫困人口分布（按{word}，人）")
    rows = list(ch.by_unit)
    base = top - h
    _band_legend(c, x, top, w)
    if len(rows) > MAX_BARS:
        _hbar_grid(c, rows, x, y, w, base)
        return base
    label_h = 40
    chart_h = y - base - label_h - 18
    vmax = max([r.persons for r in rows] + [1])
    n = max(len(rows), 1)
    slot = w / n
    bw = min(slot * 0.62, 60)
    label_size = min(12.0, max(6.0, slot / 3.2))
    for i, r in enumerate(rows):
        cx = x + slot * (i + 0.5)
        ha = chart_h * r.band_a / vmax
        hb = chart_h * r.band_b / vmax
        y0 = base + label_h
        ink(c, RED)
        c.rect(cx - bw / 2, y0, bw, ha, stroke=0, fill=1)
        ink(c, ORANGE)
        c.rect(cx - bw / 2, y0 + ha, bw, hb, stroke=0, fill=1)
        ink(c, INK)
        draw_text(c, cx, y0 + ha + hb + 4, str(r.persons), min(13.0, label_size + 1), "center", bold=True)
        inner = min(11.0, label_size)
        for value, y_mid, seg, colour in ((r.band_a, y0 + ha / 2, ha, colors.white), (r.band_b, y0 + ha + hb / 2, hb, INK)):
            if value and seg > inner * 1.6 and text_width(str(value), inner) < bw - 2:
                ink(c, colour)
                draw_text(c, cx, y_mid - inner * 0.35, str(value), inner, "center")
        ink(c, INK)
        name = r.name
        size = fit(name, label_size, slot - 2)
        if size < label_size * 0.75 and len(name) > 3:  # two lines rather than tiny
            half = (len(name) + 1) // 2
            draw_text(c, cx, base + label_h - 14, name[:half], fit(name[:half], label_size, slot - 2), "center")
            draw_text(c, cx, base + label_h - 28, name[half:], fit(name[half:], label_size, slot - 2), "center")
        else:
            draw_text(c, cx, base + label_h - 14, name, size, "center")
            if ch.level == "county":  # the distribution of poor villages, under each township
                ink(c, GREY)
                text = f"贫困村{r.villages}个"
                draw_text(c, cx, base + label_h - 28, text, fit(text, label_size * 0.85, slot - 2), "center")
                ink(c, INK)
    c.setStrokeColor(INK)
    c.setLineWidth(1)
    c.line(x, base + label_h, x + w, base + label_h)
    return base


def _band_legend(c: Canvas, x: float, top: float, w: float) -> None:
    lx = x + w - 250
    for colour, text in ((RED, "年人均收入5000元以下"), (ORANGE, "5000—5760元")):
        ink(c, colour)
        c.rect(lx, top - 16, 12, 10, stroke=0, fill=1)
        ink(c, INK)
        lx += 16 + draw_text(c, lx + 16, top - 15, text, 11) + 12


def _hbar_grid(c: Canvas, rows: list, x: float, top: float, w: float, base: float) -> None:
    """Many units (a township of 90 villages): horizontal stacked bars in as many columns as needed."""
    avail = top - base
    per_col = max(1, int(avail // 9.5))
    ncol = math.ceil(len(rows) / per_col)
    per_col = math.ceil(len(rows) / ncol)
    row_h = min(16.0, avail / per_col)
    size = max(4.5, min(10.0, row_h * 0.72))
    cw = w / ncol
    name_w, num_w = cw * 0.38, cw * 0.16
    bar_w = cw - name_w - num_w - 8
    vmax = max([r.persons for r in rows] + [1])
    for i, r in enumerate(rows):
        cx = x + (i // per_col) * cw
        cy = top - (i % per_col + 1) * row_h
        ha = bar_w * r.band_a / vmax
        hb = bar_w * r.band_b / vmax
        ink(c, RED)
        c.rect(cx + name_w, cy + row_h * 0.18, ha, row_h * 0.64, stroke=0, fill=1)
        ink(c, ORANGE)
        c.rect(cx + name_w + ha, cy + row_h * 0.18, hb, row_h * 0.64, stroke=0, fill=1)
    ink(c, INK)
    with TextBatch(c) as tb:
        for i, r in enumerate(rows):
            cx = x + (i // per_col) * cw
            cy = top - (i % per_col + 1) * row_h + (row_h - size) / 2 + size * 0.15
            tb.draw(cx + name_w - 4, cy, r.name, fit(r.name, size, name_w - 6), "right")
            tb.draw(cx + name_w + bar_w * (r.band_a + r.band_b) / vmax + 3, cy, str(r.persons), size)


def _side_panels(c: Canvas, ch: WallChart, x: float, top: float, w: float, bottom: float,
                 cadres: bool = True) -> None:
    y = _section(c, x, top, w, "享受政策（户）")
    vmax = max([h for _c, h, _p in ch.measures] + [1])
    label_w = 96
    row = 17
    for cat, hh, pp in ch.measures:
        ink(c, INK)
        draw_text(c, x + label_w - 6, y - 12, cat, 12, "right")
        bar = (w - label_w - 110) * hh / vmax
        ink(c, RED)
        c.rect(x + label_w, y - 14, bar, 12, stroke=0, fill=1)
        ink(c, INK)
        draw_text(c, x + label_w + bar + 5, y - 12, f"{hh}户 {pp}人", 11)
        y -= row
    y = _section(c, x, y - 8, w, "预估年人均纯收入分布（人）")
    for title, bins in (("5000元以下户", ch.band_a_bins), ("5000—5760元户", ch.band_b_bins)):
        ink(c, INK)
        draw_text(c, x, y - 13, title, 12, bold=True)
        cx = x + 100
        cw = (w - 100) / 3
        for label, n in bins.items():
            draw_text(c, cx + cw / 2, y - 13, f"{label} {n}", fit(f"{label} {n}", 12, cw - 4), "center")
            cx += cw
        y -= 19
    draw_text(c, x, y - 12, f"本年累计人均纯收入（截至上月底）平均 {ch.ytd_average} 元", 11)
    y = _section(c, x, y - 24, w, "预计收入达到5000元以上时间（户，括号内已销号）")
    months = [m for m in ch.expected if m[0].startswith(str(ch.year))]
    other = [m for m in ch.expected if not m[0].startswith(str(ch.year))]
    cols = 6
    cw = w / cols
    for i, (m, hh, closed) in enumerate(months):
        cx = x + (i % cols) * cw
        cy = y - (i // cols) * 36
        current = m <= ch.month.replace("-", ".")
        ink(c, CLOSED_FILL if current else PALE)
        c.setStrokeColor(GREY)
        c.rect(cx + 2, cy - 32, cw - 4, 30, stroke=1, fill=1)
        ink(c, INK)
        draw_text(c, cx + cw / 2, cy - 14, f"{Month.parse(m).month}月", 11, "center")
        draw_text(c, cx + cw / 2, cy - 28, f"{hh}户（{closed}）" if closed else f"{hh}户", 11, "center", bold=True)
    y -= 36 * math.ceil(max(len(months), 1) / cols) + 4
    if other:
        ink(c, RED)
        odd = "时间待核实：" + "、".join(f"{m} {hh}户" for m, hh, _c in other)
        draw_text(c, x, y - 12, odd, fit(odd, 11, w))
        y -= 16
    ink(c, INK)
    key = f"关键时间：每月5日前报送上月数据；本月（{ch.month_label}）{ch.due_label}。"
    draw_text(c, x, y - 14, key, fit(key, 12, w), bold=True)
    y -= 22
    if cadres:
        _cadres(c, ch, x, y - 4, w, bottom)


def _cadres(c: Canvas, ch: WallChart, x: float, top: float, w: float, bottom: float) -> None:
    y = _section(c, x, top, w, f"帮扶责任人及联系方式（{len(ch.cadres)}人）")
    size, row = 11.0, 16.0
    cols = max(1, int(w // 270))
    cw = w / cols
    fit_rows = max(0, int((y - bottom) // row))
    capacity = fit_rows * cols
    shown = ch.cadres if len(ch.cadres) <= capacity else ch.cadres[:max(0, capacity - 1)]
    ink(c, INK)
    with TextBatch(c) as tb:
        for i, cad in enumerate(shown):
            cx = x + (i // max(fit_rows, 1)) * cw
            cy = y - (i % max(fit_rows, 1)) * row - 12
            line = f"{cad.name}  {cad.phone}  {cad.unit}（{cad.households}户）"
            tb.draw(cx, cy, line, fit(line, size, cw - 8))
        if len(shown) < len(ch.cadres):
            i = len(shown)
            cx = x + (i // max(fit_rows, 1)) * cw
            cy = y - (i % max(fit_rows, 1)) * row - 12
            tb.draw(cx, cy, f"……等，共{len(ch.cadres)}名帮扶责任人（名单见明白卡）", size)


def _household_table(c: Canvas, ch: WallChart, x: float, top: float, w: float, bottom: float) -> None:
    y = _section(c, x, top, w, f"建档立卡户一览（{ch.households}户，户主电话已隐去中间四位）")
    cols = [("序号", 0.05), ("户主", 0.12), ("人口", 0.05), ("收入类别", 0.09), ("联系电话", 0.14),
            ("享受政策", 0.25), ("帮扶人", 0.1), ("预计时间", 0.09), ("风险", 0.05), ("销号", 0.06)]
    rows = ch.household_rows
    head_h = 18
    avail = y - bottom - head_h
    blocks = 1
    while blocks < 4 and rows and avail / math.ceil(len(rows) / blocks) < 11:
        blocks += 1
    per = math.ceil(len(rows) / blocks) if rows else 1
    row_h = min(20.0, avail / max(per, 1))
    size = max(4.5, min(11.0, row_h * 0.62))
    bw = (w - (blocks - 1) * 8) / blocks
    for b in range(blocks):
        bx = x + b * (bw + 8)
        part = rows[b * per:(b + 1) * per]
        ink(c, RED)
        c.rect(bx, y - head_h, bw, head_h, stroke=0, fill=1)
        ink(c, colors.white)
        cx = bx
        for name, frac in cols:
            draw_text(c, cx + bw * frac / 2, y - head_h + 5, name, fit(name, 10, bw * frac - 2), "center", bold=True)
            cx += bw * frac
        ry = y - head_h
        for i, r in enumerate(part):
            if r.closed_out:
                ink(c, CLOSED_FILL)
                c.rect(bx, ry - row_h, bw, row_h, stroke=0, fill=1)
            elif i % 2:
                ink(c, colors.Color(0.97, 0.97, 0.97))
                c.rect(bx, ry - row_h, bw, row_h, stroke=0, fill=1)
            ry -= row_h
        ry = y - head_h
        band_word = {"A": "5000以下", "B": "5000-5760"}
        marks = []
        ink(c, INK)
        with TextBatch(c) as tb:
            for r in part:
                base = ry - row_h + (row_h - size) / 2 + size * 0.12
                values = [str(r.seq), r.head, str(r.size), band_word.get(r.band, r.band), r.phone, r.measures,
                          r.helper, r.expected_month, RISK_COLOUR_NAMES.get(r.risk_colour, ""), ""]
                cx = bx
                for k, ((_name, frac), v) in enumerate(zip(cols, values, strict=True)):
                    cw = bw * frac
                    if k == 8:  # risk: the word right of the coloured dot
                        tb.draw(cx + cw * 0.5, base, v, fit(v, size, cw * 0.5 - 1))
                    elif v:
                        tb.draw(cx + 3 if frac > 0.1 else cx + cw / 2, base, v, fit(v, size, cw - 4),
                                "left" if frac > 0.1 else "center")
                    cx += cw
                marks.append((ry, r))
                ry -= row_h
        risk_x = bx + bw * sum(f for _n, f in cols[:8])
        closed_x = risk_x + bw * cols[8][1]
        for ry0, r in marks:
            cy = ry0 - row_h / 2
            ink(c, RISK_FILL.get(r.risk_colour, GREY))
            c.circle(risk_x + bw * cols[8][1] * 0.27, cy, min(row_h * 0.28, bw * cols[8][1] * 0.2, 5), stroke=0, fill=1)
            if r.closed_out:
                c.setStrokeColor(RED)
                c.setLineWidth(max(0.6, size * 0.08))
                sw = bw * cols[9][1] - 4
                c.roundRect(closed_x + 2, ry0 - row_h + 1, sw, row_h - 2, 2, stroke=1, fill=0)
                ink(c, RED)
                draw_text(c, closed_x + 2 + sw / 2, cy - size * 0.35, "已销号", fit("已销号", size, sw - 2), "center",
                          bold=True)
        c.setStrokeColor(GREY)
        c.setLineWidth(0.4)
        c.rect(bx, ry, bw, y - ry, stroke=1, fill=0)


def _footer(c: Canvas, ch: WallChart) -> None:
    y = MARGIN + 6
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    c.line(MARGIN, y + 18, VW - MARGIN, y + 18)
    x = MARGIN
    ink(c, INK)
    x += draw_text(c, x, y, "图例：", 12, bold=True) + 4
    for colour, name, text in (("red", "红", "返贫风险高"), ("yellow", "黄", "有返贫风险"), ("green", "绿", "稳定")):
        ink(c, RISK_FILL[colour])
        c.circle(x + 6, y + 4, 5, stroke=0, fill=1)
        ink(c, INK)
        x += 16 + draw_text(c, x + 14, y, f"{name} {text}", 12) + 12
    ink(c, CLOSED_FILL)
    c.rect(x, y - 3, 30, 14, stroke=0, fill=1)
    c.setStrokeColor(RED)
    c.roundRect(x + 2, y - 2, 26, 12, 2, stroke=1, fill=0)
    ink(c, RED)
    draw_text(c, x + 15, y, "销号", 8, "center", bold=True)
    ink(c, INK)
    x += 36 + draw_text(c, x + 36, y, "已销号户（脱贫一户 销号一户）", 12) + 16
    draw_text(c, VW - MARGIN, y, f"数据截至{Month.parse(ch.month).short}底 · 户主电话已隐去中间四位 · 每月更新",
              12, "right")

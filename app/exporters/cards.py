"""明白卡 PDF (forms.md §7): two cards per A4 sheet with a dashed cut line, each with a QR code.

A card is an A5-landscape half of a portrait A4 sheet: unit, head (phone masked), members, the
numbered measures, income items with 合计/人均, the helper cadre and phone, the expected month, a
销号 stamp when closed out, and a QR code (segno, level M, drawn as vector squares) holding the
payload of ``app.kernel.views.make_payload``.
"""

from __future__ import annotations

from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.exporters.pdf.drawing import fit, ink, new_canvas, save_flate
from app.exporters.pdf.text import TextBatch, draw_text, ensure_fonts, text_width, wrap
from app.kernel.month import month_label
from app.kernel.views import Card
from app.rules.phones import mask_phone

PW, PH = A4
CARD_H = PH / 2
PAD = 22.0
QR_SIZE = 118.0
RED = colors.Color(0.72, 0.09, 0.09)
INK = colors.Color(0.1, 0.1, 0.1)
GREY = colors.Color(0.5, 0.5, 0.5)
PALE = colors.Color(0.97, 0.94, 0.89)
QR_MASK = 4  # any of 0–7 is valid; see draw_qr
BAND_WORDS = {"A": "年人均收入5000元以下", "B": "年人均收入5000—5760元"}


def write_cards(cards: list[Card], out: str | Path, title: str = "扶贫明白卡", progress=None) -> dict:
    """Write every card, two per page; returns {"cards", "pages"}. ``progress(done, total)`` is
    called every 50 cards (it may raise to stop; the caller removes the partial file)."""
    ensure_fonts()
    c = new_canvas(out, A4, title)
    pages = 0
    for i in range(0, max(len(cards), 1), 2):
        pair = cards[i:i + 2]
        for j, card in enumerate(pair):
            draw_card(c, card, PH - (j + 1) * CARD_H, mask_phone)
        _cut_line(c)
        c.showPage()
        pages += 1
        if progress is not None and pages % 25 == 0:
            progress(min(i + 2, len(cards)), len(cards))
    save_flate(c)
    return {"cards": len(cards), "pages": pages}


def _cut_line(c: Canvas) -> None:
    c.setStrokeColor(GREY)
    c.setLineWidth(0.6)
    c.setDash(4, 3)
    c.line(8, CARD_H, PW - 8, CARD_H)
    c.setDash()
    ink(c, colors.white)
    w = text_width("✂ 沿此虚线剪开", 8) + 8
    c.rect(PW / 2 - w / 2, CARD_H - 5, w, 10, stroke=0, fill=1)
    ink(c, GREY)
    draw_text(c, PW / 2, CARD_H - 3, "✂ 沿此虚线剪开", 8, "center")


def draw_qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    """The payload as a QR code (level M, quiet zone of 4 modules) filling ``size`` points at x, y.

    A fixed mask pattern (legal for any symbol) skips segno's scoring of all eight, which took
    most of the time of a township's cards; the squares go out as one literal path.
    """
    qr = segno.make(payload, error="m", micro=False, mask=QR_MASK)
    rows = list(qr.matrix_iter(scale=1, border=4))
    n = len(rows)
    m = size / n
    ink(c, colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    ink(c, colors.black)
    ops = []
    for r, row in enumerate(rows):
        col = 0
        while col < n:  # one rectangle per horizontal run of dark modules
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                ops.append(f"{x + start * m:.2f} {y + size - (r + 1) * m:.2f} {(col - start) * m:.2f} {m:.2f} re")
            else:
                col += 1
    ops.append("f")
    c.addLiteral("\n".join(ops))


def draw_card(c: Canvas, card: Card, y0: float, mask) -> None:
    """One card in the band y0..y0+CARD_H of the sheet."""
    top = y0 + CARD_H - PAD
    left, right = PAD, PW - PAD
    # title band
    ink(c, RED)
    c.rect(left, top - 26, right - left, 26, stroke=0, fill=1)
    ink(c, colors.white)
    draw_text(c, left + 10, top - 19, "扶贫明白卡", 17, bold=True)
    month = month_label(card.month)
    draw_text(c, right - 10, top - 18, f"{card.county} {card.township} {card.village} · {month}", 10, "right")
    y = top - 44
    ink(c, INK)
    line = (f"户主：{card.head}    电话：{mask(card.head_phone) or '无'}    家庭人口：{len(card.members)}人    "
            f"{BAND_WORDS.get(card.band, '')}")
    draw_text(c, left, y, line, fit(line, 11, right - left))
    y -= 10
    qr_x = right - QR_SIZE
    col_w = qr_x - left - 14
    # members, in up to two columns of "name relation age"
    y = _heading(c, left, y, "家庭成员")
    half = (len(card.members) + 1) // 2
    with TextBatch(c) as tb:
        for i, m in enumerate(card.members):
            cx = left + (0 if i < half or len(card.members) <= 3 else col_w / 2)
            cy = y - (i if i < half or len(card.members) <= 3 else i - half) * 15
            text = f"{m.name}  {m.relation}  {'' if m.age is None else str(m.age) + '岁'}"
            tb.draw(cx, cy - 10, text, fit(text, 11.5, col_w / 2 - 6))
    rows = len(card.members) if len(card.members) <= 3 else half
    y -= rows * 15 + 5
    y = _heading(c, left, y, "主要脱贫措施")
    lines: list[str] = []
    for k, (_cat, text) in enumerate(card.measures, start=1):
        lines.extend(wrap(f"{k}、{text}", 11, col_w))
    y = _lines(c, left, y, lines[:6], 11, 14.5) - 3
    y = _heading(c, left, y - 2, "家庭收入情况（预估）")
    items = [f"{k}. {label}：{_yuan(a)}元" for k, (label, a) in enumerate(card.income, start=1)]
    half_i = (len(items) + 1) // 2
    with TextBatch(c) as tb:
        for i, text in enumerate(items):
            cx = left + (0 if i < half_i else col_w / 2)
            cy = y - (i if i < half_i else i - half_i) * 14
            tb.draw(cx, cy - 10, text, fit(text, 10.5, col_w / 2 - 6))
    y -= half_i * 14 + 3
    ink(c, RED)
    total = f"合计{_yuan(card.income_total)}元，人均{card.per_capita}元"
    draw_text(c, left, y - 12, total, 12.5, bold=True)
    # right column: QR, caption, cadre, expected month, stamp
    qr_y = top - 36 - QR_SIZE
    draw_qr(c, card.payload, qr_x, qr_y, QR_SIZE)
    ink(c, INK)
    draw_text(c, qr_x + QR_SIZE / 2, qr_y - 10, "扫码查看本户档案", 9, "center")
    ink(c, GREY)
    draw_text(c, qr_x + QR_SIZE / 2, qr_y - 20, card.uuid[:8], 7, "center")
    by = y0 + PAD + 58
    ink(c, PALE)
    c.setStrokeColor(RED)
    c.roundRect(qr_x - 14, by - 54, QR_SIZE + 14, 98, 5, stroke=1, fill=1)
    ink(c, INK)
    bx = qr_x - 8
    draw_text(c, bx, by + 30, "帮扶责任人", 10, bold=True)
    draw_text(c, bx, by + 16, card.helper_name or "—", 12, bold=True)
    draw_text(c, bx, by + 3, card.helper_phone or "", 11)
    draw_text(c, bx, by - 10, card.helper_unit, fit(card.helper_unit, 8, QR_SIZE + 2))
    draw_text(c, bx, by - 28, "预计收入达到5000元以上：", 8)
    ink(c, RED)
    draw_text(c, bx, by - 45, card.expected_month or "—", 13, bold=True)
    if card.closed_out:
        _stamp(c, qr_x - 60, qr_y + 8, card)
    c.setStrokeColor(GREY)
    c.setLineWidth(0.5)
    c.rect(left - 6, y0 + 10, right - left + 12, CARD_H - 20, stroke=1, fill=0)


def _stamp(c: Canvas, x: float, y: float, card: Card) -> None:
    c.saveState()
    c.translate(x, y)
    c.rotate(12)
    c.setStrokeColor(RED)
    c.setLineWidth(2)
    c.roundRect(-4, -16, 84, 40, 6, stroke=1, fill=0)
    ink(c, RED)
    draw_text(c, 38, 4, "已销号", 17, "center", bold=True)
    if card.closed_out_on:
        d = card.closed_out_on
        draw_text(c, 38, -11, f"{d.year}年{d.month}月{d.day}日", 8, "center")
    c.restoreState()


def _heading(c: Canvas, x: float, y: float, text: str) -> float:
    ink(c, RED)
    c.rect(x, y - 14, 3.5, 13, stroke=0, fill=1)
    draw_text(c, x + 8, y - 12, text, 12, bold=True)
    ink(c, INK)
    return y - 18


def _lines(c: Canvas, x: float, y: float, lines: list[str], size: float, leading: float) -> float:
    with TextBatch(c) as tb:
        for i, line in enumerate(lines):
            tb.draw(x, y - i * leading - size * 0.9, line, size)
    return y - len(lines) * leading


def _yuan(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"

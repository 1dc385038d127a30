"""一册两表 (household-records.md §4): the household's own papers, printed A4 (the tables one household a page).

``income`` — 贫困户家庭收入情况一览表: the four national income groups with their items, 全年, the
totals, 生产经营性支出 when given (then 纯收入 and its 人均), 本年累计 by month where the month's
本年累计人均纯收入 is known, and the
signature lines. ``handbook`` — 扶贫手册 as A5 pages two-up on landscape A4 (``handbook``).
``medical`` — 治疗用药情况一览表, the only paper that prints health details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from app.exporters.pdf.drawing import new_canvas, save_flate
from app.exporters.pdf.text import draw_text, ensure_fonts

PW, PH = A4
M = 48.0
GROUPS = (
    ("工资性收入", ("工资性收入",)),
    ("生产经营性收入", ("种植业", "养殖业")),
    ("财产性收入", ("产业分红", "土地流转")),
    ("转移性收入", ("低保", "残疾人补助", "养老金/退休金", "地力补贴", "粮食补贴", "救灾款", "其他转移性收入")),
    ("其他", ("其他",)),
)
GRID = colors.Color(0.2, 0.2, 0.2)


@dataclass
class HouseholdPaper:
    """What the papers of one household print (plain data; no health details)."""

    uuid: str
    township: str
    village: str
    head: str
    year: int
    month: str
    members: list[tuple[str, str, int | None]] = field(default_factory=list)  # name, relation, age
    income: list[tuple[str, str, float]] = field(default_factory=list)  # category, label, yuan
    expense: float | None = None  # 生产经营性支出
    ytd_per_capita: float | None = None  # 本年累计人均纯收入
    # the year's months to the data month: (month 1–12, 本年累计人均纯收入 or None, household size)
    ytd_by_month: list[tuple[int, float | None, int]] = field(default_factory=list)
    helper: str = ""
    helper_phone: str = ""
    cause: str = ""
    measures: list[tuple[str, str]] = field(default_factory=list)
    visits: list[tuple[str, str, str]] = field(default_factory=list)  # date, visitor, 满意度
    colour: str = ""
    closed_out: str = ""  # 销号 date text, if closed out
    payload: str = ""  # the card's QR text
    # 治疗用药: (name, disease, hospital and date, treatment, doctor, medicines, total, basic, serious,
    # assistance, other, out of pocket, follow-ups) — printed on the medical table only
    treatments: list[tuple] = field(default_factory=list)
    # the handbook's history: (start month, category, text, 实施中 or 至YYYY-MM); (year, total, per capita,
    # 本年累计人均纯收入);
    # (month, colour, state); (date, 销号/返贫, note)
    measure_months: list[tuple[str, str, str, str]] = field(default_factory=list)
    yearly_income: list[tuple[int, float, float | None, float | None]] = field(default_factory=list)
    colour_history: list[tuple[str, str, str]] = field(default_factory=list)
    events: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(a for _c, _l, a in self.income)


def _cell(c: Canvas, x: float, y: float, w: float, h: float, text: str, size: float = 10.5,
          align: str = "left", bold: bool = False) -> None:
    c.rect(x, y - h, w, h)
    tx = x + 4 if align == "left" else (x + w / 2 if align == "center" else x + w - 4)
    draw_text(c, tx, y - h / 2 - size * 0.35, text, size, {"left": "left", "center": "center",
                                                            "right": "right"}[align], bold)


def _yuan(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}".replace(",", "")


def draw_income(c: Canvas, p: HouseholdPaper) -> None:
    c.setStrokeColor(GRID)
    c.setLineWidth(0.6)
    y = PH - M
    draw_text(c, PW / 2, y - 6, f"贫困户家庭收入情况一览表（{p.year}年）", 17, "center", True)
    y -= 34
    draw_text(c, M, y, f"户主：{p.head}　　村：{p.township}{p.village}　　家庭人口：{len(p.members)}人", 11)
    y -= 18
    draw_text(c, M, y, f"帮扶责任人：{p.helper or '—'}　　联系电话：{p.helper_phone or '—'}", 11)
    y -= 14
    widths = (120, 239, 140)
    x0 = M
    heads = ("收入类别", "项目", "全年（元）")
    for w, h in zip(widths, heads, strict=True):
        _cell(c, x0, y, w, 22, h, 10.5, "center", True)
        x0 += w
    y -= 22
    by_cat: dict[str, list[tuple[str, float]]] = {}
    for cat, label, amount in p.income:
        by_cat.setdefault(cat, []).append((label or cat, amount))
    for group, cats in GROUPS:
        items = [(lab, a) for cat in cats for lab, a in by_cat.get(cat, [])] or [("—", 0.0)]
        sub = sum(a for _l, a in items)
        top = y
        for lab, amount in items:
            _cell(c, M + widths[0], y, widths[1], 20, lab)
            _cell(c, M + widths[0] + widths[1], y, widths[2], 20, _yuan(amount) if lab != "—" else "", align="right")
            y -= 20
        c.rect(M, y, widths[0], top - y)
        draw_text(c, M + 4, (top + y) / 2 - 4, f"{group}（{_yuan(sub)}）", 10.5)
    size = max(len(p.members), 1)
    rows = [("家庭总收入", _yuan(p.total))]
    if p.expense is not None:
        net = p.total - p.expense
        rows += [("生产经营性支出", _yuan(p.expense)), ("家庭纯收入", _yuan(net)), ("人均纯收入", _yuan(net / size))]
    else:
        rows += [("生产经营性支出", "未填"), ("人均收入", _yuan(p.total / size))]
    for label, value in rows:
        _cell(c, M, y, widths[0] + widths[1], 22, label, bold=True)
        _cell(c, M + widths[0] + widths[1], y, widths[2], 22, value, align="right")
        y -= 22
    y = draw_ytd(c, p, y - 16)
    y -= 40
    for who in ("户主", "帮扶责任人", "第一书记"):
        draw_text(c, M, y, f"{who}（签字）：________________　　日期：______年____月____日", 11)
        y -= 30


def draw_ytd(c: Canvas, p: HouseholdPaper, y: float) -> float:
    """本年累计 by month: the year's months to the data month, where the month's 本年累计人均纯收入 is
    known (填报说明 5, typed each month), then 全年 (the estimate above); the family figure is the per
    capita times the month's household size. Returns the y below the table."""
    months = p.ytd_by_month or [(int(p.month[5:7]), p.ytd_per_capita, len(p.members))]
    draw_text(c, M, y, "本年累计收入（元，按月）", 11, bold=True)
    y -= 8
    label_w, total_w = 110.0, 56.0
    cw = (PW - 2 * M - label_w - total_w) / max(len(months), 1)
    size = max(len(p.members), 1)
    year_pc = (p.total - (p.expense or 0)) / size
    heads = [f"{m}月" for m, _v, _n in months]
    lines = (("月份", heads, "全年预估"),
             ("本年累计人均纯收入", [_yuan(v) if v is not None else "—" for _m, v, _n in months], _yuan(year_pc)),
             ("本年累计家庭纯收入", [_yuan(v * n) if v is not None and n else "—" for _m, v, n in months],
              _yuan(year_pc * size)))
    fs = 8.5 if len(months) > 8 else 9.5
    for i, (label, cells, total) in enumerate(lines):
        _cell(c, M, y, label_w, 20, label if i else "", 9.5, bold=True)
        for k, v in enumerate(cells):
            _cell(c, M + label_w + k * cw, y, cw, 20, v, fs, "center" if i == 0 else "right", i == 0)
        _cell(c, M + label_w + len(cells) * cw, y, total_w, 20, total, fs, "center" if i == 0 else "right", i == 0)
        y -= 20
    draw_text(c, M, y - 12, "注：“—”为该月未填报本年累计人均纯收入；全年按上表预估项目计算。", 8.5)
    return y - 12


MED_COLUMNS = (("姓名", 44), ("疾病名称", 62), ("确诊医院及日期", 78), ("治疗方式", 46), ("签约医生", 40),
               ("用药及用法用量", 96), ("医疗总费用", 44), ("基本医保", 40), ("大病保险", 40), ("医疗救助", 40),
               ("其他", 32), ("个人自付", 40))


def draw_medical(c: Canvas, p: HouseholdPaper) -> None:
    from reportlab.lib.pagesizes import landscape

    w, h = landscape(A4)
    c.setPageSize((w, h))
    c.setStrokeColor(GRID)
    c.setLineWidth(0.6)
    y = h - 40
    draw_text(c, w / 2, y, f"贫困户家庭治疗用药情况一览表（{p.year}年）", 16, "center", True)
    y -= 24
    draw_text(c, 36, y, f"户主：{p.head}　　村：{p.township}{p.village}　　家庭人口：{len(p.members)}人", 10.5)
    y -= 10
    x = 36.0
    for label, cw in MED_COLUMNS:
        _cell(c, x, y, cw * 1.27, 24, label, 8.5, "center", True)
        x += cw * 1.27
    y -= 24
    for t in p.treatments:
        values = (t[0], t[1], t[2], t[3], t[4], t[5], *[_yuan(v) for v in t[6:12]])
        x = 36.0
        for (label, cw), v in zip(MED_COLUMNS, values, strict=True):
            _cell(c, x, y, cw * 1.27, 30, str(v or "")[:24], 8, "right" if label in (
                "医疗总费用", "基本医保", "大病保险", "医疗救助", "其他", "个人自付") else "left")
            x += cw * 1.27
        y -= 30
        if t[12]:
            draw_text(c, 40, y - 12, f"随访：{t[12]}", 8.5)
            y -= 18
    if not p.treatments:
        draw_text(c, 40, y - 16, "（本年尚无治疗用药记录）", 10)
        y -= 20
    y -= 36
    draw_text(c, 36, y, "村医（签字）：________________　　户主（签字）：________________　　日期：______年____月____日",
              10.5)


def write_papers(papers: list[HouseholdPaper], out: str | Path, kind: str, layout: str = "booklet") -> dict:
    """Every household's ``kind`` paper (income, handbook or medical); returns {"households","pages"}.

    The tables are one A4 page a household; the handbook is A5 pages imposed two-up by ``layout``
    (``handbook.LAYOUTS``), so "pages" counts the A4 sides."""
    from app.exporters import handbook

    ensure_fonts()
    title = {"income": "贫困户家庭收入情况一览表", "handbook": "扶贫手册", "medical": "贫困户家庭治疗用药情况一览表"}[kind]
    c = new_canvas(out, A4, title)
    sides = 0
    if kind == "handbook":
        for p in papers:
            for left, right in handbook.sheets(handbook.handbook_pages(p), layout):
                handbook.draw_sheet(c, left, right)
                c.showPage()
                sides += 1
    else:
        draw = {"income": draw_income, "medical": draw_medical}[kind]
        for p in papers:
            draw(c, p)
            c.showPage()
            sides += 1
    if not papers:
        draw_text(c, M, PH - M, "所选单位没有户。", 12)
        c.showPage()
    save_flate(c)
    return {"households": len(papers), "pages": max(sides, 1), "at": dt.datetime.now().isoformat()}

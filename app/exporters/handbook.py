"""扶贫手册 (household-records.md §4): the household's handbook as A5 pages, two to a landscape A4 sheet.

Each household's handbook flows over A5 pages (cover with the card's QR, 家庭基本情况 and 家庭成员,
帮扶措施 by start month, 收入 by year, 走访记录, 红黄绿 history, 销号/返贫) and is then imposed two-up:

- ``booklet`` (default): saddle-stitch order. The household's pages are padded with blanks to a
  multiple of four; sheet k carries pages (n−2k, 2k+1) on its front and (2k+2, n−2k−1) on its back,
  so printing double-sided (flip on the short edge), folding the stack once and stapling the fold
  gives the handbook in reading order. Every household starts on its own sheet.
- ``sequence``: pages 1|2, 3|4 … one sheet side each, for single-sided printers: cut the sheets down
  the middle and stack the halves. Each household is padded to an even count (starts on its own sheet).

Health details are never printed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.pdfgen.canvas import Canvas

from app.exporters.cards import draw_qr
from app.exporters.pdf.text import draw_text, wrap

A5W, A5H = A5
SHEET = landscape(A4)
MARGIN = 30.0
LAYOUTS = ("booklet", "sequence")
GRID = colors.Color(0.2, 0.2, 0.2)

Op = Callable[[Canvas], None]


@dataclass
class Page:
    """One A5 page: drawing operations in the page's own coordinates, and its folio (0: none)."""

    ops: list[Op] = field(default_factory=list)
    folio: int = 0


class Flow:
    """Text and small tables flowing down A5 pages; a new page starts when the current one is full."""

    def __init__(self, head: str):
        self.head = head  # running head, e.g. "扶贫手册 · 张三"
        self.pages: list[Page] = []
        self.y = 0.0

    def new_page(self, running_head: bool = True) -> Page:
        page = Page(folio=len(self.pages) + 1)
        self.pages.append(page)
        self.y = A5H - MARGIN
        if running_head:
            head, folio = self.head, page.folio
            page.ops.append(lambda c: _running(c, head, folio))
            self.y -= 22
        return page

    def need(self, height: float) -> None:
        if not self.pages or self.y - height < MARGIN + 14:
            self.new_page()

    def op(self, fn: Op) -> None:
        self.pages[-1].ops.append(fn)

    def title(self, text: str) -> None:
        self.need(80)  # the title keeps a table header and a row or two with it
        y = self.y - 14
        self.op(lambda c: (draw_text(c, MARGIN, y, text, 13, bold=True),
                           c.setLineWidth(0.8), c.line(MARGIN, y - 5, A5W - MARGIN, y - 5)))
        self.y -= 26

    def para(self, text: str, size: float = 10.5, indent: float = 0.0) -> None:
        for line in wrap(text, size, A5W - 2 * MARGIN - indent):
            self.need(size * 1.5)
            y = self.y - size
            self.op(lambda c, y=y, line=line: draw_text(c, MARGIN + indent, y, line, size))
            self.y -= size * 1.5

    def table(self, heads: tuple[str, ...], widths: tuple[float, ...], rows: list[tuple[str, ...]],
              empty: str) -> None:
        """A ruled table; its header repeats on every page it runs onto."""
        scale = (A5W - 2 * MARGIN) / sum(widths)
        ws = [w * scale for w in widths]
        size, rh = 9.5, 17.0

        def header() -> None:
            self.need(2 * rh)
            y = self.y
            self.op(lambda c: _row(c, y, ws, heads, size, True, rh))
            self.y -= rh

        header()
        if not rows:
            self.para(empty, 9.5, 4)
            self.y -= 8
            return
        for cells in rows:
            lines = [wrap(str(v), size, w - 6) for v, w in zip(cells, ws, strict=True)]
            h = max(len(x) for x in lines) * size * 1.3 + 6
            if self.y - h < MARGIN + 14:
                self.new_page()
                header()
            y = self.y
            self.op(lambda c, y=y, lines=lines, h=h: _row_lines(c, y, ws, lines, size, h))
            self.y -= h
        self.y -= 8


def _running(c: Canvas, head: str, folio: int) -> None:
    c.setFillColor(colors.Color(0.35, 0.35, 0.35))
    draw_text(c, MARGIN, A5H - MARGIN - 6, head, 8.5)
    draw_text(c, A5W / 2, MARGIN - 14, f"— {folio} —", 8.5, "center")
    c.setFillColor(colors.black)


def _row(c: Canvas, top: float, ws: list[float], cells: tuple[str, ...], size: float, bold: bool, h: float) -> None:
    _row_lines(c, top, ws, [[x] for x in cells], size, h, bold)


def _row_lines(c: Canvas, top: float, ws: list[float], lines: list[list[str]], size: float, h: float,
               bold: bool = False) -> None:
    c.setStrokeColor(GRID)
    c.setLineWidth(0.5)
    x = MARGIN
    for w, cell in zip(ws, lines, strict=True):
        c.rect(x, top - h, w, h)
        for i, line in enumerate(cell):
            draw_text(c, x + 3, top - 3 - size - i * size * 1.3 + 1, line, size, bold=bold)
        x += w


def _yuan(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}".replace(",", "")


def handbook_pages(p) -> list[Page]:
    """The A5 pages of one household's handbook (``p`` an ``exporters.papers.HouseholdPaper``)."""
    flow = Flow(f"扶贫手册 · {p.township}{p.village} · {p.head}")
    cover = flow.new_page(running_head=False)
    cover.folio = 0

    def draw_cover(c: Canvas) -> None:
        c.setStrokeColor(colors.Color(0.65, 0.1, 0.1))
        c.setLineWidth(2)
        c.rect(MARGIN - 8, MARGIN - 8, A5W - 2 * MARGIN + 16, A5H - 2 * MARGIN + 16)
        draw_text(c, A5W / 2, A5H - 120, "扶 贫 手 册", 30, "center", True)
        draw_text(c, A5W / 2, A5H - 150, f"（{p.year}年）", 13, "center")
        y = A5H - 215
        for label, value in (("户　　主", p.head), ("所在乡镇", p.township), ("所在村", p.village),
                             ("帮扶责任人", p.helper or "—"), ("联系电话", p.helper_phone or "—")):
            draw_text(c, 80, y, f"{label}：", 12.5)
            draw_text(c, 170, y, value, 12.5)
            c.setLineWidth(0.5)
            c.setStrokeColor(GRID)
            c.line(168, y - 4, A5W - 80, y - 4)
            y -= 30
        if p.payload:
            draw_qr(c, p.payload, A5W / 2 - 50, MARGIN + 40, 100)
            draw_text(c, A5W / 2, MARGIN + 26, "扫码查看本户档案", 9, "center")

    cover.ops.append(draw_cover)
    flow.new_page()
    flow.title("家庭基本情况")
    for line in (f"户主：{p.head}　　家庭人口：{len(p.members)}人", f"所在单位：{p.township}{p.village}",
                 f"致贫原因：{p.cause or '—'}", f"帮扶责任人：{p.helper or '—'}　{p.helper_phone}",
                 f"返贫风险：{p.colour or '—'}", f"销号：{p.closed_out or '未销号'}"):
        flow.para(line, 11)
    flow.y -= 8
    flow.title("家庭成员")
    flow.table(("姓名", "与户主关系", "年龄"), (3, 3, 2),
               [(n, r or "", "" if a is None else f"{a}岁") for n, r, a in p.members], "（无成员）")
    flow.title("帮扶措施")
    rows = [(m or "—", cat, text, state) for m, cat, text, state in p.measure_months] or [
        ("", c, t, "") for c, t in p.measures]
    flow.table(("开始月份", "类别", "措施内容", "状态"), (2, 2, 5, 2), rows, "（尚无帮扶措施）")
    flow.title("家庭收入")
    flow.table(("年度", "家庭总收入（元）", "人均（元）", "本年累计人均纯收入（元）"), (2, 3, 2.5, 3.5),
               [(str(y), _yuan(t), _yuan(pc), _yuan(ytd)) for y, t, pc, ytd in p.yearly_income],
               "（尚无收入数据）")
    flow.para(f"{p.year}年预估收入项目：" + ("；".join(f"{lab or cat} {_yuan(a)}元" for cat, lab, a in p.income)
                                            or "—"), 9.5)
    flow.y -= 8
    flow.title("走访记录")
    flow.table(("走访日期", "走访人", "满意度"), (3, 3, 2), [(d, who, s or "") for d, who, s in p.visits],
               "（尚无走访记录）")
    flow.title("红黄绿预警记录")
    flow.table(("月份", "风险颜色", "状态"), (2, 2, 3), [(m, col, st) for m, col, st in p.colour_history],
               "（尚无记录）")
    flow.title("销号 / 返贫记录")
    flow.table(("日期", "事项", "说明"), (2.5, 2, 5.5), [(d, k, r) for d, k, r in p.events], "（无）")
    return flow.pages


def sheets(pages: list[Page], layout: str) -> list[tuple[Page | None, Page | None]]:
    """The sides of A4 sheets (left page, right page) for one household's pages."""
    if layout not in LAYOUTS:
        raise ValueError(layout)
    if layout == "sequence":
        padded: list[Page | None] = [*pages, *([None] * (len(pages) % 2))]
        return [(padded[i], padded[i + 1]) for i in range(0, len(padded), 2)]
    n = -(-len(pages) // 4) * 4
    padded = [*pages, *([None] * (n - len(pages)))]
    out: list[tuple[Page | None, Page | None]] = []
    for k in range(n // 4):
        out.append((padded[n - 1 - 2 * k], padded[2 * k]))  # front: last | first
        out.append((padded[2 * k + 1], padded[n - 2 - 2 * k]))  # back: second | second-to-last
    return out


def draw_sheet(c: Canvas, left: Page | None, right: Page | None) -> None:
    """One landscape A4 side: two A5 pages and a faint fold line between them."""
    c.setPageSize(SHEET)
    for page, dx in ((left, 0.0), (right, A5W)):
        if page is None:
            continue
        c.saveState()
        c.translate(dx, (SHEET[1] - A5H) / 2)
        for op in page.ops:
            op(c)
        c.restoreState()
    c.saveState()
    c.setStrokeColor(colors.Color(0.8, 0.8, 0.8))
    c.setDash(2, 4)
    c.setLineWidth(0.3)
    c.line(A5W, 0, A5W, 12)
    c.line(A5W, SHEET[1] - 12, A5W, SHEET[1])
    c.restoreState()

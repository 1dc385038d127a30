"""一报告 as .docx (what offices edit in WPS/Word) and PDF, from the report content (app.kernel.analysis_text).

The .docx is built with python-docx on its default template with named styles (标题/正文 set on the
document's own "Title", "Heading 1" and "Normal" styles), so an office restyles it in Word by editing
those styles instead of every paragraph; a separate docxtpl template would be one more file to keep in
step with the generated sections. Page layout after GB/T 9704: A4, margins 37/35/28/26 mm, title 二号
(22 pt), body 三号 (16 pt), 22 lines a page, body text in the shipped Song face.
The PDF is drawn with reportlab in the shipped fonts (clerks' laptops have no LibreOffice): the
title, the sections, the tables, a cause bar chart, and the seal square and signature line at the end.
"""

from __future__ import annotations

from pathlib import Path

from app.kernel.analysis import Analysis
from app.kernel.analysis_text import Chart, ReportContent, Table

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # mm, GB/T 9704
TITLE_PT, BODY_PT, TABLE_PT = 22, 16, 10.5
LINES_PER_PAGE = 22
BODY_FONT = "AR PL UMing CN"


def report_name(content: ReportContent) -> str:
    return content.title


# --- .docx --------------------------------------------------------------------------------------
def write_docx(content: ReportContent, out: str | Path) -> Path:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    sec.left_margin, sec.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    body_h = 297 - MARGINS["top"] - MARGINS["bottom"]

    def font(style, size: float, bold: bool = False) -> None:
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.name = BODY_FONT
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    normal = doc.styles["Normal"]
    font(normal, BODY_PT)
    normal.paragraph_format.line_spacing = Pt(body_h * MM / LINES_PER_PAGE)
    normal.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    normal.paragraph_format.space_after = Pt(0)
    title_style = doc.styles["Title"]
    font(title_style, TITLE_PT)
    title_style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_style.paragraph_format.first_line_indent = Pt(0)
    heading = doc.styles["Heading 1"]
    font(heading, BODY_PT, bold=True)
    heading.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    for st in (title_style, heading):
        st.font.color.rgb = None

    doc.core_properties.title = content.title
    doc.add_paragraph(content.title, style="Title")
    for s in content.sections:
        doc.add_paragraph(s.heading, style="Heading 1")
        for para in s.paragraphs:
            doc.add_paragraph(para)
        for t in s.tables:
            _docx_table(doc, t, Pt(TABLE_PT))
        for chart in s.charts:
            _docx_chart(doc, chart, Pt(TABLE_PT))
    doc.add_paragraph("")
    sign = doc.add_paragraph(f"{content.unit}（盖章）")
    sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = doc.add_paragraph(content.date_line)
    day.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = Path(out)
    doc.save(str(out))
    return out


def _docx_table(doc, t: Table, size) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cap = doc.add_paragraph(t.caption)
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
    table.style = "Table Grid"
    for r, row in enumerate((t.header, *t.rows)):
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = 0
            p.paragraph_format.line_spacing = 1.0
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(text)
            run.font.size = size
            run.font.bold = r == 0


def _docx_chart(doc, chart: Chart, size) -> None:
    """A bar chart the office can edit in Word/WPS: a borderless table, bars as runs of full blocks."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor

    if not chart.items:
        return
    cap = doc.add_paragraph(chart.caption)
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top = max(n for _, n, _ in chart.items) or 1
    table = doc.add_table(rows=len(chart.items), cols=2)
    for r, (label, n, share) in enumerate(chart.items):
        left, right = table.cell(r, 0).paragraphs[0], table.cell(r, 1).paragraphs[0]
        for p in (left, right):
            p.paragraph_format.first_line_indent = 0
            p.paragraph_format.line_spacing = 1.0
        left.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        left.add_run(label).font.size = size
        bar = right.add_run("█" * max(1 if n else 0, round(24 * n / top)))
        bar.font.size = size
        bar.font.color.rgb = RGBColor(0xB2, 0x22, 0x22)
        right.add_run(f" {n}{chart.unit}" + (f" {share}%" if share else "")).font.size = size


# --- PDF ----------------------------------------------------------------------------------------
class _Flow:
    """Lines down the page inside the GB/T 9704 text block, a new page when it is full."""

    def __init__(self, canvas, title: str):
        from app.exporters.pdf.text import ensure_fonts

        ensure_fonts()
        self.c = canvas
        self.left = MARGINS["left"] * MM
        self.right = A4[0] - MARGINS["right"] * MM
        self.top = A4[1] - MARGINS["top"] * MM
        self.bottom = MARGINS["bottom"] * MM
        self.leading = (self.top - self.bottom) / LINES_PER_PAGE
        self.y = self.top
        self.page = 1
        self.title = title

    @property
    def width(self) -> float:
        return self.right - self.left

    def need(self, h: float) -> None:
        if self.y - h < self.bottom:
            self.new_page()

    def new_page(self) -> None:
        self._folio()
        self.c.showPage()
        self.page += 1
        self.y = self.top

    def _folio(self) -> None:
        from app.exporters.pdf.text import draw_text

        draw_text(self.c, A4[0] / 2, self.bottom - 14 * MM, f"— {self.page} —", 14, align="center")

    def para(self, text: str, size: float = BODY_PT, indent: bool = True, align: str = "left",
             bold: bool = False) -> None:
        from app.exporters.pdf.text import draw_text, wrap

        first = size * 2 if indent else 0
        lines = wrap(text, size, self.width - first) if text else [""]
        if len(lines) > 1 and indent:  # later lines use the full width
            rest = "".join(lines[1:])
            lines = [lines[0], *wrap(rest, size, self.width)]
        for i, line in enumerate(lines):
            self.need(self.leading)
            self.y -= self.leading
            x = self.left + (first if i == 0 else 0)
            if align == "center":
                x = (self.left + self.right) / 2
            elif align == "right":
                x = self.right
            draw_text(self.c, x, self.y + (self.leading - size) / 2, line, size, align=align, bold=bold)

    def table(self, t: Table) -> None:
        from app.exporters.pdf.text import draw_text

        row_h = TABLE_PT * 2.0
        cols = len(t.header)
        first_w = self.width * (0.28 if cols <= 5 else 0.2)
        widths = [first_w] + [(self.width - first_w) / (cols - 1)] * (cols - 1)
        self.need(row_h * min(3, len(t.rows) + 2))
        self.y -= row_h
        draw_text(self.c, (self.left + self.right) / 2, self.y + row_h * 0.3, t.caption, 12, align="center", bold=True)
        for r, row in enumerate((t.header, *t.rows)):
            if self.y - row_h < self.bottom:
                self.new_page()
            top = self.y
            self.y -= row_h
            x = self.left
            for w, text in zip(widths, row, strict=True):
                self.c.rect(x, self.y, w, row_h, stroke=1, fill=0)
                draw_text(self.c, x + w / 2, self.y + row_h * 0.32, text, TABLE_PT, align="center", bold=r == 0)
                x += w
            del top
        self.y -= self.leading * 0.5

    def bars(self, caption: str, items: list[tuple[str, int, str]], unit: str = "户") -> None:
        """A horizontal bar chart: label, count and share of each item (the cause structure)."""
        from reportlab.lib.colors import HexColor

        from app.exporters.pdf.text import draw_text

        if not items:
            return
        bar_h, gap = 14.0, 6.0
        h = 24 + len(items) * (bar_h + gap)
        self.need(h)
        self.y -= 20
        draw_text(self.c, (self.left + self.right) / 2, self.y, caption, 12, align="center", bold=True)
        label_w, value_w = 90.0, 110.0
        span = self.width - label_w - value_w
        top = max(n for _, n, _ in items) or 1
        for label, n, share in items:
            self.y -= bar_h + gap
            draw_text(self.c, self.left + label_w - 6, self.y + 3, label, TABLE_PT, align="right")
            self.c.setFillColor(HexColor("#B22222"))
            self.c.rect(self.left + label_w, self.y, span * n / top, bar_h, stroke=0, fill=1)
            self.c.setFillColor(HexColor("#000000"))
            draw_text(self.c, self.left + label_w + span * n / top + 4, self.y + 3, f"{n}{unit}" + (f" {share}%" if share else ""), TABLE_PT)
        self.y -= gap

    def seal_and_signature(self, unit: str, date_line: str) -> None:
        """The seal square (forms.md §0: the 盖章 area) and the signature line, at the end of the text."""
        from app.exporters.pdf.text import draw_text

        side = 42 * MM
        self.need(side + self.leading * 2)
        self.y -= self.leading
        x = self.right - side
        self.c.setDash(3, 2)
        self.c.rect(x, self.y - side, side, side, stroke=1, fill=0)
        self.c.setDash()
        draw_text(self.c, x + side / 2, self.y - side / 2, "（盖章）", 12, align="center")
        draw_text(self.c, x - 8, self.y - side * 0.35, f"{unit}", BODY_PT, align="right")
        draw_text(self.c, x - 8, self.y - side * 0.35 - self.leading, date_line, BODY_PT, align="right")
        self.y -= side + self.leading * 0.5
        draw_text(self.c, self.left, self.y, "主要负责人签字：______________    填报人：__________    联系电话：______________",
                  12)
        self.y -= self.leading

    def finish(self) -> None:
        from app.exporters.pdf.drawing import save_flate

        self._folio()
        save_flate(self.c)


def write_pdf(content: ReportContent, analysis: Analysis, out: str | Path) -> Path:
    from app.exporters.pdf.drawing import new_canvas

    out = Path(out)
    c = new_canvas(out, A4, content.title, subject=f"数据月份 {content.period}")
    f = _Flow(c, content.title)
    f.para(content.title, TITLE_PT, indent=False, align="center")
    f.y -= f.leading * 0.5
    for s in content.sections:
        f.para(s.heading, BODY_PT, bold=True)
        for p in s.paragraphs:
            f.para(p)
        for t in s.tables:
            f.table(t)
        for chart in s.charts:
            f.bars(chart.caption, list(chart.items), chart.unit)
    f.seal_and_signature(content.unit, content.date_line)
    f.finish()
    return out

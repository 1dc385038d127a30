"""Form PDFs as printed: no text below 7 pt (a long name wraps and its row grows), and no single row
alone on the last page of 附件1."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from pypdf import PdfReader

from app.exporters.pdf import layout as L
from app.exporters.pdf.forms import write_form_pdf
from app.forms.layouts import FORM1, FORM3, FORM4
from app.forms.table import FormTable

EXPORTED = dt.datetime(2020, 4, 3, 10, 15)


def _sizes(path) -> list[tuple[float, str]]:
    out = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            out.append((size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), text))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return out


def _table(lay, rows, kinds, **kw) -> FormTable:
    return FormTable(form=lay.form, name=lay.name, title=lay.title(scope="全县", year=2020, n=len(rows)),
                     header=lay.header(), rows=rows, row_kinds=kinds, instructions=list(lay.instructions),
                     reporting_unit="康平县", preparer="孙丽华", preparer_phone="024-87312116", period="2020-03",
                     filed_on=dt.date(2020, 4, 3), **kw)


def test_no_text_below_7pt_long_names_wrap_and_rows_grow(tmp_path):
    long_name = "买买提·阿不都热合曼·艾力"
    rows = [[1, "康平县", "张强镇", "前二道沟村", f"{long_name} 15140731234", 2, long_name, "户主", 63, "因病", "健康",
             "普通劳动力", "1、五小产业养羊", "1. 种植业收入: 1100元\n2. 合计1100元, 人均550元", "于海 15140731235", "2020.08"],
            [2, None, None, None, None, None, "阿依古丽·买买提·吐尔逊", "配偶", 60, None, "长期慢性病", "弱劳动力", None,
             None, None, None]]
    t4 = _table(FORM4, rows, ["person", "person"], merges=[(0, c, 1, c) for c in (1, 2, 3, 4, 5, 9, 12, 13, 14, 15)])
    project = "康平县张强镇前二道沟村至后二道沟村通村公路硬化及配套排水边沟建设与桥涵维修加固综合提升工程"
    t3 = _table(FORM3, [[1, "康平县", "张强镇", project, "硬化村路3.3公里", "财政专项扶贫资金", 120.5, 100, 80.25,
                         66.6, "已开工", "2020-03-10", None, 30, 90, None]], ["project"])
    for name, table in (("附件4", t4), ("附件3", t3)):
        path = tmp_path / f"{name}.pdf"
        write_form_pdf(table, path, exported_at=EXPORTED)
        sizes = _sizes(path)
        small = [(round(s, 2), t) for s, t in sizes if s < 7 - 1e-6]
        assert sizes and not small, (name, small[:5])
    plan = L.plan(t4)
    assert plan.heights[1] > plan.leading + 2 * L.PAD_Y  # the second name wrapped: its row grew


@pytest.mark.parametrize("n", range(10, 80))
def test_no_single_row_alone_on_the_last_page_of_form1(n):
    rows = [[i + 1, "康平县", "张强镇", f"村{i}", *([1] * 15)] for i in range(n)]
    plan = L.plan(_table(FORM1, rows, ["unit"] * n))
    pages = [p.rows for p in plan.pages if p.table]
    assert sum(b - a for a, b in pages) == n and all(pages[i][1] == pages[i + 1][0] for i in range(len(pages) - 1))
    if len(pages) > 1:
        assert pages[-1][1] - pages[-1][0] >= 2, pages

"""The xlsx forms read back with openpyxl and compared with forms.md cell by cell."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import _export_register as R
import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from app.exporters.xlsx import write_xlsx
from app.forms.layouts import FORM1, FORM2, FORM4, header_label_rows
from app.forms.table import FormTable, HeaderNode
from app.models import Household
from app.services import counts, forms
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database

FILED = dt.date(2020, 4, 3)


@pytest.fixture(scope="session")
def _clean_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "clean.db"
    with Database(path, create=True) as db:
        R.build(db, formula=True)
    return path


@pytest.fixture
def clean_db(_clean_template, tmp_path):
    path = tmp_path / "clean.db"
    shutil.copy(_clean_template, path)
    db = Database(path)
    yield db
    db.close()


def _write(db, builder, tmp_path, unit="康平县", **kw):
    with db.session() as s:
        period = get_period(s, "2020-03")
        table = builder(s, period, find_unit(s, unit), filed_on=FILED, **kw)
    out = tmp_path / f"{table.form}.xlsx"
    write_xlsx(table, out)
    return table, openpyxl.load_workbook(out), out


def _values(ws, row: int, ncols: int) -> list:
    return [ws.cell(row, c).value for c in range(1, ncols + 1)]


def _tail(ws, start: int) -> list[str]:
    return [ws.cell(r, 1).value for r in range(start, ws.max_row + 1) if ws.cell(r, 1).value]


FORM1_HEADER_MERGES = {
    "A4:A7", "B4:B7", "C4:C7", "D4:D7", "E4:E7", "F4:I4", "J4:O4", "P4:P7", "Q4:S4",
    "F5:F7", "G5:G7", "H5:H7", "I5:I7", "J5:L5", "M5:O5", "Q5:Q7", "R5:R7", "S5:S7",
    "J6:J7", "K6:L6", "M6:M7", "N6:O6",
}


def test_form1_cell_by_cell(clean_db, tmp_path):
    table, wb, _ = _write(clean_db, forms.build_form1, tmp_path)
    ws = wb.worksheets[0]
    assert ws.title == "附件1"
    assert ws["A1"].value == "附件1"
    assert ws["A2"].value == "全县2020年度年人均收入5000元以下的11人帮扶情况调度表"
    block = [v for v in _values(ws, 3, 19) if v]
    assert block == ["填报单位：康平县（盖章处）", "填报人：李明", "联系电话：024-82703810", "填报时间：2020年4月3日"]
    for i, labels in enumerate(header_label_rows(FORM1)):
        assert [v or "" for v in _values(ws, 4 + i, 19)] == labels
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert FORM1_HEADER_MERGES <= merged
    assert not {m for m in merged if int(m.split(":")[0][1:]) in range(4, 8)} - FORM1_HEADER_MERGES

    with clean_db.session() as s:
        expected = counts.rows(s, get_period(s, "2020-03"), find_unit(s, "康平县"), 1)
    data = [_values(ws, 8 + i, 19) for i in range(len(expected))]
    assert data == [[e[c] for c in FORM1.codes()] for e in expected]
    assert [r[0] for r in data] == list(range(1, len(data) + 1))  # 序号 through every row, totals included
    county, town, *_ = data
    assert county[4] == 11  # band-A persons: 4 + 2 + 3 + 1 + 1
    assert county[5] == 2 and county[15] == 4  # housing: 于长海, 周福; dibao: 于长海's household
    assert town[4] == 9
    # Count cells are numbers, 0 never blank.
    for r in data:
        assert all(isinstance(v, int) for v in r[4:])
    tail = _tail(ws, 8 + len(data))
    assert tail == ["填报说明:", *FORM1.instructions]


def test_form1_township_rows_in_order(clean_db, tmp_path):
    _, wb, _ = _write(clean_db, forms.build_form1, tmp_path)
    ws = wb.worksheets[0]
    names = [(ws.cell(r, 3).value, ws.cell(r, 4).value) for r in range(8, 14)]
    assert names == [("全县合计数", None), ("暖泉镇", "全镇合计"), ("暖泉镇", "前暖泉村"), ("暖泉镇", "后暖泉村"),
                     ("沙金乡", "全乡合计"), ("沙金乡", "沙金村")]


def test_print_setup(clean_db, tmp_path):
    _, wb, _ = _write(clean_db, forms.build_form1, tmp_path)
    ws = wb.worksheets[0]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$4:$7"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_wide_form_prints_on_a3(tmp_path):
    header = [HeaderNode(f"列{i}", code=f"c{i}", width=20, kind="text") for i in range(12)]
    t = FormTable(form="附件9", name="宽表", title="宽表", header=header, rows=[["x"] * 12])
    write_xlsx(t, tmp_path / "w.xlsx")
    assert openpyxl.load_workbook(tmp_path / "w.xlsx").worksheets[0].page_setup.paperSize == 8


def test_form2_rows_and_m08_note(clean_db, tmp_path):
    table, wb, _ = _write(clean_db, forms.build_form2, tmp_path)
    ws = wb.worksheets[0]
    assert ws["A2"].value == "全县2020年度年人均收入5000元-5760元之间的3人帮扶情况调度表"
    for i, labels in enumerate(header_label_rows(FORM2)):
        assert [v or "" for v in _values(ws, 4 + i, 16)] == labels
    merged = {str(r) for r in ws.merged_cells.ranges if 4 <= r.min_row <= 6}
    assert merged == {
        "A4:A6", "B4:B6", "C4:C6", "D4:G4", "H4:J4", "K4:M4", "N4:N6", "O4:P4", "D5:D6", "E5:E6", "F5:F6",
        "G5:G6", "H5:H6", "I5:J5", "K5:K6", "L5:M5", "O5:O6", "P5:P6",
    }
    total, own = _values(ws, 7, 16), _values(ws, 8, 16)
    assert total[:3] == [None, "全县合计", 3] and own[:3] == [1, "康平县", 3]
    assert total[14:] == own[14:] == [1, 2]  # 孙强 5400; 吴刚's household 5900
    assert total[3:] == own[3:]
    assert _tail(ws, 9) == ["填报说明：", *FORM2.instructions]
    assert table.notes == []

    with clean_db.session() as s:  # 孙强's household without year-to-date income: M-08, noted under the table
        h = next(h for h in s.query(Household) if h.head_phone == "13904051234")
        h.ytd_income = None
    table, wb, _ = _write(clean_db, forms.build_form2, tmp_path)
    assert len(table.notes) == 1 and "有1人" in table.notes[0] and "M-08" not in table.notes[0]
    assert _tail(wb.worksheets[0], 9)[0] == table.notes[0]


SUMMARY = ("全县(市、区)计划完成贫困人口5户11人的5000元以上增收任务。其中: 产业带动2户5人, 危房翻建1户1人, 低保兜底1户4人, "
           "教育资助1户3人, 健康扶贫1户2人, 扶贫小额信贷1户3人, 饮水安全1户1人, 其它2户3人。")


def test_form4_persons_merges_and_summary(clean_db, tmp_path):
    table, wb, _ = _write(clean_db, forms.build_form4, tmp_path)
    ws = wb.worksheets[0]
    assert ws["A2"].value == "全县2020年度年人均收入5000元以下的11人精准脱贫增收挂图作战明细表"
    assert _values(ws, 4, 16) == [n.label for n in FORM4.header()]
    first = _values(ws, 5, 16)
    assert first == [
        1, "康平县", "暖泉镇", "前暖泉村", "于长海 15140731234", 4, "于长海", "户主", 75, "因残", "健康", "普通劳动力",
        '1、=HYPERLINK("http://example.com","点击")\n2、盖州市味中鲜食品有限公司产业带动。\n3、低保兜底4人。\n4、中顺物流产业带动。',
        "1. 种植业收入: 1100元\n2. 养殖业: 6000元\n3. 低保: 8000元\n4. 残疾人补助: 3000元\n5. 地力补贴: 400元\n"
        "6. 玉米补贴: 200元\n7. 救灾款: 500元\n8. 退休金: 2500元\n9. 土地流转: 1600元\n10. 合计23300元, 人均5825元",
        "孙立新 15141781234", "2020.08",
    ]
    assert _values(ws, 6, 16) == [2, None, None, None, None, None, "张秀兰", "配偶", 64, None, "残疾", "无劳动力",
                                  None, None, None, None]
    assert [ws.cell(r, 1).value for r in range(5, 16)] == list(range(1, 12))  # 序号 numbers persons
    assert ws.cell(9, 7).value == "王堃"
    merged = {str(r) for r in ws.merged_cells.ranges}
    household_cols = "BCDEFJMNOP"
    assert {f"{c}5:{c}8" for c in household_cols} <= merged  # 于长海's 4 members
    assert {f"{c}9:{c}10" for c in household_cols} <= merged  # 王堃's 2 members
    assert not any(m.startswith(("G5:", "H5:", "I5:", "K5:", "L5:")) for m in merged)  # person columns never merged
    tail = _tail(ws, 16)
    assert tail == [SUMMARY, "填报说明:", *FORM4.instructions]
    assert table.summary == SUMMARY


def test_form4_band_b_in_same_layout(clean_db, tmp_path):
    table, wb, _ = _write(clean_db, forms.build_form4, tmp_path, band="B")
    ws = wb.worksheets[0]
    assert ws.title == "附件4（5000-5760元）"
    assert ws["A2"].value == "全县2020年度年人均收入5000元-5760元之间的3人精准脱贫增收挂图作战明细表"
    assert _values(ws, 4, 16) == [n.label for n in FORM4.header()]
    assert [ws.cell(r, 7).value for r in range(5, 8)] == ["孙强", "吴刚", "郑红"]


def test_form3_projects(clean_db, tmp_path):
    _, wb, _ = _write(clean_db, forms.build_form3, tmp_path)
    ws = wb.worksheets[0]
    assert ws["A2"].value == "全县2020年度脱贫攻坚资金项目落实进度情况调度表"
    rows = [_values(ws, r, 16) for r in range(5, 10)]
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0][2] == "全县合计数" and rows[0][6] == 200.5 and rows[0][13] == 50
    assert rows[2][3] == "暖泉镇肉牛养殖项目" and rows[2][9] == 66.6  # 80.25 / 120.5 = 66.597…
    assert rows[2][15] == "@SUM(1)" and ws.cell(7, 16).data_type == "s"


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "@SUM(1)", "+1+2", "-3", "\tx", "\rx", "=1+1"]


def test_formula_injection_written_as_literal_text(tmp_path):
    header = [HeaderNode("序号", "seq", kind="seq"), HeaderNode("姓名", "name", kind="text", width=30),
              HeaderNode("人数", "total")]
    rows = [[i + 1, text, None] for i, text in enumerate(FORMULAS)]
    t = FormTable(form="附件4", name="x", title="=TITLE()", header=header, rows=rows, reporting_unit="=单位",
                  summary="@summary", notes=["+note"])
    out = tmp_path / "f.xlsx"
    write_xlsx(t, out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    got = [ws.cell(5 + i, 2) for i in range(len(FORMULAS))]
    # openpyxl leaves OOXML's _x000D_ escape of a CR undecoded (Excel decodes it).
    assert [unescape(c.value) for c in got] == FORMULAS
    assert all(c.data_type == "s" for c in got)
    assert all(c.quotePrefix for c in got)
    assert [ws.cell(5 + i, 3).value for i in range(len(FORMULAS))] == [0] * len(FORMULAS)  # count: 0, never blank
    assert ws["A2"].value == "=TITLE()" and ws["A2"].data_type == "s"
    with zipfile.ZipFile(out) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


def test_demo_register_forms(demo_db, tmp_path):
    """The 400-person demo: 附件1 equals the counts rows; 附件4 has a row per band-A person."""
    with demo_db.session() as s:
        period = get_period(s, None)
        unit = find_unit(s, "康平县")
        expected = counts.rows(s, period, unit, 1)
        t4 = forms.build_form4(s, period, unit)
        n_persons = sum(len(h.members) for h in s.query(Household).filter_by(period_id=period.id, band="A"))
    _, wb, _ = _write(demo_db, forms.build_form1, tmp_path)
    ws = wb.worksheets[0]
    got = [_values(ws, 8 + i, 19) for i in range(len(expected))]
    assert [[r[0], r[1], r[2], r[3]] + r[4:] for r in got] == [
        [e["seq"], e["county"], e["township"], e["village"]] + [e[c] for c in FORM1.codes()[4:]] for e in expected
    ]
    assert len(t4.rows) == n_persons
    out = tmp_path / "f4.xlsx"
    write_xlsx(t4, out)
    ws4 = openpyxl.load_workbook(out).worksheets[0]
    data_merges = {str(r) for r in ws4.merged_cells.ranges if 5 <= r.min_row and r.max_row < 5 + len(t4.rows)}
    assert len(data_merges) == len(t4.merges) > 0


def test_township_form4_scope_and_draft_marker(clean_db, tmp_path):
    table, wb, _ = _write(clean_db, forms.build_form4, tmp_path, unit="暖泉镇", draft=True)
    ws = wb.worksheets[0]
    assert ws["A2"].value == "全镇2020年度年人均收入5000元以下的9人精准脱贫增收挂图作战明细表"
    assert table.summary.startswith("全镇计划完成贫困人口3户9人的5000元以上增收任务。")
    assert ws.oddHeader.right.text == "草稿"
    assert {ws.cell(r, 3).value for r in range(5, 14)} <= {"暖泉镇", None}

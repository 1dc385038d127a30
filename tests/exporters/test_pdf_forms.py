"""The form PDFs (附件1–4): header block, seal area, header tree, merges, paging, fonts, watermark.

Tables are built by hand (a 附件1-like tree of three header levels, a 附件4-like register with
households merged over their members) and from the real layouts; every PDF is read back with
pdftotext and pypdf and rendered with pdftoppm.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.exporters.pdf import layout
from app.exporters.pdf.forms import seal_area, write_form_pdf
from app.forms.table import FormTable, HeaderNode

EXPORTED = dt.datetime(2020, 4, 3, 10, 15)
UNIT = "盖州市扶贫开发办公室"
LONG_UNIT = "盖州市人民政府扶贫开发领导小组办公室"
NAMES = ["王堃", "李䶮", "𠮷祥", "阿依古丽·买买提", "张三", "赵小明"]
BIG = "跨页大户"  # the measure text of a household too tall for one page
INSTRUCTIONS = [
    "1. 本表由县(市、区)填报, 将本年度辖区所有年人均收入5000元以下的已脱贫户的帮扶措施落实情况进行明细, 逐户填报。",
    "2. 表中信息要如实填报, 所填报信息均为截止上个月月底的即时数据。",
    "9. 数据为0或无此类情况时填0, 凡空白均视为0。",
]
SUMMARY = "全县(市、区)计划完成贫困人口13户82人的5000元以上增收任务。其中: 产业带动3户10人, 危房翻建0户0人。"


def _leaf(label, code, width=8.0, kind="text"):
    return HeaderNode(label, code=code, width=width, kind=kind)


def form4_like(draft: bool = False) -> FormTable:
    """12 households of 1–4 persons and one of 45 (taller than a page) in the middle."""
    header = [
        _leaf("序号", "seq", 5, "seq"), _leaf("县(市、区)", "county"), _leaf("乡镇", "township"),
        _leaf("村", "village", 9), _leaf("户主联系方式", "head_contact", 13), _leaf("家庭人口数", "size", 6, "number"),
        _leaf("姓名", "name"), _leaf("与户主关系", "relation", 7), _leaf("年龄", "age", 5, "number"),
        _leaf("主要脱贫措施", "measures", 30), _leaf("家庭收入情况(预估)", "income", 24),
        _leaf("预计收入达到5000元以上时间", "expected_month", 10),
    ]
    household_cols = [1, 2, 3, 4, 5, 9, 10, 11]
    rows, kinds, merges = [], [], []
    sizes = [2, 3, 1, 4, 2, 3, 45, 2, 4, 1, 3, 2, 4]
    for h, size in enumerate(sizes):
        r0 = len(rows)
        head = NAMES[h % len(NAMES)]
        measures = f"1、{BIG}专项产业帮扶。" if size == 45 else f"1、五小产业养羊。\n2、第{h + 1}户公益岗位安置1人。\n3、低保兜底。"
        income = "1. 种植业收入: 1100元\n2. 养殖业: 6000元\n3. 低保: 8000元\n4. 合计15100元, 人均" + str(15100 // size) + "元"
        for m in range(size):
            rows.append([len(rows) + 1, "盖州市", "暖泉镇", f"前暖泉{h % 3 + 1}村", f"{head} 1514073{h:04d}", size,
                         NAMES[(h + m) % len(NAMES)], "户主" if m == 0 else "之子", 30 + m % 50, measures, income,
                         "2020.08"])
            kinds.append("person")
        if size > 1:
            merges.extend((r0, c, r0 + size - 1, c) for c in household_cols)
    return FormTable(
        form="附件4", name="精准脱贫增收挂图作战明细表", title=f"全县2020年度年人均收入5000元以下的{len(rows)}人精准脱贫增收挂图作战明细表",
        header=header, rows=rows, row_kinds=kinds, merges=merges, summary=SUMMARY, instructions=list(INSTRUCTIONS),
        notes=["注：本月新增2户。"], reporting_unit=UNIT, preparer="王芳", preparer_phone="0417-7654321",
        filed_on=dt.date(2020, 4, 3), period="2020-03", draft=draft,
    )


def form1_like() -> FormTable:
    """Three header levels: 增收性措施帮扶人数 › 产业带动人数 › 其中 › leaves."""
    header = [
        _leaf("序号", "seq", 5, "seq"), _leaf("县(市、区)", "county", 10), _leaf("乡镇", "township", 10),
        _leaf("村", "village", 10), _leaf("年人均纯收入5000元以下建档立卡总人数", "total", 11, "count"),
        HeaderNode("增收性措施帮扶人数", children=[
            HeaderNode("产业带动人数", children=[
                _leaf("产业带动人数", "industry", kind="count"),
                HeaderNode("其中", children=[_leaf("已开工项目带动人数", "industry_started", kind="count"),
                                           _leaf("已受益人数", "industry_benefited", kind="count")]),
            ]),
            _leaf("就业人数", "employment", kind="count"),
        ]),
    ]
    rows = [
        [1, "康平县", "全县合计数", "", 30, 20, 10, 8, 6],
        [2, "", "东关镇", "全镇合计", 30, 20, 10, 8, 6],
        [3, "", "", "𠮷祥村", 12, 8, 4, None, 2],
        [4, "", "", "前进村", 18, 12, 6, 8, 4],
    ]
    return FormTable(
        form="附件1", name="帮扶情况调度表", title="全县2020年度年人均收入5000元以下的30人帮扶情况调度表", header=header,
        rows=rows, row_kinds=["county_total", "township_total", "unit", "unit"], instructions=["1. 以村为最小填报单位。"],
        reporting_unit="康平县扶贫开发办公室", preparer="赵奇", preparer_phone="024-82703810",
        filed_on=dt.date(2020, 4, 3), period="2020-03",
    )


def _pdftotext(path, *args) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def f4(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "附件4.pdf"
    table = form4_like()
    pages = write_form_pdf(table, path, exported_at=EXPORTED)
    return table, path, pages


@pytest.fixture(scope="module")
def f4_draft(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "附件4-草稿.pdf"
    table = form4_like(draft=True)
    table.reporting_unit = LONG_UNIT  # puts the seal square where the diagonal 草稿 passes
    return table, path, write_form_pdf(table, path, exported_at=EXPORTED)


def _page_texts(path) -> list[str]:
    return [p.extract_text() for p in PdfReader(path).pages]


def test_page_count_and_numbering(f4):
    _table, path, pages = f4
    assert pages >= 3
    assert len(PdfReader(path).pages) == pages
    for i in range(1, pages + 1):
        text = _pdftotext(path, "-f", str(i), "-l", str(i))
        assert f"第{i}页 共{pages}页" in text
        assert "2020年3月数据" in text and "导出时间：2020年4月3日 10:15" in text


def test_header_block_title_and_names(f4):
    table, path, _pages = f4
    text = _pdftotext(path, "-f", "1", "-l", "1")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "附件4"
    assert table.title in lines
    assert f"填报单位：{UNIT}（盖章处）" in lines
    for item in ("填报人：王芳", "联系电话：0417-7654321", "填报时间：2020年4月3日"):
        assert item in text
    everything = re.sub(r"\s+", "", _pdftotext(path))  # a long name wraps inside its cell
    for name in NAMES:
        assert name in everything, name
    pypdf_text = "".join(_page_texts(path))
    assert "𠮷祥" in pypdf_text and "李䶮" in pypdf_text and "王堃" in pypdf_text
    assert "阿依古丽·买买" in pypdf_text  # the rest of the name is on the cell's next line


def test_header_repeated_on_every_page(f4):
    _table, path, pages = f4
    with_rows = [t for t in _page_texts(path) if "户主" in t or "之子" in t]
    assert len(with_rows) >= pages - 1
    for text in with_rows:
        for label in ("序号", "姓名", "主要脱贫措施", "家庭收入情况(预估)"):
            assert label in text


def test_merged_block_continues_with_its_text(f4):
    table, path, _pages = f4
    texts = _page_texts(path)
    with_big = [i for i, t in enumerate(texts) if BIG in t]
    assert len(with_big) >= 2 and with_big == list(range(with_big[0], with_big[-1] + 1))
    start = next(i for i, r in enumerate(table.rows) if BIG in r[9])
    # the block's members are numbered on the pages that repeat its text
    for i in with_big:
        assert any(re.search(rf"(?<!\d){start + k}(?!\d)", texts[i]) for k in range(1, 46))


def _tail_text(path) -> str:
    """The text of all pages without the page furniture, whitespace removed."""
    keep = []
    for text in _page_texts(path):
        for line in text.splitlines():
            if "页 共" in line or line.endswith("（续）") or line.strip() == "附件4":
                continue
            keep.append(line)
    return re.sub(r"\s+", "", "".join(keep))


def test_summary_instructions_and_notes_verbatim(f4):
    table, path, _pages = f4
    text = _tail_text(path)
    for para in [SUMMARY, "填报说明：", *INSTRUCTIONS, "注：本月新增2户。"]:
        assert re.sub(r"\s+", "", para) in text, para
    assert text.index("全县(市、区)计划完成") < text.index("填报说明") < text.index("注：本月新增")


def test_every_font_embedded(f4):
    _table, path, _pages = f4
    seen = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]
            assert "/ToUnicode" in font
            seen.add(str(font["/BaseFont"]).split("+")[1])
    assert {"UMingCN", "HanaMinA"} <= seen


def _render(path, dpi: int, tmp_path, first: int | None = None, last: int | None = None) -> list:
    args = ["pdftoppm", "-r", str(dpi), "-png"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    subprocess.run([*args, str(path), str(tmp_path / "p")], check=True)
    return sorted(tmp_path.glob("p*.png"))


def test_pages_render_and_are_not_blank(f4, tmp_path):
    _table, path, pages = f4
    images = _render(path, 40, tmp_path)
    assert len(images) == pages
    for png in images:
        img = Image.open(png).convert("L")
        dark = sum(img.histogram()[:160])
        assert dark > img.width * img.height * 0.01, png.name


@pytest.mark.parametrize("which", ["f4", "f4_draft"])
def test_seal_area_is_blank_and_beside_the_unit(which, request, tmp_path):
    table, path, _pages = request.getfixturevalue(which)
    x, y, w, h = seal_area(table)
    assert w >= 42 * mm and h >= 42 * mm
    img = Image.open(_render(path, 72, tmp_path, 1)[0]).convert("L")
    top = img.height - (y + h)
    box = (int(x) + 2, int(top) + 2, int(x + w) - 2, int(top + h) - 2)
    assert img.crop(box).getextrema()[0] >= 250
    # the unit's words end just left of the square, level with it
    bbox = _pdftotext(path, "-f", "1", "-l", "1", "-bbox")
    word = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">填报单位', bbox)
    assert word
    x_max, y_mid = float(word.group(3)), (float(word.group(2)) + float(word.group(4))) / 2
    assert 0 <= x - x_max <= 10 * mm
    assert top <= y_mid <= top + h
    # and the text beside it is really printed (the check above is not on an empty page)
    assert img.crop((int(x) - 40, int(y_mid) - 4, int(x) - 2, int(y_mid) + 4)).getextrema()[0] < 128


def test_draft_watermark_on_every_page_but_not_in_the_text(f4, f4_draft, tmp_path):
    texts = _page_texts(f4_draft[1])
    assert len(texts) == f4_draft[2]
    assert not any("草" in t or "稿" in t for t in texts)  # drawn as outlines: copying text never gets it
    for page in PdfReader(f4_draft[1]).pages:  # … but drawn on every page, translucent
        states = page["/Resources"]["/ExtGState"].values()
        assert any(abs(float(s.get_object().get("/ca", 1)) - 0.22) < 1e-6 for s in states)
    grey = []
    for path in (f4[1], f4_draft[1]):
        subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", "2", "-l", "2", str(path), str(tmp_path / path.stem)],
                       check=True)
        img = Image.open(next(tmp_path.glob(f"{path.stem}*.png"))).convert("L")
        grey.append(sum(1 for v in img.tobytes() if 150 < v < 235))
    assert grey[1] > grey[0] + 500  # the watermark's grey is on the page


def test_three_level_header_and_totals(tmp_path):
    table = form1_like()
    path = tmp_path / "附件1.pdf"
    assert write_form_pdf(table, path, exported_at=EXPORTED) == 1
    text = _pdftotext(path)
    for label in ("增收性措施帮扶人数", "其中", "全县合计数", "𠮷祥村", "第1页 共1页", "填报说明"):
        assert label in text
    page = PdfReader(path).pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    assert re.search(r"(?<![\d.])0?\.88 g", content)  # total rows shaded …
    assert "2 Tr" in content  # … and bold
    plan = layout.plan(table)
    assert plan.header_rows == 4
    spans = {c.label: (c.rowspan, c.colspan) for c in plan.header_cells}
    assert spans["增收性措施帮扶人数"] == (1, 4) and spans["序号"] == (4, 1) and spans["就业人数"] == (3, 1)


def test_paper_by_width(f4, tmp_path):
    box = PdfReader(f4[1]).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    wide = form1_like()
    wide.header = [_leaf(f"第{i}列", f"c{i}", 12, "count") for i in range(24)]
    wide.rows = [[i] * 24 for i in range(3)]
    wide.row_kinds = ["unit"] * 3
    path = tmp_path / "wide.pdf"
    write_form_pdf(wide, path, exported_at=EXPORTED)
    box = PdfReader(path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (1191, 842)  # A3 landscape


def test_cell_text():
    assert layout.cell_text(None, "count") == "0"
    assert layout.cell_text(None, "text") == ""
    assert layout.cell_text(None, "seq") == ""
    assert layout.cell_text(2.5, "number") == "2.5"
    assert layout.cell_text(3.0, "number") == "3"
    assert layout.cell_text(0.12345, "number") == "0.1235"


def test_real_forms_from_the_demo_register(demo_db, tmp_path):
    """Every form of a month package, built by the forms service from a real register."""
    from sqlalchemy import select

    from app.models import Period, Unit
    from app.services import forms as form_service

    with demo_db.session() as s:
        period = s.scalars(select(Period).order_by(Period.month.desc())).first()
        county = s.scalars(select(Unit).where(Unit.level == "county")).first()
        built = form_service.build_forms(s, period, county, filed_on=dt.date(2020, 4, 3), draft=True)
    assert [lay.form for lay, _t in built] == ["附件1", "附件2", "附件3", "附件4", "附件4"]
    for lay, table in built:
        path = tmp_path / lay.file_name("pdf", draft=True)
        pages = write_form_pdf(table, path, exported_at=EXPORTED)
        texts = _page_texts(path)
        assert len(texts) == pages
        assert not any("草稿" in t for t in texts)  # the watermark is drawn, not text
        first = _pdftotext(path, "-f", "1", "-l", "1")
        assert lay.form in first and f"填报单位：{county.name}（盖章处）" in first and f"第1页 共{pages}页" in first
        flat = re.sub(r"\s+", "", _pdftotext(path))
        assert re.sub(r"\s+", "", table.title) in flat
        tail = _tail_text(path)
        for item in table.instructions:
            assert re.sub(r"\s+", "", item) in tail
        if lay.key == "4":
            col = lay.codes().index("name")
            names = [r[col] for r in table.rows]
            assert names and all(name in flat for name in names)
            assert re.sub(r"\s+", "", table.summary) in tail
            for short in ("序号", "姓名", "年龄", "主要脱贫措施"):
                assert all(short in t for t in texts if "户主" in t)


def test_progress_and_cancel(tmp_path):
    table = form4_like()
    calls: list[tuple[int, int]] = []
    path = tmp_path / "p.pdf"
    pages = write_form_pdf(table, path, exported_at=EXPORTED, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, pages) and calls[-1] == (pages, pages)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    for allowed in (0, 1):  # while measuring, and while drawing
        asked = []
        path = tmp_path / f"cancel{allowed}.pdf"
        with pytest.raises(InterruptedError):
            write_form_pdf(table, path, exported_at=EXPORTED, cancel=lambda a=asked, n=allowed: a.append(1) or len(a) > n)
        assert not path.exists()


def test_a_cell_taller_than_a_page_is_cut_and_marked(tmp_path):
    table = form4_like()
    endless = "\n".join(f"{i}、第{i}项帮扶措施" for i in range(1, 200))
    table.rows[0][9] = endless
    plan = layout.plan(table)
    room = plan.top - plan.header_height - layout.MARGIN_BOTTOM
    assert max(plan.heights) <= room + 1e-6
    for page in plan.pages:  # no page holds more rows than fit above the footer
        a, b = page.rows
        first = plan.pages.index(page) == 0
        cap = (plan.first_top if first else plan.top) - plan.header_height - layout.MARGIN_BOTTOM
        assert sum(plan.heights[a:b]) <= cap + 1e-6
    path = tmp_path / "cut.pdf"
    write_form_pdf(table, path, exported_at=EXPORTED)
    text = _pdftotext(path)
    assert "1、第1项帮扶措施" in text and "…" in text and "199、第199项帮扶措施" not in text


def test_same_table_same_time_same_bytes(tmp_path):
    at = dt.datetime(2020, 4, 3, 10, 15, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_form_pdf(form1_like(), a, exported_at=at)
    write_form_pdf(form1_like(), b, exported_at=at)
    assert a.read_bytes() == b.read_bytes()
    assert PdfReader(a).metadata["/CreationDate"] == "D:20200403101507+08'00'"
    write_form_pdf(form1_like(), b, exported_at=at + dt.timedelta(minutes=1))
    assert a.read_bytes() != b.read_bytes()


def test_household_columns_are_drawn_merged(f4, tmp_path):
    """Between two members of a household the grid line runs through the person columns only."""
    table, path, _pages = f4
    plan = layout.plan(table)
    dpi = 144
    k = dpi / 72
    img = Image.open(_render(path, dpi, tmp_path, 1)[0]).convert("L")
    boundary = plan.first_top - plan.header_height - plan.heights[0]  # rows 0 and 1: one household
    assert (0, 3, 1, 3) in table.merges
    y = round((plan.pagesize[1] - boundary) * k)

    def darkest(col: int) -> int:
        x = round((plan.col_x[col] + 1.2) * k)  # inside the cell's padding: grid line, never text
        return img.crop((x, y - 2, x + 3, y + 3)).getextrema()[0]

    assert darkest(6) < 128  # 姓名: a line between the members
    for col in (1, 2, 3, 4, 5, 9, 10, 11):  # the household's own columns: merged, no line
        assert darkest(col) > 200, col

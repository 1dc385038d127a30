"""The forms as the seed prints them: decimals of totals, no rule codes, band-B wording, curly quotes,
the seal square at the workbook's own print scale, and no final export without 填报人/联系电话."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import _export_register as R
import openpyxl
import pytest
from pypdf import PdfReader

from app.cli import main
from app.exporters.xlsx import write_xlsx
from app.forms.layouts import FORM4B, LAYOUTS
from app.models import Office
from app.services import forms
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database

RULE_CODE = re.compile(r"\b[HMCPI]-\d\d\b")


@pytest.fixture(scope="module")
def _template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("print") / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
    return path


@pytest.fixture
def clean_path(_template, tmp_path) -> Path:
    path = tmp_path / "clean.db"
    shutil.copy(_template, path)
    return path


def _book(db_path: Path, key: str, tmp_path: Path) -> openpyxl.Workbook:
    with Database(db_path) as db, db.session() as s:
        table = forms.BUILDERS[key](s, get_period(s, "2020-03"), find_unit(s, "康平县"))
    out = tmp_path / f"{key}.xlsx"
    write_xlsx(table, out)
    return openpyxl.load_workbook(out)


def test_form3_totals_show_the_decimals_of_their_rows(clean_path, tmp_path):
    ws = _book(clean_path, "3", tmp_path).worksheets[0]
    decimals = [(c.value, c.number_format, c.font.b) for row in ws.iter_rows(min_row=6) for c in row
                if isinstance(c.value, float) and not c.value.is_integer()]
    assert any(bold for *_x, bold in decimals), "the demo's totals have decimals"
    for value, fmt, _bold in decimals:
        assert fmt == "0.0###", (value, fmt)  # never "0", which would print 1079.75 as 1080


def test_no_rule_codes_on_any_form_xlsx_or_pdf(clean_path, tmp_path):
    with Database(clean_path) as db, db.session() as s:  # a band-B person outside both income columns
        from app.models import Household

        h = next(h for h in s.query(Household) if h.band == "B")
        h.ytd_income = None
    with Database(clean_path) as db:
        from app.services.export import export_package

        result = export_package(db, "2020-03", "康平县", tmp_path / "out", draft=True)
    folder = Path(result["folder"])
    notes = []
    for path in folder.glob("*.xlsx"):
        for ws in openpyxl.load_workbook(path).worksheets:
            if ws.sheet_state != "visible":
                continue
            text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
            assert not RULE_CODE.search(text), (path.name, RULE_CODE.search(text))
            notes += [t for t in text.split(" ") if "未计入" in t]
    for path in folder.glob("*.pdf"):
        text = "".join(p.extract_text() for p in PdfReader(path).pages)
        assert not RULE_CODE.search(text), (path.name, RULE_CODE.search(text))
    assert notes, "the 附件2 shortfall is said in words"


def test_band_b_instructions_name_their_band_and_quotes_are_curly(clean_path, tmp_path):
    ws = _book(clean_path, "4B", tmp_path).worksheets[0]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert FORM4B.instructions[0] in texts and "5000元-5760元之间的已脱贫户" in FORM4B.instructions[0]
    header = [c.value for row in _book(clean_path, "1", tmp_path).worksheets[0].iter_rows(max_row=6) for c in row]
    assert "本年度“三保障”+安全饮水帮扶人数" in header


def _column_mm(stored_width: float) -> float:
    """A column as openpyxl reads it back (xlsxwriter stores chars + padding) → mm at 96 dpi."""
    return int(stored_width * 7 + 0.5) * 25.4 / 96


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_the_seal_square_measures_42mm_at_the_workbooks_own_print_scale(clean_path, tmp_path, key):
    ws = _book(clean_path, key, tmp_path).worksheets[0]
    ncols = ws.max_column
    stored = {}
    for dim in ws.column_dimensions.values():  # openpyxl groups equal columns (min … max)
        for c in range(dim.min, dim.max + 1):
            stored[c] = dim.width
    widths = [_column_mm(stored[c]) for c in range(1, ncols + 1)]
    paper = {9: 297.0, 8: 420.0}[int(ws.page_setup.paperSize)]
    printable = paper - (ws.page_margins.left + ws.page_margins.right) * 25.4
    scale = min(1.0, printable / sum(widths))  # fit to one page wide
    block = next(r for r in ws.merged_cells.ranges if r.min_row == 3 and r.min_col == 1)
    assert ws.cell(3, 1).value.startswith("填报单位：") and ws.cell(3, 1).alignment.vertical == "top"
    width_mm = sum(widths[block.min_col - 1:block.max_col]) * scale
    height_mm = ws.row_dimensions[3].height * 25.4 / 72 * scale - 6  # less the unit's line of text
    assert width_mm >= 42 and height_mm >= 42, (key, width_mm, height_mm)


def test_final_export_refused_without_preparer_or_phone(clean_path, tmp_path, capsys):
    with Database(clean_path) as db, db.session() as s:
        s.get(Office, 1).preparer = ""
    rc = main(["export", "--db", str(clean_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert rc == 1 and "填报人未填写" in err and not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    with Database(clean_path) as db, db.session() as s:
        office = s.get(Office, 1)
        office.preparer, office.preparer_phone = "孙丽华", " "
    rc = main(["export", "--db", str(clean_path), "--out", str(tmp_path / "out")])
    assert rc == 1 and "联系电话未填写" in capsys.readouterr().err
    assert main(["export", "--db", str(clean_path), "--out", str(tmp_path / "d"), "--draft"]) == 0  # drafts may

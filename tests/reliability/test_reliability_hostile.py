"""Hostile input: markup, formulas and signs typed as names and texts are stored and printed literally.

Every output is read back the way a recipient would: xlsx with openpyxl (a string cell, never a
formula), register.json as JSON; the PDF and the month package are covered once they exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from app.models import Household, Period, Person
from app.services import register
from app.services.periods import ensure_period
from app.services.units import ensure_path

HOSTILE = [
    "<b>&amp;</b>",
    '=HYPERLINK("http://x","点我")',
    "@SUM(1)",
    "+1",
    "-1",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "]]>&lt;",
]


@pytest.fixture
def hostile_db(db):
    """A village whose people carry hostile names, typed through the register service as the GUI does."""
    with db.session() as s:
        village = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        period = ensure_period(s, "2020-03")
        for i, text in enumerate(HOSTILE):
            hid = register.add_household(s, period.id, village.id, head_name=f"户主{i}").household_id
            register.add_member(s, hid, None, {"name": text, "relation": "其他", "age": 30})
            register.update_household(s, hid, "remark", text)
            register.update_household(s, hid, "helper_name", text)
            register.set_measures(s, hid, [("产业带动", text)])
    return db


def test_hostile_texts_are_stored_literally(hostile_db):
    with hostile_db.session() as s:
        names = {p.name for p in s.query(Person)}
        remarks = {h.remark for h in s.query(Household)}
    assert set(HOSTILE) <= names
    assert remarks == set(HOSTILE)


def test_xlsx_cells_hold_the_literal_string_never_a_formula(hostile_db, tmp_path):
    from app.exporters.xlsx import write_xlsx
    from app.services.forms import build_form4

    with hostile_db.session() as s:
        period = s.query(Period).one()
        village = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        table = build_form4(s, period, village.parent, filed_on=None, draft=True)
        out = tmp_path / "附件4.xlsx"
        write_xlsx(table, out)
    wb = openpyxl.load_workbook(out)  # not read-only: data_type and quote prefix are visible
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cells.setdefault(cell.value, cell)
    for text in HOSTILE:
        assert text in cells, f"{text!r} missing from the sheet"
        cell = cells[text]
        assert cell.data_type == "s", f"{text!r} stored as {cell.data_type}"
        if text[0] in "=+-@":
            assert cell.quotePrefix  # shown as text when edited in Excel/WPS, never evaluated
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_register_json_round_trips_the_literal_texts(hostile_db, tmp_path):
    from app.exporters.register_json import write_register_json

    with hostile_db.session() as s:
        period = s.query(Period).one()
        township = ensure_path(s, ["康平县", "暖泉镇"])
        write_register_json(tmp_path / "register.json", s, period, township)
    raw = (tmp_path / "register.json").read_text(encoding="utf-8")
    doc = json.loads(raw)
    names = {m["name"] for h in doc["households"] for m in h["members"]}
    assert set(HOSTILE) <= names
    assert {h["remark"] for h in doc["households"]} == set(HOSTILE)
    assert "&amp;amp;" not in raw and "\\u003c" not in raw  # not escaped twice, not HTML-escaped


def test_defusedxml_guards_openpyxl():
    from app.startup import check_xml_defences

    assert openpyxl.DEFUSEDXML is True
    check_xml_defences()


def test_an_xml_bomb_in_a_workbook_is_refused(tmp_path):
    """A workbook whose sheet XML declares nested entities (billion laughs) does not expand."""
    import zipfile

    good = tmp_path / "good.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x"
    wb.save(good)
    bomb = tmp_path / "bomb.xlsx"
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                if text.startswith("<?xml"):
                    decl, _, rest = text.partition("?>")
                    text = decl + "?>" + doctype + rest
                else:
                    text = doctype + text
                data = text.replace("<v>", "<v>&lol9;", 1).encode("utf-8")
            zout.writestr(item, data)
    from defusedxml import DTDForbidden, EntitiesForbidden

    with pytest.raises(ValueError) as e:  # openpyxl wraps the parser's refusal
        openpyxl.load_workbook(bomb)
    assert isinstance(e.value.__context__ or e.value.__cause__, EntitiesForbidden | DTDForbidden)


def _squash(text: str) -> str:
    return "".join(text.split())


def test_month_package_prints_hostile_texts_literally_in_every_file(hostile_db, tmp_path):
    """The whole package: every xlsx (string cells, no formulas), every PDF (extracted text), register.json."""
    from pypdf import PdfReader

    from app.services.export import export_package

    result = export_package(hostile_db, "2020-03", "康平县", tmp_path / "out", draft=True, recipient="county")
    folder = Path(result["folder"])
    xlsx_text: set[str] = set()
    for path in folder.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"formula in {path.name}!{cell.coordinate}: {cell.value!r}"
                    if isinstance(cell.value, str):
                        xlsx_text.add(cell.value)
    for text in HOSTILE:
        assert text in xlsx_text
    pdf_text = ""
    for path in sorted(folder.glob("*.pdf")):
        pdf_text += "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    squashed = _squash(pdf_text)
    for text in HOSTILE:
        assert _squash(text) in squashed, f"{text!r} not printed literally in the PDFs"
    assert "&amp;amp;" not in pdf_text
    doc = json.loads((folder / "register.json").read_text(encoding="utf-8"))
    assert set(HOSTILE) <= {m["name"] for h in doc["households"] for m in h["members"]}


def test_cards_print_hostile_names_literally(hostile_db, tmp_path):
    from pypdf import PdfReader

    from app.cli import main

    path = hostile_db.path
    hostile_db.close()  # the command opens the register itself
    out = tmp_path / "cards.pdf"
    assert main(["cards", "--db", str(path), "--unit", "暖泉镇/前暖泉村", "--out", str(out)]) == 0
    text = _squash("".join(page.extract_text() or "" for page in PdfReader(str(out)).pages))
    for name in HOSTILE:
        assert _squash(name) in text, f"{name!r} not printed literally on the cards"

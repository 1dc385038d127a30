"""The Excel round trip loses nothing: an exported 附件4 (re-saved or not) imports back with every
register field except the personal identifiers; the data month travels in the workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from _query import query
from test_import_helpers import run_cli

from app.forms import hidden

MONTH = "2020-03"


def _clean(db_path: Path) -> None:
    """The demo's deliberate H-13 (a band-A household at 5200元) would refuse the import."""
    from _query import execute

    execute(db_path, "UPDATE households SET prior_income = 4800 WHERE band = 'A' AND prior_income >= 5000")


def _export_form4(db_path: Path, out: Path, band: str = "A") -> Path:
    from app.exporters.xlsx import write_xlsx
    from app.models import Unit
    from app.services.forms import build_form4
    from app.services.periods import get_period
    from app.storage import Database

    with Database(db_path) as d, d.session() as s:
        unit = s.query(Unit).filter(Unit.level == "county").one()
        table = build_form4(s, get_period(s, MONTH), unit, band)
        path = out / f"附件4{band}.xlsx"
        write_xlsx(table, path)
    return path


def _resave(path: Path) -> Path:
    wb = openpyxl.load_workbook(path)
    assert wb[hidden.SHEET].sheet_state == "veryHidden"
    out = path.with_name("resaved-" + path.name)
    wb.save(out)
    return out


def _households(db_path: Path, band: str | None = None) -> dict[str, tuple]:
    rows = query(db_path, """
        SELECT h.uuid, h.band, h.prior_income, h.helper_unit, h.ytd_income, h.closed_out, h.closed_out_on,
               h.risk_colour, h.risk_reasons, h.housing_grade, h.housing_renovated, h.remark, h.head_phone,
               h.cause, h.expected_month, h.id
        FROM households h JOIN periods p ON p.id = h.period_id WHERE p.month = ?""", MONTH)
    out = {}
    for r in rows:
        if band and r[1] != band:
            continue
        hid = r[-1]
        members = query(db_path, "SELECT uuid, name, age, housing, education, medical, water, industry, "
                                 "industry_started, industry_benefited, employment, public_post, graduate_placement, "
                                 "dibao FROM persons WHERE household_id = ? ORDER BY position", hid)
        measures = query(db_path, "SELECT category, text FROM measures WHERE household_id = ? ORDER BY position", hid)
        income = query(db_path, "SELECT category, label, amount FROM income_items WHERE household_id = ? "
                                "ORDER BY position", hid)
        out[r[0]] = (r[:-1], members, measures, income)
    return out


@pytest.fixture
def exported(demo_db_path, tmp_path):
    _clean(demo_db_path)
    return _export_form4(demo_db_path, tmp_path)


def test_exported_form4_resaved_imports_alone_into_a_fresh_register_losslessly(demo_db_path, exported, tmp_path):
    resaved = _resave(exported)
    fresh = tmp_path / "fresh.db"
    rc, out = run_cli("import", "--db", str(fresh), str(resaved), "--json")  # no --period: the workbook says
    assert rc == 0, out.get("message")
    assert out["period"] == MONTH and out["normalised"] == []
    before, after = _households(demo_db_path, "A"), _households(fresh)
    assert set(after) == set(before) and len(before) > 30
    assert after == before  # UUIDs, 销号, assistance, categories, 红黄绿, 危房, incomes: all of it
    assert any(h[0][5] for h in before.values()), "the demo closes some households out"
    # … but never the personal identifiers: the workbook does not carry them
    assert query(fresh, "SELECT count(*) FROM persons WHERE id_number IS NOT NULL OR phone IS NOT NULL") == [(0,)]
    rows = json.dumps(openpyxl.load_workbook(exported)[hidden.SHEET].values.__next__())
    ids = [r[0] for r in query(demo_db_path, "SELECT id_number FROM persons WHERE id_number IS NOT NULL")]
    sheet_text = "".join(str(c.value) for row in openpyxl.load_workbook(exported)[hidden.SHEET].iter_rows()
                         for c in row)
    assert ids and not any(i in sheet_text for i in ids) and MONTH in rows


def test_reimport_into_the_same_register_keeps_identifiers_and_changes_nothing(demo_db_path, exported):
    before = query(demo_db_path, "SELECT uuid, id_number, phone FROM persons ORDER BY uuid")
    rc, out = run_cli("import", "--db", str(demo_db_path), str(exported), "--json")
    assert rc == 0, out.get("message")
    assert out["changed"]["households"] == 0 and out["added"]["households"] == 0
    assert query(demo_db_path, "SELECT uuid, id_number, phone FROM persons ORDER BY uuid") == before


def test_a_visible_cell_edited_after_export_wins_and_is_reported(demo_db_path, exported, tmp_path):
    wb = openpyxl.load_workbook(exported)
    ws = wb["附件4"]
    hidden_rows = list(wb[hidden.SHEET].iter_rows(min_row=2, values_only=True))
    first_row, record = int(hidden_rows[0][0]), json.loads(hidden_rows[0][1])
    ws.cell(first_row, 9).value = 33  # 年龄 of the household's first member
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    fresh = tmp_path / "fresh.db"
    rc, out = run_cli("import", "--db", str(fresh), str(edited), "--json")
    assert rc == 0, out.get("message")
    notes = [f for f in out["findings"] if f["code"] == "I-13"]
    assert len(notes) == 1 and "年龄" in notes[0]["message"] and notes[0]["row"] == first_row
    uuid = record["m"][0]["uuid"]
    assert query(fresh, "SELECT age FROM persons WHERE uuid = ?", uuid) == [(33,)]


@pytest.mark.parametrize("bad", [
    ("closed_out", "yes"), ("uuid", "not-a-uuid"), ("risk_colour", "purple"), ("prior_income", -5),
])
def test_a_bad_hidden_value_refuses_the_import(exported, tmp_path, bad):
    wb = openpyxl.load_workbook(exported)
    sheet = wb[hidden.SHEET]
    rec = json.loads(sheet.cell(2, 2).value)
    rec["h"][bad[0]] = bad[1]
    sheet.cell(2, 2).value = json.dumps(rec, ensure_ascii=False)
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    rc, out = run_cli("import", "--db", str(tmp_path / "fresh.db"), str(path), "--period", MONTH, "--json")
    assert rc == 1 and any(f["code"] == "I-10" for f in out["findings"])


def test_without_the_hidden_sheet_it_is_a_hand_made_workbook(exported, tmp_path):
    wb = openpyxl.load_workbook(exported)
    del wb[hidden.SHEET]
    path = tmp_path / "hand.xlsx"
    wb.save(path)
    assert run_cli("import", "--db", str(tmp_path / "a.db"), str(path))[0] == 2  # needs --period
    rc, out = run_cli("import", "--db", str(tmp_path / "a.db"), str(path), "--period", MONTH, "--json")
    assert rc == 0 and out["added"]["households"] > 30


def test_every_demo_measure_text_and_income_label_maps_back_to_its_category():
    from app.importers.texts import income_category, measure_category
    from app.services import demo_data as W

    for category, texts in W.MEASURE_TEXTS.items():
        for text in texts:
            for company in W.COMPANIES:
                line = text.format(company=company, n=3)
                assert measure_category(line) == category, line
    labels = {"种植业收入": "种植业", "养殖业": "养殖业", "务工收入": "工资性收入", "地力补贴": "地力补贴",
              "玉米补贴": "粮食补贴", "低保": "低保", "残疾人补助": "残疾人补助", "养老金": "养老金/退休金",
              "退休金": "养老金/退休金", "土地流转": "土地流转", "产业分红": "产业分红", "救灾款": "救灾款"}
    for label, category in labels.items():
        assert income_category(label) == category, label


def test_every_exported_workbook_carries_its_month_and_dates_are_not_renormalised(demo_db_path, tmp_path):
    from app.exporters.xlsx import write_xlsx
    from app.models import Unit
    from app.services.forms import build_form1, build_form3
    from app.services.periods import get_period
    from app.storage import Database

    with Database(demo_db_path) as d, d.session() as s:
        unit = s.query(Unit).filter(Unit.level == "county").one()
        per = get_period(s, MONTH)
        write_xlsx(build_form1(s, per, unit), tmp_path / "f1.xlsx")
        write_xlsx(build_form3(s, per, unit), tmp_path / "f3.xlsx")
    for name in ("f1.xlsx", "f3.xlsx"):
        head = next(openpyxl.load_workbook(tmp_path / name)[hidden.SHEET].values)
        assert head[:2] == (hidden.SCHEMA, MONTH)
    rc, out = run_cli("import", "--db", str(tmp_path / "x.db"), str(_resave(tmp_path / "f3.xlsx")), "--dry-run",
                      "--json")
    assert out["period"] == MONTH and out["normalised"] == [], out["normalised"][:3]


def test_rows_sorted_after_export_still_find_their_own_records(exported, tmp_path):
    """A clerk who sorts the households (here: the first two swapped, values only) must not give
    one household the other's UUIDs."""
    wb = openpyxl.load_workbook(exported)
    sheet = wb[hidden.SHEET]
    first, second = sheet.cell(2, 2).value, sheet.cell(3, 2).value
    row1, row2 = sheet.cell(2, 1).value, sheet.cell(3, 1).value
    sheet.cell(2, 2).value, sheet.cell(3, 2).value = second, first  # records no longer beside their rows
    path = tmp_path / "sorted.xlsx"
    wb.save(path)
    fresh = tmp_path / "fresh.db"
    rc, out = run_cli("import", "--db", str(fresh), str(path), "--json")
    assert rc == 0, out.get("message")
    for rec in (json.loads(first), json.loads(second)):
        names = [m["name"] for m in rec["m"]]
        got = query(fresh, "SELECT name FROM persons WHERE uuid = ?", rec["m"][0]["uuid"])
        assert got == [(names[0],)]
    assert row1 < row2

"""Property-based: a register.json or a workbook cell holding any hostile value either imports, leaving
every later command working, or is refused with exit 1 and the register file byte-identical.

Hypothesis generates the values (huge and non-finite numbers, integers past 64 bits, lone surrogates,
lists and objects where a value belongs, texts of every length, dates real and not); the files are real
packages and real .xlsx workbooks, imported by the real command into a real SQLite file.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from test_import_helpers import run_cli, seed_household, write_form4

from app import __version__
from app.exporters.package import write_manifest
from app.exporters.register_json import write_register_json
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database

# Bounded and derandomized, so CI stays fast and repeatable; a longer random run (max_examples=500,
# derandomize=False) found the required-column case pinned with @example below.
FAST = settings(max_examples=20, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

HOSTILE_SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, float("nan"), float("inf")]),
    st.text(max_size=30),
    st.sampled_from(["\ud800", "a\udfff", "2020-02-30", "not-a-date", "2020-03-15", "1e308", "lots", "户主", "A", "Z",
                     "字" * 3000, "<b>x</b>", "=1+1", "\x00", "../../etc/passwd"]),
)
HOSTILE = st.one_of(HOSTILE_SCALARS, st.lists(HOSTILE_SCALARS, max_size=3),
                    st.dictionaries(st.text(max_size=5), HOSTILE_SCALARS, max_size=2))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, str]:
    """A register of two households (the seed's, twice over two villages) and its register.json text."""
    work = tmp_path_factory.mktemp("prop")
    db_path = work / "small.db"
    Database(db_path, create=True).close()
    other = seed_household(village="后暖泉村", head_contact="于河 15140731299")
    other["members"] = [("于河", "户主", 60, "残疾", "普通劳动力"), ("李红", "配偶", 58, "残疾", "弱劳动力"),
                        ("于江", "之子", 30, "残疾", "无劳动力"), ("于湖", "之女", 28, "残疾", "无劳动力")]
    book = write_form4(work / "seed.xlsx", [seed_household(), other])
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--json")
    assert rc == 0, out["findings"][:3]
    reg = work / "register.json"
    with Database(db_path, write=False) as d, d.session() as s:
        write_register_json(reg, s, get_period(s, "2020-03"), find_unit(s, "盖州市"))
    return db_path, reg.read_text(encoding="utf-8")


def _places(doc: dict) -> list[tuple]:
    """Every (container path, key) of the document a value can be put at."""
    out: list[tuple] = [((), k) for k in doc if k != "schema"]
    out += [(("period",), k) for k in doc["period"]]
    for i, h in enumerate(doc["households"]):
        out += [(("households", i), k) for k in h]
        for key in ("members", "measures", "income_items"):
            for j, rec in enumerate(h[key]):
                out += [(("households", i, key, j), k) for k in rec]
    return out


def _get(doc, path):
    for p in path:
        doc = doc[p]
    return doc


def _package(folder: Path, text: str) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "register.json").write_bytes(text.encode("utf-8", "surrogatepass"))
    write_manifest(folder, unit="盖州市", period="2020-03", app_version=__version__, final=False,
                   files=[("register.json", 0)], findings={})
    return folder


def _fresh_db(tmp_path: Path) -> Path:
    db = tmp_path / "target.db"
    for p in tmp_path.glob("target.db*"):
        p.unlink()
    Database(db, create=True).close()
    return db


def _later_commands_work(db: Path, tmp_path: Path) -> None:
    """What the clerk does next must not fail with an internal error (exit 70), and the register
    must still be one a package can carry (register.json is strict JSON: no NaN or Infinity)."""
    from app.exporters.register_json import dump_register

    with Database(db, write=False) as d, d.session() as s:
        json.dumps(dump_register(s, get_period(s, "2020-03"), find_unit(s, "盖州市")), allow_nan=False, default=str)
    rc, _ = run_cli("check", "--db", str(db), "--period", "2020-03", "--json")
    assert rc in (0, 1)
    rc, _ = run_cli("cards", "--db", str(db), "--period", "2020-03", "--unit", "盖州市", "--out", str(tmp_path / "c.pdf"))
    assert rc in (0, 1)


@FAST
@given(data=st.data(), value=HOSTILE)
def test_register_json_with_a_hostile_value_imports_or_is_refused_untouched(small, tmp_path, data, value):
    _db, text = small
    doc = json.loads(text)
    path, key = data.draw(st.sampled_from(_places(doc)))
    _get(doc, path)[key] = value
    folder = _package(tmp_path / "pkg", json.dumps(doc, ensure_ascii=True))  # NaN, Infinity, \ud800 as written
    db = _fresh_db(tmp_path)
    before = db.read_bytes()
    rc, out = run_cli("import", "--db", str(db), str(folder), "--json")
    assert rc in (0, 1), out
    if rc == 1:
        assert db.read_bytes() == before
        assert all(f["message"] for f in out["findings"])
        assert "Traceback" not in json.dumps(out, ensure_ascii=False)
    else:
        _later_commands_work(db, tmp_path)


@FAST
@example(value={}, key="income_items")  # found by a longer run: a required column left out (NOT NULL)
@example(value={}, key="hand_counts")
@given(value=HOSTILE, key=st.sampled_from(["households", "members", "income_items", "measures", "units",
                                           "hand_counts", "fund_projects", "verification_notes", "office", "counts"]))
def test_register_json_with_a_hostile_record_imports_or_is_refused_untouched(small, tmp_path, value, key):
    """A whole record (or list of records) replaced by a hostile value."""
    _db, text = small
    doc = json.loads(text)
    if key in ("members", "income_items", "measures"):
        doc["households"][0][key] = [value]
    else:
        doc[key] = value if key in ("office", "counts") else [value]
    folder = _package(tmp_path / "pkg", json.dumps(doc, ensure_ascii=True))
    db = _fresh_db(tmp_path)
    before = db.read_bytes()
    rc, out = run_cli("import", "--db", str(db), str(folder), "--json")
    assert rc in (0, 1), out
    if rc == 1:
        assert db.read_bytes() == before
    else:
        _later_commands_work(db, tmp_path)


CELL_VALUES = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e308, -1e308, 9.99e307, 2**63, 1e15, 0.5, -3]),
    st.text(max_size=40).map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t)),
    st.sampled_from(["9" * 400 + "元", "1e308", "七十", "2020.13", "2020-02-30", "字" * 32000, "=1+1", "户主",
                     "1. 种植业: " + "9" * 400 + "元 2. 合计" + "9" * 400 + "元, 人均1元"]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)
CELLS = ["size", "head_contact", "cause", "measures", "income", "helper_contact", "expected_month", "village",
         "name", "relation", "age", "health", "labour"]


@FAST
@example(cell="income", value="1. 种植业: " + "9" * 400 + "元")  # an amount that parses to inf
@example(cell="age", value=1e308)
@given(cell=st.sampled_from(CELLS), value=CELL_VALUES)
def test_workbook_cell_with_a_hostile_value_imports_or_is_refused_untouched(small, tmp_path, cell, value):
    seed = seed_household()
    if cell in ("name", "relation", "age", "health", "labour"):
        i = ("name", "relation", "age", "health", "labour").index(cell)
        first = list(seed["members"][1])
        first[i] = value
        seed["members"] = [seed["members"][0], tuple(first), *seed["members"][2:]]
    else:
        seed[cell] = value
    book = write_form4(tmp_path / "hostile.xlsx", [seed])
    db = _fresh_db(tmp_path)
    before = db.read_bytes()
    rc, out = run_cli("import", "--db", str(db), str(book), "--period", "2020-03", "--json")
    assert rc in (0, 1), out
    if rc == 1:
        assert db.read_bytes() == before
    else:
        _later_commands_work(db, tmp_path)

"""verify checks what the forms say, not only their checksums: an edited cell with its manifest hash
recomputed is caught (附件1 against its totals and against 附件4, 附件2's total, 附件4's own export)."""

from __future__ import annotations

import json
from pathlib import Path

import _export_register as R
import openpyxl
import pytest

from app.exporters.package import sha256_of
from app.importers.verify import verify_package
from app.services.export import export_package
from app.storage import Database


@pytest.fixture(scope="module")
def _package(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("verify")
    with Database(tmp / "clean.db", create=True) as db:
        R.build(db)
    with Database(tmp / "clean.db") as db:
        return Path(export_package(db, "2020-03", "康平县", tmp / "out", draft=True)["folder"])


@pytest.fixture
def package(_package, tmp_path) -> Path:
    import shutil

    out = tmp_path / _package.name
    shutil.copytree(_package, out)
    return out


def _edit(folder: Path, prefix: str, edit) -> None:
    """Change a workbook of the package and recompute its manifest hash, as a forger would."""
    path = next(p for p in folder.glob(f"{prefix}*.xlsx") if "5000-5760" not in p.name)
    wb = openpyxl.load_workbook(path)
    edit(wb.worksheets[0])
    wb.save(path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["name"] == path.name:
            entry["sha256"] = sha256_of(path)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _find(ws, text):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def test_an_untouched_package_verifies(package):
    assert verify_package(package) == {"ok": True, "problems": []}


def test_an_edited_form4_cell_with_its_hash_recomputed_is_caught(package):
    def older(ws):
        cell = next(c for c in ws["I"] if isinstance(c.value, int))  # 年龄 of the first person
        cell.value += 7

    _edit(package, "附件4", older)
    result = verify_package(package)
    assert not result["ok"] and any("年龄" in p and "导出后被改过" in p for p in result["problems"])


def test_form1_village_total_against_its_total_rows_and_form4(package):
    def more(ws):
        village = _find(ws, "前暖泉村")
        ws.cell(village.row, 5).value += 1

    _edit(package, "附件1", more)
    problems = verify_package(package)["problems"]
    assert any(p.startswith("附件1") and "合计" in p for p in problems)  # M-06, in words
    assert any("前暖泉村" in p and "账账不符" in p for p in problems)


def test_form2_total_against_its_rows(package):
    def more(ws):
        total = _find(ws, "全县合计")
        ws.cell(total.row, 3).value += 2

    _edit(package, "附件2", more)
    problems = verify_package(package)["problems"]
    assert any(p.startswith("附件2") for p in problems)

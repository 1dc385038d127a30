"""The month package: refuse on E findings, draft names, lock + audit, manifest checksums, verify, mail draft."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import _export_register as R
import openpyxl
import pytest
from sqlalchemy import select

from app.cli import main
from app.forms.layouts import LAYOUTS
from app.importers.verify import verify_package
from app.kernel.register_codec import read_register_json
from app.models import AuditEntry, Household, Person
from app.services.errors import Refused
from app.services.export import ExportCancelled, export_package
from app.services.periods import get_period
from app.storage import Database

NAME = "康平县2020年3月挂图作战月报"


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pkgdb") / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
    return path


PASSPHRASE = "kangping-口令-2020"


@pytest.fixture(scope="module")
def final_pkg(clean_template, tmp_path_factory):
    """One final export of the clean register: (result, database path, out dir)."""
    base = tmp_path_factory.mktemp("final")
    db_path = base / "db.sqlite"
    shutil.copy(clean_template, db_path)
    out = base / "out"
    with Database(db_path) as db:
        # everything travels (the level-to-level split is tests/services/test_recipients.py), identifiers encrypted
        result = export_package(db, "2020-03", "康平县", out, draft=False, recipient="county", passphrase=PASSPHRASE)
    return result, db_path, out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_refuses_on_errors_and_writes_nothing(demo_db, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(Refused) as e:
        export_package(demo_db, None, "康平县", out)
    assert e.value.findings and all(f.severity == "E" for f in e.value.findings)
    assert not out.exists() or not any(out.iterdir())
    with demo_db.session() as s:
        assert not get_period(s, None).locked
        assert not s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).first()


def test_cli_refusal_exit_1(demo_db_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--db", str(demo_db_path), "export", "--out", str(out), "--json"])
    assert code == 1
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # one JSON document with the findings; nothing written
    assert doc["folder"] is None and doc["files"] == []
    assert doc["findings"] and all(f["severity"] == "E" for f in doc["findings"])
    assert {"code", "severity", "message", "unit", "household", "field"} <= set(doc["findings"][0])
    assert "不能导出正式月报" in captured.err
    assert not out.exists() or not any(out.iterdir())


def test_draft_names_and_not_locked(demo_db_path, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--db", str(demo_db_path), "export", "--out", str(out), "--draft", "--json", "--for", "county"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"folder", "zip", "files", "findings"} <= set(doc) and doc["recipient"] == "county"
    folder = Path(doc["folder"])
    assert folder.name == f"{NAME}-草稿" and Path(doc["zip"]).name == f"{NAME}-草稿.zip"
    names = {f["name"] for f in doc["files"]}
    for lay in LAYOUTS.values():
        assert f"{lay.file_stem}-草稿.xlsx" in names and f"{lay.file_stem}-草稿.pdf" in names
    assert "register.json" in names
    assert any(f["severity"] == "E" for f in doc["findings"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["final"] is False and manifest["findings"]["E"] > 0
    assert (folder / f"{NAME}-草稿.eml").is_file()
    assert verify_package(folder) == {"ok": True, "problems": []}
    with Database(demo_db_path, write=False) as db, db.session() as s:
        assert not get_period(s, None).locked
    assert sorted(p.name for p in out.iterdir()) == sorted([folder.name, f"{folder.name}.zip"])  # no staging left


def test_final_locks_and_audits(final_pkg):
    result, db_path, _ = final_pkg
    assert Path(result["folder"]).name == NAME and result["final"] is True
    with Database(db_path, write=False) as db, db.session() as s:
        assert get_period(s, "2020-03").locked
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).one()
        assert entry.period == "2020-03" and entry.field == "final"


def test_manifest_checksums_and_rows(final_pkg):
    result, _, _ = final_pkg
    folder = Path(result["folder"])
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {k for k in manifest} == {"unit", "period", "for", "app_version", "exported_at", "final", "files",
                                     "findings"}
    assert manifest["unit"] == "康平县" and manifest["period"] == "2020-03" and manifest["final"] is True
    warnings = [f for f in result["findings"] if f["severity"] == "W"]
    assert warnings and manifest["findings"] == {"E": 0, "W": len(warnings)} and len(result["findings"]) == len(warnings)
    assert manifest["files"] == result["files"]
    on_disk = {p.name for p in folder.iterdir()} - {"manifest.json", f"{NAME}.eml"}
    assert {f["name"] for f in manifest["files"]} == on_disk
    for f in manifest["files"]:
        assert f["sha256"] == _sha(folder / f["name"])
    rows = {f["name"]: f["rows"] for f in manifest["files"]}
    assert rows["附件4 精准脱贫增收挂图作战明细表.xlsx"] == 11
    assert rows["附件4（5000-5760元）精准脱贫增收挂图作战明细表.xlsx"] == 3
    assert rows["register.json"] == 14
    ws = openpyxl.load_workbook(folder / "附件1 帮扶情况调度表.xlsx").worksheets[0]
    assert ws["A2"].value == "全县2020年度年人均收入5000元以下的11人帮扶情况调度表"


def test_zip_holds_the_folder(final_pkg):
    result, _, _ = final_pkg
    folder, zpath = Path(result["folder"]), Path(result["zip"])
    with zipfile.ZipFile(zpath) as zf:
        names = set(zf.namelist())
        assert names == {f"{NAME}/{p.name}" for p in folder.iterdir()}
        assert zf.read(f"{NAME}/manifest.json") == (folder / "manifest.json").read_bytes()
    assert verify_package(zpath)["ok"]


def test_verify_detects_tampering(final_pkg, tmp_path, capsys):
    result, _, _ = final_pkg
    copy = tmp_path / NAME
    shutil.copytree(result["folder"], copy)
    assert main(["verify", str(copy)]) == 0
    target = copy / "附件1 帮扶情况调度表.xlsx"
    wb = openpyxl.load_workbook(target)
    wb.worksheets[0]["E8"] = 999
    wb.save(target)
    (copy / "多余.txt").write_text("x", encoding="utf-8")
    (copy / "register.json").unlink()
    capsys.readouterr()
    assert main(["verify", str(copy), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any("附件1 帮扶情况调度表.xlsx" in p and "校验值" in p for p in problems)
    assert any("多余.txt" in p for p in problems)
    assert any("缺少文件“register.json”" in p for p in problems)
    assert main(["verify", str(tmp_path / "nothing")]) == 1


def test_mail_draft_parses(final_pkg):
    result, _, _ = final_pkg
    folder = Path(result["folder"])
    msg = email.message_from_bytes((folder / f"{NAME}.eml").read_bytes(), policy=email.policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["To"] == R.MAILBOX
    assert msg["Subject"] == NAME
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "康平县2020年3月挂图作战月报" in body and "李明" in body
    attached = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(attached) == {f["name"] for f in manifest["files"]} | {"manifest.json"}
    for name, content in attached.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        assert data == (folder / name).read_bytes()


def test_register_json_every_field(final_pkg):
    result, db_path, _ = final_pkg
    doc = read_register_json(Path(result["folder"]) / "register.json")
    assert doc["schema"] == "guatu.register/1" and doc["unit"] == "康平县"
    assert doc["office"]["upper_mailbox"] == R.MAILBOX
    assert [u["path"] for u in doc["units"]][:3] == ["康平县", "康平县/暖泉镇", "康平县/暖泉镇/前暖泉村"]
    assert doc["units"][0]["division_code"] == "210123000000"
    with Database(db_path, write=False) as db, db.session() as s:
        hs = list(s.scalars(select(Household).order_by(Household.position)))
        assert [h["uuid"] for h in doc["households"]] == [h.uuid for h in hs]
        first = doc["households"][0]
        own = ("version", "changed_by", "changed_at", "changed_via")  # the register's own bookkeeping, never sent
        for col in Household.__table__.columns:
            if col.key not in ("id", "period_id", "village_id", *own):
                assert col.key in first
            assert not set(own) & set(first)
        for col in Person.__table__.columns:  # identifiers only in the AES zip (tests/services/test_recipients.py)
            if col.key not in ("id", "household_id", "id_number", "phone", *own):
                assert col.key in first["members"][0]
        assert first["members"][0]["dibao"] is True and first["members"][0]["housing"] is True
        assert [p["uuid"] for p in first["members"]] == [p.uuid for p in hs[0].members]
        assert [i["amount"] for i in first["income_items"]][:2] == [1100, 6000]
    assert len(doc["fund_projects"]) == 2 and doc["fund_projects"][0]["started_on"] == "2020-03-10"


def test_pdfs_carry_the_names(final_pkg):
    from pypdf import PdfReader

    result, _, _ = final_pkg
    text = "".join(p.extract_text() for p in PdfReader(Path(result["folder"]) / "附件4 精准脱贫增收挂图作战明细表.pdf").pages)
    assert "王堃" in text and "填报单位" in text


@pytest.mark.parametrize("at", [3, 5])  # 3: inside the xlsx writer of 附件1; 5: between files
def test_cancel_leaves_nothing(clean_template, tmp_path, at):
    db_path = tmp_path / "db.sqlite"
    shutil.copy(clean_template, db_path)
    out = tmp_path / "out"
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) >= at

    seen: list[tuple[int, int, str]] = []
    with Database(db_path) as db:
        with pytest.raises(ExportCancelled):
            export_package(db, "2020-03", "康平县", out, progress=lambda d, t, m: seen.append((d, t, m)), cancel=cancel)
        with db.session() as s:
            assert not get_period(s, "2020-03").locked
    assert seen and seen[0][2] == "检查数据…"
    assert not out.exists() or not any(out.iterdir())


def test_township_export_and_reexport_replaces(clean_template, tmp_path):
    db_path = tmp_path / "db.sqlite"
    shutil.copy(clean_template, db_path)
    out = tmp_path / "out"
    with Database(db_path) as db:
        first = export_package(db, "2020-03", "暖泉镇", out, draft=True)
        again = export_package(db, "2020-03", "暖泉镇", out, draft=True)
    assert first["folder"] == again["folder"] and Path(first["folder"]).name == "暖泉镇2020年3月挂图作战月报-草稿"
    assert sorted(p.name for p in out.iterdir()) == ["暖泉镇2020年3月挂图作战月报-草稿", "暖泉镇2020年3月挂图作战月报-草稿.zip"]
    ws = openpyxl.load_workbook(Path(first["folder"]) / "附件1 帮扶情况调度表-草稿.xlsx").worksheets[0]
    assert ws["A2"].value == "全镇2020年度年人均收入5000元以下的9人帮扶情况调度表"
    assert (ws.cell(8, 3).value, ws.cell(8, 4).value) == ("暖泉镇", "全镇合计")


def test_round_trip_through_import_is_lossless(final_pkg, tmp_path, capsys):
    """register.json carries every field: importing the package into a new database gives the same dump."""
    from app.exporters.register_json import dump_register
    from app.services.units import find_unit

    result, _, _ = final_pkg
    target = tmp_path / "received.db"
    assert main(["init", "--db", str(target)]) == 0
    (tmp_path / "pass.txt").write_text(PASSPHRASE, encoding="utf-8")
    assert main(["--db", str(target), "import", result["folder"], "--json", "--passphrase-file",
                 str(tmp_path / "pass.txt")]) == 0
    capsys.readouterr()
    sent = read_register_json(Path(result["folder"]) / "register.json")
    with Database(final_pkg[1], write=False) as db, db.session() as s:  # what the sender holds, identifiers too
        sent["households"] = dump_register(s, get_period(s, "2020-03"), find_unit(s, "康平县"))["households"]
    with Database(target, write=False) as db, db.session() as s:
        got = dump_register(s, get_period(s, "2020-03"), find_unit(s, "康平县"))

    def strip(doc):  # the importer numbers households per village; export time and month opening differ
        hs = [{k: v for k, v in h.items() if k != "position"} for h in doc["households"]]
        return {**{k: doc[k] for k in ("units", "hand_counts", "fund_projects", "verification_notes", "counts")},
                "households": hs}

    assert strip(got) == strip(sent)

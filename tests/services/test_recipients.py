"""Who receives what (cli.md): a county's package to the city holds 附件1–3 and band-A 附件4, the rest
is kept beside it; personal identifiers travel only in an AES-256 zip, else an import keeps its own."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from _query import query
from test_import_helpers import run_cli
from test_roundtrip import _clean

from app.importers.verify import verify_package

PASS = "kangping-2020-口令"


def _export(db_path: Path, out: Path, *extra: str) -> dict:
    rc, result = run_cli("export", "--db", str(db_path), "--out", str(out), "--draft", "--json", *extra)
    assert rc == 0
    return result


def _ids(db_path: Path, like: str = "%") -> list[tuple]:
    return query(db_path, """SELECT p.uuid, p.id_number, p.phone FROM persons p
        JOIN households h ON h.id = p.household_id JOIN periods m ON m.id = h.period_id
        JOIN units v ON v.id = h.village_id JOIN units t ON t.id = v.parent_id
        WHERE m.month = '2020-03' AND t.name LIKE ? ORDER BY p.uuid""", like)


def test_county_to_city_sends_band_a_and_keeps_the_rest_beside(demo_db_path, tmp_path):
    result = _export(demo_db_path, tmp_path / "out")  # the office is the county: default --for city
    folder, kept = Path(result["folder"]), Path(result["kept"])
    assert result["recipient"] == "city" and kept.name == folder.name + "-本级留存" and kept.parent == folder.parent
    sent = sorted(p.name for p in folder.iterdir())
    assert not any("5000-5760" in n for n in sent) and "register.json" not in sent
    assert sum(n.startswith(("附件1", "附件2", "附件3", "附件4")) for n in sent) == 8
    assert sorted(p.name for p in kept.iterdir()) == sorted(result["kept_files"]) and len(result["kept_files"]) == 3
    full = json.loads((kept / "register.json").read_text(encoding="utf-8"))
    assert any(m.get("id_number") for h in full["households"] for m in h["members"])  # kept: the full register
    with zipfile.ZipFile(result["zip"]) as zf:
        assert not any("5000-5760" in n or "register.json" in n or "本级留存" in n for n in zf.namelist())
    eml = next(folder.glob("*.eml")).read_bytes()
    assert b"register.json" not in eml
    assert verify_package(folder)["ok"] and verify_package(result["zip"])["ok"]


def test_the_city_imports_a_county_package_alone(demo_db_path, tmp_path):
    _clean(demo_db_path)
    result = _export(demo_db_path, tmp_path / "out", "--for", "city")
    rc, out = run_cli("import", "--db", str(tmp_path / "city.db"), result["zip"], "--json")
    assert rc == 0, out.get("message")
    band_a = query(demo_db_path, "SELECT h.uuid FROM households h JOIN periods p ON p.id = h.period_id "
                                 "WHERE p.month = '2020-03' AND h.band = 'A' ORDER BY h.uuid")
    assert query(tmp_path / "city.db", "SELECT uuid FROM households ORDER BY uuid") == band_a


def test_township_package_leaves_identifiers_out_unless_encrypted(demo_db_path, tmp_path):
    plain = _export(demo_db_path, tmp_path / "plain", "--unit", "张强镇")
    assert plain["recipient"] == "county" and plain["kept"] is None
    doc = (Path(plain["folder"]) / "register.json").read_text(encoding="utf-8")
    assert '"id_number"' not in doc and '"phone"' not in doc and '"identifiers": false' in doc
    assert not (Path(plain["folder"]) / "identifiers-aes.zip").exists()

    (tmp_path / "pass.txt").write_text(PASS + "\n", encoding="utf-8")
    secret = _export(demo_db_path, tmp_path / "secret", "--unit", "张强镇", "--passphrase-file",
                     str(tmp_path / "pass.txt"))
    box = Path(secret["folder"]) / "identifiers-aes.zip"
    raw = box.read_bytes()
    before = _ids(demo_db_path, "张强镇")
    some_id = next(i for _, i, _p in before if i)
    assert some_id.encode() not in raw
    with zipfile.ZipFile(box) as zf, pytest.raises(RuntimeError):  # the stdlib cannot open AES: encrypted
        zf.read(zf.namelist()[0])

    # the county's register lost them (say, a fresh copy): the passphrase brings them back
    from _query import execute

    execute(demo_db_path, "UPDATE persons SET id_number = NULL, phone = NULL")
    rc, out = run_cli("import", "--db", str(demo_db_path), secret["zip"], "--replace", "--json", "--passphrase-file",
                      str(tmp_path / "pass.txt"))
    assert rc == 0, out.get("message")
    assert _ids(demo_db_path, "张强镇") == before
    # without a passphrase, a package without them keeps what the register holds
    rc, out = run_cli("import", "--db", str(demo_db_path), plain["zip"], "--replace", "--json")
    assert rc == 0 and _ids(demo_db_path, "张强镇") == before


def test_a_wrong_passphrase_refuses(demo_db_path, tmp_path):
    (tmp_path / "pass.txt").write_text(PASS, encoding="utf-8")
    (tmp_path / "wrong.txt").write_text("not-the-passphrase", encoding="utf-8")
    secret = _export(demo_db_path, tmp_path / "s", "--unit", "张强镇", "--passphrase-file", str(tmp_path / "pass.txt"))
    rc, out = run_cli("import", "--db", str(demo_db_path), secret["zip"], "--json", "--passphrase-file",
                      str(tmp_path / "wrong.txt"))
    assert rc == 1 and any(f["code"] == "I-06" and "口令" in f["message"] for f in out["findings"])


def test_a_mail_over_the_limit_sets_the_detail_pdf_aside_then_goes_without_mail(demo_db_path, tmp_path, monkeypatch):
    from app.exporters import package as pkg
    from app.services.export import export_package
    from app.storage import Database

    with Database(demo_db_path) as db:
        small = export_package(db, "2020-03", "康平县", tmp_path / "a", draft=True, recipient="city")
    folder = Path(small["folder"])
    pdf4 = next(p for p in folder.glob("附件4*.pdf"))
    full = small["mail_size"]
    monkeypatch.setattr(pkg, "MAIL_LIMIT", full - pdf4.stat().st_size // 2)  # fits without 附件4's PDF only
    with Database(demo_db_path) as db:
        r = export_package(db, "2020-03", "康平县", tmp_path / "b", draft=True, recipient="city")
    assert r["set_aside"] == [pdf4.name] and pdf4.name in r["kept_files"] and r["eml"]
    assert (Path(r["kept"]) / pdf4.name).is_file() and not (Path(r["folder"]) / pdf4.name).exists()
    assert verify_package(r["folder"])["ok"] and r["mail_size"] < pkg.MAIL_LIMIT
    monkeypatch.setattr(pkg, "MAIL_LIMIT", 10_000)  # nothing fits: no mail draft, the zip alone
    with Database(demo_db_path) as db:
        r = export_package(db, "2020-03", "康平县", tmp_path / "c", draft=True, recipient="city")
    assert r["mail_too_large"] and r["eml"] is None and not list(Path(r["folder"]).glob("*.eml"))
    assert Path(r["zip"]).is_file() and verify_package(r["zip"])["ok"]

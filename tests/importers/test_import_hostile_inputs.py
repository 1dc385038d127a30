"""Hostile files (issue 13, items 1, 4, 6, 7, 8): each is refused with exit 1, a Chinese message, no
traceback and no SQL text, and the register is byte-identical afterwards; a refused file stays under
200 MB of memory; ``verify`` never unpacks a zip.

Every hostile file is made here: a real package exported from a register and then hand-edited, or a
real workbook whose sheet XML is rewritten.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from test_import_helpers import run_cli, seed_household, write_form4

from app import __version__
from app.exporters.package import sha256_of, write_manifest
from app.exporters.register_json import write_register_json
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def register_doc(_demo_template: Path, tmp_path_factory) -> str:
    """register.json of the demo's county, as text (each test edits a copy)."""
    out = tmp_path_factory.mktemp("regjson") / "register.json"
    with Database(_demo_template, write=False) as d, d.session() as s:
        write_register_json(out, s, get_period(s, "2020-03"), find_unit(s, "康平县"))
    return out.read_text(encoding="utf-8")


def package(folder: Path, register_text: str | bytes, *, files=None, final: bool = False) -> Path:
    """A package folder holding ``register_text`` as register.json with a true manifest."""
    folder.mkdir(parents=True)
    data = register_text.encode("utf-8", "surrogatepass") if isinstance(register_text, str) else register_text
    (folder / "register.json").write_bytes(data)
    write_manifest(folder, unit="康平县", period="2020-03", app_version=__version__, final=final,
                   files=[("register.json", 0)], findings={})
    if files is not None:
        doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        doc["files"] = files
        (folder / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return folder


def raw(db_path: Path | str) -> bytes | list:
    """The register file's bytes (with its WAL checkpointed by the closing connection); on
    PostgreSQL every row of every table."""
    if isinstance(db_path, str):
        from test_import_helpers import dump

        return dump(db_path)
    return db_path.read_bytes()


def run_guatu(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command in a child process: exit code, stdout, stderr as a clerk sees them."""
    return subprocess.run([sys.executable, "-c", "import sys; from app.cli import main; sys.exit(main())", *argv], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=300)


def assert_refused(db_path: Path, target: Path, code: str | None = None, *, words: str = "") -> dict:
    before = raw(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(target), "--json")
    assert rc == 1, out
    assert out["ok"] is False
    errors = [f for f in out["findings"] if f["severity"] == "E"]
    assert errors
    if code:
        assert any(f["code"] == code for f in errors), errors[:5]
    if words:
        assert any(words in f["message"] for f in errors), errors[:5]
    text = json.dumps(out, ensure_ascii=False)
    assert "Traceback" not in text and "INSERT" not in text and "SELECT" not in text
    assert raw(db_path) == before
    return out


# ---------------------------------------------------------------- item 1 and 7: packages


def edit(doc_text: str, fn) -> str:
    doc = json.loads(doc_text)
    fn(doc)
    return json.dumps(doc, ensure_ascii=False)


def _h(doc, i=0):
    return doc["households"][i]


PACKAGE_CASES = {
    "amount_1e308": (lambda d: _h(d)["income_items"].__setitem__(0, {**_h(d)["income_items"][0], "amount": 1e308}),
                     "I-10", "超出合理范围"),
    "amount_text": (lambda d: _h(d)["income_items"][0].__setitem__("amount", "lots"), "I-10", "应为数字"),
    "not_a_date": (lambda d: _h(d).__setitem__("closed_out_on", "not-a-date"), "I-10", "日期"),
    "impossible_date": (lambda d: _h(d).__setitem__("closed_out_on", "2020-02-30"), "I-10", "日期"),
    "list_for_value": (lambda d: _h(d)["members"][0].__setitem__("name", ["张三"]), "I-10", "应为文字"),
    "dict_for_value": (lambda d: _h(d)["members"][0].__setitem__("age", {"v": 3}), "I-10", "应为整数"),
    "int_past_64_bits": (lambda d: _h(d)["members"][0].__setitem__("age", 2**70), "I-10", "超出合理范围"),
    "duplicate_household_uuid": (lambda d: _h(d, 1).__setitem__("uuid", _h(d, 0)["uuid"]), "I-11", "UUID"),
    "duplicate_person_uuid": (lambda d: _h(d, 1)["members"][0].__setitem__("uuid", _h(d, 0)["members"][0]["uuid"]),
                              "I-11", "UUID"),
    "bool_as_text": (lambda d: _h(d)["members"][0].__setitem__("dibao", "yes"), "I-10", "true 或 false"),
    "band_unknown": (lambda d: _h(d).__setitem__("band", "Z"), "I-10", "允许的取值"),
    "households_not_a_list": (lambda d: d.__setitem__("households", {"a": 1}), "I-10", "应为列表"),
    "period_missing": (lambda d: d.pop("period"), "I-10", "缺少"),
    "huge_text": (lambda d: _h(d).__setitem__("remark", "字" * 200_001), "I-10", "文字过长"),
}


@pytest.mark.parametrize("case", sorted(PACKAGE_CASES))
def test_hand_edited_package_is_refused_with_the_field_named(case, register_doc, db_path, tmp_path):
    fn, code, words = PACKAGE_CASES[case]
    folder = package(tmp_path / "pkg", edit(register_doc, fn))
    out = assert_refused(db_path, folder, code, words=words)
    f = next(f for f in out["findings"] if f["code"] == code)
    assert f["file"] == "pkg" and f["sheet"] == "register.json"
    if code == "I-10" and case.startswith(("amount", "not_a", "impossible", "list", "dict", "int_", "bool", "band",
                                           "huge")):
        assert f["household"] and f["field"]  # the household and the field are named
        assert "第1户" in f["message"]


RAW_CASES = {
    # text replacements on the serialised document: what JSON editors can write but json.dumps cannot
    "nan": (lambda t: t.replace('"amount": ', '"amount": NaN, "x": ', 1), "I-06", "NaN"),
    "infinity": (lambda t: t.replace('"amount": ', '"amount": -Infinity, "x": ', 1), "I-06", "Infinity"),
    "lone_surrogate": (lambda t: t.replace('"name": "', '"name": "\\ud800', 1), "I-10", "无效字符"),
    "integer_of_5000_digits": (lambda t: t.replace('"age": ', '"age": ' + "9" * 5000 + ', "x": ', 1), "I-06", ""),
    "deep_nesting": (lambda t: t.replace('"remark": null', '"remark": ' + "[" * 100_000 + "]" * 100_000, 1),
                     "I-06", "嵌套"),
    "not_utf8": (lambda t: t.replace("康平县", "\udcff", 1), "I-06", "UTF-8"),
    "not_json": (lambda t: t[: len(t) // 2], "I-06", ""),
}


@pytest.mark.parametrize("case", sorted(RAW_CASES))
def test_malformed_register_json_is_refused(case, register_doc, db_path, tmp_path):
    fn, code, words = RAW_CASES[case]
    text = fn(register_doc)
    data = text.encode("utf-8", "surrogateescape" if case == "not_utf8" else "strict")
    folder = package(tmp_path / "pkg", data)
    assert_refused(db_path, folder, code, words=words)


@pytest.mark.parametrize("files", [5, "register.json", {"name": "register.json"}, [5], [{"name": ["x"]}],
                                   [{"name": "register.json", "sha256": 1}]])
def test_manifest_files_of_the_wrong_type(files, register_doc, db_path, tmp_path):
    folder = package(tmp_path / "pkg", register_doc, files=files)
    assert_refused(db_path, folder, "I-10")


def test_accepted_package_leaves_every_later_command_working(register_doc, db_path, tmp_path):
    """The control: the unedited document imports, and export/cards/wallchart then succeed (exit 0)."""
    folder = package(tmp_path / "pkg", register_doc)
    rc, out = run_cli("import", "--db", str(db_path), str(folder), "--json")
    assert rc == 0, out["findings"][:3]
    assert run_cli("cards", "--db", str(db_path), "--unit", "康平县", "--out", str(tmp_path / "c.pdf"))[0] == 0


def test_the_refusal_reaches_the_clerk_in_chinese_without_a_traceback(register_doc, db_path, tmp_path):
    folder = package(tmp_path / "pkg", edit(register_doc, lambda d: _h(d).__setitem__("ytd_income", "lots")))
    before = raw(db_path)
    p = run_guatu("import", "--db", str(db_path), str(folder))
    assert p.returncode == 1
    assert "I-10" in p.stderr and "应为数字" in p.stderr and "数据库未作任何修改" in p.stderr
    assert "Traceback" not in p.stderr and "INSERT" not in p.stderr
    assert raw(db_path) == before


# ---------------------------------------------------------------- item 6: paths confined


@pytest.mark.parametrize("name", ["../../../../etc/passwd", "/etc/passwd", "\\\\host\\share\\register.json",
                                  "C:\\Windows\\win.ini", "C:register.json", "sub/register.json", "..", ".hidden",
                                  "register.json."])
def test_manifest_names_outside_the_package_are_refused(name, register_doc, db_path, tmp_path):
    files = [{"name": "register.json", "sha256": "0" * 64}, {"name": name, "sha256": "0" * 64}]
    folder = package(tmp_path / "pkg", register_doc)
    doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    files[0]["sha256"] = doc["files"][0]["sha256"]
    doc["files"] = files
    (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    out = assert_refused(db_path, folder, "I-12", words="指向数据包以外")
    result = run_cli("verify", str(folder), "--json")[1]
    assert result["ok"] is False and any("指向数据包以外" in p for p in result["problems"])
    assert out


def test_symlink_out_gets_the_same_message_whether_or_not_the_target_exists(register_doc, db_path, tmp_path):
    messages = []
    for i, target in enumerate([tmp_path / "secret.txt", tmp_path / "no-such-file.txt"]):
        if i == 0:
            target.write_text("秘密", encoding="utf-8")
        folder = package(tmp_path / f"pkg{i}", register_doc)
        (folder / "data.txt").symlink_to(target)
        doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        doc["files"].append({"name": "data.txt", "sha256": "0" * 64})
        (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
        out = assert_refused(db_path, folder, "I-12")
        messages.append([f["message"] for f in out["findings"] if f["code"] == "I-12"])
    assert messages[0] == messages[1]


def test_a_manifest_symlinked_out_of_the_folder_is_refused(register_doc, db_path, tmp_path):
    folder = package(tmp_path / "pkg", register_doc)
    real = tmp_path / "elsewhere.json"
    (folder / "manifest.json").rename(real)
    (folder / "manifest.json").symlink_to(real)
    assert_refused(db_path, folder, "I-12")


def test_zip_entries_outside_the_folder_are_refused(register_doc, db_path, tmp_path):
    folder = package(tmp_path / "pkg", register_doc)
    for name in ("../evil.txt", "/abs.txt", "C:/x.txt", "a\\..\\..\\b.txt"):
        z = tmp_path / f"p{abs(hash(name))}.zip"
        with zipfile.ZipFile(z, "w") as zf:
            for p in folder.iterdir():
                zf.write(p, f"pkg/{p.name}")
            zf.writestr(name, "x")
        assert_refused(db_path, z, "I-12")
        result = run_cli("verify", str(z), "--json")[1]
        assert result["ok"] is False and "不合法" in result["problems"][0]


# ---------------------------------------------------------------- item 7: malformed workbooks


def rewrite_sheet(src: Path, dst: Path, fn, part: str = "xl/worksheets/sheet1.xml") -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = fn(data)
            zout.writestr(info.filename, data)
    return dst


@pytest.fixture
def book(tmp_path) -> Path:
    return write_form4(tmp_path / "good.xlsx", [seed_household()])


WORKBOOK_CASES = {
    "entity": lambda b: b.replace(b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY x "&#x41;">]><worksheet', 1)
    .replace(b"<v>", b"<v>&x;", 1),
    "bad_xml": lambda b: b.replace(b"</sheetData>", b"<row><c><v>1</c></sheetData>", 1),
    "empty_part": lambda b: b"",
    "undefined_entity": lambda b: b.replace(b"<v>", b"<v>&nope;", 1),
}


@pytest.mark.parametrize("case", sorted(WORKBOOK_CASES))
def test_malformed_sheet_xml_is_refused(case, book, db_path, tmp_path):
    bad = rewrite_sheet(book, tmp_path / "坏.xlsx", WORKBOOK_CASES[case])
    before = raw(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(bad), "--period", "2020-03", "--json")
    assert rc == 1, out
    assert out["findings"][0]["code"] in ("I-01", "I-03")
    assert raw(db_path) == before


def test_rels_path_traversal_is_refused(book, db_path, tmp_path):
    bad = rewrite_sheet(book, tmp_path / "rels.xlsx",
                        lambda b: b.replace(b"worksheets/sheet1.xml", b"../../../../../etc/passwd"),
                        part="xl/_rels/workbook.xml.rels")
    before = raw(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(bad), "--period", "2020-03", "--json")
    assert rc == 1 and out["findings"][0]["code"] == "I-01"
    assert raw(db_path) == before


# ---------------------------------------------------------------- item 4: bounded before parse


def far_cell(book: Path, dst: Path, ref: bytes, *, drop_refs: bool = False) -> Path:
    """One more cell at ``ref`` (the declared dimension left as it was)."""
    def fn(b: bytes) -> bytes:
        row = ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        cell = b'<row r="%s"><c r="%s" t="inlineStr"><is><t>x</t></is></c></row>' % (row, ref)
        return b.replace(b"</sheetData>", cell + b"</sheetData>", 1)
    return rewrite_sheet(book, dst, fn)


@pytest.mark.parametrize("ref", [b"XFD1048576", b"GR299999", b"A300001", b"GS1"])
def test_a_far_cell_is_refused_before_the_reader_builds_the_sheet(ref, book, db_path, tmp_path):
    from app.importers.limits import Rejected, check_workbook

    bad = far_cell(book, tmp_path / "far.xlsx", ref)
    with pytest.raises(Rejected) as e:
        check_workbook(bad)
    assert e.value.code == "I-02" and any(w in e.value.message for w in ("行数过多", "列数过多", "范围过大"))


def test_cells_without_references_are_counted(book, tmp_path):
    from app.importers.limits import Rejected, check_workbook

    wide = rewrite_sheet(book, tmp_path / "wide.xlsx", lambda b: b.replace(
        b"</sheetData>", b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row></sheetData>", 1))
    with pytest.raises(Rejected) as e:
        check_workbook(wide)
    assert "列数过多" in e.value.message
    tall = rewrite_sheet(book, tmp_path / "tall.xlsx", lambda b: b.replace(
        b"</sheetData>", b'<row r="299990"/>' + b"<row/>" * 20 + b"</sheetData>", 1))
    with pytest.raises(Rejected) as e:
        check_workbook(tall)
    assert "行数过多" in e.value.message
    merged = rewrite_sheet(book, tmp_path / "merge.xlsx", lambda b: b.replace(
        b"</mergeCells>", b'<mergeCell ref="A1:XFD1048576"/></mergeCells>', 1))
    with pytest.raises(Rejected):
        check_workbook(merged)
    prefixed = rewrite_sheet(book, tmp_path / "ns.xlsx", lambda b: b.replace(
        b"</sheetData>", b'<x:row r="5"><x:c   r = \'XFD5\'><x:v>1</x:v></x:c></x:row></sheetData>', 1))
    with pytest.raises(Rejected):
        check_workbook(prefixed)
    check_workbook(book)  # the untouched workbook passes


# VmHWM: the peak resident memory of this process's own address space (ru_maxrss would carry the
# forking parent's peak across exec on Linux).
_PEAK = """
import sys
from app.cli import main
rc = main(sys.argv[1:])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(rc, int(hwm.split()[1]) // 1024)
"""


@pytest.fixture(autouse=False)
def linux():
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc")


def _peak(*argv: str) -> tuple[int, int, str]:
    p = subprocess.run([sys.executable, "-c", _PEAK, *argv], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    rc, mb = p.stdout.split()[-2:]
    return int(rc), int(mb), p.stderr


@pytest.mark.parametrize("ref", [b"XFD1048576", b"GR299999"])
def test_a_refused_far_cell_workbook_stays_under_200_mb(ref, book, db_path, tmp_path, linux):
    bad = far_cell(book, tmp_path / "far.xlsx", ref)
    before = raw(db_path)
    rc, mb, err = _peak("import", "--db", str(db_path), str(bad), "--period", "2020-03")
    assert rc == 1 and "I-02" in err and "Traceback" not in err
    assert mb < 200, f"peak {mb} MB"
    assert raw(db_path) == before


# ---------------------------------------------------------------- item 8: verify never unpacks


def bomb(path: Path, size: int) -> Path:
    """A package zip whose extra entry inflates to ``size`` bytes of zeros (made in 1 MB chunks)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("pkg/manifest.json", json.dumps({"files": []}))
        with zf.open("pkg/big.xlsx", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return path


def test_verify_refuses_a_zip_bomb_without_unpacking(tmp_path, linux):
    z = bomb(tmp_path / "bomb.zip", 256 << 20)
    assert z.stat().st_size < 2 << 20
    temp = tmp_path / "tmp"
    temp.mkdir()
    rc, mb, err = _peak("verify", str(z))
    p = run_guatu("verify", str(z), env={"TMPDIR": str(temp)})
    assert rc == 1 and p.returncode == 1
    assert "压缩炸弹" in p.stderr and "Traceback" not in p.stderr
    assert list(temp.iterdir()) == []  # nothing extracted
    assert mb < 200, f"peak {mb} MB"


def test_verify_hashes_a_real_package_zip_from_the_stream(register_doc, tmp_path):
    folder = package(tmp_path / "pkg", register_doc, final=True)
    z = tmp_path / "pkg.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, f"pkg/{p.name}")
    assert run_cli("verify", str(z), "--json")[1] == {"ok": True, "problems": []}
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(z) as zin, zipfile.ZipFile(changed, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info.filename, data.replace(b"\xe5\xba\xb7", b"\xe5\xba\xb8", 1)
                          if info.filename.endswith("register.json") else data)
    result = run_cli("verify", str(changed), "--json")[1]
    assert result["ok"] is False and "校验值" in result["problems"][0]
    assert sha256_of(folder / "register.json")


def test_records_of_any_sheet_go_through_the_same_schema():
    """What a new reader (an exported workbook's hidden register sheet) calls: strict records, located."""
    from app.importers.schema import check_records

    good = {"uuid": "507867a9-49fa-4178-b297-16c7af8b9e33", "name": "于海", "age": 75, "dibao": False}
    found = check_records({"members": ([good, {**good, "age": 2**70, "dibao": "是"}], [("台账", 5), ("台账", 6)])},
                          file="附件4.xlsx", package=True)
    assert {(f.code, f.sheet, f.row, f.field) for f in found} == {("I-10", "台账", 6, "age"), ("I-10", "台账", 6, "dibao")}
    lenient = check_records({"members": ([{**good, "age": "七十"}], [("附件4", 9)])}, file="附件4.xlsx", package=False)
    assert lenient == []  # text in a judged field is left to the rules (H-05)


def test_entry_count_is_read_from_the_end_record_before_zipfile_builds_the_directory(book, db_path, tmp_path):
    """A zip whose end record claims 10 million entries is refused from its last bytes (I-02)."""
    import struct

    data = bytearray(book.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    data[at + 8:at + 12] = struct.pack("<HH", 0xFFFF, 0xFFFF)
    data[at + 12:at + 16] = struct.pack("<I", 10_000_000 * 46)
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(bytes(data))
    from app.importers.limits import Rejected, check_workbook

    with pytest.raises(Rejected) as e:
        check_workbook(forged)
    assert e.value.code == "I-02"
    before = raw(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(forged), "--period", "2020-03", "--json")
    assert rc == 1 and out["findings"][0]["code"] == "I-02"
    assert raw(db_path) == before
    assert run_cli("verify", str(forged), "--json")[1]["ok"] is False


def test_a_lone_surrogate_in_a_key_is_printed_safely(register_doc, db_path, tmp_path):
    """The finding names the offending key; printing it (as JSON, to a real pipe) must not fail."""
    text = register_doc.replace('"counts": {', '"counts": {"\\ud800x": "lots", ', 1)
    folder = package(tmp_path / "pkg", text)
    before = raw(db_path)
    p = run_guatu("import", "--db", str(db_path), str(folder), "--json")
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert any(f["code"] == "I-10" for f in out["findings"])
    assert "Traceback" not in p.stderr
    assert raw(db_path) == before


def test_a_declared_dimension_of_the_whole_sheet_is_not_held_against_a_real_workbook(book, db_path, tmp_path):
    """Only the real extent counts: some programs declare A1:XFD1048576 over a few rows."""
    import re

    declared = rewrite_sheet(book, tmp_path / "declared.xlsx",
                             lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', b))
    assert b"XFD1048576" in zipfile.ZipFile(declared).read("xl/worksheets/sheet1.xml")
    rc, out = run_cli("import", "--db", str(db_path), str(declared), "--period", "2020-03", "--json")
    assert rc == 0 and out["added"]["persons"] == 4


def test_a_workbook_stating_one_uuid_twice_is_refused(book):
    """UUIDs a workbook states (an exported one's hidden sheet) are checked like a package's."""
    from app.importers.schema import check_sheet_records
    from app.importers.workbook import read_workbook

    src = read_workbook(book, "2020-03")
    assert check_sheet_records(src) == []
    h = src.households[0]
    h.fields["uuid"] = "507867a9-49fa-4178-b297-16c7af8b9e33"
    h.members[0]["uuid"] = h.members[1]["uuid"] = "ae82cc6d-5393-4668-8ef2-c2a7abf92fbd"
    found = check_sheet_records(src)
    assert [(f.code, f.person) for f in found] == [("I-11", "ae82cc6d-5393-4668-8ef2-c2a7abf92fbd")]

"""Hostile files: each is rejected with a clear message before parsing, and nothing is written."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest
from test_import_helpers import dump, run_cli, seed_household, write_form4

from app.importers import limits
from app.importers.limits import Limits, Rejected, check_workbook


def _run_import(db_path: Path, *files: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict]:
    return run_cli("import", "--db", str(db_path), *map(str, files), "--period", "2020-03", "--json", *extra)


@pytest.fixture
def filled_db(db_path: Path, tmp_path: Path) -> Path:
    """A register holding the seed household in 2020-03, so 'nothing written' is a real comparison."""
    rc, _ = _run_import(db_path, write_form4(tmp_path / "seed.xlsx", [seed_household()]))
    assert rc == 0
    return db_path


def _bomb(path: Path, size: int, *, lie: bool = False) -> Path:
    """An .xlsx-shaped zip whose sheet inflates to ``size`` bytes of zeros (written in 1 MB chunks).

    ``lie``: the central directory then claims 1 KB uncompressed; only the bounded inflate sees the truth.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        if lie:
            zf.writestr("xl/worksheets/sheet1.xml", b"0" * size)
        else:
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                chunk = b"0" * (1 << 20)
                for _ in range(size >> 20):
                    fh.write(chunk)
    if lie:
        data = bytearray(path.read_bytes())
        entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"xl/worksheets/sheet1.xml"))
        data[entry + 24:entry + 28] = struct.pack("<I", 1024)  # uncompressed size in the central directory
        path.write_bytes(bytes(data))
    return path


def test_not_a_workbook_is_refused_and_nothing_written(filled_db: Path, tmp_path: Path):
    bad = tmp_path / "名单.xlsx"
    bad.write_text("姓名,年龄\n张三,40\n", encoding="utf-8")
    before = dump(filled_db)
    rc, out = _run_import(filled_db, bad)
    assert rc == 1 and out["ok"] is False
    f = out["findings"][0]
    assert f["code"] == "I-01" and f["file"] == "名单.xlsx" and "不是 Excel 工作簿" in f["message"]
    assert dump(filled_db) == before


def test_encrypted_or_old_xls_header_is_refused(filled_db: Path, tmp_path: Path):
    enc = tmp_path / "加密.xlsx"
    enc.write_bytes(limits.OLE2_MAGIC + b"\x00" * 4096)
    before = dump(filled_db)
    rc, out = _run_import(filled_db, enc)
    assert rc == 1
    assert out["findings"][0]["code"] == "I-01" and "加密" in out["findings"][0]["message"]
    assert dump(filled_db) == before


def test_damaged_zip_is_refused(filled_db: Path, tmp_path: Path):
    good = write_form4(tmp_path / "good.xlsx", [seed_household()])
    data = bytearray(good.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = b"\xff" * 64  # corrupt compressed data: CRC or inflate fails
    bad = tmp_path / "损坏.xlsx"
    bad.write_bytes(bytes(data))
    before = dump(filled_db)
    rc, out = _run_import(filled_db, bad)
    assert rc == 1
    assert out["findings"][0]["code"] == "I-01" and "损坏" in out["findings"][0]["message"]
    assert dump(filled_db) == before

    truncated = tmp_path / "截断.xlsx"
    truncated.write_bytes(good.read_bytes()[: len(data) // 3])
    rc, out = _run_import(filled_db, truncated)
    assert rc == 1 and out["findings"][0]["code"] == "I-01"
    assert dump(filled_db) == before


def test_zip_bomb_is_rejected_from_the_central_directory(filled_db: Path, tmp_path: Path):
    bomb = _bomb(tmp_path / "bomb.xlsx", 64 << 20)  # 64 MB of zeros, ~64 KB on disk
    with pytest.raises(Rejected) as e:
        check_workbook(bomb, Limits(max_total_uncompressed=32 << 20))
    assert e.value.code == "I-02" and "压缩炸弹" in e.value.message
    with pytest.raises(Rejected) as e:  # with the default size limit, the ratio (~1000:1) rejects it
        check_workbook(bomb)
    assert e.value.code == "I-02" and "压缩比" in e.value.message
    before = dump(filled_db)
    rc, out = _run_import(filled_db, bomb)
    assert rc == 1 and out["findings"][0]["code"] == "I-02"
    assert dump(filled_db) == before


def test_lying_central_directory_is_caught_by_bounded_inflate(tmp_path: Path):
    bomb = _bomb(tmp_path / "liar.xlsx", 4 << 20, lie=True)
    assert zipfile.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml").file_size == 1024
    with pytest.raises(Rejected) as e:
        check_workbook(bomb)
    assert e.value.code == "I-02" and "声明" in e.value.message


def test_too_many_rows_and_entries(tmp_path: Path):
    book = write_form4(tmp_path / "rows.xlsx", [seed_household()] * 3)
    with pytest.raises(Rejected) as e:
        check_workbook(book, Limits(max_rows=5))
    assert e.value.code == "I-02" and "行数过多" in e.value.message
    with pytest.raises(Rejected) as e:
        check_workbook(book, Limits(max_columns=10))
    assert "列数过多" in e.value.message
    with pytest.raises(Rejected) as e:
        check_workbook(book, Limits(max_entries=3))
    assert "文件过多" in e.value.message
    with pytest.raises(Rejected) as e:
        check_workbook(book, Limits(max_file_bytes=100))
    assert "文件过大" in e.value.message
    check_workbook(book)  # the real file passes the default limits


def test_missing_headers_refused(filled_db: Path, tmp_path: Path):
    book = write_form4(tmp_path / "缺列.xlsx", [seed_household()],
                       header=["序号", "县(市、区)", "乡镇", "村", "户主", "人口", "姓名", "与户主关系", "年龄", "致贫原因",
                               "健康状况", "有无劳动能力", "主要脱贫措施", "家庭收入情况(预估)", "帮扶责任人联系方式", "预计时间"])
    before = dump(filled_db)
    rc, out = _run_import(filled_db, book)
    assert rc == 1
    f = next(f for f in out["findings"] if f["code"] == "I-03")
    assert f["sheet"] == "附件4" and f["row"] == 4 and "户主联系方式" in f["message"]
    assert dump(filled_db) == before


def test_openpyxl_parses_xml_through_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def test_entity_expansion_is_not_performed(tmp_path: Path):
    """A 'billion laughs' DTD in sharedStrings.xml: the reader does not expand entities."""
    from app.importers.workbook import load_sheets, read_workbook

    src = write_form4(tmp_path / "src.xlsx", [seed_household()])
    lol = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)]
    dtd = f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(lol)}]>'
    bad = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                text = data.decode()
                data = (dtd + text[text.index("<sst"):]).replace("<t>附件4</t>", "<t>&lol9;</t>", 1).encode()
            zout.writestr(info, data)
    cells = [v for row in load_sheets(bad)[0].rows for v in row if isinstance(v, str)]
    assert max(len(v) for v in cells) < 10_000  # 10^9 "lol"s would be 3 GB
    assert len(read_workbook(bad, "2020-03").households) == 1

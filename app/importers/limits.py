"""Hostile-file checks, run before any parser sees a file.

An .xlsx is a zip of XML parts. Everything checked here is read from the zip's central directory
(a few KB at the end of the file) or from a bounded, streamed inflate of each part, so a zip bomb
that inflates to a gigabyte is rejected in milliseconds with little memory:

- not a zip at all, an OLE2 compound file (``D0CF11E0``: an encrypted .xlsx or an old .xls),
  a damaged zip (bad central directory, CRC mismatch, truncated data);
- the file's size, the number of entries, the declared total uncompressed size and the
  per-entry compression ratio;
- parts whose real inflated size exceeds the declared one (a lying central directory) — the
  inflate stops as soon as it passes the declared size;
- the sheet's declared dimension (``<dimension ref="A1:P100000"/>``): rows and columns.

XML parsing itself is protected by defusedxml: openpyxl uses it when installed
(``openpyxl.xml.DEFUSEDXML``); python-calamine's Rust XML reader does not expand entities.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * 1024 * 1024  # compressed size on disk
    max_total_uncompressed: int = 600 * 1024 * 1024
    max_entries: int = 2000
    max_ratio: float = 200.0  # per entry, for entries above ratio_floor
    ratio_floor: int = 1024 * 1024  # small parts may compress extremely well; ignore their ratio
    max_rows: int = 300_000
    max_columns: int = 200


DEFAULT = Limits()


class Rejected(Exception):
    """A file refused before parsing; ``code`` is I-01 (unreadable) or I-02 (over the limits)."""

    def __init__(self, code: str, message: str, *, file: str | None = None, sheet: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.sheet = sheet

    def finding(self):
        from app.rules.findings import Finding

        return Finding(self.code, "E", self.message, file=self.file, sheet=self.sheet)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_zip(path: str | Path, limits: Limits = DEFAULT, *, require: tuple[str, ...] = ()) -> list[zipfile.ZipInfo]:
    """Reject a file that is not a sane zip; return its entries. ``require``: parts that must exist."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise Rejected("I-01", f"无法读取文件（{e.strerror}）。", file=name) from None
    if head.startswith(OLE2_MAGIC):
        raise Rejected(
            "I-01",
            "文件是加密的 Excel 工作簿或旧版 .xls 格式，无法读取。请在 Excel/WPS 中取消密码，"
            "并“另存为” Excel 工作簿（.xlsx）后再导入。",
            file=name,
        )
    if not head.startswith(ZIP_MAGIC):
        raise Rejected("I-01", "不是 Excel 工作簿（.xlsx）或数据包（.zip），无法导入。", file=name)
    if size > limits.max_file_bytes:
        raise Rejected("I-02", f"文件过大（{_mb(size)}，上限 {_mb(limits.max_file_bytes)}）。", file=name)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise Rejected("I-01", "文件已损坏（压缩结构无法读取），请重新保存或重新获取该文件。", file=name) from None
    if len(infos) > limits.max_entries:
        raise Rejected("I-02", f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_entries}）。", file=name)
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Rejected("I-01", "文件内容已加密，无法读取。请取消密码后再导入。", file=name)
        total += info.file_size
        if total > limits.max_total_uncompressed:
            raise Rejected(
                "I-02",
                f"文件解压后过大（超过 {_mb(limits.max_total_uncompressed)}），疑似压缩炸弹，已拒绝。",
                file=name,
            )
        if info.file_size > limits.ratio_floor:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise Rejected(
                    "I-02",
                    f"压缩比异常（{info.filename}：{ratio:.0f} 倍，上限 {limits.max_ratio:.0f} 倍），疑似压缩炸弹，已拒绝。",
                    file=name,
                )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Rejected("I-01", f"不支持的压缩方式（{info.filename}）。", file=name)
    names = {i.filename for i in infos}
    missing = [r for r in require if r not in names]
    if missing:
        raise Rejected("I-01", "不是 Excel 工作簿（.xlsx）：缺少工作簿结构，无法导入。", file=name)
    _verify_inflate(path, infos, name)
    return infos


def _verify_inflate(path: Path, infos: list[zipfile.ZipInfo], name: str) -> None:
    """Inflate every entry in bounded chunks: real size must equal the declared size, CRC must match."""
    with open(path, "rb") as fh:
        for info in infos:
            try:
                fh.seek(info.header_offset)
                local = fh.read(30)
                if len(local) != 30 or local[:4] != ZIP_MAGIC:
                    raise ValueError("local header")
                n_len, x_len = struct.unpack("<HH", local[26:30])
                fh.seek(info.header_offset + 30 + n_len + x_len)
                left = info.compress_size
                out = 0
                crc = 0
                d = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
                while left > 0:
                    chunk = fh.read(min(left, 1 << 20))
                    if not chunk:
                        raise ValueError("truncated")
                    left -= len(chunk)
                    while chunk:
                        if d is None:
                            data, chunk = chunk, b""
                        else:
                            data = d.decompress(chunk, 1 << 20)
                            chunk = d.unconsumed_tail
                        out += len(data)
                        if out > info.file_size:
                            raise Rejected(
                                "I-02",
                                f"文件内容与声明大小不符（{info.filename} 解压后超过声明的 {info.file_size} 字节），"
                                "疑似压缩炸弹，已拒绝。",
                                file=name,
                            )
                        crc = zlib.crc32(data, crc)
                if d is not None:
                    tail = d.flush()
                    out += len(tail)
                    crc = zlib.crc32(tail, crc)
                if out != info.file_size or crc != info.CRC:
                    raise ValueError("size or crc")
            except Rejected:
                raise
            except (ValueError, zlib.error, OSError, struct.error):
                raise Rejected(
                    "I-01", f"文件已损坏（{info.filename} 无法解压或校验失败），请重新保存或重新获取该文件。", file=name
                ) from None


_DIM_RE = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_sheet_dimensions(path: str | Path, limits: Limits = DEFAULT) -> None:
    """Rows and columns of every worksheet from its declared dimension, read from the part's head."""
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            with zf.open(info) as fh:
                head = fh.read(4096)
            m = _DIM_RE.search(head)
            if not m:
                continue
            rows = int(m.group(4) or m.group(2))
            cols = _col_number(m.group(3) or m.group(1))
            check_shape(rows, cols, limits, file=path.name)


def check_shape(rows: int, cols: int, limits: Limits = DEFAULT, *, file: str | None = None,
                sheet: str | None = None) -> None:
    if rows > limits.max_rows:
        raise Rejected("I-02", f"工作表行数过多（{rows} 行，上限 {limits.max_rows}）。", file=file, sheet=sheet)
    if cols > limits.max_columns:
        raise Rejected("I-02", f"工作表列数过多（{cols} 列，上限 {limits.max_columns}）。", file=file, sheet=sheet)


XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


def check_workbook(path: str | Path, limits: Limits = DEFAULT) -> None:
    """Everything that can be checked about an .xlsx before parsing it."""
    check_zip(path, limits, require=XLSX_REQUIRED)
    check_sheet_dimensions(path, limits)

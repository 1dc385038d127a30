"""Hostile-file checks, run before any parser sees a file.

An .xlsx is a zip of XML parts. Everything checked here is read from the zip's central directory
(a few KB at the end of the file) or from a bounded, streamed inflate of each part, so a zip bomb
that inflates to a gigabyte is rejected in milliseconds with little memory:

- not a zip at all, an OLE2 compound file (``D0CF11E0``: an encrypted .xlsx or an old .xls),
  a damaged zip (bad central directory, CRC mismatch, truncated data);
- the file's size, the number of entries, the declared total uncompressed size and the
  per-entry compression ratio;
- parts whose real inflated size exceeds the declared one (a lying central directory) — the
  inflate stops 1 MB past the declared size (less than that, with a bad CRC, is damage: I-01);
- DTD and entity declarations, undefined entities (Excel and WPS write none);
- entry names that would point outside the file (absolute, ``..``, drive letters, UNC names);
- the sheet's real extent: the row and cell references (``<row r="…">``, ``<c r="XFD1048576">``) and
  merged ranges of every XML part, streamed during the same bounded inflate — before python-calamine
  or openpyxl allocate a grid for it (one far cell would make calamine allocate hundreds of GB);
- not the sheet's declared dimension (``<dimension ref="A1:XFD1048576"/>``): the readers ignore it,
  and some programs declare the whole sheet.

XML parsing itself is protected by defusedxml: openpyxl uses it when installed
(``openpyxl.xml.DEFUSEDXML``); python-calamine's Rust XML reader does not expand entities.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
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
    max_cells: int = 20_000_000  # cells written in the sheets' XML (a 100,000-person 附件4 has 1.6 million)
    # rows × columns of a sheet's extent: the reader allocates that grid (~40 bytes a cell), written or not.
    # A 100,000-person 附件4 is 100,007 × 16 = 1.6 million; one cell at GR299999 would be 60 million (2.4 GB).
    max_area: int = 6_000_000


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


def check_zip(path: str | Path, limits: Limits = DEFAULT, *, require: tuple[str, ...] = (),
              word: bool = False) -> list[zipfile.ZipInfo]:
    """Reject a file that is not a sane zip; return its entries. ``require``: parts that must exist;
    ``word``: a Word document (.docx) is expected, and the refusals say so."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as e:
        raise Rejected("I-01", f"无法读取文件（{e.strerror}）。", file=name) from None
    if head.startswith(OLE2_MAGIC) and word:
        raise Rejected("I-01", "文件是旧版 Word（.doc）或加密的文档，无法读取。请在 Word/WPS 中取消密码，"
                               "并“另存为” Word 文档（.docx）后再导入。", file=name)
    if head.startswith(OLE2_MAGIC):
        raise Rejected(
            "I-01",
            "文件是加密的 Excel 工作簿或旧版 .xls 格式，无法读取。请在 Excel/WPS 中取消密码，"
            "并“另存为” Excel 工作簿（.xlsx）后再导入。",
            file=name,
        )
    if not head.startswith(ZIP_MAGIC):
        expected = "Word 文档（.docx）" if word else "Excel 工作簿（.xlsx）或数据包（.zip）"
        raise Rejected("I-01", f"不是 {expected}，无法导入。", file=name)
    if size > limits.max_file_bytes:
        raise Rejected("I-02", f"文件过大（{_mb(size)}，上限 {_mb(limits.max_file_bytes)}）。", file=name)
    check_directory(path, limits)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise Rejected("I-01", "文件已损坏（压缩结构无法读取），请重新保存或重新获取该文件。", file=name) from None
    if len(infos) > limits.max_entries:
        raise Rejected("I-02", f"压缩包内文件过多（{len(infos)} 个，上限 {limits.max_entries}）。", file=name)
    total = 0
    for info in infos:
        if unsafe_entry(info.filename):
            raise Rejected("I-12", f"压缩包内的文件名“{_shown(info.filename)}”不合法（绝对路径、“..”、盘符或网络路径），已拒绝。",
                           file=name)
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
    _verify_inflate(path, infos, name, limits)
    return infos


def directory_entries(path: str | Path) -> tuple[int, int] | None:
    """(entries, central directory bytes) from the zip's end records (the last 64 KB), or None."""
    with open(path, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - (1 << 16) - 22))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    entries, cd_size = struct.unpack("<HI", tail[at + 10:at + 16])
    loc = tail.rfind(b"PK\x06\x07", 0, at)  # zip64: the real numbers are in the zip64 end record
    if loc >= 0 and (entries == 0xFFFF or cd_size == 0xFFFFFFFF):
        end64 = tail.rfind(b"PK\x06\x06", 0, loc)
        if end64 >= 0 and len(tail) - end64 >= 56:
            entries, cd_size = struct.unpack("<QQ", tail[end64 + 32:end64 + 48])
    return entries, cd_size


def check_directory(path: str | Path, limits: Limits = DEFAULT) -> None:
    """The number of entries and the central directory's size, before zipfile builds an object for
    each entry (a 200 MB zip of empty entries would take gigabytes)."""
    try:
        found = directory_entries(path)
    except (OSError, struct.error):
        found = None
    if found is None:
        return  # zipfile says why it cannot read the file
    entries, cd_size = found
    if entries > limits.max_entries:
        raise Rejected("I-02", f"压缩包内文件过多（{entries} 个，上限 {limits.max_entries}）。", file=Path(path).name)
    if cd_size > limits.max_entries * 1024:
        raise Rejected("I-02", "压缩包的目录过大，已拒绝。", file=Path(path).name)


_DRIVE = re.compile(r"^[A-Za-z]:")
_BAD_CHARS = re.compile(r"[\x00-\x1f]")


def unsafe_entry(name: str) -> bool:
    """A zip entry name that would resolve outside the folder it is unpacked into."""
    if not name or name[0] in "/\\" or _DRIVE.match(name) or ":" in name or _BAD_CHARS.search(name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


_PLAIN_NAME = re.compile(r'[^/\\:*?"<>|\x00-\x1f]{1,255}')


def unsafe_file_name(name: object) -> bool:
    """A manifest file name that is not one plain file of the package folder: no folders, no ``..``, no
    drive letter, no UNC name, nothing Windows would change (a trailing dot or space)."""
    return (not isinstance(name, str) or not _PLAIN_NAME.fullmatch(name) or name in (".", "..")
            or name.startswith(".") or name.endswith((".", " ")))


def _shown(name: str) -> str:
    return name.encode("utf-8", "replace").decode("utf-8")[:80]


_NS = rb"<(?:[A-Za-z_][\w.-]*:)?"
# The generic forms (any namespace prefix, attribute order, quotes, whitespace): a few times slower,
# used only for a chunk that is not written the way spreadsheet programs write it.
_TAG = re.compile(_NS + rb"(row|c)(?=[\s/>])")
_R_ATTR = re.compile(rb"""[^>]*?\sr\s*=\s*["']\$?([A-Za-z]{0,16})\$?(\d{0,16})""")
_MERGE = re.compile(_NS + rb"""mergeCell\s[^>]{0,400}?ref\s*=\s*["']([^"']{1,80})""")
_BAD_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});)")
_REF_LETTERS = re.compile(rb"\$?([A-Za-z]{1,16})")
_REF_DIGITS = re.compile(rb"(\d{1,16})")


@cache
def _canonical(limits: Limits) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """Patterns for ``<row r="N"``, ``<c r="AB12"`` and ``<mergeCell ref="…"`` that return only the
    references long enough to pass the limits (a literal prefix: the scan runs at memory speed)."""
    digits = len(str(limits.max_rows))
    letters = len(_col_letters(limits.max_columns))
    return (re.compile(rb'<row r="(\d{%d,16})"' % digits),
            re.compile(rb'<c r="(?:([A-Z]{%d,16})\d|[A-Z]{1,16}(\d{%d,16}))' % (letters, digits)),
            re.compile(rb'<mergeCell ref="([^"]{1,80})"'))


def _col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class Extent:
    """The real extent of an XML part, fed chunk by chunk as it is inflated: rows and columns referenced.

    Counted from the references themselves (``<row r>``, ``<c r>``, ``<mergeCell ref>``), never the
    declared dimension. Rows and cells written without ``r`` follow the previous one, so the number of
    rows, and of cells in a row, bound them too. A chunk written as spreadsheet programs write it
    (every ``<c…`` tag a cell with ``r`` first, every ``<row…`` likewise, no namespace prefix) is
    measured with literal-prefix scans; any other (the sheet's head and tail, with ``<cols>``, or a
    hostile one) with the generic patterns. A tag cut by a chunk boundary is carried over.
    """

    def __init__(self, limits: Limits, file: str, part: str):
        self.limits, self.file, self.part = limits, file, part
        self.max_row = self.max_col = self.rows = self.cells = self.row = self.col = 0
        self.carry = b""
        self.refused: Rejected | None = None

    def take(self, data: bytes, last: bool = False) -> None:
        """``feed``, keeping the first refusal for after the CRC check (damage is I-01, not I-02).

        The inflate still runs to the end of the part, bounded by its declared size (checked first)."""
        if self.refused is None:
            try:
                self.feed(data, last)
            except Rejected as e:
                self.refused = e

    def feed(self, data: bytes, last: bool = False) -> None:
        buf = self.carry + data if self.carry else data
        cut = len(buf) if last else buf.rfind(b"<")
        if cut < 0 or len(buf) - cut > 65536:  # no tag open at the end, or an absurdly long one
            cut = len(buf)
        body = buf[:cut] if cut < len(buf) else buf
        self.carry = buf[cut:]
        if b"<" not in body:
            return
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise Rejected("I-01", f"文件含有 DTD 或实体声明（{_shown(self.part)}），Excel/WPS 不会写出这样的文件，已拒绝。",
                           file=self.file)
        if b"&" in body and _BAD_ENTITY.search(body):
            raise Rejected("I-01", f"文件的 XML 格式错误（{_shown(self.part)}：未定义的实体），已拒绝。", file=self.file)
        cells, rows = body.count(b'<c r="'), body.count(b'<row r="')
        if (body.count(b"<c") == cells and body.count(b"<row") == rows and b":c" not in body
                and b":row" not in body and body.count(b"<mergeCell") == body.count(b'<mergeCell ref="')):
            self._canonical(body)
            self.rows += rows
            self.row = self.max_row
        else:
            cells = self._generic(body)
        self.cells += cells
        check_shape(self.max_row, self.max_col, self.limits, file=self.file, part=self.part)
        if self.cells > self.limits.max_cells:
            raise Rejected("I-02", f"工作表单元格过多（超过 {self.limits.max_cells} 个）。", file=self.file)

    def _canonical(self, body: bytes) -> None:
        row_re, cell_re, merge_re = _canonical(self.limits)
        rows = set(row_re.findall(body))
        cols: set[bytes] = set()
        for letters, digits in set(cell_re.findall(body)):
            if letters:
                cols.add(letters)
            if digits:
                rows.add(digits)
        if b"<mergeCell" in body:
            self._refs(set(merge_re.findall(body)), rows, cols)
        self._widen(rows, cols)

    def _generic(self, body: bytes) -> int:
        """Tag by tag: a row or cell without ``r`` takes the next number after the previous one."""
        cells = 0
        for m in _TAG.finditer(body):
            end = body.find(b">", m.end())
            ref = _R_ATTR.match(body, m.end(), end if end >= 0 else len(body))
            if m.group(1) == b"row":
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
                self.rows += 1
            else:
                cells += 1
                self.col = _col_number(ref.group(1).upper()) if ref and ref.group(1) else self.col + 1
                if ref and ref.group(2):
                    self.row = int(ref.group(2))
            self.max_row = max(self.max_row, self.row)
            self.max_col = max(self.max_col, self.col)
            if self.cells + cells > self.limits.max_cells or self.max_row > self.limits.max_rows \
                    or self.max_col > self.limits.max_columns:
                break
        if b"mergeCell" in body:
            rows: set[bytes] = set()
            cols: set[bytes] = set()
            self._refs(set(_MERGE.findall(body)), rows, cols)
            self._widen(rows, cols)
        return cells

    @staticmethod
    def _refs(refs: set[bytes], rows: set[bytes], cols: set[bytes]) -> None:
        text = b" ".join(refs)
        cols.update(_REF_LETTERS.findall(text))
        rows.update(_REF_DIGITS.findall(text))

    def _widen(self, rows: set[bytes], cols: set[bytes]) -> None:
        if rows:
            self.max_row = max(self.max_row, max(map(int, rows)))
        if cols:
            self.max_col = max(self.max_col, max(_col_number(c.upper()) for c in cols))


def _is_xml(info: zipfile.ZipInfo) -> bool:
    n = info.filename.lower()
    return n.endswith(".xml") and not n.endswith(".rels")


LIE_MARGIN = 1 << 20  # bytes inflated past an entry's declared size before it is called a bomb, not damage


def _verify_inflate(path: Path, infos: list[zipfile.ZipInfo], name: str, limits: Limits = DEFAULT) -> None:
    """Inflate every entry in bounded chunks: real size must equal the declared size, CRC must match;
    every XML part's cell references are measured on the way (``Extent``)."""
    with open(path, "rb") as fh:
        for info in infos:
            extent = Extent(limits, name, info.filename) if _is_xml(info) else None
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
                        if out > info.file_size + LIE_MARGIN:  # damage overshoots a little, a bomb a lot
                            raise Rejected(
                                "I-02",
                                f"文件内容与声明大小不符（{info.filename} 解压后超过声明的 {info.file_size} 字节），"
                                "疑似压缩炸弹，已拒绝。",
                                file=name,
                            )
                        crc = zlib.crc32(data, crc)
                        if extent is not None and out <= info.file_size:
                            extent.take(data)
                if d is not None:
                    tail = d.flush()
                    out += len(tail)
                    crc = zlib.crc32(tail, crc)
                    if extent is not None:
                        extent.take(tail)
                if extent is not None:
                    extent.take(b"", last=True)
                if out != info.file_size or crc != info.CRC:
                    raise ValueError("size or crc")
                if extent is not None and extent.refused is not None:
                    raise extent.refused
            except Rejected:
                raise
            except (ValueError, zlib.error, OSError, struct.error):
                raise Rejected(
                    "I-01", f"文件已损坏（{info.filename} 无法解压或校验失败），请重新保存或重新获取该文件。", file=name
                ) from None


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_shape(rows: int, cols: int, limits: Limits = DEFAULT, *, file: str | None = None,
                sheet: str | None = None, part: str | None = None) -> None:
    where = f"（{_shown(part)}）" if part else ""
    if rows > limits.max_rows:
        raise Rejected("I-02", f"工作表行数过多{where}（{rows} 行，上限 {limits.max_rows}）。", file=file, sheet=sheet)
    if cols > limits.max_columns:
        raise Rejected("I-02", f"工作表列数过多{where}（{cols} 列，上限 {limits.max_columns}）。", file=file,
                       sheet=sheet)
    if rows * cols > limits.max_area:
        raise Rejected("I-02", f"工作表范围过大{where}（{rows} 行 × {cols} 列，上限 {limits.max_area} 个单元格）。",
                       file=file, sheet=sheet)


XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")


def check_workbook(path: str | Path, limits: Limits = DEFAULT) -> None:
    """Everything that can be checked about an .xlsx before parsing it."""
    check_zip(path, limits, require=XLSX_REQUIRED)  # the real extent of every sheet is measured there

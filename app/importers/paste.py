"""Rows copied from Excel/WPS and pasted into the member grid, cleaned as an import cleans them.

The same conversions as the 附件4 reader (``normalise``: 儿子 → 之子, ``64岁`` → 64, hint texts, full-width
digits), one table for both; a copied header row (姓名、与户主关系 …) is recognised and skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app import domain

from . import normalise as nz

# The person columns of 附件4 in the grid's order, each with the importer's conversion.
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "name": nz.name, "relation": nz.relation, "age": nz.number, "health": nz.health, "labour": nz.labour,
    "id_number": nz.text, "phone": nz.phone,
}
# Header wordings of the person columns (as ``header_key`` reduces them), and the row number column.
_HEADERS = {nz.header_key(domain.FIELD_NAMES[c]) for c in CONVERTERS} | {
    "序号", "成员姓名", "家庭成员", "关系", "与户主的关系", "劳动能力", "健康情况", "身份证号码", "电话", "手机", "手机号",
}


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of a clipboard copied from Excel/WPS (tab-separated, CRLF, quoted cells)."""
    rows: list[list[str]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip() == "":
            continue
        rows.append([cell.strip().strip('"') for cell in line.split("\t")])
    return rows


def is_header(cells: list[str]) -> bool:
    """A copied header row: most of its filled cells are person-column headings."""
    filled = [c for c in cells if not nz.is_blank(c)]
    known = sum(1 for c in filled if nz.header_key(c) in _HEADERS or nz.header_key_loose(c) in _HEADERS)
    return bool(filled) and known * 2 > len(filled)


def clean(code: str, value: Any) -> Any:
    """The stored form of one pasted cell of column ``code`` (blank → None)."""
    fn = CONVERTERS.get(code)
    if fn is None or nz.is_blank(value):
        return None if nz.is_blank(value) else value
    return fn(value)


def clean_rows(text: str, codes: tuple[str, ...]) -> list[dict[str, Any]]:
    """The pasted rows as {column code: value}, left to right from the first of ``codes``; header
    rows are left out; a blank cell is not written (it keeps what is there)."""
    out = []
    for cells in parse_tsv(text):
        if is_header(cells):
            continue
        out.append({code: clean(code, cell) for code, cell in zip(codes, cells, strict=False)
                    if not nz.is_blank(cell)})
    return out

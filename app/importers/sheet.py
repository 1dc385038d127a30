"""A sheet as the importers read it: its values and merged ranges, where its form's columns are, and
which of its rows are data (spacers, column numbers and the 填报说明 below the table are not)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from app.forms.layouts import FormLayout

from .normalise import header_key, is_blank


@dataclass
class Sheet:
    """A sheet's values (0-based grid), its merged ranges and where its form's columns are."""

    name: str
    rows: list[list[Any]]
    merges: list[tuple[int, int, int, int]]  # r0, c0, r1, c1 (0-based, inclusive)
    layout: FormLayout | None = None
    header_top: int = 0
    data_start: int = 0  # first row after the header block (0-based)
    columns: dict[str, int] = field(default_factory=dict)  # code → 0-based column
    title: str = ""

    def cell(self, r: int, c: int | None) -> Any:
        if c is None or r >= len(self.rows):
            return None
        row = self.rows[r]
        if c >= len(row):
            return None
        v = row[c]
        return None if v == "" else v

    def letter(self, code: str) -> str | None:
        c = self.columns.get(code)
        return get_column_letter(c + 1) if c is not None else None


def skip_row(values: list[Any]) -> str | None:
    """'stop' for 填报说明 and the summary line, 'skip' for spacer, ⋮ and column-number rows, else None."""
    if values and isinstance(values[0], float) and any(isinstance(v, str) and v and not v.isspace()
                                                        for v in values[1:]):
        return None  # the common data row: a 序号 and some text
    filled = [v for v in values if not is_blank(v)]
    if not filled:
        return "skip"
    first = header_key(filled[0])
    if first.startswith("填报说明") or first.startswith("注:") or "计划完成贫困人口" in first:
        return "stop"
    if all(header_key(v) in ("⋮", "…", "...", "︙") for v in filled):
        return "skip"
    if first.startswith("填报单位") or first.startswith("填报人"):
        return "skip"
    nums = [v for v in filled if isinstance(v, int | float)]
    if len(nums) == len(filled) and len(nums) > 3 and [int(v) for v in nums] == list(range(1, len(nums) + 1)):
        return "skip"  # a row of column numbers 1, 2, 3 … under the header
    return None


def data_rows(sheet: Sheet) -> Iterator[int]:
    """0-based indexes of a sheet's data rows: ``skip_row``'s skipped rows left out, up to its stop."""
    for r in range(sheet.data_start, len(sheet.rows)):
        what = skip_row(sheet.rows[r])
        if what == "stop":
            return
        if what is None:
            yield r

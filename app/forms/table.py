"""A filled form, ready to be written by any writer (xlsx, pdf): the one shape between them.

``header`` is a tree of ``HeaderNode``; its leaves are the columns, in order. ``header_grid`` lays
the tree out as cells with spans, the way the seeds print it: a node with children spans its
leaves horizontally; a leaf spans down to the bottom header row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class HeaderNode:
    label: str
    code: str | None = None  # leaves: the column code of forms.md
    children: list[HeaderNode] = field(default_factory=list)
    width: float = 8.0  # leaves: column width in characters (xlsx units; pdf scales it)
    kind: str = "count"  # leaves: "count" (integer, 0 never blank), "text", "number", "seq"

    @property
    def is_leaf(self) -> bool:
        return not self.children


@dataclass(frozen=True)
class HeaderCell:
    row: int  # 0-based header row
    col: int  # 0-based column
    rowspan: int
    colspan: int
    label: str


def leaves(header: list[HeaderNode]) -> list[HeaderNode]:
    out: list[HeaderNode] = []
    for node in header:
        out.extend([node] if node.is_leaf else leaves(node.children))
    return out


def depth(header: list[HeaderNode]) -> int:
    return max((1 + (0 if n.is_leaf else depth(n.children)) for n in header), default=0)


def header_grid(header: list[HeaderNode]) -> tuple[int, list[HeaderCell]]:
    """(number of header rows, cells with spans), in reading order."""
    rows = depth(header)
    cells: list[HeaderCell] = []

    def place(nodes: list[HeaderNode], row: int, col: int) -> int:
        for node in nodes:
            if node.is_leaf:
                cells.append(HeaderCell(row, col, rows - row, 1, node.label))
                col += 1
            else:
                span = len(leaves(node.children))
                cells.append(HeaderCell(row, col, 1, span, node.label))
                place(node.children, row + 1, col)
                col += span
        return col

    place(header, 0, 0)
    cells.sort(key=lambda c: (c.row, c.col))
    return rows, cells


@dataclass
class FormTable:
    """One form with its data, as it will be printed."""

    form: str  # "附件1" … "附件4"
    name: str  # short name for files: "帮扶情况调度表"
    title: str
    header: list[HeaderNode]
    rows: list[list[Any]] = field(default_factory=list)  # data rows, one value per leaf column
    row_kinds: list[str] = field(default_factory=list)  # "county_total"/"township_total"/"unit"/"person"/"project"
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # data-row coords (r0, c0, r1, c1), inclusive
    summary: str | None = None  # 附件4's summary line
    instructions: list[str] = field(default_factory=list)  # 填报说明, verbatim, one item each
    notes: list[str] = field(default_factory=list)  # extra notes under the table (M-08 …)
    reporting_unit: str = ""
    preparer: str = ""
    preparer_phone: str = ""
    filed_on: dt.date = field(default_factory=dt.date.today)
    period: str = ""  # YYYY-MM
    draft: bool = False
    # 附件4: (data row index of the household's first member, hidden record JSON) — app.forms.hidden
    hidden: list[tuple[int, str]] = field(default_factory=list)
    form_key: str = ""  # the layout key ("1" … "4B"), written in the hidden sheet

    @property
    def columns(self) -> list[HeaderNode]:
        return leaves(self.header)

    @property
    def filed_on_text(self) -> str:
        d = self.filed_on
        return f"{d.year}年{d.month}月{d.day}日"

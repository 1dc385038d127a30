"""The finding: one shape everywhere (cli.md), from the engine to the UI, importers and exporters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable rule code, e.g. "H-05"
    severity: str  # "E" or "W"
    message: str  # Chinese, for a clerk
    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # 1-based sheet row, for files
    column: str | None = None  # sheet column letter or header text, for files
    unit: str | None = None  # "乡镇/村"
    household: str | None = None  # uuid
    person: str | None = None  # uuid
    field: str | None = None  # column code of forms.md
    note: str | None = None  # verification note (核实说明), if any
    # What a note attaches to when there is no household/person (a fund project's uuid); not in cli.md's shape.
    target: str | None = None
    # A ledger row the finding is on: (kind, uuid), kind "task" | "problem" | "target" (cli.md).
    record: tuple[str, str] | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        del d["target"]
        rec = d.pop("record")
        if rec is not None:
            d["record"] = {"kind": rec[0], "uuid": rec[1]}
        return d

    def at(self, **where) -> Finding:
        """The same finding with more location filled in (file, sheet, row …)."""
        return replace(self, **where)

    @property
    def is_error(self) -> bool:
        return self.severity == "E"

    def location_text(self) -> str:
        """Where, in Chinese: 文件、工作表、行、列 for files; unit otherwise."""
        parts = []
        if self.file:
            parts.append(f"文件“{self.file}”")
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        if not parts and self.unit:
            parts.append(self.unit)
        return "，".join(parts)

    def __str__(self) -> str:
        loc = self.location_text()
        sev = "错误" if self.is_error else "提示"
        return f"[{self.code} {sev}] {loc + '：' if loc else ''}{self.message}"


def count(findings) -> tuple[int, int]:
    """(errors, warnings)."""
    e = sum(1 for f in findings if f.severity == "E")
    return e, len(findings) - e

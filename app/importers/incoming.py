"""What a file brings into the register, before it is matched against the database.

Workbooks and packages both produce a ``Source``: households keyed by their village path, hand
counts, fund projects, with where each came from. ``carried`` says which fields the file states:
a package carries every field (lossless); a hand-made 附件4 only its printed columns, so a
household matched in the register keeps what the form does not show (assistance, risk colour …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.rules.data import HouseholdData
from app.rules.findings import Finding

# What a hand-made 附件4 states about a household and a member.
WORKBOOK_HOUSEHOLD_FIELDS = ("band", "head_phone", "cause", "helper_name", "helper_phone", "expected_month")
WORKBOOK_MEMBER_FIELDS = ("name", "relation", "age", "health", "labour")

Path3 = tuple[str | None, ...]  # (county, township, village) names; None where the file does not say


@dataclass
class InHousehold:
    village: Path3
    fields: dict[str, Any]  # Household attributes
    members: list[dict[str, Any]]  # Person attributes, in order
    measures: list[dict[str, Any]]  # {"category", "text"}
    income_items: list[dict[str, Any]]  # {"category", "label", "amount"}
    data: HouseholdData  # what the rules engine checks
    carried: tuple[str, ...] | None = None  # None: every field (a package)
    member_carried: tuple[str, ...] | None = None
    row: int | None = None
    # Member fields the file does not carry even when it carries everything else (personal
    # identifiers left out of a workbook or an unencrypted package): kept from the register.
    kept: tuple[str, ...] = ()

    @property
    def head_name(self) -> str | None:
        for m in self.members:
            if m.get("relation") == "户主":
                return m.get("name")
        return self.data.head_name if isinstance(self.data.head_name, str) else None


@dataclass
class InCounts:
    unit: Path3  # 附件1: (county, township, village); 附件2: (name,)
    form: int
    values: dict[str, Any]
    row: int | None = None
    sheet: str | None = None


@dataclass
class InProject:
    township: Path3
    fields: dict[str, Any]
    row: int | None = None
    sheet: str | None = None


@dataclass
class Source:
    """One imported file."""

    file: str
    kind: str  # "workbook" | "package"
    period: str | None = None  # YYYY-MM, packages only
    check_period: str | None = None  # the month imported into, for rules that need it
    unit: str | None = None  # exporting unit's full path, packages only
    households: list[InHousehold] = field(default_factory=list)
    counts: list[InCounts] = field(default_factory=list)
    projects: list[InProject] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)  # package unit records (division codes …)
    notes: list[dict[str, Any]] = field(default_factory=list)  # package verification notes
    adjustments: list[dict[str, Any]] = field(default_factory=list)  # package 动态调整 records ("village": path)
    office: dict[str, Any] | None = None  # package office settings
    forms: list[str] = field(default_factory=list)  # which forms were found ("附件4" …)
    findings: list[Finding] = field(default_factory=list)
    normalised: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → field code → column letter

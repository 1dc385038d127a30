"""Plain inputs of the rules engine: what a household *says*, from the register or from a file.

The register fills these from Core selects (fast, no ORM objects); importers fill them from sheet
rows and also set the *stated* figures (size, 合计, 人均) that rules H-02 and H-09 compare with the
derivation. Values from files may be of any type (a text "七十" for an age): rules judge them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.kernel.month import Month


@dataclass(slots=True)
class PersonData:
    uuid: str | None = None
    name: Any = None
    relation: Any = None
    age: Any = None
    health: Any = None
    labour: Any = None
    id_number: str | None = None
    phone: str | None = None
    assistance: dict[str, bool] = field(default_factory=dict)  # codes of domain.ASSISTANCE
    row: int | None = None  # sheet row, for files


@dataclass(slots=True)
class HouseholdData:
    uuid: str | None = None
    unit: str | None = None  # "乡镇/村"
    band: str = "A"
    prior_income: Any = None
    head_name: Any = None  # as stated in 户主联系方式; None in the register (the head member's name)
    head_phone: Any = None
    cause: Any = None
    helper_name: Any = None
    helper_phone: Any = None
    expected_month: Any = None  # "YYYY.MM"
    closed_out: bool = False
    housing_grade: str | None = None
    housing_renovated: bool = False
    ytd_income: Any = None
    measures: list[tuple[Any, Any]] = field(default_factory=list)  # (category, text)
    income_items: list[tuple[Any, Any]] = field(default_factory=list)  # (category, amount)
    members: list[PersonData] = field(default_factory=list)
    # Stated figures, from files only (None in the register, where they hold by construction).
    stated_size: Any = None
    stated_total: Any = None
    stated_per_capita: Any = None
    # Where it came from, for findings on files.
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    texts: dict[str, Any] = field(default_factory=dict)  # other text cells to check for H-04


@dataclass(frozen=True, slots=True)
class Context:
    """What the rules need to know beyond the household: the period being checked."""

    period: str  # "YYYY-MM"

    @property
    def year(self) -> int:
        return Month.parse(self.period).year

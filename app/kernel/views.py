"""What the exporters draw, filled by the services: the 明白卡 (household card) and the wall chart.

明白卡 QR payload (docs/qr-payload.md): ``GUATU1|<household uuid>|<unit>|<YYYY-MM>`` where
``<unit>`` is the village's 12-digit division code, or its path "乡镇/村" when it has none. The
household uuid alone identifies the record across months; the unit and month say where and when the
card was printed. Short enough for a version-4 code at level M, readable from a phone held at arm's
length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from app.kernel.derive import per_capita
from app.kernel.month import Month, month_label

# ------------------------------------------------------------------------------------ 明白卡

PREFIX = "GUATU1"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def make_payload(household_uuid: str, unit: str, month: str) -> str:
    """The QR text of a household's card."""
    if "|" in unit:
        raise ValueError("unit must not contain |")
    return f"{PREFIX}|{household_uuid}|{unit}|{month}"


def parse_payload(text: str) -> dict | None:
    """{"household", "unit", "month"} from a scanned or pasted payload, or None if it is not one."""
    parts = [p.strip() for p in (text or "").strip().split("|")]
    if len(parts) != 4 or parts[0].upper() != PREFIX:
        return None
    hh, unit, month = parts[1:]
    if not _UUID.match(hh) or not unit or not _MONTH.match(month):
        return None
    return {"household": hh.lower(), "unit": unit, "month": month}


@dataclass
class Member:
    name: str
    relation: str
    age: int | None


@dataclass
class Card:
    uuid: str
    county: str
    township: str
    village: str
    unit_key: str  # division code or path, as in the payload
    month: str
    head: str
    head_phone: str | None
    band: str
    members: list[Member] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=list)  # (category, text)
    income: list[tuple[str, float]] = field(default_factory=list)  # (label, yuan)
    helper_name: str = ""
    helper_unit: str = ""
    helper_phone: str = ""
    expected_month: str = ""
    closed_out: bool = False
    closed_out_on: dt.date | None = None

    @property
    def payload(self) -> str:
        return make_payload(self.uuid, self.unit_key, self.month)

    @property
    def income_total(self) -> float:
        return sum(a for _l, a in self.income)

    @property
    def per_capita(self) -> int:
        return per_capita(self.income_total, len(self.members))


# ---------------------------------------------------------------------------------- wall chart

@dataclass
class UnitRow:
    """One subordinate unit (township of a county, village of a township)."""

    name: str
    households: int = 0
    persons: int = 0
    band_a: int = 0  # persons
    band_b: int = 0  # persons
    closed: int = 0  # households
    villages: int = 0  # villages with registered households


@dataclass
class HouseholdRow:
    seq: int
    head: str
    size: int
    band: str
    phone: str  # masked
    measures: str  # categories, "、"-joined
    helper: str
    expected_month: str
    closed_out: bool
    closed_out_on: dt.date | None
    risk_colour: str
    risk_reasons: str


@dataclass
class Cadre:
    name: str
    unit: str
    phone: str
    households: int


@dataclass
class WallChart:
    unit: str
    unit_path: str
    level: str
    month: str
    due: dt.date
    made: dt.date
    households: int = 0
    persons: int = 0
    band_a: tuple[int, int] = (0, 0)  # (households, persons)
    band_b: tuple[int, int] = (0, 0)
    closed: tuple[int, int] = (0, 0)
    villages_total: int = 0
    poor_villages: int = 0
    by_unit: list[UnitRow] = field(default_factory=list)
    band_a_bins: dict[str, int] = field(default_factory=dict)
    band_b_bins: dict[str, int] = field(default_factory=dict)
    ytd_average: int = 0  # persons-weighted mean of the year-to-date per-capita income
    measures: list[tuple[str, int, int]] = field(default_factory=list)  # (category, households, persons)
    expected: list[tuple[str, int, int]] = field(default_factory=list)  # (YYYY.MM, households, closed)
    risk: dict[str, int] = field(default_factory=dict)  # colour → households
    cadres: list[Cadre] = field(default_factory=list)
    household_rows: list[HouseholdRow] = field(default_factory=list)  # village level only

    @property
    def year(self) -> int:
        return Month.parse(self.month).year

    @property
    def month_label(self) -> str:
        return month_label(self.month)

    @property
    def due_label(self) -> str:
        return f"{self.due.month}月{self.due.day}日前报送"

    @property
    def title(self) -> str:
        """The village chart names its township too (村 names repeat across a county)."""
        parts = self.unit_path.split("/")
        name = "".join(parts[-2:]) if self.level == "village" else self.unit
        return f"{name}{self.year}年脱贫攻坚挂图作战图"

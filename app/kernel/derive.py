"""Derived figures (income 人均, bands), shared by the register, the rules, the forms and the cards."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from app.domain import BAND_A_LIMIT, BAND_B_LIMIT


def per_capita(total: float, size: int) -> int:
    """人均 = 合计 ÷ 家庭人口数, rounded half up to the yuan (forms.md H-09: 23300 ÷ 4 = 5825)."""
    if size <= 0:
        return 0
    q = Decimal(str(total)) / Decimal(size)
    return int(q.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def band_for(prior_income: float | None) -> str | None:
    """Band A below 5000, band B 5000–5760 inclusive, None above (not in the register's scope)."""
    if prior_income is None:
        return None
    if prior_income < BAND_A_LIMIT:
        return "A"
    if prior_income <= BAND_B_LIMIT:
        return "B"
    return None

"""The rules engine: every household rule over one household, and H-12 across households.

Pure Python over ``HouseholdData``; the register (``app.services.checks``), importers and the GUI
all call these, so a rule reads the same wherever the data come from.
"""

from __future__ import annotations

from collections.abc import Iterable

from .codes import RULES, severity
from .counts import check_count_row, check_hand_vs_derived, check_month_over_month, check_totals
from .data import Context, HouseholdData
from .duplicates import h12_duplicates
from .findings import Finding
from .household import HOUSEHOLD_RULES
from .projects import check_project


def check_household(h: HouseholdData, ctx: Context) -> list[Finding]:
    """H-01 … H-16 except H-12, for one household."""
    out: list[Finding] = []
    for rule in HOUSEHOLD_RULES:
        found = rule(h, ctx)
        if found:
            out.extend(found)
    return out


def check_households(hs: Iterable[HouseholdData], ctx: Context) -> list[Finding]:
    """Every household rule, plus H-12 (the same person in two households)."""
    hs = list(hs)
    out: list[Finding] = []
    for h in hs:
        for rule in HOUSEHOLD_RULES:
            found = rule(h, ctx)
            if found:
                out.extend(found)
    out.extend(h12_duplicates(hs))
    return out


__all__ = [
    "RULES", "check_count_row", "check_hand_vs_derived", "check_household", "check_households",
    "check_month_over_month", "check_project", "check_totals", "severity",
]

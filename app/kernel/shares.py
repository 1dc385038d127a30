"""Shares of a whole in hundredths of a percent that add up to exactly 100.00 % (largest remainder).

Seed 003 prints cause structures as "因病致贫2065户，占比67.46%"; rounding each share on its own can
give 99.99 % or 100.01 % in total, which a reader adds up and queries.
"""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(counts: Sequence[int], total_units: int = 10_000) -> list[int]:
    """Each count's share of ``total_units`` (10 000 = 100.00 %), floors first, the leftover units to the
    largest remainders (ties: the larger count, then the earlier one). All zero: all shares zero."""
    whole = sum(counts)
    if whole <= 0:
        return [0 for _ in counts]
    floors = [c * total_units // whole for c in counts]
    rest = total_units - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(counts[i] * total_units % whole), -counts[i], i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def percent_text(units: int) -> str:
    """10 000ths as the two-decimal percent text of the seeds: 6746 → "67.46"."""
    return f"{units // 100}.{units % 100:02d}"


def shares_text(counts: Sequence[int]) -> list[str]:
    return [percent_text(u) for u in largest_remainder(counts)]

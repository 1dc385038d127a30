"""Monthly counts (附件1/附件2) on the cached 100,000-person demo register.

- ``counts_form1``: every row of 附件1 for the county as exported (one GROUP BY over persons ⨝
  households, hand counts, totals, labels); goal under 1 s. Baseline: one bare
  ``SELECT village_id, count(*) … GROUP BY village_id`` over the same rows — the ratio is what the
  14 aggregates and the row assembly cost over the cheapest possible pass.
- ``counts_findings``: ``count_findings`` for the county (附件1 + 附件2 rows of this month and the
  previous one, M-01…M-08, C-01), as ``check_period`` runs it; baseline the same bare GROUP BY.

Run: ``.venv/bin/python -m bench counts`` (see bench/README.md).
"""

from __future__ import annotations

from bench.harness import Context, Outcome, best_of, entry


def _setup(s):
    from sqlalchemy import func, select

    from app.models import Household, Person
    from app.services.periods import get_period
    from app.services.units import default_unit, root_units

    period = get_period(s, None)
    county = default_unit(s) or root_units(s)[0]
    bare = (
        select(Household.village_id, func.count(Person.id))
        .join(Household, Person.household_id == Household.id)
        .where(Household.period_id == period.id, Household.band == "A")
        .group_by(Household.village_id)
    )
    return period, county, bare


@entry("counts_form1")
def counts_form1(ctx: Context) -> Outcome:
    """附件1 rows of a 100,000-person county (goal < 1 s), against one bare GROUP BY."""
    from app.services import counts
    from app.storage import Database

    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        period, county, bare = _setup(s)
        rows = counts.rows(s, period, county, 1)
        seconds = best_of(lambda: counts.rows(s, period, county, 1), 5)
        baseline = best_of(lambda: s.execute(bare).all(), 5)
    return Outcome(seconds, baseline, "one GROUP BY village count", goal="< 1 s", met=seconds < 1,
                   note=f"{len(rows)} rows, {rows[0]['total']} band-A persons")


@entry("counts_findings")
def counts_findings(ctx: Context) -> Outcome:
    """count_findings of the county: 附件1+附件2 of two months and their rules."""
    from app.services import counts
    from app.storage import Database

    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        period, county, bare = _setup(s)
        found = counts.count_findings(s, period, county)
        seconds = best_of(lambda: counts.count_findings(s, period, county), 3)
        baseline = best_of(lambda: s.execute(bare).all(), 3)
    return Outcome(seconds, baseline, "one GROUP BY village count", goal="< 2 s", met=seconds < 2,
                   note=f"{len(found)} findings")


if __name__ == "__main__":
    import sys

    from bench.__main__ import main

    sys.exit(main(["counts", "--no-write", *sys.argv[1:]]))

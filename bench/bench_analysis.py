"""一月一分析 on the cached 100,000-person demo register (issue goal: under 2 s).

- ``analysis_figures``: ``analyse`` of the county without the rule findings (register GROUP BYs of two
  months, colour changes, adjustments, ledgers); goal < 2 s. Baseline: ``check_period``'s bare village
  count, the cheapest pass over the month.
- ``analysis_full``: the same with the open findings of this month and last month (two ``check_period``
  runs), which is what ``guatu analysis`` prints.

Run: ``.venv/bin/python -m bench analysis`` (see bench/README.md).
"""

from __future__ import annotations

from bench.harness import Context, Outcome, best_of, entry


def _bare(s):
    from app.services.periods import get_period

    period = get_period(s, None)
    conn = s.connection().connection.dbapi_connection
    return lambda: conn.execute(
        "SELECT village_id, count(*) FROM households WHERE period_id = ? GROUP BY village_id", (period.id,)).fetchall()


@entry("analysis_figures")
def analysis_figures(ctx: Context) -> Outcome:
    """analyse() of a 100,000-person county without findings (goal < 2 s)."""
    from app.services.analysis import analyse
    from app.storage import Database

    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        a = analyse(s, with_findings=False)
        seconds = best_of(lambda: analyse(s, with_findings=False), 3)
        baseline = best_of(_bare(s), 3)
    return Outcome(seconds, baseline, "one GROUP BY village count", goal="< 2 s", met=seconds < 2,
                   note=f"{a.households.now} households, {a.closed_month.now} closed out this month")


@entry("analysis_full")
def analysis_full(ctx: Context) -> Outcome:
    """analyse() with this month's and last month's findings, as `guatu analysis` runs it."""
    from app.services.analysis import analyse
    from app.storage import Database

    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        a = analyse(s)
        seconds = best_of(lambda: analyse(s), 1)
        baseline = best_of(_bare(s), 3)
    return Outcome(seconds, baseline, "one GROUP BY village count", goal="< 2 s", met=seconds < 2,
                   note=f"{sum(f.count for f in a.findings)} findings")


if __name__ == "__main__":
    import sys

    from bench.__main__ import main

    sys.exit(main(["analysis", "--no-write", *sys.argv[1:]]))

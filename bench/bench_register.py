"""Rule checks and stats over the cached 100,000-person demo register (app.services.checks)."""

from __future__ import annotations

import time

from bench.harness import Context, Outcome, best_of, entry

GOAL_PERSONS_PER_S = 100_000


def _open(ctx: Context):
    from app.storage import Database

    return Database(ctx.demo_path, write=False)


def _plain_select(s, period_id: int) -> int:
    """The baseline: every household and person column of the period, fetched as tuples."""
    rows = s.connection().exec_driver_sql(
        "SELECT h.*, p.* FROM households h JOIN persons p ON p.household_id = h.id WHERE h.period_id = ?",
        (period_id,),
    ).fetchall()
    return len(rows)


@entry("check_full")
def check_full(ctx: Context) -> Outcome:
    """guatu check of the latest period: every rule over 100,000 persons, vs a plain SELECT of them."""
    from app.services.checks import check_period
    from app.services.periods import get_period

    with _open(ctx) as db, db.session() as s:
        period = get_period(s, None)
        n = _plain_select(s, period.id)
        check_period(s, period)  # warm: font coverage, caches
        seconds = best_of(lambda: check_period(s, period), 3)
        baseline = best_of(lambda: _plain_select(s, period.id), 3)
    rate = n / seconds
    return Outcome(seconds, baseline, "SELECT of the same rows", goal=f"≥ {GOAL_PERSONS_PER_S:,} persons/s",
                   met=rate >= GOAL_PERSONS_PER_S, note=f"{rate:,.0f} persons/s over {n:,} persons")


@entry("check_households_rules")
def check_households_rules(ctx: Context) -> Outcome:
    """The household part of guatu check as check_period runs it: the screen, then every H-rule on the
    households it names and H-12 (no counts, projects, notes)."""
    from app.services.checks import _check_screened, gc_paused
    from app.services.periods import get_period

    with _open(ctx) as db, db.session() as s:
        period = get_period(s, None)
        n = _plain_select(s, period.id)

        def run() -> None:
            with gc_paused():
                _check_screened(s, period, None)

        run()
        seconds = best_of(run, 3)
        baseline = best_of(lambda: _plain_select(s, period.id), 3)
    rate = n / seconds
    return Outcome(seconds, baseline, "SELECT of the same rows", goal=f"≥ {GOAL_PERSONS_PER_S:,} persons/s",
                   met=rate >= GOAL_PERSONS_PER_S, note=f"{rate:,.0f} persons/s over {n:,} persons")


@entry("check_household")
def check_household(ctx: Context) -> Outcome:
    """Incremental check of one household (after an edit), vs a single-row select."""
    from sqlalchemy import select

    from app.models import Household
    from app.services.checks import check_household_id
    from app.services.periods import get_period

    with _open(ctx) as db, db.session() as s:
        period = get_period(s, None)
        ids = list(s.scalars(select(Household.id).where(Household.period_id == period.id)
                             .order_by(Household.id).limit(2000)))[::40]
        check_household_id(s, ids[0])
        conn = s.connection()

        def run_checks() -> None:
            for hid in ids:
                check_household_id(s, hid)

        def run_selects() -> None:
            for hid in ids:
                conn.exec_driver_sql("SELECT * FROM households WHERE id = ?", (hid,)).fetchall()

        seconds = best_of(run_checks, 3) / len(ids)
        baseline = best_of(run_selects, 3) / len(ids)
    return Outcome(seconds, baseline, "single-row select", goal="< 5 ms", met=seconds < 0.005,
                   note=f"mean of {len(ids)} households")


@entry("stats")
def stats(ctx: Context) -> Outcome:
    """guatu stats --json of the latest period (sizes per village + findings per code)."""
    from app.cli.cmd_stats import stats as stats_doc
    from app.services.periods import get_period

    with _open(ctx) as db, db.session() as s:
        period = get_period(s, None)
        n = _plain_select(s, period.id)
        t = time.perf_counter()
        doc = stats_doc(s, period)
        seconds = min(time.perf_counter() - t, best_of(lambda: stats_doc(s, period), 2))
        baseline = best_of(lambda: _plain_select(s, period.id), 3)
    rate = n / seconds
    return Outcome(seconds, baseline, "SELECT of the same rows", goal=f"≥ {GOAL_PERSONS_PER_S:,} persons/s",
                   met=rate >= GOAL_PERSONS_PER_S, note=f"{rate:,.0f} persons/s; {len(doc['villages'])} villages")


@entry("search_initials")
def search_initials(ctx: Context) -> Outcome:
    """Search by pinyin initials (``ljg``) over 100,000 persons once the month's index is built, vs a
    name search (LIKE on the indexed name); the note gives the one-off index build."""
    from app.services import pinyin_index, search
    from app.services.periods import get_period

    with _open(ctx) as db, db.session() as s:
        period = get_period(s, None)
        pinyin_index._indexes.clear()
        pinyin_index.initials.cache_clear()
        t = time.perf_counter()
        pinyin_index.period_index(s, period.id)
        build = time.perf_counter() - t
        queries = ("ljg", "wxm", "zs", "lj")
        seconds = best_of(lambda: [search.search(s, period.id, q) for q in queries], 3) / len(queries)
        baseline = best_of(lambda: [search.search(s, period.id, q) for q in ("李建", "王秀", "张", "刘")], 3) / 4
    return Outcome(seconds, baseline, "name search (LIKE)", goal="< 0.2 s", met=seconds < 0.2,
                   note=f"index built once per month in {build:.2f} s (in the background when the window opens)")


def _cpu_of(argv: list[str]) -> float:
    """User + system CPU seconds of one whole process (and its children)."""
    import os
    import subprocess

    before = os.times()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


@entry("check_cli_ratio")
def check_cli_ratio(ctx: Context) -> Outcome:
    """`guatu check` as a whole process (CPU), vs `guatu --help` plus a bare sqlite3 SELECT of the rows a
    check reads (bench/select_check_rows.py, in a fresh interpreter): median of 5 pairs run in turn."""
    import statistics
    import sys
    from pathlib import Path

    guatu = [sys.executable, "-m", "app"]
    select = [sys.executable, str(Path(__file__).with_name("select_check_rows.py")), str(ctx.demo_path)]
    checks, bases, with_records = [], [], []
    for _ in range(5):
        checks.append(_cpu_of([*guatu, "check", "--db", str(ctx.demo_path)]))
        help_cpu = _cpu_of([*guatu, "--help"])
        bases.append(help_cpu + _cpu_of(select))
        with_records.append(help_cpu + _cpu_of([*select, "--records"]))
    check, base, rec = statistics.median(checks), statistics.median(bases), statistics.median(with_records)
    return Outcome(check, base, "`guatu --help` + a bare SELECT of the rows a check reads (CPU, whole processes)",
                   goal="≤ 1.5×", met=check <= 1.5 * base,
                   note=f"median of 5 pairs; against a baseline that also SELECTs the rows the household-records "
                        f"rules read (--records): {check:.2f} s vs {rec:.2f} s = {check / rec:.1f}×")

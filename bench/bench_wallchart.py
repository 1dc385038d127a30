"""Wall charts and 明白卡 from the cached 100,000-person demo register."""

from __future__ import annotations

import time

from bench.harness import CACHE, Context, Outcome, best_of, entry


def _households_select(s, period_id: int, village_ids: list[int] | None = None) -> int:
    """Baseline: the household rows of the chart fetched as tuples (no aggregation, no drawing)."""
    sql = "SELECT * FROM households WHERE period_id = ?"
    args: tuple = (period_id,)
    if village_ids is not None:
        sql += f" AND village_id IN ({','.join('?' * len(village_ids))})"
        args += tuple(village_ids)
    return len(s.connection().exec_driver_sql(sql, args).fetchall())


def _biggest_village(s, period_id: int):
    from sqlalchemy import func, select

    from app.models import Household, Unit

    vid = s.execute(select(Household.village_id, func.count()).where(Household.period_id == period_id)
                    .group_by(Household.village_id).order_by(func.count().desc()).limit(1)).first()[0]
    return s.get(Unit, vid)


@entry("wallchart_county_A0")
def wallchart_county_a0(ctx: Context) -> Outcome:
    """County wall chart (aggregates + A0 PDF) of 100,000 persons, vs a SELECT of its households."""
    from app.exporters.wallchart import write_wallchart
    from app.services.periods import get_period
    from app.services.units import root_units
    from app.services.wallchart import build
    from app.storage import Database

    out = CACHE / "bench-wallchart.pdf"
    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        period = get_period(s, None)
        county = root_units(s)[0]

        def run() -> None:
            write_wallchart(build(s, county, period), out, "A0")

        seconds = best_of(run, 2)
        baseline = best_of(lambda: _households_select(s, period.id), 3)
    out.unlink(missing_ok=True)
    return Outcome(seconds, baseline, "SELECT of the households", goal="< 5 s", met=seconds < 5)


@entry("wallchart_county_tiled")
def wallchart_county_tiled(ctx: Context) -> Outcome:
    """County chart A0 tiled onto A4 (index + one redraw per sheet), vs the untiled A0 PDF."""
    from app.exporters.wallchart import write_wallchart
    from app.exporters.wallchart_tiles import write_tiled
    from app.services.periods import get_period
    from app.services.units import root_units
    from app.services.wallchart import build
    from app.storage import Database

    out = CACHE / "bench-wallchart-tiles.pdf"
    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        chart = build(s, root_units(s)[0], get_period(s, None))
    info = {}

    def tiled() -> None:
        info.update(write_tiled(chart, out, "A0", "A4"))

    seconds = best_of(tiled, 2)
    baseline = best_of(lambda: write_wallchart(chart, out, "A0"), 2)
    out.unlink(missing_ok=True)
    return Outcome(seconds, baseline, "the same chart on one A0 sheet", goal="< 10 s", met=seconds < 10,
                   note=f"{info.get('pages')} sheets")


@entry("wallchart_village")
def wallchart_village(ctx: Context) -> Outcome:
    """Village chart with its household table (the biggest village), vs a SELECT of its households."""
    from app.exporters.wallchart import write_wallchart
    from app.services.periods import get_period
    from app.services.wallchart import build
    from app.storage import Database

    out = CACHE / "bench-wallchart-village.pdf"
    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        period = get_period(s, None)
        village = _biggest_village(s, period.id)
        chart = build(s, village, period)
        seconds = best_of(lambda: write_wallchart(build(s, village, period), out, "A1"), 3)
        baseline = best_of(lambda: _households_select(s, period.id, [village.id]), 3)
    out.unlink(missing_ok=True)
    return Outcome(seconds, baseline, "SELECT of its households", goal="< 1 s", met=seconds < 1,
                   note=f"{chart.households} households")


@entry("cards_township")
def cards_township(ctx: Context) -> Outcome:
    """明白卡 of a whole township (two per A4, QR each), per card, vs a SELECT of its households."""
    from app.exporters.cards import write_cards
    from app.models.units import villages_under
    from app.services.cards import cards_for
    from app.services.periods import get_period
    from app.storage import Database

    out = CACHE / "bench-cards.pdf"
    with Database(ctx.demo_path, write=False) as db, db.session() as s:
        period = get_period(s, None)
        town = _biggest_village(s, period.id).parent
        v_ids = [v.id for v in villages_under(s, town)]
        t = time.perf_counter()
        cards = cards_for(s, town, period)
        write_cards(cards, out)
        seconds = time.perf_counter() - t
        baseline = best_of(lambda: _households_select(s, period.id, v_ids), 3)
    out.unlink(missing_ok=True)
    n = len(cards)
    return Outcome(seconds / n, baseline / n, "SELECT of the households, per household", goal="< 20 ms per card",
                   met=seconds / n < 0.02, note=f"{n} cards in {seconds:.1f} s")

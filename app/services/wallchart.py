"""What a wall chart shows (forms.md §6), aggregated for one unit and period from the register.

A chart hangs in public: household phones are masked (``151****1234``) and no health detail is
included (not even the cause of poverty). Cadres' phones are work contacts and stay whole. "Poor
villages" are the villages that have registered households in the period (the register has no
separate 贫困村 flag). Counts of persons use household size; income distributions use each
household's estimated per-capita income for the year (附件4 家庭收入情况(预估): items ÷ size),
counted in persons — the "预期收入" the seed asks the chart to show; the year-to-date figure of the
monthly forms is low early in the year and is given as an average beside it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain import BAND_A_LIMIT, BAND_A_SPLIT, BAND_B_LIMIT, MEASURE_CATEGORIES
from app.exporters.wallchart import write_wallchart
from app.exporters.wallchart_tiles import needs_tiling, write_tiled
from app.kernel.views import Cadre, HouseholdRow, UnitRow, WallChart
from app.models import Household, IncomeItem, Measure, Period, Person, Unit
from app.models.units import full_path, villages_under

from .errors import UsageError

LEVEL_WORDS = {"county": "县", "township": "乡镇", "village": "村"}
A_LOW, A_HIGH, B_HIGH = BAND_A_SPLIT, BAND_A_LIMIT, BAND_B_LIMIT
BAND_A_BINS = (f"{A_LOW}元以下", f"{A_LOW}-{A_HIGH}元", f"{A_HIGH}元以上")
BAND_B_BINS = (f"{A_HIGH}元以下", f"{A_HIGH}-{B_HIGH}元", f"{B_HIGH}元以上")


def build(session: Session, unit: Unit, period: Period, level: str | None = None,
          today: dt.date | None = None) -> WallChart:
    """The chart of ``unit`` for ``period``; ``level``, when given, must be the unit's level."""
    from app.rules.phones import mask_phone

    if level is not None and level != unit.level:
        raise UsageError(f"“{full_path(unit)}”是{LEVEL_WORDS[unit.level]}级单位，与所选级别“{LEVEL_WORDS.get(level, level)}”不符。")
    villages = villages_under(session, unit)
    v_ids = [v.id for v in villages]
    chart = WallChart(unit=unit.name, unit_path=full_path(unit), level=unit.level, month=period.month,
                      due=period.due, made=today or dt.date.today(), villages_total=len(villages))
    # Subordinate unit of each village: township for a county chart, the village itself otherwise.
    parent_of: dict[int, str] = {}
    for v in villages:
        parent_of[v.id] = v.parent.name if unit.level == "county" and v.parent else v.name
    conn = session.connection()  # Core rows: no ORM loading layer for 100,000-person counties
    sizes = dict(conn.execute(
        select(Person.household_id, func.count()).join(Household, Household.id == Person.household_id)
        .where(Household.period_id == period.id, Household.village_id.in_(v_ids))
        .group_by(Person.household_id)).all())
    heads = dict(conn.execute(
        select(Person.household_id, Person.name).join(Household, Household.id == Person.household_id)
        .where(Household.period_id == period.id, Household.village_id.in_(v_ids), Person.position == 0)).all())
    income = dict(conn.execute(
        select(IncomeItem.household_id, func.sum(IncomeItem.amount))
        .join(Household, Household.id == IncomeItem.household_id)
        .where(Household.period_id == period.id, Household.village_id.in_(v_ids))
        .group_by(IncomeItem.household_id)).all())
    cats: dict[int, list[str]] = defaultdict(list)
    for hid, cat in conn.execute(
            select(Measure.household_id, Measure.category).join(Household, Household.id == Measure.household_id)
            .where(Household.period_id == period.id, Household.village_id.in_(v_ids))
            .order_by(Measure.household_id, Measure.position)):
        if cat not in cats[hid]:
            cats[hid].append(cat)
    rows = conn.execute(
        select(Household.id, Household.village_id, Household.band, Household.head_phone, Household.helper_name,
               Household.helper_unit, Household.helper_phone, Household.expected_month, Household.ytd_income,
               Household.closed_out, Household.closed_out_on, Household.risk_colour, Household.risk_reasons)
        .where(Household.period_id == period.id, Household.village_id.in_(v_ids))
        .order_by(Household.village_id, Household.position, Household.id)).all()

    order = {v.id: i for i, v in enumerate(villages)}
    rows.sort(key=lambda r: order.get(r.village_id, 0))
    by_unit: dict[str, UnitRow] = {}
    for v in villages:
        by_unit.setdefault(parent_of[v.id], UnitRow(parent_of[v.id]))
    poor: set[int] = set()
    a_bins, b_bins = Counter(), Counter()
    meas_h, meas_p = Counter(), Counter()
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    risk: Counter = Counter()
    cadres: dict[tuple[str, str], Cadre] = {}
    a_h = a_p = b_h = b_p = c_h = c_p = 0
    ytd_sum = 0.0
    for r in rows:
        n = sizes.get(r.id, 0)
        u = by_unit[parent_of[r.village_id]]
        u.households += 1
        u.persons += n
        poor.add(r.village_id)
        est = math.floor((income.get(r.id) or 0) / n + 0.5) if n else 0  # per_capita, without Decimal
        ytd_sum += (r.ytd_income or 0) * n
        if r.band == "A":
            a_h, a_p, u.band_a = a_h + 1, a_p + n, u.band_a + n
            a_bins[BAND_A_BINS[0 if est < A_LOW else 1 if est < A_HIGH else 2]] += n
        else:
            b_h, b_p, u.band_b = b_h + 1, b_p + n, u.band_b + n
            b_bins[BAND_B_BINS[0 if est < A_HIGH else 1 if est <= B_HIGH else 2]] += n
        if r.closed_out:
            c_h, c_p, u.closed = c_h + 1, c_p + n, u.closed + 1
        for cat in cats.get(r.id, ()):
            meas_h[cat] += 1
            meas_p[cat] += n
        if r.expected_month:
            e = expected[r.expected_month]
            e[0] += 1
            e[1] += int(bool(r.closed_out))
        risk[r.risk_colour or "green"] += 1
        if r.helper_name:
            key = (r.helper_name, r.helper_phone or "")
            cadre = cadres.setdefault(key, Cadre(r.helper_name, r.helper_unit or "", r.helper_phone or "", 0))
            cadre.households += 1
        if unit.level == "village":
            chart.household_rows.append(HouseholdRow(
                seq=len(chart.household_rows) + 1, head=heads.get(r.id, ""), size=n, band=r.band,
                phone=mask_phone(r.head_phone), measures="、".join(cats.get(r.id, ())),
                helper=r.helper_name or "", expected_month=r.expected_month or "", closed_out=bool(r.closed_out),
                closed_out_on=r.closed_out_on, risk_colour=r.risk_colour or "green",
                risk_reasons=r.risk_reasons or ""))
    for v in villages:
        if v.id in poor:
            by_unit[parent_of[v.id]].villages += 1
    chart.households, chart.persons = len(rows), sum(sizes.values())
    chart.band_a, chart.band_b, chart.closed = (a_h, a_p), (b_h, b_p), (c_h, c_p)
    chart.poor_villages = len(poor)
    chart.ytd_average = round(ytd_sum / chart.persons) if chart.persons else 0
    chart.by_unit = list(by_unit.values()) if unit.level != "village" else []
    chart.band_a_bins = {k: a_bins.get(k, 0) for k in BAND_A_BINS}
    chart.band_b_bins = {k: b_bins.get(k, 0) for k in BAND_B_BINS}
    chart.measures = [(c, meas_h[c], meas_p[c]) for c in MEASURE_CATEGORIES if meas_h[c]]
    chart.expected = [(m, *expected[m]) for m in sorted(expected)]
    chart.risk = {c: risk.get(c, 0) for c in ("red", "yellow", "green")}
    chart.cadres = sorted(cadres.values(), key=lambda c: (-c.households, c.name))
    return chart


def choices(session: Session) -> dict:
    """What the wall chart and 明白卡 dialogs offer: months, units (id, full path, level), defaults."""
    from app.models import Office

    office = session.get(Office, 1)
    periods = list(session.execute(select(Period.month, Period.state).order_by(Period.month.desc())).all())
    units: list[tuple[int, str, str]] = []

    def walk(u: Unit) -> None:
        units.append((u.id, full_path(u), u.level))
        for child in u.children:
            walk(child)

    for root in session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.position, Unit.id)):
        walk(root)
    return {"periods": [(m, st) for m, st in periods], "units": units,
            "unit_id": office.unit_id if office else None, "export_dir": office.export_dir if office else None}


def write_chart(session: Session, month: str | None, unit_id: int, paper: str, tile: str | None, out,
                level: str | None = None) -> dict:
    """Build and write one chart (CLI and the GUI's 生成); the PDF goes to ``out`` via a temporary file."""
    if tile is not None and not needs_tiling(paper, tile):
        raise UsageError(f"拼贴纸张 {tile} 不小于挂图纸张 {paper}，无需拼贴。")
    chart = chart_for(session, month, unit_id, level)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        info = write_tiled(chart, tmp, paper, tile) if tile else write_wallchart(chart, tmp, paper)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return {**info, "out": str(out), "title": chart.title, "unit": chart.unit_path, "month": chart.month_label}


def chart_for(session: Session, month: str | None, unit_id: int, level: str | None = None) -> WallChart:
    """The chart of a unit by id for a month (None: the latest)."""
    from .periods import get_period

    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UsageError("单位不存在。")
    return build(session, unit, get_period(session, month), level)

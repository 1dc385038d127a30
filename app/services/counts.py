"""附件1 and 附件2 rows derived from the register (forms.md §1, §2), hand counts and drill-down. No Qt.

Counts are persons: the band-A (附件1) or band-B (附件2) members of the households of a village in the
period, counted with one GROUP BY over persons ⨝ households (never a Python loop over ORM objects).
The income distribution uses the household's year-to-date per-capita net income (填报说明 5); a
household whose ``ytd_income`` is not entered counts as 0 yuan so far: in 附件1 its persons fall in
the lowest bin (so M-05 holds by construction), in 附件2 below both bins (so M-08 says how many).

A village may have a ``HandCount`` row (typed by hand, for a village not kept in the register); a
typed value replaces the derived one, ``None`` falls back to it. Total rows are always computed.

Row shapes (cli.md ``guatu counts --json``):
- 附件1, county scope: county total (seq 1, 乡镇 ``全县合计数``), then per township its total row
  (村 ``全乡合计``/``全镇合计``/``全街道合计``) and its village rows; seq runs through every row.
  Township scope: the township total row first, then its villages. Village scope: the village row.
- 附件2: the total row without seq (``全县合计`` — ``全市合计``/``全区合计`` by the county's name — for a
  county export, ``全镇合计`` … for a township, ``合计`` for a village), then one row for the exporting unit (seq 1), the sum of its villages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.domain import ASSISTANCE, BAND_A_LIMIT, BAND_A_SPLIT, BAND_B_LIMIT, FORM1_COUNTS, FORM2_COUNTS
from app.forms.layouts import COUNTY_TOTAL_LABEL, scope_word, township_total_label
from app.models import HandCount, Household, Period, Person, Unit
from app.models.dialect import sum_true
from app.models.units import unit_path
from app.rules.findings import Finding

from . import audit
from .errors import Refused, UsageError
from .periods import previous_period, require_open
from .units import default_unit, root_units

FORM_CODES = {1: ("seq", "county", "township", "village", *FORM1_COUNTS), 2: ("seq", "county", *FORM2_COUNTS)}
COUNTS = {1: FORM1_COUNTS, 2: FORM2_COUNTS}
BAND = {1: "A", 2: "B"}
# Income bins (forms.md §0) as (low, high, high included); the low bound is always included.
INCOME_BINS = {
    1: {"inc_lt_4400": (None, BAND_A_SPLIT, False), "inc_4400_5000": (BAND_A_SPLIT, BAND_A_LIMIT, False),
        "inc_ge_5000": (BAND_A_LIMIT, None, False)},
    2: {"inc_5000_5760": (BAND_A_LIMIT, BAND_B_LIMIT, True)},
}
# Above this many villages one pass over the period's band (covering indexes of migration 0004) beats
# probing village by village with an IN list.
IN_LIST_LIMIT = 64


def check_form(form: int | str) -> int:
    try:
        f = int(form)
    except (TypeError, ValueError):
        f = 0
    if f not in (1, 2):
        raise UsageError(f"表号“{form}”不对：附件1 或 附件2 的人数表只能是 1 或 2。")
    return f


def form2_total_label(unit: Unit) -> str:
    """附件2's total row: 全县合计 (全市/全区 by the name), 全镇合计 …, by the exporting unit."""
    if unit.level == "village":
        return "合计"
    return f"{scope_word(unit.level, unit.name)}合计"


@dataclass
class CountRow:
    """One row as exported (``values``) plus where it comes from, for findings and the counts view."""

    values: dict[str, Any]
    unit_id: int | None
    unit: str  # "乡镇/村", the township's name, or the county's name
    derived: dict[str, int] = field(default_factory=dict)  # unit rows: counted from the register
    typed: dict[str, int] = field(default_factory=dict)  # unit rows: typed by hand (village rows)
    has_households: bool = False  # the register keeps households of this unit in the period
    record: str | None = None  # 附件3 project rows: the project's uuid

    @property
    def kind(self) -> str:
        return self.values["kind"]


# ---------------------------------------------------------------- the tree of units


def _children(unit: Unit, level: str) -> list[Unit]:
    return [c for c in unit.children if c.level == level]


def scope(unit: Unit) -> tuple[Unit | None, list[tuple[Unit, list[Unit]]]]:
    """(county, [(township, [villages])]) covered by ``unit``, in the order of the tree."""
    if unit.level == "county":
        return unit, [(t, _children(t, "village")) for t in _children(unit, "township")]
    if unit.level == "township":
        return unit.parent, [(unit, _children(unit, "village"))]
    township = unit.parent
    assert township is not None, "a village has a township"
    return township.parent, [(township, [unit])]


def village_ids(unit: Unit) -> list[int]:
    return [v.id for _, vs in scope(unit)[1] for v in vs]


# ---------------------------------------------------------------- derivation (Core, GROUP BY)


def _income_conditions(form: int):
    inc = func.coalesce(Household.ytd_income, 0)
    out = {}
    for code, (lo, hi, hi_inclusive) in INCOME_BINS[form].items():
        conds = []
        if lo is not None:
            conds.append(inc >= lo)
        if hi is not None:
            conds.append(inc <= hi if hi_inclusive else inc < hi)
        out[code] = and_(*conds)
    if form == 2:
        out["inc_gt_5760"] = inc > BAND_B_LIMIT  # 附件2's last bin
    return out


def _code_condition(form: int, code: str):
    """The SQL condition on a person (joined to the household) behind count ``code``; None for total."""
    if code == "total":
        return None
    if code in ASSISTANCE:
        return getattr(Person, code).is_(True)
    bins = _income_conditions(form)
    if code in bins:
        return bins[code]
    raise UsageError(f"附件{form}没有“{code}”这一栏。")


def derive(session: Session, period: Period, villages: list[int], form: int) -> dict[int, dict[str, int]]:
    """{village id: {count code: persons}} for the band of ``form``, one GROUP BY query."""
    return _derive_periods(session, [period], villages, check_form(form)).get(period.id, {})


def _derive_periods(session: Session, periods: list[Period], villages: list[int], form: int
                    ) -> dict[int, dict[int, dict[str, int]]]:
    """``derive`` of several periods in one GROUP BY: {period id: {village id: {code: persons}}}."""
    if not villages or not periods:
        return {}
    cols = [Household.period_id, Household.village_id, func.count(Person.id).label("total")]
    cols += [sum_true(getattr(Person, code)).label(code) for code in ASSISTANCE]
    cols += [func.sum(case((cond, 1), else_=0)).label(code) for code, cond in _income_conditions(form).items()]
    period_ids = [p.id for p in periods]
    q = (
        select(*cols)
        .select_from(Person)
        .join(Household, Person.household_id == Household.id)
        .where(Household.period_id.in_(period_ids) if len(period_ids) > 1 else Household.period_id == period_ids[0],
               Household.band == BAND[form])
        .group_by(Household.period_id, Household.village_id)
    )
    wanted = set(villages)
    if len(wanted) <= IN_LIST_LIMIT:  # a township: probe its villages; a county: one pass, pick after
        q = q.where(Household.village_id.in_(villages))
    out: dict[int, dict[int, dict[str, int]]] = {pid: {} for pid in period_ids}
    for row in session.execute(q).mappings():
        if row["village_id"] in wanted:
            out[row["period_id"]][row["village_id"]] = {code: int(row[code] or 0) for code in COUNTS[form]}
    return out


def zeros(form: int) -> dict[str, int]:
    return dict.fromkeys(COUNTS[form], 0)


def _typed(session: Session, period: Period, villages: list[int], form: int) -> dict[int, dict[str, int]]:
    return _typed_periods(session, [period], villages, form).get(period.id, {})


def _typed_periods(session: Session, periods: list[Period], villages: list[int], form: int
                   ) -> dict[int, dict[int, dict[str, int]]]:
    """The typed values of each period's village rows: {period id: {village id: {code: value}}}."""
    q = select(HandCount).where(
        HandCount.period_id.in_([p.id for p in periods]), HandCount.form == form, HandCount.unit_id.in_(villages)
    )
    out: dict[int, dict[int, dict[str, int]]] = {p.id: {} for p in periods}
    for hc in session.scalars(q):
        values = {c: getattr(hc, c) for c in COUNTS[form] if getattr(hc, c) is not None}
        if values:
            out[hc.period_id][hc.unit_id] = values
    return out


def _kept(session: Session, period: Period, villages: list[int]) -> set[int]:
    """Villages that have households in the register for the period (any band)."""
    if not villages:
        return set()
    q = select(Household.village_id).where(Household.period_id == period.id, Household.village_id.in_(villages))
    return set(session.scalars(q.distinct()))


def village_rows(session: Session, period: Period, unit: Unit, form: int) -> list[CountRow]:
    """One CountRow per village under ``unit``: derived values, typed values, and the row as used."""
    form = check_form(form)
    county, tree = scope(unit)
    ids = [v.id for _, vs in tree for v in vs]
    derived, typed, kept = derive(session, period, ids, form), _typed(session, period, ids, form), _kept(session, period, ids)
    return _village_rows(county, tree, derived, typed, kept, form)


def _village_rows(county: Unit | None, tree: list[tuple[Unit, list[Unit]]], derived: dict[int, dict[str, int]],
                  typed: dict[int, dict[str, int]], kept: set[int], form: int) -> list[CountRow]:
    out = []
    for township, villages in tree:
        for v in villages:
            d = derived.get(v.id) or zeros(form)
            t = typed.get(v.id, {})
            values: dict[str, Any] = {"kind": "unit", "seq": None, "county": county.name if county else None}
            if form == 1:
                values.update(township=township.name, village=v.name)
            else:
                values.update(county=v.name)
            values.update({c: t.get(c, d[c]) for c in COUNTS[form]})
            out.append(CountRow(values, v.id, f"{township.name}/{v.name}", d, t, v.id in kept))
    return out


def _sum(rows: list[CountRow], form: int) -> dict[str, int]:
    return {c: sum(int(r.values[c] or 0) for r in rows) for c in COUNTS[form]}


def count_rows(session: Session, period: Period, unit: Unit, form: int) -> list[CountRow]:
    """The rows of 附件1 or 附件2 for ``unit`` in ``period``, as exported, with their sources."""
    form = check_form(form)
    return assemble(unit, village_rows(session, period, unit, form), form)


def assemble(unit: Unit, villages: list[CountRow], form: int) -> list[CountRow]:
    """The form's rows (totals computed) from its village rows."""
    county, tree = scope(unit)
    county_name = county.name if county else None
    if form == 2:
        return _form2(unit, villages)
    if unit.level == "village":
        villages[0].values["seq"] = 1
        return villages
    by_township: dict[str, list[CountRow]] = {}
    for r in villages:
        by_township.setdefault(r.values["township"], []).append(r)
    out: list[CountRow] = []
    if unit.level == "county":
        values = {"kind": "county_total", "seq": None, "county": county_name, "township": COUNTY_TOTAL_LABEL,
                  "village": None, **_sum(villages, 1)}
        out.append(CountRow(values, unit.id, unit.name))
    for township, _ in tree:
        rows = by_township.get(township.name, [])
        values = {"kind": "township_total", "seq": None, "county": county_name, "township": township.name,
                  "village": township_total_label(township.name), **_sum(rows, 1)}
        out.append(CountRow(values, township.id, township.name))
        out.extend(rows)
    for i, r in enumerate(out, 1):
        r.values["seq"] = i
    return out


def _form2(unit: Unit, villages: list[CountRow]) -> list[CountRow]:
    sums = _sum(villages, 2)
    own = CountRow({"kind": "unit", "seq": 1, "county": unit.name, **sums}, unit.id, unit_path(unit),
                   _sum_of(villages, "derived", 2), {}, any(r.has_households for r in villages))
    kind = "county_total" if unit.level == "county" else "township_total"
    total = CountRow({"kind": kind, "seq": None, "county": form2_total_label(unit), **sums}, unit.id, unit_path(unit))
    return [total, own]


def _sum_of(rows: list[CountRow], attr: str, form: int) -> dict[str, int]:
    return {c: sum(getattr(r, attr).get(c, 0) for r in rows) for c in COUNTS[form]}


def rows(session: Session, period: Period, unit: Unit, form: int) -> list[dict[str, Any]]:
    """The rows exactly as ``guatu counts --json`` prints them and the export writes them."""
    return [r.values for r in count_rows(session, period, unit, form)]


def previous_rows(session: Session, period: Period, unit: Unit, form: int) -> list[CountRow]:
    """The same unit's rows in the previous period (last month's values); [] when there is none."""
    prev = previous_period(session, period)
    return count_rows(session, prev, unit, form) if prev is not None else []


def row_key(row: CountRow) -> tuple[str, int | None]:
    """What matches a row with last month's row: its kind and unit."""
    return row.kind, row.unit_id


# ---------------------------------------------------------------- drill-down


def derived_persons(session: Session, period: Period, unit: Unit, code: str, form: int = 1) -> list[dict[str, Any]]:
    """The register persons behind a derived count ``code`` of ``unit`` (a village, township or county)."""
    form = check_form(form)
    if code not in COUNTS[form]:
        raise UsageError(f"附件{form}没有“{code}”这一栏。")
    ids = village_ids(unit)
    if not ids:
        return []
    village = Unit.__table__.alias("v")
    township = Unit.__table__.alias("t")
    q = (
        select(
            Person.uuid, Person.name, Person.relation, Person.age, Household.uuid.label("household"),
            Household.ytd_income, township.c.name.label("township"), village.c.name.label("village"),
        )
        .select_from(Person)
        .join(Household, Person.household_id == Household.id)
        .join(village, village.c.id == Household.village_id)
        .join(township, township.c.id == village.c.parent_id)
        .where(Household.period_id == period.id, Household.band == BAND[form], Household.village_id.in_(ids))
        .order_by(township.c.position, township.c.id, village.c.position, village.c.id, Household.position,
                  Household.id, Person.position, Person.id)
    )
    cond = _code_condition(form, code)
    if cond is not None:
        q = q.where(cond)
    return [
        {"person": r.uuid, "name": r.name, "relation": r.relation, "age": r.age, "household": r.household,
         "unit": f"{r.township}/{r.village}", "ytd_income": r.ytd_income}
        for r in session.execute(q)
    ]


# ---------------------------------------------------------------- hand-entered counts


def _village(unit: Unit) -> Unit:
    if unit.level != "village":
        raise UsageError(f"“{unit.name}”不是村：只有村一级可以手工填报人数，乡镇和全县合计由系统计算。")
    return unit


def hand_counts(session: Session, period: Period, village: Unit, form: int) -> dict[str, int]:
    """The typed values of a village row (codes not typed are absent)."""
    return _typed(session, period, [village.id], check_form(form)).get(village.id, {})


def set_hand_count(
    session: Session, period: Period, village: Unit, form: int, code: str, value: int | None
) -> tuple[int | None, int | None]:
    """Type (or, with None, un-type) one count of a village row; returns (old, new). Audited."""
    form = check_form(form)
    _village(village)
    require_open(period)
    if code not in COUNTS[form]:
        raise UsageError(f"附件{form}没有“{code}”这一栏。")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise Refused(f"人数必须是不小于0的整数，不能是“{value}”（M-01）。")
    hc = session.scalars(
        select(HandCount).where(HandCount.period_id == period.id, HandCount.unit_id == village.id,
                                HandCount.form == form)
    ).first()
    old = getattr(hc, code) if hc is not None else None
    if old == value:
        return old, value
    if hc is None:
        hc = HandCount(period_id=period.id, unit_id=village.id, form=form)
        session.add(hc)
    setattr(hc, code, value)
    audit.record(session, "update", period=period.month, table="hand_counts",
                 record=f"附件{form}:{unit_path(village)}", field=code, old=old, new=value)
    if all(getattr(hc, c) is None for c in COUNTS[form]):
        session.delete(hc)
    session.flush()
    return old, value


def clear_hand_counts(session: Session, period: Period, village: Unit, form: int) -> dict[str, int]:
    """Un-type every count of a village row (back to derived); returns the values removed. Audited."""
    form = check_form(form)
    _village(village)
    require_open(period)
    removed = hand_counts(session, period, village, form)
    for code in removed:
        set_hand_count(session, period, village, form, code, None)
    return removed


# ---------------------------------------------------------------- findings


def count_findings(
    session: Session, period: Period, unit: Unit | None = None, forms: tuple[int, ...] = (1, 2)
) -> list[Finding]:
    """M-01 … M-05 (附件1) / M-01 … M-04, M-08 (附件2) on each unit row, M-07 against last month, C-01.

    ``unit`` None: the office's own unit (or every root unit). Total rows are computed, so M-06
    holds by construction here (it is checked on imported files).
    """
    from app.rules.counts import check_count_row, check_hand_vs_derived, check_month_over_month

    out: list[Finding] = []
    prev_period = previous_period(session, period)
    periods = [period] if prev_period is None else [period, prev_period]
    for u in _units(session, unit):
        # Each form's village rows of this and last month derived once, both months in one GROUP BY.
        county, tree = scope(u)
        ids = [v.id for _, vs in tree for v in vs]
        kept = _kept(session, period, ids)
        for form in forms:
            derived = _derive_periods(session, periods, ids, form)
            typed = _typed_periods(session, periods, ids, form)
            villages = _village_rows(county, tree, derived.get(period.id, {}), typed[period.id], kept, form)
            now = assemble(u, villages, form)
            before = {}
            if prev_period is not None:
                last = _village_rows(county, tree, derived.get(prev_period.id, {}), typed[prev_period.id], set(), form)
                before = {row_key(r): r for r in assemble(u, last, form)}
            for r in now:
                if r.kind != "unit":
                    continue
                where = {"unit": r.unit}
                out.extend(check_count_row(r.values, form, where))
                prev = before.get(row_key(r))
                if prev is not None:
                    out.extend(check_month_over_month(r.values, prev.values, where))
            for v in villages:
                if v.typed and v.has_households:
                    out.extend(check_hand_vs_derived(v.typed, v.derived, {"unit": v.unit}))
    return out


def _units(session: Session, unit: Unit | None) -> list[Unit]:
    if unit is not None:
        return [unit]
    own = default_unit(session)
    return [own] if own is not None else root_units(session)

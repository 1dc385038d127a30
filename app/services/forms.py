"""Fill the official forms (``FormTable``) of a unit for a period: 附件1–3 from the counts, 附件4 from the register.

The writers (xlsx, pdf) only print what is built here; every figure is computed once, in this
module or in ``app.services.counts``. No Qt, no commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import ASSISTANCE, SUMMARY_CATEGORIES
from app.forms import hidden
from app.forms.layouts import (
    FORM1,
    FORM2,
    FORM3,
    FORM4,
    FORM4B,
    FormLayout,
    scope_word,
    summary_line,
    summary_scope,
)
from app.forms.table import FormTable
from app.kernel.derive import per_capita
from app.models import Household, IncomeItem, Measure, Office, Period, Person, Unit
from app.models.units import villages_under

from . import counts, projects


def _base(lay: FormLayout, session: Session, period: Period, unit: Unit, n: int, *, filed_on: dt.date | None = None,
          draft: bool = False) -> FormTable:
    office = session.get(Office, 1)
    return FormTable(
        form=lay.form,
        name=lay.name,
        title=lay.title(scope=scope_word(unit.level, unit.name), year=period.year, n=n),
        header=lay.header(),
        instructions=list(lay.instructions),
        reporting_unit=unit.name,
        preparer=(office.preparer or "") if office else "",
        preparer_phone=(office.preparer_phone or "") if office else "",
        filed_on=filed_on or dt.date.today(),
        period=period.month,
        draft=draft,
        form_key=lay.key,
    )


def _count_form(lay: FormLayout, form: int, session: Session, period: Period, unit: Unit, **kw) -> FormTable:
    rows = counts.rows(session, period, unit, form)
    n = int(rows[0].get("total") or 0) if rows else 0
    table = _base(lay, session, period, unit, n, **kw)
    codes = lay.codes()
    for r in rows:
        table.rows.append([r.get(c) for c in codes])
        table.row_kinds.append(r.get("kind", "unit"))
    return table


def build_form1(session: Session, period: Period, unit: Unit, **kw) -> FormTable:
    """附件1: county total, township totals, village rows; 序号 through every row (counts.rows)."""
    return _count_form(FORM1, 1, session, period, unit, **kw)


def build_form2(session: Session, period: Period, unit: Unit, **kw) -> FormTable:
    """附件2, with the M-08 shortfall said in words under the table (no rule codes on forms) when persons
    fall outside the two income columns."""
    table = _count_form(FORM2, 2, session, period, unit, **kw)
    codes = FORM2.codes()
    ti, a, b = codes.index("total"), codes.index("inc_5000_5760"), codes.index("inc_gt_5760")
    for row, kind in zip(table.rows, table.row_kinds, strict=True):
        if kind != "unit":
            continue
        outside = int(row[ti] or 0) - int(row[a] or 0) - int(row[b] or 0)
        if outside > 0:
            table.notes.append(
                f"注：{row[codes.index('county')]}有{outside}人本年度累计人均纯收入低于5000元，"
                "未计入“人均纯收入统计分布”栏，故该栏合计与总人数不等。"
            )
    return table


# ---------------------------------------------------------------- 附件3


def build_form3(session: Session, period: Period, unit: Unit, **kw) -> FormTable:
    """附件3 (our design) from ``projects.project_rows``; a village has no projects of its own."""
    rows = projects.project_rows(session, period, unit) if unit.level != "village" else []
    table = _base(FORM3, session, period, unit, 0, **kw)
    codes = FORM3.codes()
    for r in rows:
        table.rows.append([r.get(c) for c in codes])
        table.row_kinds.append(r["kind"])
    return table


# ---------------------------------------------------------------- 附件4


def _money(v: float) -> str:
    d = Decimal(str(v or 0))
    return f"{int(d)}" if d == d.to_integral_value() else f"{d.normalize():f}"


def measures_text(measures: list[tuple[str, str]]) -> str:
    """主要脱贫措施 as numbered lines ``1、…`` from (category, text) pairs."""
    return "\n".join(f"{i}、{text}" for i, (_, text) in enumerate(measures, 1))


def income_text(items: list[tuple[str, str | None, float]], size: int) -> str:
    """家庭收入情况(预估) from (category, label, amount): numbered items, then the numbered total
    ``合计23300元, 人均5825元`` (seed 000)."""
    lines = [f"{i}. {label or cat}: {_money(amount)}元" for i, (cat, label, amount) in enumerate(items, 1)]
    total = sum(float(a or 0) for _, _, a in items)
    lines.append(f"{len(lines) + 1}. 合计{_money(total)}元, 人均{per_capita(total, size)}元")
    return "\n".join(lines)


def contact(name: str | None, phone: str | None) -> str:
    return " ".join(x for x in ((name or "").strip(), (phone or "").strip()) if x)


@dataclass
class _Household:
    """What 附件4 prints of a household, read with Core (a county has 100,000 persons)."""

    id: int
    village_id: int
    head_phone: str | None
    cause: str | None
    helper_name: str | None
    helper_phone: str | None
    expected_month: str | None
    members: list[tuple] = field(default_factory=list)  # (name, relation, age, health, labour, uuid, *ASSISTANCE)
    extra: dict[str, Any] = field(default_factory=dict)  # hidden.HOUSEHOLD_FIELDS
    measures: list[tuple[str, str]] = field(default_factory=list)
    income: list[tuple[str, str | None, float]] = field(default_factory=list)


def households_for(session: Session, period: Period, unit: Unit, band: str) -> Iterator[_Household]:
    """The band's households under ``unit`` in tree order (village, position), in chunks of villages."""
    villages = villages_under(session, unit)
    for start in range(0, len(villages), 200):
        order = {v.id: i for i, v in enumerate(villages[start:start + 200])}
        where = (Household.period_id == period.id, Household.band == band, Household.village_id.in_(list(order)))
        extra_cols = [getattr(Household, k) for k in hidden.HOUSEHOLD_FIELDS]
        hs = {
            r[0]: _Household(r[0], r[1], r[3], r[4], r[5], r[6], r[7],
                             extra=dict(zip(hidden.HOUSEHOLD_FIELDS, r[8:], strict=True)))
            for r in session.execute(
                select(Household.id, Household.village_id, Household.position, Household.head_phone,
                       Household.cause, Household.helper_name, Household.helper_phone, Household.expected_month,
                       *extra_cols)
                .where(*where).order_by(Household.position, Household.id))
        }
        if not hs:
            continue
        joined = (Household, Household.id == Person.household_id)
        for r in session.execute(
            select(Person.household_id, Person.name, Person.relation, Person.age, Person.health, Person.labour,
                   Person.uuid, *[getattr(Person, k) for k in ASSISTANCE])
            .join(*joined).where(*where).order_by(Person.household_id, Person.position, Person.id)
        ):
            hs[r[0]].members.append(tuple(r[1:]))
        for r in session.execute(
            select(Measure.household_id, Measure.category, Measure.text)
            .join(Household, Household.id == Measure.household_id).where(*where)
            .order_by(Measure.household_id, Measure.position, Measure.id)
        ):
            hs[r[0]].measures.append((r[1], r[2]))
        for r in session.execute(
            select(IncomeItem.household_id, IncomeItem.category, IncomeItem.label, IncomeItem.amount)
            .join(Household, Household.id == IncomeItem.household_id).where(*where)
            .order_by(IncomeItem.household_id, IncomeItem.position, IncomeItem.id)
        ):
            hs[r[0]].income.append((r[1], r[2], r[3]))
        # hs is in (position, id) order; a stable sort by village keeps it within each village
        yield from sorted(hs.values(), key=lambda h: order[h.village_id])


def _hidden_record(h: _Household) -> str:
    """What the hidden sheet keeps of ``h`` (app.forms.hidden): never 身份证号 or members' phones."""
    members = [{"uuid": m[5], "name": m[0], "relation": m[1], "age": m[2], "health": m[3], "labour": m[4],
                **{k: bool(v) for k, v in zip(ASSISTANCE, m[6:], strict=True)}} for m in h.members]
    extra = dict(h.extra, head_phone=h.head_phone, cause=h.cause, helper_name=h.helper_name,
                 helper_phone=h.helper_phone, expected_month=h.expected_month)
    for k in ("closed_out", "housing_renovated"):
        extra[k] = bool(extra.get(k))
    return hidden.encode(extra, members, h.measures, [(c, lab, float(a or 0)) for c, lab, a in h.income])


def _names(unit: Unit) -> tuple[str, str, str]:
    township = unit.parent
    county = township.parent if township is not None else None
    return (county.name if county else "", township.name if township else "", unit.name)


def build_form4(session: Session, period: Period, unit: Unit, band: str = "A", **kw) -> FormTable:
    """附件4 (band A) or its band-B twin: one row per person, household columns merged vertically."""
    lay = FORM4 if band == "A" else FORM4B
    codes = lay.codes()
    col = {c: i for i, c in enumerate(codes)}
    household_cols = [col[c] for c, level in lay.levels.items() if level == "household"]
    table = _base(lay, session, period, unit, 0, **kw)
    names: dict[int, tuple[str, str, str]] = {}
    cats: dict[str, list[int]] = {c: [0, 0] for c in SUMMARY_CATEGORIES}
    n_households = n_persons = 0
    for h in households_for(session, period, unit, band):
        if h.village_id not in names:
            names[h.village_id] = _names(session.get(Unit, h.village_id))
        county, township, village = names[h.village_id]
        head = next((m for m in h.members if m[1] == "户主"), h.members[0] if h.members else None)
        first = len(table.rows)
        members = h.members or [None]
        for k, p in enumerate(members):
            row: list[Any] = [None] * len(codes)
            if p is not None:
                n_persons += 1
                row[col["seq"]] = n_persons
                row[col["name"]], row[col["relation"]], row[col["age"]], row[col["health"]], row[col["labour"]] = p[:5]
            if k == 0:
                row[col["county"]] = county
                row[col["township"]] = township
                row[col["village"]] = village
                row[col["head_contact"]] = contact(head[0] if head else "", h.head_phone)
                row[col["size"]] = len(h.members)
                row[col["cause"]] = h.cause
                row[col["measures"]] = measures_text(h.measures)
                row[col["income"]] = income_text(h.income, len(h.members))
                row[col["helper_contact"]] = contact(h.helper_name, h.helper_phone)
                row[col["expected_month"]] = h.expected_month
            table.rows.append(row)
            table.row_kinds.append("person")
        table.hidden.append((first, _hidden_record(h)))
        last = len(table.rows) - 1
        if last > first:
            table.merges.extend((first, c, last, c) for c in household_cols)
        n_households += 1
        seen = {c if c in cats else "其它" for c, _ in h.measures}
        for c in seen:
            cats[c][0] += 1
            cats[c][1] += len(h.members)
    table.title = lay.title(scope=scope_word(unit.level, unit.name), year=period.year, n=n_persons)
    table.summary = summary_line(
        summary_scope(unit.level, unit.name), (n_households, n_persons), {c: (v[0], v[1]) for c, v in cats.items()}
    )
    return table


def iter_forms(session: Session, period: Period, unit: Unit, *, filed_on: dt.date | None = None,
               draft: bool = False) -> Iterator[tuple[FormLayout, FormTable]]:
    """Every form of the month package in package order (附件1, 2, 3, 4, 4 band B), built one at a
    time so that a county's two 附件4 tables are never in memory together."""
    kw = {"filed_on": filed_on, "draft": draft}
    yield FORM1, build_form1(session, period, unit, **kw)
    yield FORM2, build_form2(session, period, unit, **kw)
    yield FORM3, build_form3(session, period, unit, **kw)
    yield FORM4, build_form4(session, period, unit, "A", **kw)
    yield FORM4B, build_form4(session, period, unit, "B", **kw)


def build_forms(session: Session, period: Period, unit: Unit, *, filed_on: dt.date | None = None,
                draft: bool = False) -> list[tuple[FormLayout, FormTable]]:
    """Every form of the month package, in package order (附件1, 2, 3, 4, 4 band B)."""
    return list(iter_forms(session, period, unit, filed_on=filed_on, draft=draft))


BUILDERS = {
    "1": build_form1, "2": build_form2, "3": build_form3,
    "4": lambda s, p, u, **kw: build_form4(s, p, u, "A", **kw),
    "4B": lambda s, p, u, **kw: build_form4(s, p, u, "B", **kw),
}

"""Read-only queries the GUI shows: periods, the unit tree with counts, households and members.

Plain Core selects returning small dataclasses, so views fetch only the rows they paint (ids first,
rows on demand). No Qt, no ORM objects handed to the UI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.kernel.derive import per_capita
from app.models import Household, IncomeItem, Measure, Period, Person, Unit
from app.services.errors import month_label

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    id: int
    month: str
    state: str
    due: dt.date
    locked_at: dt.datetime | None = None  # when it was sent as final (已报送)

    @property
    def label(self) -> str:
        """"2020年3月数据 · 4月5日前报送" (forms.md §0)."""
        return f"{month_label(self.month)} · {self.due.month}月{self.due.day}日前报送"

    @property
    def state_label(self) -> str:
        return "已报送" if self.state == "locked" else "填报中"

    def days_left(self, today: dt.date | None = None) -> int:
        return (self.due - (today or dt.date.today())).days


@dataclass(slots=True)
class UnitNode:
    id: int
    name: str
    level: str
    parent_id: int | None
    households: int = 0
    persons: int = 0
    children: list[UnitNode] = field(default_factory=list)

    def villages(self) -> list[int]:
        if self.level == "village":
            return [self.id]
        return [v for c in self.children for v in c.villages()]


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    id: int
    uuid: str
    village_id: int
    unit: str  # "乡镇/村"
    head_name: str
    size: int
    band: str
    cause: str | None
    per_capita: int
    risk_colour: str
    closed_out: bool
    expected_month: str | None


@dataclass(frozen=True, slots=True)
class HouseholdDetail:
    id: int
    uuid: str
    period_id: int
    village_id: int
    unit: str
    head_name: str
    size: int
    values: dict[str, Any]  # every field of register.HOUSEHOLD_FIELDS
    measures: list[tuple[str, str]]
    income_items: list[tuple[str, str | None, float]]

    @property
    def income_total(self) -> float:
        return sum(a or 0 for _c, _l, a in self.income_items)

    @property
    def income_per_capita(self) -> int:
        return per_capita(self.income_total, self.size)


def list_periods(session: Session) -> list[PeriodInfo]:
    rows = session.execute(select(Period.id, Period.month, Period.state, Period.locked_at)
                           .order_by(Period.month.desc()))
    return [PeriodInfo(i, m, s, domain_due(m), at) for i, m, s, at in rows]


def domain_due(month: str) -> dt.date:
    from app.kernel.month import due_date

    return due_date(month)


def unit_tree(session: Session, period_id: int) -> list[UnitNode]:
    """Root nodes (counties) with households/persons counted per village and summed upwards."""
    nodes = {
        uid: UnitNode(uid, name, level, parent)
        for uid, name, level, parent in session.execute(
            select(Unit.id, Unit.name, Unit.level, Unit.parent_id).order_by(Unit.position, Unit.id))
    }
    hh_counts = dict(session.execute(
        select(Household.village_id, func.count()).where(Household.period_id == period_id)
        .group_by(Household.village_id)).all())
    p_counts = dict(session.execute(
        select(Household.village_id, func.count(Person.id)).join(Person, Person.household_id == Household.id)
        .where(Household.period_id == period_id).group_by(Household.village_id)).all())
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.parent_id) if node.parent_id is not None else None
        (parent.children if parent else roots).append(node)

    def total(node: UnitNode) -> None:
        for c in node.children:
            total(c)
        node.households = hh_counts.get(node.id, 0) + sum(c.households for c in node.children)
        node.persons = p_counts.get(node.id, 0) + sum(c.persons for c in node.children)

    for r in roots:
        total(r)
    return roots


def find_node(roots: Iterable[UnitNode], unit_id: int) -> UnitNode | None:
    for n in roots:
        if n.id == unit_id:
            return n
        hit = find_node(n.children, unit_id)
        if hit:
            return hit
    return None


def unit_paths(session: Session) -> dict[int, str]:
    """village id → "乡镇/村" (the path findings and forms print; ``unit_path`` of each village), in one query
    of plain rows rather than a lazy load of each village's parent."""
    units = {uid: (name, level, parent) for uid, name, level, parent in session.execute(
        select(Unit.id, Unit.name, Unit.level, Unit.parent_id))}
    out = {}
    for uid, (name, level, parent) in units.items():
        if level == "village":
            township = units.get(parent)
            out[uid] = f"{township[0]}/{name}" if township and township[1] != "county" else name
    return out


def household_ids(session: Session, period_id: int, village_ids: list[int], risky_only: bool = False) -> list[int]:
    """Household ids of the villages, in tree order then register order; optionally only red/yellow."""
    order = {v: i for i, v in enumerate(village_ids)}
    q = select(Household.id, Household.village_id, Household.position).where(Household.period_id == period_id)
    if risky_only:
        q = q.where(Household.risk_colour.in_(("red", "yellow")))
    if len(village_ids) <= _CHUNK:
        q = q.where(Household.village_id.in_(village_ids))
    rows = [r for r in session.connection().execute(q) if r[1] in order]  # Core rows: no ORM cost
    rows.sort(key=lambda r: (order[r[1]], r[2], r[0]))
    return [r[0] for r in rows]


def household_rows(session: Session, ids: list[int], paths: dict[int, str]) -> dict[int, HouseholdRow]:
    """The list columns of these households (one query per chunk, not per row)."""
    out: dict[int, HouseholdRow] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        sizes = dict(session.execute(select(Person.household_id, func.count()).where(
            Person.household_id.in_(chunk)).group_by(Person.household_id)).all())
        heads: dict[int, str] = {}
        for hid, name in session.execute(select(Person.household_id, Person.name).where(
                Person.household_id.in_(chunk), Person.relation == "户主").order_by(Person.position.desc())):
            heads[hid] = name
        totals = dict(session.execute(select(IncomeItem.household_id, func.sum(IncomeItem.amount)).where(
            IncomeItem.household_id.in_(chunk)).group_by(IncomeItem.household_id)).all())
        q = select(Household.id, Household.uuid, Household.village_id, Household.band, Household.cause,
                   Household.risk_colour, Household.closed_out, Household.expected_month).where(
            Household.id.in_(chunk))
        for hid, uuid, vid, band, cause, risk, closed, expected in session.execute(q):
            size = sizes.get(hid, 0)
            out[hid] = HouseholdRow(hid, uuid, vid, paths.get(vid, ""), heads.get(hid, ""), size, band, cause,
                                    per_capita(totals.get(hid) or 0, size), risk, bool(closed), expected)
    return out


def member_ids(session: Session, household_id: int) -> list[int]:
    return list(session.scalars(select(Person.id).where(Person.household_id == household_id)
                                .order_by(Person.position, Person.id)))


def person_rows(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Every editable field of these persons, plus uuid and household_id."""
    from app.services.register import PERSON_FIELDS

    cols = [Person.id, Person.uuid, Person.household_id, *(getattr(Person, f) for f in PERSON_FIELDS)]
    out = {}
    for start in range(0, len(ids), _CHUNK):
        for row in session.execute(select(*cols).where(Person.id.in_(ids[start:start + _CHUNK]))):
            d = row._asdict()
            out[d["id"]] = d
    return out


def household_detail(session: Session, household_id: int, paths: dict[int, str] | None = None) -> HouseholdDetail | None:
    from app.services.register import HOUSEHOLD_FIELDS

    hh = session.get(Household, household_id)
    if hh is None:
        return None
    if paths is None:
        paths = unit_paths(session)
    head = hh.head
    measures = [(c, t) for c, t in session.execute(select(Measure.category, Measure.text).where(
        Measure.household_id == hh.id).order_by(Measure.position))]
    items = [(c, lab, a) for c, lab, a in session.execute(select(
        IncomeItem.category, IncomeItem.label, IncomeItem.amount).where(
        IncomeItem.household_id == hh.id).order_by(IncomeItem.position))]
    return HouseholdDetail(
        hh.id, hh.uuid, hh.period_id, hh.village_id, paths.get(hh.village_id, ""), head.name if head else "",
        hh.size, {f: getattr(hh, f) for f in HOUSEHOLD_FIELDS}, measures, items)


def person_place(session: Session, period_id: int, person_uuid: str) -> tuple[int, int, int] | None:
    """(village id, household id, person id) of a person of the month, to jump to them; None when gone."""
    row = session.execute(select(Household.village_id, Household.id, Person.id)
                          .join(Person, Person.household_id == Household.id)
                          .where(Household.period_id == period_id, Person.uuid == person_uuid)).first()
    return (row[0], row[1], row[2]) if row else None

"""Edits of the household register, as the GUI (and its undo stack) performs them. No Qt.

Each operation takes a session, refuses on a locked month, normalises the value, writes the audit
log (old/new) and returns what changed. The caller wraps one user action in ``db.session()``.
Records are addressed by id; undo of a removal restores the same UUIDs (``restore_*``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from app import domain
from app.models import Household, IncomeItem, Measure, Period, Person, Unit
from app.models.dialect import is_postgres
from app.services import adjustments, audit
from app.services.errors import Refused
from app.services.periods import require_open

PERSON_FIELDS = ("name", "relation", "age", "health", "labour", "id_number", "phone", *domain.ASSISTANCE)
HOUSEHOLD_FIELDS = (
    "band", "prior_income", "head_phone", "cause", "helper_name", "helper_unit", "helper_phone",
    "expected_month", "ytd_income", "closed_out", "closed_out_on", "risk_colour", "risk_reasons",
    "housing_grade", "housing_renovated", "remark",
)
_CLOSED = {"relation": domain.RELATIONS, "health": domain.HEALTH, "labour": domain.LABOUR, "cause": domain.CAUSES}
_CHOICES = {
    "band": domain.BANDS, "risk_colour": domain.RISK_COLOURS, "housing_grade": domain.HOUSING_GRADES,
}
_BOOLS = {*domain.ASSISTANCE, "closed_out", "housing_renovated"}
_NUMBERS = {"prior_income", "ytd_income"}
_PHONES = {"phone", "head_phone", "helper_phone"}


class InvalidValue(Refused):
    """A value that cannot be stored at all (a text where a number belongs)."""


@dataclass(slots=True)
class Snapshot:
    """Everything needed to put back a removed record with its UUIDs (undo of a removal)."""

    values: dict[str, Any]
    members: list[dict[str, Any]] = field(default_factory=list)
    measures: list[tuple[str, str, str | None]] = field(default_factory=list)  # category, text, start month
    income_items: list[tuple[str, str | None, float]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Change:
    """What one operation changed: the household always, the person and field where it applies."""

    household_id: int
    field: str | None = None
    old: Any = None
    new: Any = None
    person_id: int | None = None
    structural: bool = False  # members/households added or removed: views reload their id lists
    snapshot: Snapshot | None = None  # a removed record, to put back (undo of a removal)


# -- normalisation ----------------------------------------------------------------------------------


def normalise_phone(text: Any) -> str | None:
    """The stored form of a phone: normalised when valid, else the typed text (H-10 then shows it)."""
    from app.rules.phones import normalise_phone as rules_normalise

    if text is None:
        return None
    norm = rules_normalise(text)
    if norm is not None:
        return norm
    return re.sub(r"\s+", "", str(text)) or None


def _parse_number(value: Any, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(str(value).strip().replace(",", "").replace("，", "").removesuffix("元"))
    except ValueError:
        raise InvalidValue(f"{what}应为数字，现为“{value}”。") from None


def _parse_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() in {"1", "是", "有", "√", "✓", "true", "True", "Y", "y"}
    return bool(value)


def normalise(field_name: str, value: Any) -> Any:
    """The stored form of a typed value; raises InvalidValue when it cannot be stored at all.

    A value that can be stored but breaks a rule (age 150, a relation not in the list) is kept as
    typed, so the rules engine shows it to the clerk instead of it vanishing.
    """
    label = domain.FIELD_NAMES.get(field_name, field_name)
    if field_name in _BOOLS:
        return _parse_bool(value)
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            value = None
    if field_name == "age":
        if value is None:
            return None
        try:
            f = float(str(value).removesuffix("岁"))
        except ValueError:
            raise InvalidValue(f"年龄应为0至120的整数，现为“{value}”。") from None
        if f != int(f):
            raise InvalidValue(f"年龄应为0至120的整数，现为“{value}”。")
        return int(f)
    if field_name in _NUMBERS:
        return _parse_number(value, label)
    if field_name in _PHONES:
        return normalise_phone(value)
    if value is None:
        return None
    if field_name in _CLOSED:
        return domain.canonical(value, _CLOSED[field_name]) or str(value).replace(" ", "")
    if field_name in _CHOICES:
        v = str(value).upper() if field_name != "risk_colour" else _risk_colour(str(value))
        if v not in _CHOICES[field_name]:
            raise InvalidValue(f"{label}只能是{'、'.join(_CHOICES[field_name])}，现为“{value}”。")
        return v
    if field_name == "name":
        return re.sub(r"\s+", "", str(value)) if _is_chinese(str(value)) else " ".join(str(value).split())
    if field_name == "id_number":
        return str(value).replace(" ", "").upper()
    if field_name == "closed_out_on":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if field_name == "expected_month":
        return str(value).replace("-", ".").replace("。", ".")
    return str(value)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _risk_colour(text: str) -> str:
    names = {v: k for k, v in domain.RISK_COLOUR_NAMES.items()}
    return names.get(text.strip().removesuffix("色"), text.strip().lower())


# -- helpers ----------------------------------------------------------------------------------------


def _household(session: Session, household_id: int) -> tuple[Household, Period]:
    hh = session.get(Household, household_id)
    if hh is None:
        raise Refused("该户已不存在（可能已被删除）。")
    period = session.get(Period, hh.period_id)
    require_open(period)
    return hh, period


def _person(session: Session, person_id: int) -> tuple[Person, Household, Period]:
    p = session.get(Person, person_id)
    if p is None:
        raise Refused("该成员已不存在（可能已被删除）。")
    hh, period = _household(session, p.household_id)
    return p, hh, period


def household_id_for(session: Session, period_id: int, uuid: str) -> int | None:
    return session.scalar(select(Household.id).where(Household.period_id == period_id, Household.uuid == uuid))


def person_id_for(session: Session, household_id: int, uuid: str) -> int | None:
    return session.scalar(select(Person.id).where(Person.household_id == household_id, Person.uuid == uuid))


# -- field edits ------------------------------------------------------------------------------------


def update_person(session: Session, person_id: int, field_name: str, value: Any) -> Change:
    if field_name not in PERSON_FIELDS:
        raise KeyError(field_name)
    p, hh, period = _person(session, person_id)
    new = normalise(field_name, value)
    old = getattr(p, field_name)
    if old != new:
        setattr(p, field_name, new)
        audit.record(session, "update", period=period.month, table="persons", record=p.uuid,
                     field=field_name, old=old, new=new)
    return Change(hh.id, field_name, old, new, person_id=p.id)


def update_household(session: Session, household_id: int, field_name: str, value: Any) -> Change:
    if field_name not in HOUSEHOLD_FIELDS:
        raise KeyError(field_name)
    hh, period = _household(session, household_id)
    new = normalise(field_name, value)
    if field_name in {"band", "risk_colour"} and new is None:
        raise InvalidValue(f"{domain.FIELD_NAMES.get(field_name, field_name)}不能为空。")
    old = getattr(hh, field_name)
    if old != new:
        setattr(hh, field_name, new)
        audit.record(session, "update", period=period.month, table="households", record=hh.uuid,
                     field=field_name, old=old, new=new)
    return Change(hh.id, field_name, old, new)


def close_out(session: Session, household_id: int, on: dt.date | None = None) -> Change:
    """销号: mark the household's target met, with the date."""
    hh, _period = _household(session, household_id)
    old = (hh.closed_out, hh.closed_out_on)
    update_household(session, household_id, "closed_out_on", on or dt.date.today())
    update_household(session, hh.id, "closed_out", True)
    return Change(hh.id, "closed_out", old, (hh.closed_out, hh.closed_out_on))


def reopen(session: Session, household_id: int) -> Change:
    """Undo a 销号: the household is followed again."""
    hh, _period = _household(session, household_id)
    old = (hh.closed_out, hh.closed_out_on)
    update_household(session, household_id, "closed_out_on", None)
    update_household(session, household_id, "closed_out", False)
    return Change(hh.id, "closed_out", old, (hh.closed_out, hh.closed_out_on))


def set_risk(session: Session, household_id: int, colour: str, reasons: list[str]) -> Change:
    """红黄绿 with its reasons; reasons are kept only for red and yellow."""
    bad = [r for r in reasons if r and r not in domain.RISK_REASONS]
    if bad:
        raise InvalidValue(f"返贫风险原因“{'、'.join(bad)}”不在清单中。")
    hh, _period = _household(session, household_id)
    old = (hh.risk_colour, hh.risk_reasons)
    update_household(session, household_id, "risk_colour", colour)
    text = "、".join(r for r in reasons if r) if hh.risk_colour != "green" else ""
    update_household(session, household_id, "risk_reasons", text or None)
    return Change(hh.id, "risk", old, (hh.risk_colour, hh.risk_reasons))


# The first month each household (by UUID) had each measure text, grouped once and joined (a
# correlated subquery per line scanned every measure for each one: hours on a 100,000-person register).
FILL_STARTS = (
    "UPDATE measures SET start_month = s.first FROM ("
    " SELECT m.id AS id, f.first AS first FROM measures m JOIN households h ON h.id = m.household_id"
    " JOIN (SELECT h2.uuid AS uuid, m2.text AS text, min(coalesce(m2.start_month, p2.month)) AS first"
    "  FROM measures m2 JOIN households h2 ON h2.id = m2.household_id JOIN periods p2 ON p2.id = h2.period_id"
    "  WHERE m2.text IS NOT NULL GROUP BY h2.uuid, m2.text) f ON f.uuid = h.uuid AND f.text = m.text"
    " WHERE m.start_month IS NULL) s WHERE s.id = measures.id")
FILL_OWN_MONTH = (
    "UPDATE measures SET start_month = (SELECT p.month FROM households h JOIN periods p ON p.id = h.period_id "
    "WHERE h.id = measures.household_id) WHERE start_month IS NULL")


def fill_measure_starts(conn: Connection) -> None:
    """Measure lines written without a start month (an import from the forms, a generated register)
    take the month the household had the same text first, else their own month.

    On PostgreSQL the tables are analysed first: rows just written in bulk are unknown to its planner,
    which would then look each measure's earlier months up by scanning (minutes for a county)."""
    if is_postgres(conn):
        conn.exec_driver_sql("ANALYZE households, measures, periods")
    conn.execute(sql_text(FILL_STARTS))
    conn.execute(sql_text(FILL_OWN_MONTH))


def set_measures(session: Session, household_id: int, lines: list[tuple[str, str]]) -> Change:
    """Replace the 主要脱贫措施 lines (category, text); empty lines are dropped."""
    hh, period = _household(session, household_id)
    clean = []
    for cat, text in lines:
        text = (text or "").strip()
        if not text:
            continue
        c = domain.canonical(cat, domain.MEASURE_CATEGORIES)
        if c is None:
            raise InvalidValue(f"措施类别“{cat}”不在清单中。")
        clean.append((c, text))
    old = [(m.category, m.text) for m in hh.measures]
    if old != clean:
        started = {m.text: m.start_month for m in hh.measures if m.start_month}
        hh.measures.clear()
        session.flush()
        for i, (c, t) in enumerate(clean):
            hh.measures.append(Measure(category=c, text=t, position=i, start_month=started.get(t, period.month)))
        audit.record(session, "update", period=period.month, table="households", record=hh.uuid,
                     field="measures", old=_lines(old), new=_lines(clean))
    return Change(hh.id, "measures", old, clean)


def set_income_items(session: Session, household_id: int, items: list[tuple[str, str | None, Any]]) -> Change:
    """Replace the income items (category, label, amount in yuan); 合计/人均 stay derived."""
    hh, period = _household(session, household_id)
    clean = []
    for cat, label, amount in items:
        c = domain.canonical(cat, domain.INCOME_CATEGORIES)
        if c is None:
            raise InvalidValue(f"收入类别“{cat}”不在清单中。")
        a = _parse_number(amount, "收入金额")
        clean.append((c, (label or "").strip() or None, a or 0.0))
    old = [(i.category, i.label, i.amount) for i in hh.income_items]
    if old != clean:
        hh.income_items.clear()
        session.flush()
        for i, (c, lab, a) in enumerate(clean):
            hh.income_items.append(IncomeItem(category=c, label=lab, amount=a, position=i))
        audit.record(session, "update", period=period.month, table="households", record=hh.uuid,
                     field="income", old=_lines(old), new=_lines(clean))
    return Change(hh.id, "income", old, clean)


def _lines(rows: list[tuple]) -> str:
    return "\n".join("|".join("" if v is None else str(v) for v in r) for r in rows)


# -- members and households -------------------------------------------------------------------------


def add_member(session: Session, household_id: int, position: int | None = None,
               values: dict[str, Any] | None = None) -> Change:
    """A new member at ``position`` (default: last); later members move down one row."""
    hh, period = _household(session, household_id)
    n = len(hh.members)
    pos = n if position is None else max(0, min(position, n))
    session.execute(update(Person).where(Person.household_id == hh.id, Person.position >= pos)
                    .values(position=Person.position + 1))
    vals = {k: v for k, v in (values or {}).items() if k in PERSON_FIELDS}
    person = Person(household_id=hh.id, position=pos, **{k: normalise(k, v) for k, v in vals.items()})
    if values and values.get("uuid"):
        person.uuid = values["uuid"]
    session.add(person)
    session.flush()
    session.expire(hh, ["members"])
    audit.record(session, "insert", period=period.month, table="persons", record=person.uuid,
                 new=person.name or None)
    adjustments.on_person_added(session, period, hh, person)
    return Change(hh.id, person_id=person.id, structural=True, new=person.uuid)


def remove_member(session: Session, person_id: int) -> tuple[Change, Snapshot]:
    p, hh, period = _person(session, person_id)
    snap = Snapshot(values={"uuid": p.uuid, "position": p.position, **{k: getattr(p, k) for k in PERSON_FIELDS}})
    pos = p.position
    session.delete(p)
    session.flush()
    session.execute(update(Person).where(Person.household_id == hh.id, Person.position > pos)
                    .values(position=Person.position - 1))
    session.expire(hh, ["members"])
    audit.record(session, "delete", period=period.month, table="persons", record=snap.values["uuid"],
                 old=snap.values.get("name"))
    adjustments.on_person_removed(session, period, hh, snap.values)
    return Change(hh.id, person_id=person_id, structural=True, old=snap.values["uuid"]), snap


def restore_member(session: Session, household_id: int, snap: Snapshot) -> Change:
    values = dict(snap.values)
    return add_member(session, household_id, values.pop("position", None), values)


def add_household(session: Session, period_id: int, village_id: int, position: int | None = None,
                  head_name: str | None = None, snap: Snapshot | None = None, with_head: bool = False) -> Change:
    """A blank household in a village; with ``head_name`` (or ``with_head``) its first member is the
    户主, named or still to be named."""
    period = session.get(Period, period_id)
    require_open(period)
    village = session.get(Unit, village_id)
    if village is None or village.level != "village":
        raise Refused("新户只能建在村里，请先在左侧选择一个村。")
    if position is None:
        last = session.scalar(select(Household.position).where(
            Household.period_id == period_id, Household.village_id == village_id)
            .order_by(Household.position.desc()).limit(1))
        position = 0 if last is None else last + 1
    values = dict(snap.values) if snap else {}
    hh = Household(period_id=period_id, village_id=village_id, position=position,
                   **{k: v for k, v in values.items() if k in HOUSEHOLD_FIELDS or k == "uuid"})
    session.add(hh)
    session.flush()
    audit.record(session, "insert", period=period.month, table="households", record=hh.uuid)
    if snap:
        for i, m in enumerate(snap.members):
            person = Person(household_id=hh.id, position=i, **{k: v for k, v in m.items() if k != "position"})
            session.add(person)
        for i, (c, t, start) in enumerate(snap.measures):
            session.add(Measure(household_id=hh.id, category=c, text=t, position=i, start_month=start))
        for i, (c, lab, a) in enumerate(snap.income_items):
            session.add(IncomeItem(household_id=hh.id, category=c, label=lab, amount=a, position=i))
        session.flush()
    session.expire(hh, ["members"])
    adjustments.on_household_added(session, period, hh)
    if not snap and (head_name or with_head):
        add_member(session, hh.id, 0, {"name": head_name or None, "relation": "户主"})
    return Change(hh.id, structural=True, new=hh.uuid)


def remove_household(session: Session, household_id: int) -> tuple[Change, Snapshot]:
    hh, period = _household(session, household_id)
    snap = Snapshot(
        values={"uuid": hh.uuid, **{k: getattr(hh, k) for k in HOUSEHOLD_FIELDS}},
        members=[{"uuid": p.uuid, **{k: getattr(p, k) for k in PERSON_FIELDS}} for p in hh.members],
        measures=[(m.category, m.text, m.start_month) for m in hh.measures],
        income_items=[(i.category, i.label, i.amount) for i in hh.income_items],
    )
    snap.values["position"] = hh.position
    snap.values["village_id"] = hh.village_id
    head = hh.head
    session.delete(hh)
    session.flush()
    audit.record(session, "delete", period=period.month, table="households", record=snap.values["uuid"],
                 old=head.name if head else None)
    adjustments.on_household_removed(session, period, snap.values, snap.members)
    return Change(household_id, structural=True, old=snap.values["uuid"]), snap


def restore_household(session: Session, period_id: int, snap: Snapshot) -> Change:
    return add_household(session, period_id, snap.values["village_id"], snap.values["position"], snap=snap)

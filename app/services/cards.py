"""明白卡 data (forms.md §7): one ``Card`` per household, and the household a scanned payload names.

The card and its QR payload are in ``app.kernel.views``; the PDF is drawn by ``app.exporters.cards``.

A card hangs in the household's home, where neighbours and visitors read it, so it shows no health
(docs/reliability.md, "What 明白卡 show"): members without their health, and an income item or a
measure whose wording names an illness or a disability (残疾人补助, 大病专项救治, 慢性病门诊报销,
残疾人两项补贴 …) under a neutral name — ``政策性补助`` for income, the measure's category for a
measure — with its amount unchanged, so 合计 and 人均 still add up.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kernel.views import Card, Member, parse_payload
from app.models import Household, IncomeItem, Measure, Period, Person, Unit
from app.models.units import unit_path, villages_under

# Words that reveal a health condition in an income or measure wording (conservative: when in doubt, hide).
HEALTH_WORDS = ("残", "病", "医", "药", "康复", "失能", "精神", "智力", "透析", "癌", "瘫", "盲", "聋", "哑")
HEALTH_INCOME_CATEGORIES = frozenset({"残疾人补助"})
NEUTRAL_INCOME = "政策性补助"


def reveals_health(text: str | None) -> bool:
    return bool(text) and any(w in text for w in HEALTH_WORDS)


def card_income_label(category: str, label: str | None) -> str:
    """The wording an income item gets on a card: its own, unless it reveals health."""
    shown = label or category
    if category in HEALTH_INCOME_CATEGORIES or reveals_health(shown):
        return NEUTRAL_INCOME
    return shown


def card_measure_text(category: str, text: str) -> str:
    """The wording a measure gets on a card: its own, unless it reveals health (then its category)."""
    if reveals_health(text):
        return category if category == "健康扶贫" else f"{category}类帮扶"
    return text


def cards_for(session: Session, unit: Unit, period: Period) -> list[Card]:
    """One card per household at or below ``unit`` in ``period``, in register order."""
    villages = villages_under(session, unit)
    by_id = {v.id: v for v in villages}
    v_ids = list(by_id)
    order = {vid: i for i, vid in enumerate(v_ids)}
    rows = session.execute(
        select(Household).where(Household.period_id == period.id, Household.village_id.in_(v_ids))
    ).scalars().all()
    rows.sort(key=lambda h: (order[h.village_id], h.position, h.id))
    ids = [h.id for h in rows]
    members: dict[int, list[Member]] = defaultdict(list)
    measures: dict[int, list[tuple[str, str]]] = defaultdict(list)
    income: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for chunk in range(0, len(ids), 5000):
        part = ids[chunk:chunk + 5000]
        for hid, name, rel, age in session.execute(
                select(Person.household_id, Person.name, Person.relation, Person.age)
                .where(Person.household_id.in_(part)).order_by(Person.household_id, Person.position, Person.id)):
            members[hid].append(Member(name, rel or "", age))
        for hid, cat, text in session.execute(
                select(Measure.household_id, Measure.category, Measure.text)
                .where(Measure.household_id.in_(part)).order_by(Measure.household_id, Measure.position, Measure.id)):
            measures[hid].append((cat, card_measure_text(cat, text)))
        for hid, cat, label, amount in session.execute(
                select(IncomeItem.household_id, IncomeItem.category, IncomeItem.label, IncomeItem.amount)
                .where(IncomeItem.household_id.in_(part))
                .order_by(IncomeItem.household_id, IncomeItem.position, IncomeItem.id)):
            income[hid].append((card_income_label(cat, label), amount or 0))
    out = []
    for h in rows:
        v = by_id[h.village_id]
        town = v.parent
        county = town.parent if town is not None else None
        ms = members.get(h.id, [])
        head = next((m.name for m in ms if m.relation == "户主"), ms[0].name if ms else "")
        out.append(Card(
            uuid=h.uuid, county=county.name if county else "", township=town.name if town else "", village=v.name,
            unit_key=v.division_code or unit_path(v), month=period.month, head=head, head_phone=h.head_phone,
            band=h.band, members=ms, measures=measures.get(h.id, []), income=income.get(h.id, []),
            helper_name=h.helper_name or "", helper_unit=h.helper_unit or "", helper_phone=h.helper_phone or "",
            expected_month=h.expected_month or "", closed_out=bool(h.closed_out), closed_out_on=h.closed_out_on,
        ))
    return out


def find_by_payload(session: Session, text: str) -> Household | None:
    """The household a scanned payload names: in the payload's month if present, else the latest."""
    p = parse_payload(text)
    if p is None:
        return None
    q = (select(Household).join(Period, Period.id == Household.period_id)
         .where(Household.uuid == p["household"]))
    exact = session.scalars(q.where(Period.month == p["month"])).first()
    return exact or session.scalars(q.order_by(Period.month.desc())).first()


def write_cards_for(session: Session, month: str | None, unit_id: int, out, progress=None) -> dict:
    """Cards of every household of a unit into ``out`` (via a temporary file); CLI and the GUI's 生成."""
    from pathlib import Path

    from app.exporters.cards import write_cards
    from app.models.units import full_path

    from .errors import UsageError, month_label
    from .periods import get_period

    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UsageError("单位不存在。")
    period = get_period(session, month)
    cards = cards_for(session, unit, period)
    if not cards:
        raise UsageError(f"{full_path(unit)}在{month_label(period.month)}中没有建档立卡户。")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        info = write_cards(cards, tmp, f"{full_path(unit)}扶贫明白卡（{month_label(period.month)}）", progress)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return {**info, "out": str(out), "unit": full_path(unit), "month": month_label(period.month)}

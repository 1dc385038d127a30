"""Demo household records (household-records.md): 动态调整, visits and the work log of the open month.

Made through the same operations as the window, after the bulk register, with their own random
stream (the register stays the same for a seed). Net zero persons per village, so 附件1/附件2 and
M-07 stay as the register's demo makes them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid as _uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import ASSISTANCE
from app.models import Adjustment, Household, Period, Person, Unit
from app.models.units import unit_path

from . import adjustments, register


def _uuid4(rng: random.Random) -> str:
    return str(_uuid.UUID(int=rng.getrandbits(128), version=4))


def add_records(session: Session, seed: int, skip: set[str], skip_village: str | None) -> dict:
    """A birth and a marriage-out (reasons filled) in one household of the open month."""
    rng = random.Random(seed * 7919 + 17)
    period = session.scalar(select(Period).where(Period.state == "open").order_by(Period.month.desc()))
    if period is None:
        return {}
    paths = {u.id: unit_path(u) for u in session.scalars(select(Unit).where(Unit.level == "village"))}
    candidates = []
    for hh in session.scalars(select(Household).where(Household.period_id == period.id).order_by(Household.id)):
        if hh.uuid in skip or paths.get(hh.village_id) == skip_village or hh.cause == "因学":
            continue
        head = hh.head
        if head is None or (head.age or 0) < 50 or len(hh.members) < 3:
            continue
        leaving = [p for p in hh.members[1:] if p.relation in ("之子", "之女") and (p.age or 0) >= 20
                   and p.health == "健康" and not any(getattr(p, f) for f in ASSISTANCE)]
        if leaving:
            candidates.append((hh, leaving[-1]))
    if not candidates:
        return {}
    hh, leaving = candidates[rng.randrange(len(candidates))]
    day = adjustments.default_date(period, dt.date(2020, 3, 12))
    register.remove_member(session, leaving.id)
    register.add_member(session, hh.id, None, {
        "uuid": _uuid4(rng), "name": hh.head.name[0] + rng.choice(("小宝", "欣怡", "子涵", "浩然")), "relation": "之孙子",
        "age": 0, "health": "健康", "labour": "无劳动力"})
    for rec in session.scalars(select(Adjustment).where(Adjustment.period_id == period.id)):
        if rec.kind == "自然减少":
            adjustments.set_details(session, adjustments.SetDetails(
                rec.uuid, reason="嫁到外县，户口已迁出", cause="婚出", effective_on=day,
                approved_on=day, approval_no="康扶调〔2020〕3号"))
        else:
            adjustments.set_details(session, adjustments.SetDetails(
                rec.uuid, reason="新生儿，已落户", cause="出生", effective_on=day, approved_on=day,
                approval_no="康扶调〔2020〕3号"))
    return {"adjustments": hh.uuid}


__all__ = ["add_records", "Person"]

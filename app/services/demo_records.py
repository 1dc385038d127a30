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
from app.kernel.month import Month
from app.models import Adjustment, Household, Period, Person, Unit
from app.models.units import unit_path

from . import adjustments, register
from .browse import unit_paths


def _uuid4(rng: random.Random) -> str:
    return str(_uuid.UUID(int=rng.getrandbits(128), version=4))


def add_records(session: Session, seed: int, skip: set[str], skip_village: str | None) -> dict:
    """A birth and a marriage-out (reasons filled) in one household of the open month."""
    rng = random.Random(seed * 7919 + 17)
    period = session.scalar(select(Period).where(Period.state == "open").order_by(Period.month.desc()))
    if period is None:
        return {}
    paths = unit_paths(session)
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
    m = Month.parse(period.month)
    day = adjustments.default_date(period, min(m.first_day.replace(day=12), dt.date.today()))
    approval = f"康扶调〔{m.year}〕3号"
    register.remove_member(session, leaving.id)
    register.add_member(session, hh.id, None, {
        "uuid": _uuid4(rng), "name": hh.head.name[0] + rng.choice(("小宝", "欣怡", "子涵", "浩然")), "relation": "之孙子",
        "age": 0, "health": "健康", "labour": "无劳动力"})
    for rec in session.scalars(select(Adjustment).where(Adjustment.period_id == period.id)):
        if rec.kind == "自然减少":
            adjustments.set_details(session, adjustments.SetDetails(
                rec.uuid, reason="嫁到外县，户口已迁出", cause="婚出", effective_on=day,
                approved_on=day, approval_no=approval))
        else:
            adjustments.set_details(session, adjustments.SetDetails(
                rec.uuid, reason="新生儿，已落户", cause="出生", effective_on=day, approved_on=day,
                approval_no=approval))
    out = {"adjustments": hh.uuid}
    out.update(add_visits(session, rng, period))
    out.update(add_monitored(session, period))
    out.update(add_treatments(session, rng, period))
    return out


# Disease names of the demo: distinctive, so a test can grep every other output for them.
DEMO_DISEASES = {"大病": ("肺恶性肿瘤", "慢性肾衰竭尿毒症期", "急性白血病"),
                 "长期慢性病": ("2型糖尿病", "原发性高血压", "慢性阻塞性肺疾病", "类风湿关节炎")}


def add_treatments(session: Session, rng: random.Random, period: Period) -> dict:
    """A treatment record for every member with 大病/长期慢性病 but one (T-01 shows it), bulk."""
    from sqlalchemy import insert

    from app.models import TreatmentRecord

    year = Month.parse(period.month).year
    q = (select(Household.uuid, Person.uuid, Person.name, Person.health).join(Person, Person.household_id == Household.id)
         .where(Household.period_id == period.id, Person.health.in_(tuple(DEMO_DISEASES))).order_by(Person.id))
    rows = []
    for i, (hu, pu, name, health) in enumerate(session.execute(q)):
        if i == 0:
            continue  # left without a record: T-01
        serious = health == "大病"
        total = float(rng.randrange(20000, 90000) if serious else rng.randrange(800, 6000))
        basic = round(total * (0.55 if serious else 0.6))
        big = round(total * 0.2) if serious else 0.0
        aid = round(total * 0.1)
        rows.append(dict(
            uuid=_uuid4(rng), year=year, household_uuid=hu, person_uuid=pu, person_name=name,
            disease=rng.choice(DEMO_DISEASES[health]), hospital="康平县人民医院" if serious else "乡镇卫生院",
            diagnosed_on=dt.date(year - rng.randrange(1, 6), rng.randrange(1, 13), rng.randrange(1, 28)),
            treatment="住院" if serious else rng.choice(("门诊慢病", "家庭医生签约")), doctor="村医" + name[0],
            medicines=None if serious else "二甲双胍片 0.5g 每日三次", total_cost=total, basic_insurance=basic,
            serious_insurance=big, medical_assistance=aid, other_reimbursement=0.0,
            followups=f"{period.month}-10 村医 病情稳定"))
    if rows:
        session.execute(insert(TreatmentRecord.__table__), rows)
    return {"treatments": len(rows)}


def add_monitored(session: Session, period: Period) -> dict:
    """Two monitored households outside the register (边缘易致贫户, 突发严重困难户) with measures."""
    from . import monitoring

    villages = list(session.scalars(select(Unit).where(Unit.level == "village").order_by(Unit.id).limit(2)))
    if not villages:
        return {}
    m = Month.parse(period.month)
    a = monitoring.add_monitored(session, monitoring.AddMonitored(
        unit_path(villages[0]), "于长海", "边缘易致贫户", m.first_day.replace(day=2), "yellow", ("因病",),
        members=(("于长海", 63, None), ("王桂芝", 61, None))))
    monitoring.add_measure(session, monitoring.AddMeasure(a.monitored[0], m.first_day.replace(day=9),
                                                          "落实家庭医生签约，办理门诊慢病"))
    b = monitoring.add_monitored(session, monitoring.AddMonitored(
        unit_path(villages[-1]), "侯振江", "突发严重困难户", m.first_day.replace(day=6), "red", ("因灾",),
        members=(("侯振江", 47, None), ("刘淑梅", 45, None), ("侯佳", 16, None))))
    monitoring.add_measure(session, monitoring.AddMeasure(b.monitored[0], m.first_day.replace(day=8),
                                                          "申请临时救助3000元"))
    return {"monitored": [a.monitored[0], b.monitored[0]]}


def add_visits(session: Session, rng: random.Random, period: Period) -> dict:
    """Visits of the open month to most band-A households (bulk, for big demos), by their 帮扶责任人;
    one with a 看住房 problem raised, one with a 看饮水 problem not raised (V-02), a few unvisited
    (V-01), one 不满意; and a few work-log entries."""
    from sqlalchemy import insert

    from app.models import Visit, VisitProblem, WorkLogEntry

    m = Month.parse(period.month)
    q = (select(Household.uuid, Household.village_id, Household.helper_name, Household.band, Person.name)
         .join(Person, (Person.household_id == Household.id) & (Person.relation == "户主"))
         .where(Household.period_id == period.id, Household.closed_out.is_(False)).order_by(Household.id))
    rows, seen = [], set()
    for uuid, vid, helper, band, head in session.execute(q):
        if uuid in seen or (band == "A" and rng.random() < 0.05) or (band == "B" and rng.random() < 0.7):
            continue
        seen.add(uuid)
        r = rng.random()
        rows.append(dict(
            uuid=_uuid4(rng), visited_on=max(m.first_day, min(m.first_day + dt.timedelta(days=rng.randrange(2, 26)),
                                                              dt.date.today())), household_uuid=uuid,
            village_id=vid, head_name=head, visitor=helper or "孙丽华", ask_basic=True, ask_living=True,
            ask_budget=r < 0.9, ask_satisfaction=True, ask_advice=r < 0.6, talk_party=r < 0.7, talk_policy=True,
            talk_hope=r < 0.5, talk_inspire=r < 0.4, look_housing="正常", look_water="正常", look_papers="正常",
            ask_advice_note=None, look_housing_note=None, look_water_note=None,
            satisfaction="满意" if r < 0.93 else "基本满意", recorded_at=dt.datetime(m.year, m.month, 28, 17, 0)))
    if not rows:
        return {}
    rows[0].update(satisfaction="不满意", ask_advice=True, ask_advice_note="希望尽快落实危房改造补助")
    rows[min(1, len(rows) - 1)].update(look_housing="有问题", look_housing_note="西屋墙体裂缝")
    rows[min(2, len(rows) - 1)].update(look_water="有问题", look_water_note="入户水压不足")
    session.execute(insert(Visit.__table__), rows)
    housing = session.scalar(select(Visit).where(Visit.uuid == rows[min(1, len(rows) - 1)]["uuid"]))
    session.add(VisitProblem(uuid=_uuid4(rng), visit_id=housing.id, look="housing", text="西屋墙体裂缝，申请危房鉴定"))
    session.add(VisitProblem(uuid=_uuid4(rng), visit_id=housing.id, text="门前路灯不亮", solved_on_spot=True))
    cadre = rows[0]["visitor"]
    for day, text in ((3, "参加镇扶贫工作例会，学习返贫监测文件"), (12, "整理帮扶户收入台账"),
                      (25, "与村医核对慢病户签约服务情况")):
        on = max(m.first_day, min(m.first_day.replace(day=day), dt.date.today()))
        session.add(WorkLogEntry(uuid=_uuid4(rng), written_on=on, cadre=cadre, text=text))
    session.flush()
    return {"visits": len(rows), "cadre": cadre}


__all__ = ["add_records", "Person"]

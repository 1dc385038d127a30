"""治疗用药情况一览表 (household-records.md §4): a member's treatment records, kept by the village doctor.

Health data stays home: these records are read only by the window, by T-01/T-02 and by the
household's own treatment table (``app.services.papers``, kind ``medical``) — never by wall charts,
明白卡, packages or logs (the audit log records that a row changed, not what it says).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, Period, Person, TreatmentRecord, Unit
from app.models.units import villages_under
from app.rules.findings import Finding
from app.rules.records import t01_untreated, t02_reimbursed

from . import audit
from .browse import unit_paths
from .errors import Refused

TREATMENTS = ("门诊慢病", "住院", "家庭医生签约", "其他")
SERIOUS = ("大病", "长期慢性病")


class TreatmentRefused(Refused):
    """A treatment record that cannot be stored as given."""


@dataclass(frozen=True, slots=True)
class SetTreatment:
    """A member's record for a year (one per disease); amounts in yuan."""

    household: str
    person: str
    year: int
    disease: str
    hospital: str | None = None
    diagnosed_on: dt.date | None = None
    treatment: str | None = None
    doctor: str | None = None
    medicines: str | None = None
    total_cost: float = 0
    basic_insurance: float = 0
    serious_insurance: float = 0
    medical_assistance: float = 0
    other_reimbursement: float = 0
    followups: str | None = None
    record: str | None = None  # the record being edited (its disease may change); None adds or replaces


def set_treatment(session: Session, req: SetTreatment) -> tuple[str, list[Finding]]:
    """Add or replace the member's record for the year and disease; audited without its content."""
    if not req.disease.strip():
        raise TreatmentRefused("请填写疾病名称。")
    if req.treatment is not None and req.treatment not in TREATMENTS:
        raise TreatmentRefused(f"治疗方式只能是{'、'.join(TREATMENTS)}。")
    amounts = (req.total_cost, req.basic_insurance, req.serious_insurance, req.medical_assistance,
               req.other_reimbursement)
    if any(a < 0 for a in amounts):
        raise TreatmentRefused("费用和报销金额不能为负数。")
    name = session.scalar(select(Person.name).where(Person.uuid == req.person).limit(1))
    same = session.scalar(select(TreatmentRecord).where(
        TreatmentRecord.person_uuid == req.person, TreatmentRecord.year == req.year,
        TreatmentRecord.disease == req.disease.strip()))
    rec = same
    if req.record is not None:
        rec = _get(session, req.record)
        if same is not None and same.id != rec.id:
            raise TreatmentRefused("此人本年已有同一疾病的记录，请直接修改那一条。")
    action = "update"
    if rec is None:
        rec = TreatmentRecord(person_uuid=req.person, household_uuid=req.household, year=req.year,
                              disease=req.disease.strip())
        session.add(rec)
        action = "insert"
    for f in ("hospital", "diagnosed_on", "treatment", "doctor", "medicines", "total_cost", "basic_insurance",
              "serious_insurance", "medical_assistance", "other_reimbursement", "followups"):
        setattr(rec, f, getattr(req, f))
    rec.disease = req.disease.strip()
    rec.person_name = name
    session.flush()
    audit.record(session, action, table="treatment_records", record=rec.uuid)  # no health details in the log
    return rec.uuid, _t02(rec, None)


def _get(session: Session, uuid: str) -> TreatmentRecord:
    rec = session.scalar(select(TreatmentRecord).where(TreatmentRecord.uuid == uuid))
    if rec is None:
        raise TreatmentRefused("这条治疗用药记录已不存在。")
    return rec


def delete_treatment(session: Session, uuid: str) -> None:
    """Remove one record; the audit log keeps only that it was removed."""
    rec = _get(session, uuid)
    session.delete(rec)
    session.flush()
    audit.record(session, "delete", table="treatment_records", record=uuid)  # no health details in the log


def members_of(session: Session, period: Period, household: str) -> list[tuple[str, str, str | None]]:
    """(uuid, name, 健康状况) of a household's members in the month: whom a record can be for."""
    return [tuple(r) for r in session.execute(
        select(Person.uuid, Person.name, Person.health).join(Household, Household.id == Person.household_id)
        .where(Household.period_id == period.id, Household.uuid == household).order_by(Person.position))]


def _t02(rec: TreatmentRecord, unit: str | None) -> list[Finding]:
    reimbursed = rec.basic_insurance + rec.serious_insurance + rec.medical_assistance + rec.other_reimbursement
    return t02_reimbursed(rec.total_cost, reimbursed, rec.person_name or "", rec.household_uuid, rec.person_uuid,
                          unit, rec.uuid)


def of_household(session: Session, household: str, year: int) -> list[TreatmentRecord]:
    return list(session.scalars(select(TreatmentRecord).where(
        TreatmentRecord.household_uuid == household, TreatmentRecord.year == year).order_by(TreatmentRecord.id)))


def findings(session: Session, period: Period, unit: Unit | None = None) -> list[Finding]:
    """T-01 on members with 大病/长期慢性病 of the month's register; T-02 on the year's records."""
    year = period.year
    q = (select(Household.uuid, Household.village_id, Person.uuid, Person.name, Person.health)
         .join(Person, Person.household_id == Household.id)
         .where(Household.period_id == period.id, Person.health.in_(SERIOUS)))
    if unit is not None:
        q = q.where(Household.village_id.in_([v.id for v in villages_under(session, unit)]))
    T = TreatmentRecord
    # T-01 needs only the members with no record this year: SQLite answers that (the index on
    # person_uuid), so the year's treated members never come back as rows.
    untreated = list(session.execute(q.where(~select(T.id).where(T.person_uuid == Person.uuid, T.year == year)
                                             .exists())))
    # T-02 can only fire where the reimbursements exceed the cost: SQLite picks those (a superset of
    # the rule's margin), as plain columns — the year's other records are never built.
    over = session.execute(select(T.uuid, T.household_uuid, T.person_uuid, T.person_name, T.total_cost,
                                  T.basic_insurance, T.serious_insurance, T.medical_assistance,
                                  T.other_reimbursement)
                           .where(T.year == year, T.basic_insurance + T.serious_insurance + T.medical_assistance
                                  + T.other_reimbursement > T.total_cost)
                           .order_by(T.id)).all()
    if not untreated and not over:
        return []
    paths = unit_paths(session)
    out: list[Finding] = []
    for hh, vid, pu, name, health in untreated:
        out.extend(t01_untreated(hh, pu, name, health, paths.get(vid), year))
    if over:  # the record's member must be one of the month's serious members (as T-01 reads them)
        village_of = dict(session.execute(q.with_only_columns(Person.uuid, Household.village_id)
                                          .where(Person.uuid.in_(sorted({r[2] for r in over})))).all())
        for uuid, hh, pu, name, total, basic, serious, assistance, other in over:
            if pu in village_of:
                out.extend(t02_reimbursed(total, basic + serious + assistance + other, name or "", hh, pu,
                                          paths.get(village_of[pu]), uuid))
    return out

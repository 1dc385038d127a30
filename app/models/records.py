"""What the people closest to a household keep (household-records.md): 动态调整, visits, the work
log and monitored households. Households and persons are referred to by UUID, since the register
keeps one copy of them per month and a removed person must stay in the record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, new_uuid


class Adjustment(Base):
    """One 动态调整 record (household-records.md §1): who entered or left the register, when and why.

    The names and 身份证号 are copied at the time of the change, because the person of a removal is
    no longer in the month's register.
    """

    __tablename__ = "adjustments"
    __table_args__ = (Index("ix_adjustments_period_village", "period_id", "village_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(10))  # domain.ADJUSTMENT_KINDS
    cause: Mapped[str | None] = mapped_column(String(6))  # 出生/婚入/死亡/婚出/迁出/其他
    household_uuid: Mapped[str] = mapped_column(String(36), index=True)
    person_uuid: Mapped[str | None] = mapped_column(String(36), index=True)  # None: the whole household
    head_name: Mapped[str | None] = mapped_column(String(40))
    person_name: Mapped[str | None] = mapped_column(String(40))
    id_number: Mapped[str | None] = mapped_column(String(18))
    age: Mapped[int | None]
    persons: Mapped[int] = mapped_column(default=1)  # persons entering (+) or leaving (−) with the record
    effective_on: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[dt.date | None]
    approval_no: Mapped[str | None] = mapped_column(String(40))
    recorded_by: Mapped[str | None] = mapped_column(String(80))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)
    source: Mapped[str] = mapped_column(String(10), default="window")  # window | import


class Visit(Base):
    """入户走访 (household-records.md §2): 五问 · 四讲 · 三看 · 一化解 and the household's 满意度."""

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_village_on", "village_id", "visited_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    visited_on: Mapped[dt.date]
    household_uuid: Mapped[str] = mapped_column(String(36), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    head_name: Mapped[str | None] = mapped_column(String(40))
    visitor: Mapped[str] = mapped_column(String(40))
    # 五问: each asked or not, with a note
    ask_basic: Mapped[bool] = mapped_column(default=False)
    ask_basic_note: Mapped[str | None] = mapped_column(Text)
    ask_living: Mapped[bool] = mapped_column(default=False)
    ask_living_note: Mapped[str | None] = mapped_column(Text)
    ask_budget: Mapped[bool] = mapped_column(default=False)
    ask_budget_note: Mapped[str | None] = mapped_column(Text)
    ask_satisfaction: Mapped[bool] = mapped_column(default=False)
    ask_satisfaction_note: Mapped[str | None] = mapped_column(Text)
    ask_advice: Mapped[bool] = mapped_column(default=False)
    ask_advice_note: Mapped[str | None] = mapped_column(Text)
    # 四讲
    talk_party: Mapped[bool] = mapped_column(default=False)
    talk_policy: Mapped[bool] = mapped_column(default=False)
    talk_hope: Mapped[bool] = mapped_column(default=False)
    talk_inspire: Mapped[bool] = mapped_column(default=False)
    # 三看: 正常 / 有问题, with a note
    look_housing: Mapped[str] = mapped_column(String(4), default="正常")
    look_housing_note: Mapped[str | None] = mapped_column(Text)
    look_water: Mapped[str] = mapped_column(String(4), default="正常")
    look_water_note: Mapped[str | None] = mapped_column(Text)
    look_papers: Mapped[str] = mapped_column(String(4), default="正常")
    look_papers_note: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(4))  # 满意 · 基本满意 · 不满意
    remark: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)

    problems: Mapped[list[VisitProblem]] = relationship(
        order_by="VisitProblem.position", cascade="all, delete-orphan", back_populates="visit")


class VisitProblem(Base):
    """一化解: a problem raised at a visit; ``ledger_uuid`` is the problem it opened in the ledger."""

    __tablename__ = "visit_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    look: Mapped[str | None] = mapped_column(String(10))  # housing / water / papers, when a 三看 found it
    text: Mapped[str] = mapped_column(Text)
    solved_on_spot: Mapped[bool] = mapped_column(default=False)  # 已销号 at once
    ledger_uuid: Mapped[str | None] = mapped_column(String(36))

    visit: Mapped[Visit] = relationship(back_populates="problems")


class WorkLogEntry(Base):
    """扶贫工作日志: a cadre's dated entry, optionally about a household or a task."""

    __tablename__ = "work_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    written_on: Mapped[dt.date] = mapped_column(index=True)
    cadre: Mapped[str] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text)
    household_uuid: Mapped[str | None] = mapped_column(String(36))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    visit_uuid: Mapped[str | None] = mapped_column(String(36))


class MonitoredHousehold(Base):
    """监测户 (household-records.md §3): a household watched against (re)entering poverty."""

    __tablename__ = "monitored_households"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    household_uuid: Mapped[str | None] = mapped_column(String(36))  # a registered household, if any
    head_name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))  # 脱贫不稳定户 · 边缘易致贫户 · 突发严重困难户
    risk_colour: Mapped[str] = mapped_column(String(6), default="yellow")
    risk_reasons: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[dt.date]
    reviewed_on: Mapped[dt.date | None]
    cleared_on: Mapped[dt.date | None]  # 风险消除
    cleared_basis: Mapped[str | None] = mapped_column(Text)
    members: Mapped[str | None] = mapped_column(Text)  # "姓名,年龄,身份证号" lines

    measures: Mapped[list[MonitorMeasure]] = relationship(
        order_by="MonitorMeasure.taken_on", cascade="all, delete-orphan")


class MonitorMeasure(Base):
    """A measure taken for a monitored household, dated (R-01 looks at the last 30 days)."""

    __tablename__ = "monitor_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    monitored_id: Mapped[int] = mapped_column(ForeignKey("monitored_households.id", ondelete="CASCADE"), index=True)
    taken_on: Mapped[dt.date]
    text: Mapped[str] = mapped_column(Text)


class TreatmentRecord(Base):
    """A member's line of 贫困户家庭治疗用药情况一览表 for a year, kept by the village doctor.

    Health data: shown in the window and printed on the household's own table only (§4).
    """

    __tablename__ = "treatment_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    year: Mapped[int]
    household_uuid: Mapped[str] = mapped_column(String(36), index=True)
    person_uuid: Mapped[str] = mapped_column(String(36), index=True)
    person_name: Mapped[str | None] = mapped_column(String(40))
    disease: Mapped[str] = mapped_column(String(60))
    hospital: Mapped[str | None] = mapped_column(String(60))
    diagnosed_on: Mapped[dt.date | None]
    treatment: Mapped[str | None] = mapped_column(String(10))  # 门诊慢病 · 住院 · 家庭医生签约 · 其他
    doctor: Mapped[str | None] = mapped_column(String(40))
    medicines: Mapped[str | None] = mapped_column(Text)  # "药名 用法用量" lines
    total_cost: Mapped[float] = mapped_column(default=0)
    basic_insurance: Mapped[float] = mapped_column(default=0)
    serious_insurance: Mapped[float] = mapped_column(default=0)
    medical_assistance: Mapped[float] = mapped_column(default=0)
    other_reimbursement: Mapped[float] = mapped_column(default=0)
    followups: Mapped[str | None] = mapped_column(Text)  # "日期 随访人 情况" lines

    @property
    def out_of_pocket(self) -> float:
        """个人自付: derived, never typed."""
        return round(self.total_cost - self.basic_insurance - self.serious_insurance - self.medical_assistance
                     - self.other_reimbursement, 2)

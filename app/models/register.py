"""The household register, kept per period (forms.md §5).

Every period holds its own copy of each household and person; the UUID is what stays the same
from month to month and across packages. Household size, income 合计/人均 and the head's name are
derived, never stored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Versioned, new_uuid


class Household(Versioned, Base):
    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("period_id", "uuid"),
        Index("ix_households_period_village", "period_id", "village_id"),
        # Covers the 附件1/附件2 GROUP BY (app.services.counts; migration 0004).
        Index("ix_households_counts", "period_id", "band", "village_id", "ytd_income"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)
    band: Mapped[str] = mapped_column(String(1), default="A")
    prior_income: Mapped[float | None]  # 上年度人均纯收入, decides the band (H-13)
    head_phone: Mapped[str | None] = mapped_column(String(20))
    cause: Mapped[str | None] = mapped_column(String(20))
    helper_name: Mapped[str | None] = mapped_column(String(40))
    helper_unit: Mapped[str | None] = mapped_column(String(60))
    helper_phone: Mapped[str | None] = mapped_column(String(20))
    expected_month: Mapped[str | None] = mapped_column(String(10))  # YYYY.MM
    ytd_income: Mapped[float | None]  # 本年累计人均纯收入 to the period's end (填报说明 5)
    closed_out: Mapped[bool] = mapped_column(default=False)
    closed_out_on: Mapped[dt.date | None]
    risk_colour: Mapped[str] = mapped_column(String(6), default="green")
    risk_reasons: Mapped[str | None] = mapped_column(Text)  # reasons joined by "、"
    housing_grade: Mapped[str | None] = mapped_column(String(1))
    housing_renovated: Mapped[bool] = mapped_column(default=False)
    remark: Mapped[str | None] = mapped_column(Text)

    members: Mapped[list[Person]] = relationship(
        back_populates="household", order_by="Person.position", cascade="all, delete-orphan"
    )
    measures: Mapped[list[Measure]] = relationship(order_by="Measure.position", cascade="all, delete-orphan")
    income_items: Mapped[list[IncomeItem]] = relationship(
        order_by="IncomeItem.position", cascade="all, delete-orphan"
    )

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def head(self) -> Person | None:
        return next((p for p in self.members if p.relation == "户主"), None)


class Person(Versioned, Base):
    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("household_id", "uuid"),
        # Covers the 附件1/附件2 GROUP BY: assistance read from the index (app.services.counts; migration 0004).
        Index("ix_persons_assistance", "household_id", "housing", "education", "medical", "water", "industry",
              "industry_started", "industry_benefited", "employment", "public_post", "graduate_placement", "dibao"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(40), default="", index=True)
    relation: Mapped[str | None] = mapped_column(String(10))
    age: Mapped[int | None]
    health: Mapped[str | None] = mapped_column(String(10))
    labour: Mapped[str | None] = mapped_column(String(10))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # H-12 lookup (0003)
    # Monthly assistance of this person in this period (forms.md §5); feeds 附件1/附件2.
    housing: Mapped[bool] = mapped_column(default=False)
    education: Mapped[bool] = mapped_column(default=False)
    medical: Mapped[bool] = mapped_column(default=False)
    water: Mapped[bool] = mapped_column(default=False)
    industry: Mapped[bool] = mapped_column(default=False)
    industry_started: Mapped[bool] = mapped_column(default=False)
    industry_benefited: Mapped[bool] = mapped_column(default=False)
    employment: Mapped[bool] = mapped_column(default=False)
    public_post: Mapped[bool] = mapped_column(default=False)
    graduate_placement: Mapped[bool] = mapped_column(default=False)
    dibao: Mapped[bool] = mapped_column(default=False)

    household: Mapped[Household] = relationship(back_populates="members")


class Measure(Base):
    """One numbered line of 主要脱贫措施, with its category."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, default="")
    # YYYY-MM the household first had this measure text: R-01 and the analysis tell "no new measure
    # this month" from it; carried forward unchanged with the line (migration 0006).
    start_month: Mapped[str | None] = mapped_column(String(7))


class IncomeItem(Base):
    """One item of 家庭收入情况(预估), in yuan per year."""

    __tablename__ = "income_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    category: Mapped[str] = mapped_column(String(12))
    label: Mapped[str | None] = mapped_column(String(40))  # the wording as typed, e.g. 玉米补贴
    amount: Mapped[float] = mapped_column(default=0)

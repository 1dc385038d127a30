"""Hand-entered counts, fund projects, verification notes, office settings and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Versioned, new_uuid


class HandCount(Versioned, Base):
    """Counts typed by hand for a unit not kept in the register (附件1 village row, 附件2 unit row).

    A column left None was not typed and falls back to the derived value.
    """

    __tablename__ = "hand_counts"
    __table_args__ = (UniqueConstraint("period_id", "unit_id", "form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    form: Mapped[int] = mapped_column(default=1)
    total: Mapped[int | None]
    housing: Mapped[int | None]
    education: Mapped[int | None]
    medical: Mapped[int | None]
    water: Mapped[int | None]
    industry: Mapped[int | None]
    industry_started: Mapped[int | None]
    industry_benefited: Mapped[int | None]
    employment: Mapped[int | None]
    public_post: Mapped[int | None]
    graduate_placement: Mapped[int | None]
    dibao: Mapped[int | None]
    inc_lt_4400: Mapped[int | None]
    inc_4400_5000: Mapped[int | None]
    inc_ge_5000: Mapped[int | None]
    inc_5000_5760: Mapped[int | None]
    inc_gt_5760: Mapped[int | None]


class FundProject(Base):
    """A row of 附件3 (our design, forms.md §3); amounts in 万元."""

    __tablename__ = "fund_projects"
    __table_args__ = (UniqueConstraint("period_id", "uuid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str | None] = mapped_column(Text)
    fund_source: Mapped[str | None] = mapped_column(String(20))
    planned: Mapped[float] = mapped_column(default=0)
    received: Mapped[float] = mapped_column(default=0)
    disbursed: Mapped[float] = mapped_column(default=0)
    stage: Mapped[str] = mapped_column(String(6), default="未开工")
    planned_start: Mapped[str | None] = mapped_column(String(7))  # YYYY-MM, for P-05
    started_on: Mapped[dt.date | None]
    completed_on: Mapped[dt.date | None]
    households: Mapped[int] = mapped_column(default=0)
    persons: Mapped[int] = mapped_column(default=0)
    remark: Mapped[str | None] = mapped_column(Text)


class VerificationNote(Base):
    """核实说明: a clerk's note acknowledging a warning; keyed like a finding's location."""

    __tablename__ = "verification_notes"
    __table_args__ = (UniqueConstraint("period_id", "code", "target", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(5))
    target: Mapped[str] = mapped_column(String(60))  # person uuid, household uuid, unit path or project uuid
    field: Mapped[str] = mapped_column(String(30), default="")
    note: Mapped[str] = mapped_column(Text)
    who: Mapped[str | None] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now)


class Office(Base):
    """The single row of office settings."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    preparer: Mapped[str | None] = mapped_column(String(40))
    preparer_phone: Mapped[str | None] = mapped_column(String(20))
    upper_mailbox: Mapped[str | None] = mapped_column(String(120))
    mailbox: Mapped[str | None] = mapped_column(String(120))  # the office's own: the mail draft's From: (0005)
    # 挂牌督战 thresholds the office sets (supervision.md §3); None: the seeds' defaults (0005_ledgers).
    sv_county_over: Mapped[int | None]
    sv_township_at_least: Mapped[int | None]
    sv_incidence_over: Mapped[float | None]
    export_dir: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One change: period, record, field, old and new value, when and who (filler name + OS user)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=dt.datetime.now, index=True)
    who: Mapped[str | None] = mapped_column(String(80))
    os_user: Mapped[str | None] = mapped_column(String(80))
    period: Mapped[str | None] = mapped_column(String(7))
    action: Mapped[str] = mapped_column(String(20))  # update, insert, delete, export, reopen, import, ...
    table: Mapped[str | None] = mapped_column(String(30))
    record: Mapped[str | None] = mapped_column(String(60))
    field: Mapped[str | None] = mapped_column(String(30))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)

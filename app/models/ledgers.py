"""The year's ledgers (supervision.md §1–3): responsibility lists, problems, listed supervision.

They belong to a year, not to a period, so the month lock never freezes them; progress and 督战台账
entries are keyed by month ``YYYY-MM``. Multi-valued fields typed in one cell (责任领导, 责任人,
evidence file names) are kept as typed, joined by "、" (file names by newlines).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, new_uuid


class ResponsibilityList(Base):
    """One of the year's two lists (两张清单): the departments' or the townships'."""

    __tablename__ = "responsibility_lists"
    __table_args__ = (UniqueConstraint("year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))  # kernel.ledgers.LIST_KINDS
    title: Mapped[str | None] = mapped_column(String(120))

    tasks: Mapped[list[Task]] = relationship(
        back_populates="owner", order_by="Task.position", cascade="all, delete-orphan"
    )


class Task(Base):
    """A task of a list: 指标, 工作措施, 完成时限, 责任领导/单位/人; 状态 is derived from its unit rows."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("responsibility_lists.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    seq: Mapped[int | None]
    heading: Mapped[str | None] = mapped_column(String(120))  # 方面
    target: Mapped[str | None] = mapped_column(Text)  # 指标: name and target sentence
    target_value: Mapped[float | None]  # the 指标's number, where it has one (月度进展 in percent)
    target_unit: Mapped[str | None] = mapped_column(String(12))
    measures: Mapped[str | None] = mapped_column(Text)  # 工作措施
    deadline_text: Mapped[str | None] = mapped_column(String(120))  # 完成时限 as typed
    deadline: Mapped[dt.date | None]  # the last date of 完成时限 (a range's end)
    ongoing: Mapped[bool] = mapped_column(default=False)  # 长期坚持
    leaders: Mapped[str | None] = mapped_column(String(200))  # 责任领导
    units_text: Mapped[str | None] = mapped_column(String(200))  # 责任单位 as typed
    persons: Mapped[str | None] = mapped_column(String(200))  # 责任人
    created_on: Mapped[dt.date | None]  # entered in the list (NULL: before 0007_ledger_dates, not known)

    owner: Mapped[ResponsibilityList] = relationship(back_populates="tasks")
    units: Mapped[list[TaskUnit]] = relationship(
        back_populates="task", order_by="TaskUnit.position", cascade="all, delete-orphan"
    )


class TaskUnit(Base):
    """One 责任单位 of a task, tracked and closed out (对表销号) on its own; "各乡镇" gives one per township."""

    __tablename__ = "task_units"
    __table_args__ = (UniqueConstraint("task_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(6), default="未开始")
    closed_on: Mapped[dt.date | None]
    closed_basis: Mapped[str | None] = mapped_column(Text)  # 销号依据
    evidence_files: Mapped[str | None] = mapped_column(Text)  # file names, one a line

    task: Mapped[Task] = relationship(back_populates="units")
    progress: Mapped[list[TaskProgress]] = relationship(
        back_populates="task_unit", order_by="TaskProgress.month", cascade="all, delete-orphan"
    )


class TaskProgress(Base):
    """月度进展: one entry per month per 责任单位."""

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("task_unit_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_unit_id: Mapped[int] = mapped_column(ForeignKey("task_units.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    entered_on: Mapped[dt.date]
    text: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[float | None]

    task_unit: Mapped[TaskUnit] = relationship(back_populates="progress")


class Problem(Base):
    """A row of the problems ledger (问题整改台账), whatever its source."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    year: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    source: Mapped[str | None] = mapped_column(String(10))  # kernel.ledgers.PROBLEM_SOURCES
    description: Mapped[str | None] = mapped_column(Text)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    household_uuid: Mapped[str | None] = mapped_column(String(36))
    task_uuid: Mapped[str | None] = mapped_column(String(36))
    target_uuid: Mapped[str | None] = mapped_column(String(36))  # a 督战对象 that found it
    measures: Mapped[str | None] = mapped_column(Text)  # 整改措施
    resp_unit: Mapped[str | None] = mapped_column(String(120))
    resp_person: Mapped[str | None] = mapped_column(String(120))
    deadline: Mapped[dt.date | None]  # 整改时限
    status: Mapped[str] = mapped_column(String(6), default="未整改")
    closed_on: Mapped[dt.date | None]
    closed_basis: Mapped[str | None] = mapped_column(Text)
    evidence_files: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[dt.date | None]  # entered in the ledger (NULL: before 0007_ledger_dates, not known)
    feedback_month: Mapped[str | None] = mapped_column(String(7))  # 分析反馈: the data month of its 反馈单


class SupervisionTarget(Base):
    """A 督战对象 listed for the year, with why (seed 004's reason columns) and who answers for it."""

    __tablename__ = "supervision_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), default=new_uuid, unique=True)
    year: Mapped[int] = mapped_column(index=True)
    position: Mapped[int] = mapped_column(default=0)
    level: Mapped[str] = mapped_column(String(10))  # kernel.ledgers.TARGET_LEVELS
    name: Mapped[str] = mapped_column(String(80))
    county: Mapped[str | None] = mapped_column(String(60))  # 督战县, the group it prints under
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(12))  # kernel.ledgers.REASONS
    figure: Mapped[str | None] = mapped_column(String(40))  # as listed: "3071人", "15.93%"
    persons: Mapped[int | None]  # poor persons when listed; kept if the count later drops
    leaders: Mapped[str | None] = mapped_column(String(120))
    team_lead: Mapped[str | None] = mapped_column(String(120))  # 督战小分队部门牵头人

    entries: Mapped[list[SupervisionEntry]] = relationship(
        back_populates="target", order_by="SupervisionEntry.month", cascade="all, delete-orphan"
    )


class SupervisionEntry(Base):
    """督战台账: one entry per 督战对象 per month."""

    __tablename__ = "supervision_entries"
    __table_args__ = (UniqueConstraint("target_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("supervision_targets.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    entered_on: Mapped[dt.date]
    actions: Mapped[str | None] = mapped_column(Text)  # visits, meetings
    problems_found: Mapped[int] = mapped_column(default=0)
    problems_solved: Mapped[int] = mapped_column(default=0)
    remaining: Mapped[int | None]  # remaining poor persons, derived when entered
    note: Mapped[str | None] = mapped_column(Text)

    target: Mapped[SupervisionTarget] = relationship(back_populates="entries")

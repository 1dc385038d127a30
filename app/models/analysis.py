"""一报告 kept with the month (supervision.md §4): the figures frozen when the report was exported, and
the clerk's edits of the draft per section, which survive re-generation of the figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class AnalysisReport(Base):
    __tablename__ = "analysis_reports"
    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    figures: Mapped[str | None] = mapped_column(Text)  # the `analysis --json` document when exported
    exported_at: Mapped[dt.datetime | None]
    edits: Mapped[str | None] = mapped_column(Text)  # JSON {section heading: edited text}


class CheckSummary(Base):
    """The findings of a month and unit counted by code, severity and township, with the M-07
    anomalies: what the analysis quotes, kept so it does not re-run the whole check. Triggers
    (migration ``0007_ledger_dates``) delete the row when anything the check reads for the month
    is written; ``as_of`` is the day the date-dependent rules were judged on (V-01, R-rules)."""

    __tablename__ = "check_summaries"
    __table_args__ = (UniqueConstraint("period_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date]
    app_version: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)  # JSON, see app.services.analysis._summary

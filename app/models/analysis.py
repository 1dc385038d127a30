"""一报告 kept with the month (supervision.md §4): the figures frozen when the report was exported, and
the clerk's edits of the draft per section, which survive re-generation of the figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Text, UniqueConstraint
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

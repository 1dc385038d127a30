"""监测户 changes as typed requests for ``operations.execute`` (household-records.md §3).

``SaveMonitored`` is one save of the window's 监测户 editor, in one write transaction: the household
taken into monitoring (or its particulars corrected), then a new measure, a review and 风险消除 when
given. Refusals are ``monitoring.MonitorRefused`` / ``UsageError`` and roll the whole save back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MonitoredHousehold

from . import monitoring
from .operations import Changed


@dataclass(frozen=True)
class SaveMonitored:
    uuid: str | None  # None: take a household into monitoring
    village: str | None  # name or path; needed for a new one
    head_name: str
    kind: str
    colour: str
    reasons: tuple[str, ...]
    started_on: dt.date
    household: str | None = None  # a registered household's UUID (a proposed 红 household)
    measure: tuple[dt.date, str] | None = None  # a measure taken: date, text
    reviewed_on: dt.date | None = None
    cleared_on: dt.date | None = None  # 风险消除 date and basis (R-02 shows what is missing)
    cleared_basis: str | None = None

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[monitoring.MonitorChange, Changed]:
        if self.uuid is None:
            if not self.village:
                raise monitoring.MonitorRefused("请选择所在村。")
            uuid = monitoring.add_monitored(session, monitoring.AddMonitored(
                self.village, self.head_name, self.kind, self.started_on, self.colour, self.reasons,
                household=self.household)).monitored[0]
        else:
            uuid = self.uuid
            monitoring.edit_monitored(session, monitoring.EditMonitored(
                uuid, self.head_name, self.kind, self.colour, self.reasons, self.started_on))
        m = session.scalar(select(MonitoredHousehold).where(MonitoredHousehold.uuid == uuid))
        if self.measure is not None and self.measure[1].strip():
            monitoring.add_measure(session, monitoring.AddMeasure(uuid, *self.measure))
        if self.reviewed_on is not None and self.reviewed_on != m.reviewed_on:
            monitoring.review(session, monitoring.Review(uuid, self.reviewed_on))
        basis = (self.cleared_basis or "").strip() or None
        if (self.cleared_on, basis) != (m.cleared_on, m.cleared_basis):
            monitoring.clear_risk(session, monitoring.ClearRisk(uuid, self.cleared_on, basis))
        return (monitoring.MonitorChange((uuid,), monitoring.findings_of(session, uuid)),
                Changed(structural=self.uuid is None))

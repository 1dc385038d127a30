"""Household records (入户走访, the 动态调整 and 监测户 lists) and the month's analysis report as
typed requests for ``operations.execute``.

A visit adds rows to the problems ledger with it; an export is audited (and the analysis report's
export freezes the month's figures and enters its 反馈单 lines in the ledger), so each is a change and
goes through the one door like an edit. ``Outcome.changed`` names the records as ``(kind, uuid)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from . import adjustments, analysis, monitoring, papers, visits
from .operations import Changed


class _NoHousehold:
    """The register's findings do not change with these (a visit's own findings are in its value)."""

    def households(self, session: Session) -> set[int]:
        return set()


@dataclass(frozen=True)
class RecordVisit(_NoHousehold):
    """入户走访: one visit with its 五问/四讲/三看 and the problems raised (each also a ledger row)."""

    visit: visits.RecordVisit

    def run(self, session: Session) -> tuple[visits.VisitChange, Changed]:
        ch = visits.record_visit(session, self.visit)
        return ch, Changed(records=frozenset({("visit", u) for u in ch.visits}
                                             | {("problem", u) for u in ch.problems}), structural=True)


@dataclass(frozen=True)
class ExportAdjustmentList(_NoHousehold):
    """The month's 动态调整名单 as .xlsx and PDF (身份证号 masked); audited."""

    export: adjustments.ExportList

    def run(self, session: Session) -> tuple[adjustments.ExportResult, Changed]:
        return adjustments.export_list(session, self.export), Changed()


@dataclass(frozen=True)
class ExportMonitoredList(_NoHousehold):
    """The month's 监测户名单 as .xlsx and PDF; audited."""

    export: monitoring.ExportMonitored

    def run(self, session: Session) -> tuple[monitoring.MonitoredExport, Changed]:
        return monitoring.export_list(session, self.export), Changed()


@dataclass(frozen=True)
class SaveReportSection(_NoHousehold):
    """The clerk's text of one section of the month's analysis report (None: back to the generated
    text); the value is the month's edited sections (heading → text) and the section's text before,
    and the inverse puts that text back."""

    month: str | None
    unit: str | None
    heading: str
    text: str | None

    def run(self, session: Session) -> tuple[ReportEdits, Changed]:
        before = analysis.section_edits(session, self.month, self.unit).get(self.heading)
        edits = analysis.save_section(session, self.month, self.unit, self.heading, self.text)
        return ReportEdits(edits, before), Changed(records=frozenset({("report", f"{self.month}:{self.unit or ''}")}))

    def inverse(self, value: ReportEdits) -> SaveReportSection:
        return SaveReportSection(self.month, self.unit, self.heading, value.before)


@dataclass(frozen=True)
class ReportEdits:
    edits: dict[str, str]
    before: str | None


@dataclass(frozen=True)
class ReserveMonthFigures(_NoHousehold):
    """Before the month's analysis is computed in a read session: placeholders for the figures it
    will compute (``analysis.reserve_figures``); the value is period id → token."""

    month: str | None
    unit: str | None

    def run(self, session: Session) -> tuple[dict[int, str], Changed]:
        return analysis.reserve_figures(session, self.month, self.unit), Changed()


@dataclass(frozen=True)
class KeepMonthFigures(_NoHousehold):
    """The month figures computed in a read session, kept where no write has overtaken them
    (``analysis.keep_figures``); the value is how many were kept."""

    unit: str | None
    tokens: dict[int, str]
    computed: dict

    def run(self, session: Session) -> tuple[int, Changed]:
        return analysis.keep_figures(session, self.unit, self.tokens, self.computed), Changed()


@dataclass(frozen=True)
class ExportAnalysisReport(_NoHousehold):
    """一报告: the month's analysis report (.docx, PDF) written to ``out``, its figures frozen for next
    month's 上月, and (``feedback``) the townships' 反馈单 written with their lines entered in the
    problems ledger. Returns the files written."""

    out: Path
    month: str | None
    unit: str | None
    feedback: bool = True

    def run(self, session: Session) -> tuple[list[Path], Changed]:
        files = analysis.export_report(session, self.out, self.month, self.unit, feedback=self.feedback)
        return files, Changed(records=frozenset({("report", f"{self.month}:{self.unit or ''}")}),
                              structural=self.feedback)


@dataclass(frozen=True)
class ImportVisits(_NoHousehold):
    """A visits workbook (``guatu visits import``): every row recorded, or none when any row is refused
    (the value says which, with ``ok`` False, and nothing is written)."""

    workbook: visits.ImportVisits

    def run(self, session: Session) -> tuple[visits.ImportResult, Changed]:
        res = visits.import_visits(session, self.workbook)
        return res, Changed(records=frozenset(("visit", u) for u in res.visits), structural=bool(res.visits))


@dataclass(frozen=True)
class AddMonitored(_NoHousehold):
    """A household taken into monitoring (监测户, ``guatu monitored add``)."""

    monitored: monitoring.AddMonitored

    def run(self, session: Session) -> tuple[monitoring.MonitorChange, Changed]:
        ch = monitoring.add_monitored(session, self.monitored)
        return ch, Changed(records=frozenset(("monitored", u) for u in ch.monitored), structural=True)


@dataclass(frozen=True)
class WritePapers(_NoHousehold):
    """The households' papers (收入情况一览表, 扶贫手册, 治疗用药情况一览表) as one PDF; audited."""

    papers: papers.WritePapers

    def run(self, session: Session) -> tuple[dict, Changed]:
        return papers.write_papers(session, self.papers), Changed()


@dataclass(frozen=True)
class SaveMonitored(_NoHousehold):
    """One save of the window's 监测户 editor, in one transaction: the household taken into
    monitoring (``uuid`` None) or its particulars corrected, then a new measure, a review and
    风险消除 when given. A refusal (``monitoring.MonitorRefused``, ``UsageError``) rolls the whole
    save back."""

    uuid: str | None
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
        m = monitoring.get(session, uuid)
        if self.measure is not None and self.measure[1].strip():
            monitoring.add_measure(session, monitoring.AddMeasure(uuid, *self.measure))
        if self.reviewed_on is not None and self.reviewed_on != m.reviewed_on:
            monitoring.review(session, monitoring.Review(uuid, self.reviewed_on))
        basis = (self.cleared_basis or "").strip() or None
        if (self.cleared_on, basis) != (m.cleared_on, m.cleared_basis):
            monitoring.clear_risk(session, monitoring.ClearRisk(uuid, self.cleared_on, basis))
        return (monitoring.MonitorChange((uuid,), monitoring.findings_of(session, uuid)),
                Changed(records=frozenset({("monitored", uuid)}), structural=self.uuid is None))

"""Everything the counts view shows for one form, unit and month, gathered in one call. No Qt.

The view never runs SQL: it asks for a ``CountSheet`` (rows as exported, last month's values, the
findings of each cell with their verification notes) and for the persons behind a cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import HandCount, Period, Unit
from app.rules.findings import Finding

from . import checks, counts, projects
from .errors import UsageError
from .periods import get_period, previous_period, state_label
from .units import default_unit, root_units


@dataclass
class CountSheet:
    form: int
    month: str
    state: str  # 填报中 / 已报送
    locked: bool
    unit_name: str
    rows: list[counts.CountRow]
    previous: list[dict[str, Any] | None]  # last month's values of each row, aligned with rows
    previous_month: str | None
    findings: list[Finding] = field(default_factory=list)  # of this form, notes filled in
    cell_findings: dict[tuple[int, str], list[Finding]] = field(default_factory=dict)  # (row, code)
    # village id → the version of its typed-count row as shown (absent: nothing typed, version 0);
    # a typed count is based on it (``operations.SetHandCount.base_version``)
    versions: dict[int, int] = field(default_factory=dict)

    def version(self, row: int) -> int:
        return self.versions.get(self.rows[row].unit_id or -1, 0)

    def value(self, row: int, code: str) -> Any:
        return self.rows[row].values.get(code)

    def previous_value(self, row: int, code: str) -> Any:
        prev = self.previous[row]
        return None if prev is None else prev.get(code)

    def typed(self, row: int, code: str) -> bool:
        return code in self.rows[row].typed

    def typed_any(self, row: int) -> bool:
        return bool(self.rows[row].typed)

    def derived_value(self, row: int, code: str) -> int | None:
        return self.rows[row].derived.get(code) if self.rows[row].kind == "unit" else None


def count_sheet(session: Session, month: str, unit_id: int, form: int) -> CountSheet:
    """The sheet of 附件``form`` (1, 2 or 3) for unit ``unit_id`` in ``month``."""
    period = get_period(session, month)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UsageError(f"单位不存在（{unit_id}）。")
    if int(form) == 3:
        return _project_sheet(session, period, unit)
    form = counts.check_form(form)
    rows = counts.count_rows(session, period, unit, form)
    prev_period = previous_period(session, period)
    before: dict = {}
    if prev_period is not None:
        before = {counts.row_key(r): r.values for r in counts.count_rows(session, prev_period, unit, form)}
    findings = checks.apply_notes(session, period, counts.count_findings(session, period, unit, forms=(form,)))
    sheet = CountSheet(
        form=form, month=period.month, state=state_label(period), locked=period.locked, unit_name=unit.name,
        rows=rows, previous=[before.get(counts.row_key(r)) for r in rows],
        previous_month=prev_period.month if prev_period else None, findings=findings,
    )
    sheet.versions = dict(session.execute(select(HandCount.unit_id, HandCount.version).where(
        HandCount.period_id == period.id, HandCount.form == form)).all())
    by_unit = {r.unit: i for i, r in enumerate(rows) if r.kind == "unit"}
    for f in findings:
        i = by_unit.get(f.unit or "")
        if i is not None and f.field:
            sheet.cell_findings.setdefault((i, f.field), []).append(f)
    return sheet


def _project_key(values: dict, record: str | None) -> tuple:
    return (values["kind"], record or values["township"])


def _project_sheet(session: Session, period: Period, unit: Unit) -> CountSheet:
    """附件3: project rows (our design), last month's row of the same project, P-rule findings."""
    if unit.level == "village" and unit.parent is not None:
        unit = unit.parent
    rows = [counts.CountRow(values, None, values["township"], record=uuid)
            for values, uuid in projects.project_rows_with_uuid(session, period, unit)]
    prev_period = previous_period(session, period)
    before: dict = {}
    if prev_period is not None:
        before = {_project_key(v, u): v for v, u in projects.project_rows_with_uuid(session, prev_period, unit)}
    findings = checks.apply_notes(session, period, checks.project_findings(session, period, unit))
    sheet = CountSheet(
        form=3, month=period.month, state=state_label(period), locked=period.locked, unit_name=unit.name,
        rows=rows, previous=[before.get(_project_key(r.values, r.record)) for r in rows],
        previous_month=prev_period.month if prev_period else None, findings=findings,
    )
    by_record = {r.record: i for i, r in enumerate(rows) if r.record}
    for f in findings:
        i = by_record.get(f.target)
        if i is not None and f.field:
            sheet.cell_findings.setdefault((i, f.field), []).append(f)
    return sheet


def default_unit_id(session: Session) -> int | None:
    """The office's own unit, or the first county: what the counts window opens on."""
    unit = default_unit(session)
    if unit is None:
        roots = root_units(session)
        unit = roots[0] if roots else None
    return unit.id if unit is not None else None


def set_cell(session: Session, month: str, row: counts.CountRow, form: int, code: str, value: int | None
             ) -> tuple[int | None, int | None]:
    """Type (None: un-type) one count of a village row of 附件1/附件2 by hand; audited, open months only."""
    village = session.get(Unit, row.unit_id) if row.unit_id is not None else None
    if row.kind != "unit" or village is None or village.level != "village":
        raise UsageError("只有村一级的行可以手工填报；合计行由系统计算。")
    return counts.set_hand_count(session, get_period(session, month), village, form, code, value)


def cell_persons(session: Session, month: str, unit_id: int, form: int, row: counts.CountRow,
                 code: str) -> list[dict[str, Any]]:
    """The register persons behind one cell (drill-down)."""
    period = get_period(session, month)
    unit = session.get(Unit, row.unit_id if row.unit_id is not None else unit_id)
    assert unit is not None
    return counts.derived_persons(session, period, unit, code, form)


def save_note(session: Session, month: str, finding: Finding, text: str) -> Finding:
    """Keep the 核实说明 of a count finding (``checks.add_note``: audited, open months only)."""
    from .office import get_office

    checks.add_note(session, month, finding, text, who=get_office(session).preparer)
    return finding.at(note=text.strip())


def unit_scope(session: Session, unit_id: int) -> tuple[str, str]:
    """(level, name) of a unit: what the form's title scope word (全县/全镇 …) follows."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UsageError(f"单位不存在（{unit_id}）。")
    return unit.level, unit.name

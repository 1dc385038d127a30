"""附件3 fund projects (forms.md §3, our design): the project register and its rows. No Qt.

Amounts are 万元. 拨付进度 is computed (P-03: 已拨付 ÷ 计划投资 × 100, one decimal, half up), never
typed; with no planned amount it is 0.0 (as ``app.rules.projects.progress_of``: count cells are never
blank). Rows as
exported: for a county, the county total row (乡镇 ``全县合计数``) first; then per township its
total row (项目名称 ``全乡合计``/``全镇合计``) and its projects; seq runs through every row.
The P-rules over the register's projects are ``app.services.checks.project_findings``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import FUND_SOURCES, PROJECT_STAGES, canonical
from app.forms.layouts import COUNTY_TOTAL_LABEL, township_total_label
from app.models import FundProject, Period, Unit
from app.rules.projects import progress_of

from . import audit
from .errors import Refused, UsageError
from .periods import require_open

ROW_CODES = (
    "seq", "county", "township", "name", "content", "fund_source", "planned", "received", "disbursed",
    "progress", "stage", "started_on", "completed_on", "households", "persons", "remark",
)
AMOUNTS = ("planned", "received", "disbursed")
EDITABLE = (
    "name", "content", "fund_source", *AMOUNTS, "stage", "planned_start", "started_on", "completed_on",
    "households", "persons", "remark", "position",
)


def progress(disbursed: float | None, planned: float | None) -> float:
    """拨付进度 in %, one decimal rounded half up; 0.0 without a planned amount."""
    return float(progress_of(planned, disbursed))  # the P-03 derivation, so form and rule agree


def _amount(total: float) -> float:
    return float(Decimal(str(total)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _date(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _townships(unit: Unit) -> tuple[Unit | None, list[Unit]]:
    if unit.level == "county":
        return unit, [t for t in unit.children if t.level == "township"]
    if unit.level == "township":
        return unit.parent, [unit]
    raise UsageError(f"附件3按乡镇填报，“{unit.name}”是村，请选择乡镇或县。")


def projects_of(session: Session, period: Period, townships: list[int]) -> list[FundProject]:
    if not townships:
        return []
    q = (
        select(FundProject)
        .where(FundProject.period_id == period.id, FundProject.township_id.in_(townships))
        .order_by(FundProject.position, FundProject.id)
    )
    return list(session.scalars(q))


def project_row(p: FundProject, county: str | None, township: str) -> dict[str, Any]:
    return {
        "kind": "project", "seq": None, "county": county, "township": township, "name": p.name,
        "content": p.content, "fund_source": p.fund_source, "planned": p.planned, "received": p.received,
        "disbursed": p.disbursed, "progress": progress(p.disbursed, p.planned), "stage": p.stage,
        "started_on": _date(p.started_on), "completed_on": _date(p.completed_on),
        "households": p.households, "persons": p.persons, "remark": p.remark,
    }


def _total(kind: str, county: str | None, township: str, name: str | None, rows: list[dict]) -> dict[str, Any]:
    sums = {c: _amount(sum(r[c] or 0 for r in rows)) for c in AMOUNTS}
    return {
        "kind": kind, "seq": None, "county": county, "township": township, "name": name, "content": None,
        "fund_source": None, **sums, "progress": progress(sums["disbursed"], sums["planned"]), "stage": None,
        "started_on": None, "completed_on": None, "households": sum(r["households"] or 0 for r in rows),
        "persons": sum(r["persons"] or 0 for r in rows), "remark": None,
    }


def project_rows_with_uuid(session: Session, period: Period, unit: Unit) -> list[tuple[dict[str, Any], str | None]]:
    """The 附件3 rows with each project row's uuid (None for total rows), for findings and the UI."""
    county, townships = _townships(unit)
    county_name = county.name if county else None
    by_township: dict[int, list[FundProject]] = {t.id: [] for t in townships}
    for p in projects_of(session, period, list(by_township)):
        by_township[p.township_id].append(p)
    out: list[tuple[dict[str, Any], str | None]] = []
    every: list[dict] = []
    for t in townships:
        rows = [(project_row(p, county_name, t.name), p.uuid) for p in by_township[t.id]]
        every.extend(r for r, _ in rows)
        out.append((_total("township_total", county_name, t.name, township_total_label(t.name), [r for r, _ in rows]), None))
        out.extend(rows)
    if unit.level == "county":
        out.insert(0, (_total("county_total", county_name, COUNTY_TOTAL_LABEL, None, every), None))
    for i, (r, _) in enumerate(out, 1):
        r["seq"] = i
    return out


def project_rows(session: Session, period: Period, unit: Unit) -> list[dict[str, Any]]:
    """The rows of 附件3 exactly as ``guatu counts --form 3 --json`` prints them."""
    return [r for r, _ in project_rows_with_uuid(session, period, unit)]


# ---------------------------------------------------------------- editing (audited, open months only)


def _clean(field: str, value: Any) -> Any:
    if field not in EDITABLE:
        raise UsageError(f"项目没有“{field}”这一项。")
    if field == "fund_source" and value is not None:
        v = canonical(value, FUND_SOURCES)
        if v is None:
            raise Refused(f"资金来源“{value}”不是规定选项（{'、'.join(FUND_SOURCES)}）。")
        return v
    if field == "stage":
        v = canonical(value, PROJECT_STAGES)
        if v is None:
            raise Refused(f"实施进度“{value}”不是规定选项（{'、'.join(PROJECT_STAGES)}）。")
        return v
    if field in AMOUNTS:
        return float(value or 0)
    if field in ("households", "persons", "position"):
        return int(value or 0)
    if field in ("started_on", "completed_on") and isinstance(value, str):
        return dt.date.fromisoformat(value) if value else None
    return value


def get_project(session: Session, period: Period, uuid: str) -> FundProject:
    p = session.scalars(select(FundProject).where(FundProject.period_id == period.id, FundProject.uuid == uuid)).first()
    if p is None:
        raise UsageError(f"{period.month} 没有这个项目（{uuid}）。")
    return p


def add_project(session: Session, period: Period, township: Unit, **values: Any) -> FundProject:
    """A new project of ``township`` in an open month; audited. Returns it (flushed, with uuid)."""
    require_open(period)
    if township.level != "township":
        raise UsageError(f"项目属于乡镇，“{township.name}”不是乡镇。")
    cleaned = {k: _clean(k, v) for k, v in values.items()}
    if "position" not in cleaned:
        cleaned["position"] = len(projects_of(session, period, [township.id]))
    p = FundProject(period_id=period.id, township_id=township.id, **cleaned)
    session.add(p)
    session.flush()
    audit.record(session, "insert", period=period.month, table="fund_projects", record=p.uuid, new=p.name)
    return p


def update_project(session: Session, period: Period, uuid: str, **values: Any) -> dict[str, tuple[Any, Any]]:
    """Change fields of a project in an open month; returns {field: (old, new)}, each audited."""
    require_open(period)
    p = get_project(session, period, uuid)
    changed = {}
    for key, raw in values.items():
        new = _clean(key, raw)
        old = getattr(p, key)
        if old != new:
            setattr(p, key, new)
            changed[key] = (old, new)
            audit.record(session, "update", period=period.month, table="fund_projects", record=uuid,
                         field=key, old=old, new=new)
    session.flush()
    return changed


def delete_project(session: Session, period: Period, uuid: str) -> str:
    """Remove a project from an open month; audited. Returns its name."""
    require_open(period)
    p = get_project(session, period, uuid)
    name = p.name
    session.delete(p)
    audit.record(session, "delete", period=period.month, table="fund_projects", record=uuid, old=name)
    session.flush()
    return name


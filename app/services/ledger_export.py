"""Exports of the year's ledgers (supervision.md §5): the services fill the view-models, the
exporters print them in the official layout. Each export is audited."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from app.exporters import ledgers as X
from app.kernel.ledger_views import LedgerHeader
from app.kernel.ledgers import month_key
from app.models import Office

from . import audit
from .errors import UsageError
from .ledgers import list_views, problem_lines
from .periods import get_period
from .supervision import Thresholds, target_lines, township_lines
from .units import default_unit


def header(session: Session, today: dt.date, month: str | None = None) -> tuple[LedgerHeader, str]:
    """The header block (unit, preparer, phone, date, data month) and the unit's level."""
    unit = default_unit(session)
    office = session.get(Office, 1)
    return LedgerHeader(unit=unit.name if unit else "", month=month or month_key(today),
                        preparer=office.preparer if office else None, phone=office.preparer_phone if office else None,
                        today=today), unit.level if unit else ""


def _done(session: Session, what: str, out: Path, rows: int) -> int:
    audit.record(session, "export", table=what, record=out.name, new=f"{rows}行")
    return rows


def export_list(session: Session, year: int, kind: str, out: Path, today: dt.date) -> int:
    views = list_views(session, year, today, kind)
    if not views:
        raise UsageError(f"{year}年还没有这张清单，请先导入（guatu tasks import）。")
    head, _ = header(session, today)
    return _done(session, "responsibility_lists", out, X.write(X.list_table(views[0], head), out))


def export_problems(session: Session, year: int, out: Path, today: dt.date) -> int:
    head, _ = header(session, today)
    return _done(session, "problems", out, X.write(X.problem_table(problem_lines(session, year, today), head, year), out))


def export_supervision(session: Session, year: int, out: Path, today: dt.date) -> int:
    head, level = header(session, today)
    table = X.supervision_table(target_lines(session, year, today), head, X.level_label(level))
    return _done(session, "supervision_targets", out, X.write(table, out))


def export_townships(session: Session, month: str | None, out: Path, thresholds: Thresholds, today: dt.date) -> int:
    period = get_period(session, month)
    head, _ = header(session, today, period.month)
    table = X.township_table(township_lines(session, period, thresholds), head, thresholds.township_at_least)
    return _done(session, "townships", out, X.write(table, out))


def write_into(session: Session, folder: Path, year: int, month: str, today: dt.date,
               draft: bool = False) -> list[tuple[str, int]]:
    """The year's ledgers as .xlsx and .pdf inside a month package: (file name, rows) for the manifest.

    Only what the year holds is written (no empty list files)."""
    from app.forms.layouts import DRAFT_SUFFIX

    head, level = header(session, today, month)
    tables = [X.list_table(v, head) for v in list_views(session, year, today)]
    problems = problem_lines(session, year, today)
    if problems:
        tables.append(X.problem_table(problems, head, year))
    targets = target_lines(session, year, today)
    if targets:
        tables.append(X.supervision_table(targets, head, X.level_label(level)))
    out: list[tuple[str, int]] = []
    at = dt.datetime.now()
    for table in tables:
        stem = f"{table.name}{DRAFT_SUFFIX if draft else ''}"
        for ext in ("xlsx", "pdf"):
            name = f"{stem}.{ext}"
            out.append((name, X.write(table, folder / name, exported_at=at)))
    return out

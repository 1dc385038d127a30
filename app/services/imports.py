"""Import files into a period: preview what would change, then apply it in one transaction.

``preview_import`` reads every file (hostile-file checks first), runs the rules engine over what
the files state and matches it against the register, per unit: added, changed or left as is. It
writes nothing. ``apply_import`` refuses — writing nothing — on any E finding, a bad file, a
locked month, or a unit+period already present with differences unless ``replace=True``.
The caller's session is the one transaction; ``before_write`` (e.g. a backup) runs just before
the first write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.importers.incoming import Source
from app.models import Period
from app.rules.data import Context
from app.rules.engine import check_households
from app.rules.findings import Finding

from .checks import gc_paused
from .errors import Refused, UsageError, month_label
from .import_plan import ImportPlan, UnitChange, plan_units, write_plan
from .periods import check_month

SCHEMA_CODES = frozenset({"I-10", "I-11", "I-12"})  # app.importers.schema: the records are not safe to use


def read_file(path: Path, period: str | None = None, passphrase: str | None = None) -> Source:
    """One file as a ``Source``. The readers turn every problem of a file into findings; should one
    still raise on some file nobody foresaw, that file is refused (I-01, logged), never the command."""
    from app.importers import package, workbook

    try:
        if package.is_package(path):
            return package.read_package(path, passphrase)
        return workbook.read_workbook(path, period)
    except (MemoryError, RecursionError, ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as e:
        from app.logging_setup import log_exception

        where = log_exception(e)
        src = Source(file=path.name, kind="workbook")
        src.findings.append(Finding("I-01", "E", f"文件无法读取（{type(e).__name__}），已拒绝；详情见日志 {where}",
                                    file=path.name))
        return src


def _period(sources: list[Source], period: str | None) -> str:
    """The month to import into: ``--period``, else the month the packages or workbooks carry.

    A package must be imported into its own month; a workbook's month (its hidden sheet) is only the
    default — last month's workbook, corrected, may be imported into this month with ``--period``."""
    carried = {s.period for s in sources if s.period}
    if len(carried) > 1 and not period:
        raise UsageError(f"所选文件的数据月份不同（{'、'.join(sorted(carried))}），请分别导入。")
    if period:
        check_month(period)
        packaged = {s.period for s in sources if s.period and s.kind == "package"}
        if packaged and packaged != {period}:
            raise UsageError(f"数据包是 {packaged.pop()} 的数据，与所选月份 {period} 不符。")
        return period
    if carried:
        return carried.pop()
    if any(s.kind == "workbook" for s in sources):
        raise UsageError("工作簿中没有数据月份，请指明导入到哪个月份。")
    raise UsageError("没有可导入的数据。")  # every file was rejected: the caller reports why


def preview_import(session: Session, files: Iterable[str | Path], period: str | None = None, *,
                   passphrase: str | None = None) -> ImportPlan:
    """Read and check every file, match against the register; writes nothing. ``passphrase`` opens a
    package's encrypted personal identifiers."""
    with gc_paused():
        return _preview(session, files, period, passphrase)


def _preview(session: Session, files: Iterable[str | Path], period: str | None,
             passphrase: str | None = None) -> ImportPlan:
    paths = [Path(f) for f in files]
    for p in paths:
        if not p.exists():
            raise UsageError(f"找不到文件：{p}")
    sources = [read_file(p, period, passphrase) for p in paths]
    try:
        month = _period(sources, period)
    except UsageError:
        if not any(f.severity == "E" for s in sources for f in s.findings):
            raise
        month = ""  # a rejected package carries no readable period: report its findings (exit 1)
    plan = ImportPlan(period=month, files=[p.name for p in paths], sources=sources)
    for s in sources:
        plan.findings.extend(s.findings)
        plan.normalised.extend(s.normalised)
    if not month or any(f.code in SCHEMA_CODES for f in plan.findings):
        return plan  # records that break the schema are not computed on, nor planned
    ctx = Context(month)
    hs = [h.data for s in sources for h in s.households]
    if hs:
        cols = {(s.file, sheet): c for s in sources for sheet, c in s.columns.items()}
        plan.findings.extend(_locate(f, cols) for f in check_households(hs, ctx))
    p = session.scalars(select(Period).where(Period.month == month)).first()
    plan.locked = bool(p and p.locked)
    if plan.locked:
        plan.findings.append(Finding("I-08", "E", f"{month_label(month)}已报送并锁定，不能导入；如需修改请先重新打开。"))
    plan_units(session, plan, p)
    return plan


_FIELD_COLUMN = {
    "head_phone": "head_contact", "head_name": "head_contact", "helper_name": "helper_contact",
    "helper_phone": "helper_contact", "income_items": "income", "members": "name", "prior_income": None,
}


def _locate(f: Finding, cols: dict[tuple, dict[str, str]]) -> Finding:
    if f.column or not f.field:
        return f
    c = cols.get((f.file, f.sheet))
    if not c:
        return f
    code = _FIELD_COLUMN.get(f.field, f.field)
    return f.at(column=c.get(code)) if code and c.get(code) else f


def apply_import(session: Session, plan: ImportPlan, replace: bool = False,
                 before_write: Callable[[ImportPlan], None] | None = None) -> dict[str, Any]:
    """Write the plan in the caller's transaction, or raise ``Refused`` having written nothing."""
    if plan.errors:
        raise Refused(f"导入被拒绝：发现{len(plan.errors)}个错误，数据库未作任何修改。", plan.errors)
    if plan.locked:
        raise Refused(f"{month_label(plan.period)}已报送并锁定，不能导入；如需修改请先重新打开该月份。")
    if plan.needs_replace and not replace:
        lines = [f"{u.unit}：{d}" for u in plan.needs_replace for d in u.differences[:20]]
        raise Refused(
            "以下单位本月已有数据且与导入文件不同，需确认替换：\n  "
            + "\n  ".join(lines[:200]),
            [Finding("I-07", "E", f"{u.unit}本月已有数据，与文件不同（{len(u.differences)}处）", file=u.file,
                     unit=u.unit) for u in plan.needs_replace],
        )
    if before_write is not None:
        before_write(plan)
    with gc_paused():
        return write_plan(session, plan)


def describe(plan: ImportPlan) -> list[str]:
    """The preview as lines for people (CLI without --json)."""
    out = [f"导入到 {month_label(plan.period)}：" if plan.period else "导入："]
    names = {"added": "新增", "changed": "有变化", "unchanged": "无变化"}
    for u in plan.units:
        h = u.households
        extra = f"（{h.get('added', 0)}户新增，{h.get('changed', 0)}户变化，{h.get('removed', 0)}户减少）" \
            if u.kind == "households" else ""
        out.append(f"  {u.unit}  {names[u.status]}{extra}")
    a = plan.totals("added")
    c = plan.totals("changed")
    out.append(f"合计：新增{a['households']}户{a['persons']}人，变化{c['households']}户{c['persons']}人；"
               f"规范化{len(plan.normalised)}处，发现{len(plan.findings)}个问题。")
    return out


__all__ = ["ImportPlan", "UnitChange", "apply_import", "describe", "preview_import"]


@dataclass(frozen=True)
class ImportFiles:
    """导入: the files previewed and written in one transaction (``operations.execute``); the value
    is ``(plan, result)``. A refusal is raised with the plan attached (``error.plan``), so the caller
    can still say what the files held."""

    files: tuple[str, ...]
    period: str | None = None
    replace: bool = False
    passphrase: str | None = None
    before_write: Callable[[ImportPlan], None] | None = None

    def households(self, session: Session) -> set[int]:
        return set()  # whole units are written: the month is to be checked again, not a few households

    def run(self, session: Session) -> tuple[tuple[ImportPlan, dict[str, Any]], Any]:
        from .operations import Changed
        from .periods import get_period

        plan = preview_import(session, self.files, self.period, passphrase=self.passphrase)
        try:
            result = apply_import(session, plan, replace=self.replace, before_write=self.before_write)
        except Refused as e:
            e.plan = plan
            raise
        period = get_period(session, plan.period)
        return (plan, result), Changed(periods=frozenset({period.id}), structural=True)

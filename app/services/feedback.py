"""一反馈 (supervision.md §4): one 反馈单 per township of the analysed unit — its open problems with
deadlines, its overdue tasks, its red/yellow households without a new measure this month, its open
E findings, its households past their expected month. ``record_feedback`` makes each line a problem
in the ledger (来源 分析反馈), or links it to the open one already there, so next month's analysis
and sheets report which were fixed (a closed-out problem leaves the sheet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.kernel.feedback import FEEDBACK_SOURCE, FeedbackLine, FeedbackSheet
from app.kernel.ledgers import PROBLEM_CLOSED, REPORT_DAY
from app.kernel.month import Month
from app.models import Period, Problem, Unit

from . import audit
from .checks import check_period
from .periods import get_period
from .register_scope import Scope, dbapi, unit_or_default


def feedback_due(period: str) -> dt.date:
    """整改时限 of a feedback line: the 20th of the month after the next analysis is sent (a month to fix it)."""
    m = Month.parse(period).next().next()
    return dt.date(m.year, m.month, REPORT_DAY)


def _candidate_lines(session: Session, period: Period, unit: Unit) -> dict[str, list[FeedbackLine]]:
    """Lines found this month, per township, before they are matched against the ledger."""
    scope = Scope(session, unit)
    out: dict[str, list[FeedbackLine]] = defaultdict(list)
    c, w = dbapi(session), scope.where
    due = feedback_due(period.month)
    head = "(SELECT name FROM persons x WHERE x.household_id = h.id AND x.relation = '户主' LIMIT 1)"
    # red/yellow households none of whose measures started this month (measures.start_month)
    new_measure = "EXISTS (SELECT 1 FROM measures m WHERE m.household_id = h.id AND m.start_month >= :month)"
    for uuid, vid, name, colour in c.execute(
            f"SELECT h.uuid, h.village_id, {head}, h.risk_colour FROM households h WHERE h.period_id = :pid{w} "
            f"AND h.risk_colour IN ('red', 'yellow') AND NOT h.closed_out AND NOT {new_measure} "
            "ORDER BY h.village_id, h.position", {"pid": period.id, "month": period.month}):
        colour_name = "红色" if colour == "red" else "黄色"
        out[scope.township[vid]].append(FeedbackLine(
            "红黄户无新措施", f"{colour_name}预警户{name or ''}本月无新的帮扶措施，请研究落实针对性措施",
            scope.units.paths.get(vid, ""), uuid, name, due, None, ""))
    for uuid, vid, name, expected in c.execute(
            f"SELECT h.uuid, h.village_id, {head}, h.expected_month FROM households h WHERE h.period_id = :pid{w} "
            "AND NOT h.closed_out AND length(h.expected_month) = 7 AND replace(h.expected_month, '.', '-') <= :month "
            "ORDER BY h.village_id, h.position", {"pid": period.id, "month": period.month}):
        out[scope.township[vid]].append(FeedbackLine(
            "预计时间已过", f"{name or ''}户预计{expected}收入达到5000元以上，时间已到尚未销号，请核实",
            scope.units.paths.get(vid, ""), uuid, name, due, None, ""))
    for f in check_period(session, period, unit):
        if f.severity != "E" or not f.unit:
            continue
        township = f.unit.split("/")[0]
        if township in {scope.township[v] for v in scope.villages}:
            out[township].append(FeedbackLine("错误", f"{f.code} {f.message}", f.unit, f.household, None, due, None, ""))
    return out


def _ledger_lines(session: Session, period: Period, unit: Unit, townships: list[str]) -> dict[str, list[FeedbackLine]]:
    """Open problems and overdue task lines of each township, as of the data month's last day."""
    from .ledgers import list_views, problem_lines

    m = Month.parse(period.month)
    as_of = m.last_day
    out: dict[str, list[FeedbackLine]] = defaultdict(list)
    wanted = set(townships)
    for p in problem_lines(session, m.year, as_of):
        if p.status == PROBLEM_CLOSED or p.feedback_month is not None:
            continue  # a line of an earlier 反馈单 comes back through its own kind
        t = (p.unit or "").split("/")[0] if p.unit else (p.resp_unit or "")
        t = t if t in wanted else (p.resp_unit if p.resp_unit in wanted else None)
        if t:
            out[t].append(FeedbackLine("问题", p.description or "", p.unit or t, p.household, None, p.deadline,
                                       p.uuid, p.status))
    for v in list_views(session, m.year, as_of):
        for ln in v.lines:
            if ln.overdue and ln.unit in wanted:
                out[ln.unit].append(FeedbackLine("逾期任务", f"任务{ln.seq or ''}“{ln.target or ''}”已逾期（完成时限{ln.deadline_text}）",
                                                 ln.unit, None, None, ln.deadline, None, ln.status))
    return out


def feedback_sheets(session: Session, period: Period | str | None = None, unit: Unit | str | None = None
                    ) -> list[FeedbackSheet]:
    """The month's 反馈单 of every township of ``unit``, each line linked to its ledger problem if there is one."""
    period = period if isinstance(period, Period) else get_period(session, period)
    unit = unit_or_default(session, unit)
    scope = Scope(session, unit)
    townships = list(dict.fromkeys(scope.township[v] for v in scope.villages))
    found = _candidate_lines(session, period, unit)
    ledger = _ledger_lines(session, period, unit, townships)
    known = _feedback_problems(session, Month.parse(period.month).year)
    prev = str(Month.parse(period.month).previous())
    sheets = []
    for t in townships:
        lines = list(ledger.get(t, []))
        for ln in found.get(t, []):
            p = known.get((ln.household or ln.unit, ln.description))
            if p is not None and p.status == PROBLEM_CLOSED:
                continue  # fixed: 已销号 lines leave the sheet
            lines.append(ln if p is None else _linked(ln, p))
        last = [p for p in known.values() if p.resp_unit == t and p.description and p.feedback_month == prev]
        sheets.append(FeedbackSheet(t, unit.name, period.month, tuple(lines),
                                    sum(p.status == PROBLEM_CLOSED for p in last),
                                    sum(p.status != PROBLEM_CLOSED for p in last)))
    return sheets


def _linked(ln: FeedbackLine, p: Problem) -> FeedbackLine:
    return FeedbackLine(ln.kind, ln.description, ln.unit, ln.household, ln.head, p.deadline, p.uuid, p.status)


def _feedback_problems(session: Session, year: int) -> dict[tuple[str, str], Problem]:
    rows = session.scalars(select(Problem).where(Problem.year == year, Problem.source == FEEDBACK_SOURCE)
                           .order_by(Problem.id))
    return {(p.household_uuid or _unit_key(session, p), p.description or ""): p for p in rows}


def _unit_key(session: Session, p: Problem) -> str:
    from app.models.units import unit_path

    u = session.get(Unit, p.unit_id) if p.unit_id else None
    return unit_path(u) if u is not None else ""


def record_feedback(session: Session, period: Period | str | None = None, unit: Unit | str | None = None,
                    today: dt.date | None = None) -> list[FeedbackSheet]:
    """Enter every new line of the month's sheets in the problems ledger (来源 分析反馈, 责任单位 the
    township, 整改时限 ``feedback_due``, ``feedback_month`` the data month, entered ``today``); lines
    already there stay linked. Returns the sheets, linked."""
    today = today or dt.date.today()
    period = period if isinstance(period, Period) else get_period(session, period)
    unit = unit_or_default(session, unit)
    year = Month.parse(period.month).year
    paths = {p: i for i, p in Scope(session, unit).units.paths.items()}
    position = session.query(Problem).filter(Problem.year == year).count()
    for sheet in feedback_sheets(session, period, unit):
        for ln in sheet.lines:
            if ln.problem is not None or ln.kind == "逾期任务":
                continue  # a problem already, or a task of the lists (tracked there)
            p = Problem(year=year, position=position, source=FEEDBACK_SOURCE, description=ln.description,
                        unit_id=paths.get(ln.unit), household_uuid=ln.household, resp_unit=sheet.township,
                        deadline=ln.deadline, status="未整改", feedback_month=period.month, opened_on=today)
            position += 1
            session.add(p)
            session.flush()
            audit.record(session, "insert", table="problems", record=p.uuid, new=p.description)
    return feedback_sheets(session, period, unit)

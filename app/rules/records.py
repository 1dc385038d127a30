"""Rules on household records (household-records.md): A-01…A-03 on 动态调整, V-01…V-03 on visits.

Pure: the service gathers what each rule needs (the month's records, which persons appear in a
later month, which households were ever closed out) as plain data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from app.domain import ADJUSTMENT_KINDS, ADJUSTMENT_SIGN, SATISFACTION_TARGET
from app.kernel.month import Month

from .findings import Finding

LEAVES = frozenset(k for k, s in ADJUSTMENT_SIGN.items() if s < 0)


@dataclass(frozen=True, slots=True)
class AdjustmentData:
    uuid: str
    period: str  # YYYY-MM
    kind: str | None
    cause: str | None
    household: str
    person: str | None
    name: str | None  # the person's, or the head's for a household record
    age: int | None
    effective_on: dt.date | None
    reason: str | None
    unit: str | None = None  # 乡镇/村


def _f(code: str, severity: str, message: str, a: AdjustmentData, field: str | None = None) -> Finding:
    return Finding(code, severity, message, unit=a.unit, household=a.household, person=a.person,
                   field=field, target=a.uuid)


def _who(a: AdjustmentData) -> str:
    return f"{a.kind or '调整'}（{a.name or '未填姓名'}）"


def a01_complete(a: AdjustmentData) -> list[Finding]:
    """A-01 E: kind, a date within the data month, and a reason."""
    out = []
    if a.kind not in ADJUSTMENT_KINDS:
        out.append(_f("A-01", "E", f"动态调整{_who(a)}的调整类型应为{'、'.join(ADJUSTMENT_KINDS)}之一", a, "kind"))
    m = Month.parse(a.period)
    if a.effective_on is None or not (m.first_day <= a.effective_on <= m.last_day):
        when = a.effective_on.isoformat() if a.effective_on else "未填"
        out.append(_f("A-01", "E", f"动态调整{_who(a)}的生效日期应在{m.year}年{m.month}月内，现为{when}", a,
                      "effective_on"))
    if not (a.reason or "").strip():
        out.append(_f("A-01", "E", f"动态调整{_who(a)}尚未填写调整原因", a, "reason"))
    return out


def a02_plausible(a: AdjustmentData, appears_later: bool) -> list[Finding]:
    """A-02 W: a person over 100 entering, or a 死亡 record for a person who appears in a later month."""
    out = []
    if ADJUSTMENT_SIGN.get(a.kind or "", 0) > 0 and a.person and a.age is not None and a.age > 100:
        out.append(_f("A-02", "W", f"动态调整{_who(a)}：新增人员年龄{a.age}岁，超过100岁，请核实", a, "age"))
    if a.cause == "死亡" and appears_later:
        out.append(_f("A-02", "W", f"动态调整{_who(a)}记为死亡，但此人在以后月份的台账中仍然存在，请核实", a, "cause"))
    return out


def a03_consistent(a: AdjustmentData, left_before: bool, closed_before: bool) -> list[Finding]:
    """A-03 E: a person (or household) cannot leave twice; 返贫 only for a household closed out before."""
    out = []
    if a.kind in LEAVES and left_before:
        what = "此人" if a.person else "此户"
        out.append(_f("A-03", "E", f"动态调整{_who(a)}：{what}此前已调出台账，不能再次调出", a, "kind"))
    if a.kind == "返贫" and not closed_before:
        out.append(_f("A-03", "E", f"动态调整{_who(a)}：该户此前从未销号（脱贫），不能记为返贫", a, "kind"))
    return out


def check_adjustments(records: list[AdjustmentData], *, later_persons: set[str], earlier_leaves: set[str],
                      closed_before: set[str]) -> list[Finding]:
    """A-01…A-03 over one month's records.

    ``later_persons``: person UUIDs found in a month after the record's; ``earlier_leaves``: person
    (or, for household records, household) UUIDs that left in an earlier month; ``closed_before``:
    household UUIDs closed out (销号) in some earlier month.
    """
    out: list[Finding] = []
    twice = Counter((a.person or a.household) for a in records if a.kind in LEAVES)
    for a in records:
        key = a.person or a.household
        out.extend(a01_complete(a))
        out.extend(a02_plausible(a, bool(a.person) and a.person in later_persons))
        out.extend(a03_consistent(a, key in earlier_leaves or twice[key] > 1, a.household in closed_before))
    return out


# -- visits ---------------------------------------------------------------------------------------


def satisfaction_rate(answers: list[str | None]) -> float | None:
    """群众满意度 in %: (满意 + 基本满意) ÷ households visited; None with no visit."""
    if not answers:
        return None
    good = sum(1 for a in answers if a in ("满意", "基本满意"))
    return round(100.0 * good / len(answers), 1)


def v01_overdue(household: str, unit: str | None, name: str | None, last_visit: dt.date | None, today: dt.date,
                interval_days: int) -> list[Finding]:
    """V-01 W: a band-A household not visited for more than the interval (default 30 days)."""
    if last_visit is not None and (today - last_visit).days <= interval_days:
        return []
    since = f"上次走访为{last_visit.isoformat()}" if last_visit else "尚无走访记录"
    return [Finding("V-01", "W", f"{name or '该'}户超过{interval_days}天未入户走访（{since}）", unit=unit,
                    household=household, field="visited_on")]


def v02_unopened(household: str, unit: str | None, look: str, visited_on: dt.date, visit: str) -> list[Finding]:
    """V-02 W: a 看住房 or 看饮水 problem with no problem opened in the ledger."""
    what = {"housing": "看住房", "water": "看饮水"}[look]
    return [Finding("V-02", "W", f"{visited_on.isoformat()}走访时{what}发现问题，但未在问题台账中登记", unit=unit,
                    household=household, field=f"look_{look}", target=visit)]


def v03_satisfaction(unit: str, rate: float | None, month: str) -> list[Finding]:
    """V-03 W: a township's 群众满意度 for the month below the target."""
    if rate is None or rate >= SATISFACTION_TARGET:
        return []
    m = Month.parse(month)
    return [Finding("V-03", "W", f"{m.year}年{m.month}月群众满意度为{rate:.1f}%，低于{SATISFACTION_TARGET:.0f}%",
                    unit=unit, field="satisfaction")]


# -- monitored households ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonitoredData:
    uuid: str
    name: str
    unit: str | None
    household: str | None
    colour: str
    started_on: dt.date
    reviewed_on: dt.date | None
    cleared_on: dt.date | None
    cleared_basis: str | None
    last_measure: dt.date | None


def _m(code: str, severity: str, message: str, d: MonitoredData, field: str) -> Finding:
    return Finding(code, severity, message, unit=d.unit, household=d.household, field=field, target=d.uuid)


def check_monitored(d: MonitoredData, as_of: dt.date) -> list[Finding]:
    """R-01 W a 红 household without a measure in the last 30 days; R-02 E 风险消除 without date or
    basis; R-03 W monitored over 6 months without a review (none, or the last one over 6 months ago)."""
    out = []
    if d.cleared_on is not None or (d.cleared_basis or "").strip():
        if d.cleared_on is None or not (d.cleared_basis or "").strip():
            out.append(_m("R-02", "E", f"监测户{d.name}的风险消除需同时填写消除日期和依据", d, "cleared_on"))
        return out
    if d.colour == "red" and (d.last_measure is None or (as_of - d.last_measure).days > 30):
        since = f"最近一次为{d.last_measure.isoformat()}" if d.last_measure else "尚无措施"
        out.append(_m("R-01", "W", f"红色监测户{d.name}近30天没有新的帮扶措施（{since}）", d, "measures"))
    last_review = d.reviewed_on or d.started_on
    if (as_of - d.started_on).days > 183 and (as_of - last_review).days > 183:
        out.append(_m("R-03", "W", f"监测户{d.name}自{d.started_on.isoformat()}纳入监测已超过6个月，未再核查", d,
                      "reviewed_on"))
    return out


def r01_registered(household: str, unit: str | None, name: str | None, month: str, last_start: str | None
                   ) -> list[Finding]:
    """R-01 W for a registered 红 household: none of its measures started in the data month (a measure's
    start month is the month its text first appeared for the household)."""
    if last_start is not None and last_start >= month:
        return []
    m = Month.parse(month)
    if last_start:
        s = Month.parse(last_start)
        since = f"最近一项始于{s.year}年{s.month}月"
    else:
        since = "尚无帮扶措施"
    return [Finding("R-01", "W", f"红色预警户{name or ''}{m.year}年{m.month}月没有新的帮扶措施（{since}）", unit=unit,
                    household=household, field="measures")]


# -- treatment records ------------------------------------------------------------------------------


def t01_untreated(household: str, person: str, name: str, health: str, unit: str | None, year: int) -> list[Finding]:
    """T-01 W: a member with 大病 or 长期慢性病 has no treatment record this year."""
    return [Finding("T-01", "W", f"{name}健康状况为{health}，{year}年尚无治疗用药记录", unit=unit,
                    household=household, person=person, field="health")]


def t02_reimbursed(total: float, reimbursed: float, name: str, household: str, person: str, unit: str | None,
                   record: str) -> list[Finding]:
    """T-02 E: reimbursements exceed 医疗总费用."""
    if reimbursed <= total + 0.005:
        return []
    return [Finding("T-02", "E", f"{name}的报销合计{reimbursed:.2f}元超过医疗总费用{total:.2f}元", unit=unit,
                    household=household, person=person, field="total_cost", target=record)]

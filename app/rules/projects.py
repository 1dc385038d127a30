"""Fund-project rules P-01 … P-06 of 附件3 (forms.md §3, our design).

A project is a dict: name, planned, received, disbursed (万元), progress (拨付进度 % as stated in a
file; absent in the register, where it is computed), stage, planned_start ``YYYY-MM``,
started_on, completed_on (dates or ``YYYY-MM-DD`` text), households, persons.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.domain import PROJECT_STAGES
from app.kernel.month import Month

from .cells import as_int, as_number, blank, shown
from .codes import RULES
from .findings import Finding

_LOCATION = ("file", "sheet", "row", "column", "unit", "household", "person", "note", "target")
_AMOUNTS = (("planned", "计划投资"), ("received", "已到位资金"), ("disbursed", "已拨付资金"))


def _f(code: str, p: dict, message: str, where: dict | None, field: str | None) -> Finding:
    loc = {k: v for k, v in (where or {}).items() if k in _LOCATION}
    name = str(p.get("name") or "").strip() or "未命名项目"
    return Finding(code, RULES[code][0], f"项目“{name}”{message}", field=field, **loc)


def _amount(v: Any) -> Decimal | None:
    """An amount in 万元; blank is 0."""
    return Decimal(0) if blank(v) else as_number(v)


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip().replace("/", "-").replace(".", "-")[:10])
    except ValueError:
        return None


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def progress_of(planned: Any, disbursed: Any) -> Decimal:
    """拨付进度 = 已拨付 ÷ 计划投资 × 100, one decimal, half up (0 when nothing is planned)."""
    pl, di = _amount(planned), _amount(disbursed)
    if not pl or di is None or pl <= 0:
        return Decimal("0.0")
    return (di / pl * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def p01_amounts(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    out = []
    for key, label in _AMOUNTS:
        v = p.get(key)
        d = _amount(v)
        if d is None or d < 0:
            out.append(_f("P-01", p, f"{label}应为不小于0的万元数，现为{shown(v)}", where, key))
        elif d.normalize().as_tuple().exponent < -4:  # type: ignore[operator]
            out.append(_f("P-01", p, f"{label}{shown(v)}小数超过4位（单位万元，精确到元即4位小数）", where, key))
    return out


def p02_order(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    pl, re_, di = (_amount(p.get(k)) for k, _l in _AMOUNTS)
    if pl is None or re_ is None or di is None:
        return []
    out = []
    if di > re_:
        out.append(_f("P-02", p, f"已拨付{di:f}万元多于已到位{re_:f}万元，请核实", where, "disbursed"))
    if re_ > pl:
        out.append(_f("P-02", p, f"已到位{re_:f}万元多于计划投资{pl:f}万元，请核实", where, "received"))
    return out


def p03_progress(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    stated = p.get("progress")
    if blank(stated):
        return []
    pl, di = _amount(p.get("planned")), _amount(p.get("disbursed"))
    if pl is None or di is None:
        return []
    expected = progress_of(pl, di)
    text = str(stated).strip().rstrip("%％")
    got = as_number(text)
    if got is None or got != expected:
        return [_f("P-03", p, f"拨付进度填的是{shown(stated)}，应为已拨付÷计划投资×100={expected}%", where, "progress")]
    return []


def p04_dates(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    stage = str(p.get("stage") or "").strip()
    if stage not in PROJECT_STAGES:
        return [_f("P-04", p, f"实施进度应为{'、'.join(PROJECT_STAGES)}之一，现为{shown(p.get('stage'))}", where, "stage")]
    rank = PROJECT_STAGES.index(stage)
    started, completed = _date(p.get("started_on")), _date(p.get("completed_on"))
    out = []
    if rank >= 1 and started is None:
        out.append(_f("P-04", p, f"实施进度为{stage}，需填写开工时间", where, "started_on"))
    if rank >= 2:
        if completed is None:
            out.append(_f("P-04", p, f"实施进度为{stage}，需填写完工时间", where, "completed_on"))
        elif started is not None and completed < started:
            out.append(_f("P-04", p, f"完工时间{_cn(completed)}早于开工时间{_cn(started)}", where,
                          "completed_on"))
    return out


def p05_late_start(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    start = str(p.get("planned_start") or "").strip()
    if str(p.get("stage") or "").strip() == "未开工" and len(start) == 7 and period >= start:
        return [_f("P-05", p, f"计划{Month.parse(start).short}开工，至今仍未开工", where, "stage")]
    return []


def p06_persons(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    hh, pp = as_int(p.get("households") or 0), as_int(p.get("persons") or 0)
    if hh is None or pp is None:
        bad = "households" if hh is None else "persons"
        return [_f("P-06", p, f"带动{'户数' if hh is None else '人数'}应为整数，现为{shown(p.get(bad))}", where, bad)]
    if pp < hh:
        return [_f("P-06", p, f"带动人数{pp}少于带动户数{hh}（每户至少一人）", where, "persons")]
    return []


PROJECT_RULES = (p01_amounts, p02_order, p03_progress, p04_dates, p05_late_start, p06_persons)


def check_project(p: dict, period: str, where: dict | None = None) -> list[Finding]:
    """Every P-rule on one project, as of the data month ``period`` (``YYYY-MM``)."""
    out: list[Finding] = []
    for rule in PROJECT_RULES:
        out.extend(rule(p, period, where))
    return out

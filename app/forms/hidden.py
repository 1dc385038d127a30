"""The very hidden sheet of an exported workbook: what the official layout has no column for.

Every workbook guatu exports carries a sheet named ``guatu`` (very hidden in Excel; LibreOffice
and WPS may keep it merely hidden) whose first row holds the schema tag and the data month, and —
for 附件4 and its band-B twin — one row per household: the sheet row of its first member and a
JSON record with the register fields the form does not print (UUIDs, 销号, per-person assistance,
measure and income categories, prior and year-to-date income, 红黄绿, 危房, the helper's unit,
remarks). Personal identifiers (身份证号, members' phones) are never written here.

Both directions read this module: the exporter writes ``encode`` rows, the importer checks every
value with ``decode`` and refuses a bad sheet (I-10) instead of trusting it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from app.domain import (
    ASSISTANCE,
    BANDS,
    HOUSING_GRADES,
    INCOME_CATEGORIES,
    MEASURE_CATEGORIES,
    RISK_COLOURS,
    RISK_REASONS,
)

SHEET = "guatu"
SCHEMA = "guatu.workbook/1"
MAX_CELL = 32000  # a spreadsheet cell holds 32,767 characters

# Household columns of the register the official 附件4 does not show (the printed ones — head's
# phone, cause, helper's name and phone, expected month — are read from the visible cells).
HOUSEHOLD_FIELDS = (
    "uuid", "band", "prior_income", "helper_unit", "ytd_income", "closed_out", "closed_out_on",
    "risk_colour", "risk_reasons", "housing_grade", "housing_renovated", "remark",
)
# Never in a workbook: they travel only in an encrypted package (cli.md, "Who receives what").
PERSONAL_IDENTIFIERS = ("id_number", "phone")
PERSON_FIELDS = ("uuid", "name", *ASSISTANCE)
# The printed values as exported, so that an import can tell a visible cell edited since (the
# visible value wins, and the import says so).
VISIBLE_HOUSEHOLD = ("head_phone", "cause", "helper_name", "helper_phone", "expected_month")
VISIBLE_PERSON = ("relation", "age", "health", "labour")

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class HiddenError(ValueError):
    """A value of the hidden sheet that is not what guatu writes: the sheet is not trusted."""


def head_row(period: str, form: str) -> list[str]:
    return [SCHEMA, period, form]


def encode(household: dict[str, Any], members: list[dict[str, Any]], measures: list[tuple[str, str]],
           income: list[tuple[str, str | None, float]]) -> str:
    """One household's hidden record as compact JSON."""
    rec = {
        "h": {k: _plain(household.get(k)) for k in HOUSEHOLD_FIELDS},
        "m": [{k: _plain(m.get(k)) for k in PERSON_FIELDS} for m in members],
        "v": {k: household.get(k) for k in VISIBLE_HOUSEHOLD},
        "vm": [[m.get(k) for k in VISIBLE_PERSON] for m in members],
        "measures": [[c, t] for c, t in measures],
        "income": [[c, lab, a] for c, lab, a in income],
    }
    text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    if len(text) > MAX_CELL:  # a household this large would not fit a cell: keep what fits (UUIDs first)
        rec["measures"], rec["income"] = [], []
        text = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    return text


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def period_of(value: Any) -> str:
    if not isinstance(value, str) or not _MONTH.match(value):
        raise HiddenError(f"数据月份“{str(value)[:20]}”无效")
    return value


def _text(v: Any, limit: int, what: str, *, none: bool = True) -> str | None:
    if v is None and none:
        return None
    if not isinstance(v, str) or len(v) > limit or not v.isprintable():
        raise HiddenError(f"{what}无效")
    return v


def _bool(v: Any, what: str) -> bool:
    if not isinstance(v, bool):
        raise HiddenError(f"{what}无效")
    return v


def _money(v: Any, what: str) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not 0 <= v <= 1e8:
        raise HiddenError(f"{what}无效")
    return float(v)


def _uuid(v: Any, what: str) -> str:
    if not isinstance(v, str) or not _UUID.match(v):
        raise HiddenError(f"{what}的标识（UUID）无效")
    return v


def _choice(v: Any, allowed: tuple[str, ...], what: str, none: bool = True) -> str | None:
    if v is None and none:
        return None
    if v not in allowed:
        raise HiddenError(f"{what}“{str(v)[:20]}”不在规定范围内")
    return v


def decode(text: Any) -> dict[str, Any]:
    """A hidden record, every value checked; ``HiddenError`` for anything guatu would not write."""
    if not isinstance(text, str) or len(text) > MAX_CELL:
        raise HiddenError("隐藏数据不是文本")
    try:
        rec = json.loads(text)
    except ValueError:
        raise HiddenError("隐藏数据无法解析") from None
    if not isinstance(rec, dict) or not isinstance(rec.get("h"), dict) or not isinstance(rec.get("m"), list):
        raise HiddenError("隐藏数据结构不符")
    h = rec["h"]
    out_h: dict[str, Any] = {
        "uuid": _uuid(h.get("uuid"), "户"),
        "band": _choice(h.get("band"), BANDS, "档次", none=False),
        "prior_income": _money(h.get("prior_income"), "上年度人均纯收入"),
        "helper_unit": _text(h.get("helper_unit"), 60, "帮扶责任人单位"),
        "ytd_income": _money(h.get("ytd_income"), "本年累计人均纯收入"),
        "closed_out": _bool(h.get("closed_out"), "销号"),
        "closed_out_on": None,
        "risk_colour": _choice(h.get("risk_colour"), RISK_COLOURS, "红黄绿", none=False),
        "risk_reasons": _text(h.get("risk_reasons"), 200, "风险原因"),
        "housing_grade": _choice(h.get("housing_grade"), HOUSING_GRADES, "危房等级"),
        "housing_renovated": _bool(h.get("housing_renovated"), "危房改造"),
        "remark": _text(h.get("remark"), 2000, "备注"),
    }
    if out_h["risk_reasons"]:
        for reason in out_h["risk_reasons"].split("、"):
            _choice(reason, RISK_REASONS, "风险原因", none=False)
    if h.get("closed_out_on") is not None:
        try:
            out_h["closed_out_on"] = dt.date.fromisoformat(_text(h["closed_out_on"], 10, "销号日期") or "")
        except ValueError:
            raise HiddenError("销号日期无效") from None
    members = []
    for m in rec["m"]:
        if not isinstance(m, dict):
            raise HiddenError("成员数据结构不符")
        pm: dict[str, Any] = {"uuid": _uuid(m.get("uuid"), "成员"), "name": _text(m.get("name"), 40, "姓名")}
        for k in ASSISTANCE:
            pm[k] = _bool(m.get(k), "帮扶标记")
        members.append(pm)
    measures = []
    for item in rec.get("measures") or []:
        if not isinstance(item, list) or len(item) != 2:
            raise HiddenError("脱贫措施结构不符")
        measures.append((_choice(item[0], MEASURE_CATEGORIES, "措施类别", none=False),
                         _text(item[1], 2000, "措施", none=False)))
    income = []
    for item in rec.get("income") or []:
        if not isinstance(item, list) or len(item) != 3:
            raise HiddenError("收入结构不符")
        income.append((_choice(item[0], INCOME_CATEGORIES, "收入类别", none=False), _text(item[1], 40, "收入项目"),
                       _money(item[2], "收入金额")))
    visible = rec.get("v") or {}
    vm = rec.get("vm") or []
    if not isinstance(visible, dict) or not isinstance(vm, list) or len(vm) not in (0, len(members)):
        raise HiddenError("导出时的表中内容结构不符")
    shown = {k: _shown(visible.get(k)) for k in VISIBLE_HOUSEHOLD}
    for m, values in zip(members, vm, strict=False):
        if not isinstance(values, list) or len(values) != len(VISIBLE_PERSON):
            raise HiddenError("导出时的表中内容结构不符")
        m["shown"] = {k: _shown(v) for k, v in zip(VISIBLE_PERSON, values, strict=True)}
    return {"household": out_h, "members": members, "measures": measures, "income": income, "shown": shown}


def _shown(v: Any) -> Any:
    if v is None or (isinstance(v, int) and not isinstance(v, bool)):
        return v
    return _text(v, 100, "导出时的表中内容")

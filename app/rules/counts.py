"""Count-row rules of 附件1/附件2 (forms.md §1–2): M-01 … M-08 and C-01.

A count row is a dict with the column codes of forms.md (``total``, ``housing`` …, the income
distribution codes); ``where`` carries the location of findings (unit, file, sheet, row …).
Blank means 0 (填报说明 6); a value that is not a whole number ≥ 0 is M-01 and is left out of the
other comparisons, so one bad cell gives one finding.
"""

from __future__ import annotations

from typing import Any

from app.domain import FORM1_COUNTS, FORM2_COUNTS

from .cells import as_int, blank
from .codes import RULES
from .findings import Finding

# The forms' own column names (附件1/附件2), for messages.
COUNT_NAMES = {
    "total": "总人数", "housing": "住房安全帮扶人数", "education": "义务教育帮扶人数", "medical": "基本医疗解决人数",
    "water": "饮水安全解决人数", "industry": "产业带动人数", "industry_started": "已开工项目带动人数",
    "industry_benefited": "已受益人数", "employment": "就业人数", "public_post": "公益岗位人数",
    "graduate_placement": "高校毕业生子女政策性安置人数", "dibao": "享受低保兜底人数",
    "inc_lt_4400": "人均纯收入4400元以下人数", "inc_4400_5000": "人均纯收入4400-5000元人数",
    "inc_ge_5000": "人均纯收入5000元以上人数", "inc_5000_5760": "人均纯收入5000-5760元人数",
    "inc_gt_5760": "人均纯收入5760元以上人数",
}
_CAPPED_BY_TOTAL = ("housing", "education", "medical", "water", "industry", "employment", "dibao")
_WATCHED = ("industry_benefited", "industry_started", "employment")
_LOCATION = ("file", "sheet", "row", "column", "unit", "household", "person", "field", "note", "target")


def codes_for(form: int) -> tuple[str, ...]:
    return FORM1_COUNTS if form == 1 else FORM2_COUNTS


def _f(code: str, message: str, where: dict | None, field: str | None) -> Finding:
    loc = {k: v for k, v in (where or {}).items() if k in _LOCATION}
    loc["field"] = field
    return Finding(code, RULES[code][0], message, **loc)


def _values(row: dict, codes: tuple[str, ...]) -> dict[str, int | None]:
    """code → whole number (blank = 0), None for a cell that is not a whole number ≥ 0."""
    out: dict[str, int | None] = {}
    for c in codes:
        v = row.get(c)
        if v.__class__ is int and v >= 0:  # the usual cell, derived or typed
            out[c] = v
        elif blank(v):
            out[c] = 0
        else:
            n = as_int(v)
            out[c] = n if n is not None and n >= 0 else None
    return out


def m01_whole_numbers(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    out = []
    for c in codes_for(form):
        v = row.get(c)
        if not blank(v) and (as_int(v) is None or as_int(v) < 0):
            out.append(_f("M-01", f"{COUNT_NAMES[c]}应为不小于0的整数，现为“{v}”", where, c))
    return out


def m02_within_total(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    v = _values(row, codes_for(form))
    total = v["total"]
    if total is None:
        return []
    return [_f("M-02", f"{COUNT_NAMES[c]}{v[c]}超过总人数{total}", where, c)
            for c in _CAPPED_BY_TOTAL if v[c] is not None and v[c] > total]


def m03_industry(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    v = _values(row, codes_for(form))
    if v["industry"] is None:
        return []
    return [_f("M-03", f"{COUNT_NAMES[c]}{v[c]}超过产业带动人数{v['industry']}", where, c)
            for c in ("industry_started", "industry_benefited") if v[c] is not None and v[c] > v["industry"]]


def m04_employment(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    v = _values(row, codes_for(form))
    emp = v["employment"]
    if emp is None:
        return []
    out = [_f("M-04", f"{COUNT_NAMES[c]}{v[c]}超过就业人数{emp}", where, c)
           for c in ("public_post", "graduate_placement") if v[c] is not None and v[c] > emp]
    pp, gp = v["public_post"], v["graduate_placement"]
    if not out and pp is not None and gp is not None and pp + gp > emp:
        out.append(_f("M-04", f"公益岗位{pp}人与高校毕业生子女政策性安置{gp}人之和超过就业人数{emp}",
                      where, "public_post"))
    return out


def m05_distribution(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    if form != 1:
        return []
    v = _values(row, FORM1_COUNTS)
    parts = ("inc_lt_4400", "inc_4400_5000", "inc_ge_5000")
    if v["total"] is None or any(v[c] is None for c in parts):
        return []
    s = sum(v[c] for c in parts)  # type: ignore[misc]
    if s != v["total"]:
        return [_f("M-05", f"收入分布三栏之和{s}不等于总人数{v['total']}", where, "inc_lt_4400")]
    return []


def m08_distribution_b(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    if form != 2:
        return []
    v = _values(row, FORM2_COUNTS)
    if v["total"] is None or v["inc_5000_5760"] is None or v["inc_gt_5760"] is None:
        return []
    s = v["inc_5000_5760"] + v["inc_gt_5760"]
    gap = v["total"] - s
    if gap > 0:
        return [_f("M-08", f"有{gap}人本年累计人均收入不足5000元，不在收入分布两栏内"
                           f"（两栏之和{s}，总人数{v['total']}），导出时在表下注明", where, "inc_5000_5760")]
    if gap < 0:
        return [_f("M-08", f"收入分布两栏之和{s}比总人数{v['total']}多{-gap}人", where, "inc_5000_5760")]
    return []


ROW_RULES = (m01_whole_numbers, m02_within_total, m03_industry, m04_employment, m05_distribution, m08_distribution_b)


def check_count_row(row: dict, form: int, where: dict | None = None) -> list[Finding]:
    """M-01 … M-05 (附件1) or M-01 … M-04 and M-08 (附件2) on one row."""
    out: list[Finding] = []
    for rule in ROW_RULES:
        out.extend(rule(row, form, where))
    return out


# --- M-06: total rows ---------------------------------------------------------------------------
def _row_where(row: dict) -> dict:
    where = {k: row[k] for k in ("file", "sheet", "row") if row.get(k) is not None}
    if row.get("unit"):
        where["unit"] = row["unit"]
    else:
        names = [str(row[k]) for k in ("township", "village") if not blank(row.get(k))]
        if row.get("kind") == "county_total" or not names:
            names = [str(row[k]) for k in ("county",) if not blank(row.get(k))]
        if names:
            where["unit"] = "/".join(names)
    return where


def _compare(total_row: dict, parts: list[dict], codes: tuple[str, ...], what: str) -> list[Finding]:
    out = []
    got = _values(total_row, codes)
    sums = {c: 0 for c in codes}
    bad = set()
    for r in parts:
        for c, n in _values(r, codes).items():
            if n is None:
                bad.add(c)
            else:
                sums[c] += n
    where = _row_where(total_row)
    for c in codes:
        if c in bad or got[c] is None or got[c] == sums[c]:
            continue
        out.append(_f("M-06", f"{what}{COUNT_NAMES[c]}为{got[c]}，其下各行之和为{sums[c]}", where, c))
    return out


def m06_totals(rows: list[dict], form: int) -> list[Finding]:
    """Township total = its village rows; county total = the township totals (or the unit rows)."""
    codes = codes_for(form)
    out: list[Finding] = []
    county: dict | None = None
    townships: list[tuple[dict, list[dict]]] = []
    loose: list[dict] = []  # unit rows not under a township total (附件2)
    for r in rows:
        kind = r.get("kind")
        if kind == "county_total":
            county = r
        elif kind == "township_total":
            townships.append((r, []))
        elif kind == "unit":
            (townships[-1][1] if townships else loose).append(r)
    for t, villages in townships:
        out.extend(_compare(t, villages, codes, "乡镇合计行的"))
    if county is not None:
        parts = [t for t, _v in townships] + loose
        out.extend(_compare(county, parts, codes, "合计行的"))
    return out


check_totals = m06_totals


# --- M-07: month over month ---------------------------------------------------------------------
def m07_month_over_month(row: dict, prev_row: dict | None, where: dict | None = None) -> list[Finding]:
    if not prev_row:
        return []
    codes = tuple(c for c in dict.fromkeys(FORM1_COUNTS + FORM2_COUNTS) if c in row or c in prev_row)
    now, before = _values(row, codes), _values(prev_row, codes)
    out = []
    if now.get("total") is not None and before.get("total") is not None and now["total"] != before["total"]:
        out.append(_f("M-07", f"总人数由上月{before['total']}人变为{now['total']}人，请填写核实说明",
                      where, "total"))
    for c in _WATCHED:
        a, b = before.get(c), now.get(c)
        if a is None or b is None or b >= a:
            continue
        drop = a - b
        if drop > 5 or drop > 0.2 * a:
            out.append(_f("M-07", f"{COUNT_NAMES[c]}由上月{a}人降到{b}人（减少{drop}人），请核实", where, c))
    prev_total = before.get("total")
    if prev_total is not None:
        for c in codes:
            a, b = before.get(c), now.get(c)
            if c != "total" and a == 0 and b is not None and b > prev_total:
                out.append(_f("M-07", f"{COUNT_NAMES[c]}由上月0人突增到{b}人，超过上月总人数{prev_total}，请核实",
                              where, c))
    return out


check_month_over_month = m07_month_over_month


# --- C-01: hand vs derived ---------------------------------------------------------------------
def c01_hand_vs_derived(hand: dict, derived: dict, where: dict | None = None) -> list[Finding]:
    """A hand-typed count (not None) that differs from the register's count."""
    out = []
    for c, v in hand.items():
        if c not in COUNT_NAMES or v is None:
            continue
        d = derived.get(c) or 0
        n: Any = as_int(v)
        if n is None or n != d:
            out.append(_f("C-01", f"{COUNT_NAMES[c]}手填{v}人，台账统计为{d}人，请核对（账账相符）",
                          where, c))
    return out


check_hand_vs_derived = c01_hand_vs_derived

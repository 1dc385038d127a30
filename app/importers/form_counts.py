"""附件1/附件2 count rows and 附件3 project rows of a hand-made workbook.

Rows are classified as county total, township total or unit rows by their labels (全县合计数,
全乡合计/全镇合计, 全市合计 …). Blank counts read as 0 (填报说明 6). Each row is checked with
M-01 … M-05/M-08 and the total rows with M-06 by the rules engine; only unit rows are kept
(total rows are computed, never stored). Projects are checked with P-01 … P-06.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from app.domain import FUND_SOURCES, PROJECT_STAGES, canonical
from app.rules.engine import check_count_row, check_project, check_totals

from . import normalise as nz
from .incoming import InCounts, InProject, Source
from .sheet import Sheet, data_rows


def _is_total(text: Any) -> bool:
    t = nz.header_key(text)
    return bool(t) and ("合计" in t or t in ("总计", "合计数"))


def _located(findings, sheet: Sheet, src: Source) -> list:
    out = []
    for f in findings:
        col = sheet.letter(f.field) if f.field else None
        out.append(f.at(file=src.file, sheet=sheet.name, column=col or f.column))
    return out


def read(sheet: Sheet, src: Source) -> None:
    assert sheet.layout is not None
    if sheet.layout.key == "3":
        _read_projects(sheet, src)
        return
    form = int(sheet.layout.key)
    codes = [c for c in sheet.layout.codes() if c not in ("seq", "county", "township", "village")]
    n = nz.Normaliser(src.file, sheet.name, src.normalised)
    col = sheet.columns
    rows: list[dict] = []
    county = township = None
    for r in data_rows(sheet):
        row = r + 1
        names = {k: n.apply(nz.text, sheet.cell(r, col.get(k)), row, sheet.letter(k) or "")
                 for k in ("county", "township", "village") if k in col}
        values = {}
        for code in codes:
            v = sheet.cell(r, col.get(code))
            values[code] = 0 if nz.is_blank(v) else n.apply(nz.number, v, row, sheet.letter(code) or "")
        rec: dict[str, Any] = {"file": src.file, "sheet": sheet.name, "row": row, **values}
        if form == 1:
            if names.get("county"):
                county = names["county"]
            if _is_total(names.get("township")) or (names.get("county") and not names.get("village")
                                                    and not names.get("township")):
                kind = "county_total"
            elif _is_total(names.get("village")):
                kind, township = "township_total", names.get("township") or township
            else:
                township = names.get("township") or township
                kind = "unit"
            rec.update(kind=kind, county=county, township=township, village=names.get("village"))
            if kind == "unit":
                rec["unit"] = f"{township}/{names.get('village')}"
                src.counts.append(InCounts((county, township, names.get("village")), 1, values, row, sheet.name))
        else:
            name = names.get("county")
            kind = "county_total" if _is_total(name) or name is None else "unit"
            rec.update(kind=kind, county=name, unit=name)
            if kind == "unit":
                src.counts.append(InCounts((name,), 2, values, row, sheet.name))
        src.findings.extend(_located(check_count_row(rec, form, {k: rec.get(k) for k in ("file", "sheet", "row", "unit")}),
                                     sheet, src))
        rows.append(rec)
    src.findings.extend(_located(check_totals(rows, form), sheet, src))


_DATE_RE = re.compile(r"^(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*日?)?$")


def date(value: Any) -> Any:
    """An Excel date or ``2020.3.15``/``2020-03-15``/``2020年3月15日`` (day 1 when only a month) → date."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    m = _DATE_RE.match(nz.width(str(value)))
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return value
    return value


def _read_projects(sheet: Sheet, src: Source) -> None:
    n = nz.Normaliser(src.file, sheet.name, src.normalised)
    col = sheet.columns
    county = township = None
    position = 0
    for r in data_rows(sheet):
        row = r + 1

        def get(code: str, fn=nz.text, r: int = r, row: int = row):
            return n.apply(fn, sheet.cell(r, col.get(code)), row, sheet.letter(code) or "")

        c, t, name = get("county"), get("township"), get("name")
        county = c or county
        township = t if t and not _is_total(t) else township
        if _is_total(c) or _is_total(t) or _is_total(name) or not name:
            continue  # total rows are computed
        p = {
            "name": name, "content": get("content"),
            "fund_source": canonical(nz.width(str(sheet.cell(r, col.get("fund_source")) or "")), FUND_SOURCES)
            or get("fund_source"),
            "planned": get("planned", nz.number) or 0, "received": get("received", nz.number) or 0,
            "disbursed": get("disbursed", nz.number) or 0,
            "stage": canonical(get("stage"), PROJECT_STAGES) or get("stage"),
            "started_on": get("started_on", date), "completed_on": get("completed_on", date),
            "households": get("households", nz.number) or 0, "persons": get("persons", nz.number) or 0,
            "remark": get("remark"), "position": position,
        }
        stated = {**p, "progress": get("progress", nz.number)}
        where = {"file": src.file, "sheet": sheet.name, "row": row, "unit": township}
        src.findings.extend(_located(check_project(stated, src.period or src.check_period or "", where), sheet, src))
        src.projects.append(InProject((county, township), p, row, sheet.name))
        position += 1


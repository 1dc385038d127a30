"""The hidden ``guatu`` sheet of a workbook guatu exported (app.forms.hidden), read back.

With it a re-imported 附件4 — as written, or re-saved by Excel, WPS or LibreOffice — keeps every
register field of its households except the personal identifiers: UUIDs, 销号, per-person
assistance, categories, 红黄绿, 危房 … . Each record is checked value by value; a sheet with a
value guatu would not write is refused (I-10), never half-trusted. Where a printed cell was edited
after the export, the printed value wins and a finding (I-13) says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.forms import hidden
from app.rules.findings import Finding

from .incoming import InHousehold, Source
from .match import new_uuid
from .texts import income_category, measure_category

NAMES = {"head_phone": "户主电话", "cause": "致贫原因", "helper_name": "帮扶责任人", "helper_phone": "帮扶责任人电话",
         "expected_month": "预计收入达到5000元以上时间", "relation": "与户主关系", "age": "年龄", "health": "健康状况",
         "labour": "有无劳动能力"}


@dataclass
class Hidden:
    period: str | None = None
    form: str | None = None
    records: dict[int, dict[str, Any]] = field(default_factory=dict)  # sheet row (1-based) → decoded record


def find(sheets: list, src: Source) -> Hidden | None:
    """The workbook's hidden sheet, decoded; None when it has none (a hand-made workbook).

    ``sheets`` are ``sheet.Sheet``; the hidden one is removed from the list."""
    for sheet in list(sheets):
        if sheet.name != hidden.SHEET or not sheet.rows or not sheet.rows[0]:
            continue
        if sheet.rows[0][0] != hidden.SCHEMA:
            continue
        sheets.remove(sheet)
        out = Hidden()
        try:
            head = list(sheet.rows[0]) + ["", ""]
            out.period = hidden.period_of(head[1])
            out.form = str(head[2] or "") or None
            for i, row in enumerate(sheet.rows[1:], 2):
                if not row or all(v in ("", None) for v in row):
                    continue
                at = row[0]
                if isinstance(at, float) and at.is_integer():
                    at = int(at)
                if not isinstance(at, int) or not 0 < at <= 2_000_000 or len(row) < 2:
                    raise hidden.HiddenError(f"第{i}行的行号无效")
                try:
                    out.records[at] = hidden.decode(row[1])
                except hidden.HiddenError as e:
                    raise hidden.HiddenError(f"第{i}行：{e}") from None
        except hidden.HiddenError as e:
            src.findings.append(Finding("I-10", "E", f"工作簿的隐藏数据表“{hidden.SHEET}”无效（{e}），不能据此导入；"
                                        "请使用 guatu 导出的原文件，或删除该隐藏表按手工表格导入", file=src.file,
                                        sheet=hidden.SHEET))
            return None
        return out
    return None


def apply(households: list[InHousehold], found: Hidden, src: Source, sheet_name: str) -> None:
    """Give each household read from the printed rows its hidden record (by its first row, else by
    order and head's name): every field then travels as from a package, identifiers excepted."""
    records = found.records
    ordered = [records[k] for k in sorted(records)]
    used: set[int] = set()
    for i, inc in enumerate(households):
        candidates = [records.get(inc.row or -1), ordered[i] if i < len(ordered) else None]
        rec = next((r for r in candidates if r is not None and id(r) not in used and _same_head(r, inc)), None)
        if rec is None:  # rows inserted or sorted since the export
            rec = next((r for r in ordered if id(r) not in used and _same_head(r, inc)), None)
        if rec is None:
            continue  # a household added by hand after the export: read as a hand-made row
        used.add(id(rec))
        _apply_one(inc, rec, src, sheet_name)


def _same_head(rec: dict, inc: InHousehold) -> bool:
    names = [m.get("name") for m in rec["members"]]
    return bool(names) and inc.head_name in names


def _edited(src: Source, sheet: str, row: int | None, what: str, old: Any, new: Any) -> None:
    src.findings.append(Finding(
        "I-13", "W", f"“{what}”在导出后被改过（导出时为“{'' if old is None else old}”，现为“{'' if new is None else new}”），"
                     "以表中内容为准", file=src.file, sheet=sheet, row=row))


def _apply_one(inc: InHousehold, rec: dict, src: Source, sheet: str) -> None:
    h = dict(rec["household"])
    h.pop("band", None)  # the sheet (附件4 or its band-B twin) says the band
    for k in hidden.VISIBLE_HOUSEHOLD:
        if rec["shown"].get(k) != inc.fields.get(k) and not (rec["shown"].get(k) in (None, "")
                                                             and inc.fields.get(k) in (None, "")):
            _edited(src, sheet, inc.row, NAMES[k], rec["shown"].get(k), inc.fields.get(k))
    inc.fields.update(h)
    pool = list(rec["members"])
    for m in inc.members:
        hit = next((p for p in pool if p["name"] == m.get("name")), None)
        if hit is None:
            _edited(src, sheet, inc.row, "成员", None, m.get("name"))
            m["uuid"] = new_uuid()
            continue
        pool.remove(hit)
        for k, v in hit.get("shown", {}).items():
            if v != m.get(k) and not (v in (None, "") and m.get(k) in (None, "")):
                _edited(src, sheet, inc.row, f"{m.get('name')}的{NAMES[k]}", v, m.get(k))
        m.update({k: v for k, v in hit.items() if k not in ("shown", "name")})
    for p in pool:
        _edited(src, sheet, inc.row, "成员", p["name"], None)
    # Categories: the register's where the printed text is the exported one, else the keyword table.
    known = dict((t, c) for c, t in rec["measures"])
    if [m["text"] for m in inc.measures] != [t for _, t in rec["measures"]] and rec["measures"]:
        _edited(src, sheet, inc.row, "主要脱贫措施", "；".join(t for _, t in rec["measures"]),
                "；".join(m["text"] for m in inc.measures))
    for m in inc.measures:
        m["category"] = known.get(m["text"]) or measure_category(m["text"])
    known_i = {(lab, a): c for c, lab, a in rec["income"]}
    for x in inc.income_items:
        amount = float(x["amount"]) if isinstance(x.get("amount"), int | float) else x.get("amount")
        x["category"] = known_i.get((x.get("label"), amount)) or known_i.get(
            (x.get("label"), None)) or income_category(x.get("label") or "")
    d = inc.data
    d.measures = [(m["category"], m["text"]) for m in inc.measures]
    d.uuid, d.prior_income, d.ytd_income = h["uuid"], h["prior_income"], h["ytd_income"]
    d.closed_out, d.housing_grade, d.housing_renovated = h["closed_out"], h["housing_grade"], h["housing_renovated"]
    for pd, m in zip(d.members, inc.members, strict=False):
        pd.uuid = m.get("uuid")
    inc.carried = None  # every field is stated now: matched by UUID like a package
    inc.member_carried = None
    inc.kept = hidden.PERSONAL_IDENTIFIERS

"""附件4 rows → households: one row per person, the household's cells merged over its members.

A household starts at a row whose household cells (户主联系方式, 家庭人口数, 致贫原因, measures,
income, 帮扶责任人, expected month) hold something new — merged cells are blank below their first
row, and files that repeat the household's cells on every member row are read the same way.
县/乡镇/村 carry down from the row above when left blank. Stated 家庭人口数, 合计 and 人均 go to
``HouseholdData.stated_*``: the rules engine compares them (H-02, H-09); nothing is corrected.
"""

from __future__ import annotations

from typing import Any

from app.domain import HEALTH, LABOUR, RELATIONS
from app.rules.data import HouseholdData, PersonData

from . import normalise as nz
from . import texts
from .incoming import WORKBOOK_HOUSEHOLD_FIELDS, WORKBOOK_MEMBER_FIELDS, InHousehold, Source
from .sheet import Sheet, data_rows

HOUSEHOLD_CELLS = ("head_contact", "size", "cause", "measures", "income", "helper_contact", "expected_month")
UNIT_CELLS = ("county", "township", "village")
# Field codes of findings → the 附件4 column that shows them.
FIELD_COLUMNS = {
    "head_phone": "head_contact", "head_name": "head_contact", "helper_name": "helper_contact",
    "helper_phone": "helper_contact", "income_items": "income", "members": "name",
}


_CANONICAL = {"health": frozenset(HEALTH), "labour": frozenset(LABOUR)}
_RELATIONS = frozenset(RELATIONS)


def _blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and v.isspace())


def read(sheet: Sheet, src: Source) -> None:
    band = "B" if sheet.layout is not None and sheet.layout.key == "4B" else "A"
    n = nz.Normaliser(src.file, sheet.name, src.normalised)
    col = sheet.columns
    letter = {code: sheet.letter(code) or "" for code in col}
    width = max(col.values()) + 1
    hk = [col[c] for c in HOUSEHOLD_CELLS if c in col]
    ucols = [(i, code, col[code]) for i, code in enumerate(UNIT_CELLS) if code in col]
    pcols = [(code, col[code], fn, letter[code]) for code, fn in (
        ("name", nz.name), ("age", nz.number), ("health", nz.health), ("labour", nz.labour)) if code in col]
    rel_col, rel_letter = col.get("relation"), letter.get("relation", "")
    unit: list[Any] = [None, None, None]
    current: InHousehold | None = None
    merged_tail = {r for r0, c0, r1, c1 in sheet.merges if c0 == c1 and c0 in set(hk) for r in range(r0 + 1, r1 + 1)}
    last_key: tuple | None = None
    for r in data_rows(sheet):
        values = sheet.rows[r]
        if len(values) < width:
            values = list(values) + [""] * (width - len(values))
        row = r + 1
        key = tuple(values[c] for c in hk)
        inside = r in merged_tail  # inside the household's merged cells: a member row, whatever it says
        starts = not inside and (current is None or key != last_key) and not all(_blank(v) for v in key)
        raw_rel = values[rel_col] if rel_col is not None else None
        if raw_rel.__class__ is str and raw_rel in _RELATIONS:
            relation = raw_rel
        else:
            relation = n.apply(nz.relation, None if raw_rel == "" else raw_rel, row, rel_letter)
        if not starts and not inside and relation == "户主" and current is not None and any(
                m.get("relation") == "户主" for m in current.members):
            starts = True  # repeated household cells, but a second 户主: a new household
        if starts or current is None:
            for i, code, c in ucols:  # each column carries down when left blank
                v = values[c]
                if not _blank(v):
                    unit[i] = n.apply(nz.text, v, row, letter[code])
            current = _household(sheet, r, n, letter, tuple(unit), band, src)
            src.households.append(current)
            last_key = key
        person: dict[str, Any] = {"relation": relation}
        for code, c, fn, lt in pcols:
            v = values[c]
            if v.__class__ is float and v.is_integer():
                person[code] = int(v)  # the reader's float, not a quirk of the file
            elif v.__class__ is str and v in _CANONICAL.get(code, ()):
                person[code] = v
            else:
                person[code] = n.apply(fn, None if v == "" else v, row, lt)
        if all(_blank(v) for v in person.values()):
            continue  # a household row without a member (a merged tail)
        current.members.append(person)
        current.data.members.append(PersonData(row=row, **person))


def _household(sheet: Sheet, r: int, n: nz.Normaliser, letter: dict[str, str], village: tuple, band: str,
               src: Source) -> InHousehold:
    row = r + 1
    col = sheet.columns

    def raw(code: str) -> Any:
        return sheet.cell(r, col.get(code))

    head_cell = raw("head_contact")
    head_name, head_phone = nz.contact(head_cell)
    if head_phone is not None:
        n.note(row, letter["head_contact"], head_cell, f"{head_name or ''} {head_phone}".strip())
    helper_cell = raw("helper_contact")
    helper_name, helper_phone = nz.contact(helper_cell)
    if helper_phone is not None:
        n.note(row, letter["helper_contact"], helper_cell, f"{helper_name or ''} {helper_phone}".strip())
    size = n.apply(nz.number, raw("size"), row, letter["size"])
    cause = n.apply(nz.cause, raw("cause"), row, letter["cause"])
    expected = n.apply(nz.month, raw("expected_month"), row, letter["expected_month"])
    measures = texts.measures(raw("measures"))
    income = texts.income(raw("income"))
    fields = {
        "band": band, "head_phone": head_phone, "cause": cause, "helper_name": helper_name,
        "helper_phone": helper_phone, "expected_month": expected,
    }
    unit_text = "/".join(x for x in village[1:] if x) or None
    data = HouseholdData(
        unit=unit_text, band=band, head_name=head_name, head_phone=head_phone, cause=cause,
        helper_name=helper_name, helper_phone=helper_phone, expected_month=expected,
        measures=[(m["category"], m["text"]) for m in measures],
        income_items=[(i["label"] or i["category"], i["amount"]) for i in income.items],
        stated_size=size, stated_total=income.stated_total, stated_per_capita=income.stated_per_capita,
        file=src.file, sheet=sheet.name, row=row,
        texts={k: v for k, v in (("measures", raw("measures")), ("income", raw("income"))) if isinstance(v, str)},
    )
    return InHousehold(
        village=village, fields=fields, members=[], measures=measures, income_items=income.items, data=data,
        carried=WORKBOOK_HOUSEHOLD_FIELDS, member_carried=WORKBOOK_MEMBER_FIELDS, row=row,
    )

"""Prior-year per-capita incomes for a 结转 across a year (H-13): the households to ask about, and a
workbook the clerk filled (or one written here to fill in) read back by 身份证号 or by village and head.

Values are keyed by household uuid, as ``new_month(prior_incomes=…)`` takes them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Household, Person
from app.rules.ids import mask_id, normalise_id

from .browse import unit_paths
from .errors import UsageError
from .periods import get_period

HEADERS = ("乡镇/村", "户主姓名", "户主身份证号", "上年度人均纯收入（元）")


@dataclass(frozen=True, slots=True)
class PriorRow:
    uuid: str
    unit: str  # 乡镇/村
    head: str
    id_number: str  # the head's, as kept (masked on screen)
    suggested: float | None  # December's 本年累计人均纯收入, which is the whole year's

    @property
    def id_masked(self) -> str:
        return mask_id(self.id_number) if self.id_number else ""


def prior_rows(session: Session, from_month: str) -> list[PriorRow]:
    """Every household of ``from_month`` in register order, with its head and a suggestion."""
    src = get_period(session, from_month)
    paths = unit_paths(session)
    heads = {hid: (name, idn) for hid, name, idn in session.execute(
        select(Person.household_id, Person.name, Person.id_number).join(Household)
        .where(Household.period_id == src.id, Person.relation == "户主"))}
    out = []
    for hid, uuid, vid, ytd in session.execute(
            select(Household.id, Household.uuid, Household.village_id, Household.ytd_income)
            .where(Household.period_id == src.id).order_by(Household.village_id, Household.position)):
        name, idn = heads.get(hid, ("", None))
        out.append(PriorRow(uuid, paths.get(vid, ""), name or "", idn or "",
                            ytd if src.month_number == 12 else None))
    return out


def write_template(path: str | os.PathLike, rows: list[PriorRow]) -> None:
    """A workbook to fill in: one line a household, the income column empty or suggested."""
    wb = Workbook()
    ws = wb.active
    ws.title = "上年度人均纯收入"
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.unit, r.head, r.id_number, r.suggested])
    for col, width in zip("ABCD", (26, 12, 22, 22), strict=True):
        ws.column_dimensions[col].width = width
    wb.save(path)


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = re.sub(r"[,，元\s]", "", str(value))
    try:
        return float(text)
    except ValueError:
        return None


def read_workbook(path: str | os.PathLike, rows: list[PriorRow]) -> tuple[dict[str, float], list[str]]:
    """uuid → income from the first sheet with a 户主 column and an income column; with the lines
    that matched no household (or more than one) for the clerk to see."""
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # not a workbook, damaged, locked by Excel
        raise UsageError(f"无法读取工作簿：{e}") from None
    by_id = {normalise_id(r.id_number): r.uuid for r in rows if r.id_number}
    by_unit_head: dict[tuple[str, str], list[str]] = {}
    by_head: dict[str, list[str]] = {}
    for r in rows:
        village = r.unit.rsplit("/", 1)[-1]
        by_unit_head.setdefault((village, r.head), []).append(r.uuid)
        by_head.setdefault(r.head, []).append(r.uuid)
    found: dict[str, float] = {}
    unmatched: list[str] = []
    try:
        for ws in wb.worksheets:
            lines = ws.iter_rows(values_only=True)
            cols = None
            for n, line in enumerate(lines, start=1):
                cells = ["" if v is None else str(v).strip() for v in line]
                if cols is None:
                    head = next((i for i, c in enumerate(cells) if "户主" in c and "身份" not in c), None)
                    income = next((i for i, c in enumerate(cells) if "收入" in c), None)
                    if head is not None and income is not None:
                        ident = next((i for i, c in enumerate(cells) if "身份证" in c), None)
                        unit = next((i for i, c in enumerate(cells) if "村" in c and i not in (head, income)), None)
                        cols = (head, income, ident, unit)
                    continue
                head, income, ident, unit = cols
                value = _number(line[income]) if income < len(line) else None
                name = cells[head] if head < len(cells) else ""
                if value is None or not name:
                    continue
                uuid = by_id.get(normalise_id(cells[ident])) if ident is not None and ident < len(cells) else None
                if uuid is None:
                    village = cells[unit].rsplit("/", 1)[-1] if unit is not None and unit < len(cells) else ""
                    hits = by_unit_head.get((village, name)) if village else None
                    hits = hits if hits else by_head.get(name, [])
                    uuid = hits[0] if len(hits) == 1 else None
                if uuid is None:
                    unmatched.append(f"第{n}行 {name}")
                else:
                    found[uuid] = value
            if cols is not None:
                break
        else:
            raise UsageError("工作簿中没有找到“户主”和“收入”两列。")
    finally:
        wb.close()
    return found, unmatched

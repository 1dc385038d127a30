"""Column definitions of the member grid and the household list: code, header, kind, closed list."""

from __future__ import annotations

from dataclasses import dataclass

from app import domain


@dataclass(frozen=True, slots=True)
class Column:
    code: str
    header: str
    kind: str = "text"  # text, choice, age, phone, name, id_number, bool, number
    choices: tuple[str, ...] = ()
    width: int = 90


MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", "name", width=90),
    Column("relation", "与户主关系", "choice", domain.RELATIONS, 96),
    Column("age", "年龄", "age", width=56),
    Column("health", "健康状况", "choice", domain.HEALTH, 96),
    Column("labour", "有无劳动能力", "choice", domain.LABOUR, 200),
    Column("id_number", "身份证号", "id_number", width=170),
    Column("phone", "联系电话", "phone", width=120),
    *(Column(code, domain.ASSISTANCE_NAMES[code], "bool", width=64) for code in domain.ASSISTANCE),
)
MEMBER_CODES = tuple(c.code for c in MEMBER_COLUMNS)
# Columns a pasted TSV row fills, left to right from the current column (the 附件4 person columns).
PASTE_CODES = ("name", "relation", "age", "health", "labour", "id_number", "phone")

HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("head_name", "户主", "name", width=86),
    Column("unit", "乡镇/村", width=150),
    Column("size", "人口", width=44),
    Column("band", "类别", width=44),
    Column("cause", "致贫原因", width=80),
    Column("per_capita", "人均收入", "number", width=72),
    Column("risk_colour", "红黄绿", width=52),
    Column("closed_out", "销号", width=48),
    Column("problems", "问题", width=120),
)
HOUSEHOLD_CODES = tuple(c.code for c in HOUSEHOLD_COLUMNS)

"""Reading cells for the rules: numbers and blanks from any cell type, closed-list values, the head,
printable text (H-04), and the finding of a household rule. Shared by every rule module.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app import fonts
from app.domain import CAUSES, HEALTH, LABOUR, RELATIONS, canonical

from .codes import RULES
from .data import HouseholdData, PersonData
from .findings import Finding


def finding(code: str, h: HouseholdData, message: str, p: PersonData | None = None,
            field: str | None = None, severity: str | None = None) -> Finding:
    """A finding of rule ``code`` located at household ``h`` (and member ``p``)."""
    row = p.row if p is not None and p.row is not None else h.row
    return Finding(code, severity or RULES[code][0], message, file=h.file, sheet=h.sheet, row=row, unit=h.unit,
                   household=h.uuid, person=p.uuid if p is not None else None, field=field)


def as_int(v: Any) -> int | None:
    """A whole number from a cell (70, 70.0, "70"), or None."""
    if type(v) is int:
        return v
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else None
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else None
    s = str(v).strip()
    if s.isdigit() and s.isascii():
        return int(s)
    if s.endswith(".0") and s[:-2].isdigit() and s.isascii():
        return int(s[:-2])
    return None


def as_number(v: Any) -> Decimal | None:
    """A number from a cell (1100, 1100.5, "1,100", "1100元"), or None."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(str(v))
    s = str(v).strip().replace(",", "").replace("，", "")
    if s.endswith("元"):
        s = s[:-1]
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def shown(v: Any) -> str:
    return "空白" if blank(v) else f"“{v}”"


_SETS = {allowed: frozenset(allowed) for allowed in (CAUSES, HEALTH, LABOUR, RELATIONS)}
_REL, _HEALTH, _LABOUR, _CAUSE = _SETS[RELATIONS], _SETS[HEALTH], _SETS[LABOUR], _SETS[CAUSES]


def canon(value: Any, allowed: tuple[str, ...]) -> str | None:
    """``domain.canonical`` with a fast path for values already stored exactly (the register)."""
    try:
        if value in _SETS[allowed]:
            return value
    except (TypeError, KeyError):  # an unhashable cell, or a list not cached here
        pass
    return canonical(value, allowed)


def _stored(value: Any, members: frozenset[str]) -> bool:
    """True when ``value`` is exactly a stored closed-list value."""
    try:
        return value in members
    except TypeError:
        return False


def head_of(h: HouseholdData) -> PersonData | None:
    if h.members and h.members[0].relation == "户主":
        return h.members[0]  # the usual place
    return next((p for p in h.members if canon(p.relation, RELATIONS) == "户主"), None)


def head_name(h: HouseholdData) -> str:
    """The head's name as stated in 户主联系方式, else the head member's name."""
    if not blank(h.head_name):
        return str(h.head_name).strip()
    head = head_of(h)
    return str(head.name).strip() if head is not None and not blank(head.name) else ""


def who(h: HouseholdData) -> str:
    name = head_name(h)
    return f"{name}户" if name else "该户"


def pname(p: PersonData) -> str:
    return str(p.name).strip() if not blank(p.name) else "（无名成员）"


# --- printable text (H-04) ----------------------------------------------------------------------
def _font_ok(text: str) -> bool:
    if text.isascii():
        return True
    if fonts.coverage().issuperset(map(ord, text)):
        return True
    return not fonts.missing_chars(text)  # it ignores line breaks and tabs


_known: dict[str, bool] = {}  # text → printable; texts repeat (measures, categories, cadres)


def _text_ok(text: str) -> bool:
    ok = _known.get(text)
    if ok is None:
        if len(_known) > 500_000:
            _known.clear()
        ok = _known[text] = _font_ok(text)
    return ok


def _missing(text: Any) -> list[str]:
    if text is None:
        return []
    s = str(text)
    if _font_ok(s):
        return []
    return fonts.missing_chars(s)


def _all_ok(h: HouseholdData) -> bool:
    """Every text of the household printable (names, cause, cadre, measures, income, other texts)."""
    names = "".join([p.name for p in h.members if type(p.name) is str])  # names are unique: no cache
    if not _font_ok(names):
        return False
    for v in (h.head_name, h.cause, h.helper_name, *h.texts.values()):
        if type(v) is str and not _text_ok(v):
            return False
    for category, text in h.measures:
        if (type(category) is str and not _text_ok(category)) or (type(text) is str and not _text_ok(text)):
            return False
    return all(type(c) is not str or _text_ok(c) for c, _a in h.income_items)

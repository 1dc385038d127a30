"""The quirks tolerated in hand-made workbooks, each turned into the stored form and recorded.

Every function takes the raw cell value and returns the normalised value; ``Normaliser`` wraps
them and records each change as ``{"file","sheet","row","column","from","to"}`` so the preview
can list it. A value that cannot be understood is returned unchanged (as text): the rules engine
judges it and reports the finding (H-05 for an age ``七十``, H-06 for an unknown relation …).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.domain import CAUSES, HEALTH, LABOUR, RELATIONS, canonical
from app.rules.phones import normalise_phone

# 与户主关系 variants seen in hand-made files → the closed list (forms.md §4).
RELATION_VARIANTS = {
    "本人": "户主", "户主本人": "户主",
    "妻": "配偶", "妻子": "配偶", "丈夫": "配偶", "夫": "配偶", "老伴": "配偶", "爱人": "配偶", "之妻": "配偶",
    "之夫": "配偶",
    "子": "之子", "儿子": "之子", "长子": "之子", "次子": "之子", "三子": "之子", "独子": "之子", "养子": "之子",
    "继子": "之子",
    "女": "之女", "女儿": "之女", "长女": "之女", "次女": "之女", "三女": "之女", "养女": "之女", "继女": "之女",
    "儿媳": "之儿媳", "儿媳妇": "之儿媳", "媳妇": "之儿媳",
    "女婿": "之女婿",
    "孙子": "之孙子", "孙": "之孙子", "孙女": "之孙女",
    "外孙": "之外孙子", "外孙子": "之外孙子", "外孙女": "之外孙女",
    "父": "之父", "父亲": "之父", "爸爸": "之父", "母": "之母", "母亲": "之母", "妈妈": "之母",
    "公公": "之公公", "婆婆": "之婆婆", "岳父": "之岳父", "岳母": "之岳母",
    "祖父": "之祖父", "爷爷": "之祖父", "祖母": "之祖母", "奶奶": "之祖母",
    "外祖父": "之外祖父", "姥爷": "之外祖父", "外公": "之外祖父",
    "外祖母": "之外祖母", "姥姥": "之外祖母", "外婆": "之外祖母",
    "兄弟姐妹": "之兄弟姐妹", "兄": "之兄弟姐妹", "弟": "之兄弟姐妹", "姐": "之兄弟姐妹", "妹": "之兄弟姐妹",
    "哥哥": "之兄弟姐妹", "弟弟": "之兄弟姐妹", "姐姐": "之兄弟姐妹", "妹妹": "之兄弟姐妹",
    "兄弟": "之兄弟姐妹", "姐妹": "之兄弟姐妹", "之兄": "之兄弟姐妹", "之弟": "之兄弟姐妹", "之姐": "之兄弟姐妹",
    "之妹": "之兄弟姐妹",
    "其它": "其他",
}

_RELATION_SET = frozenset(RELATIONS)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PLAIN_NAME = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf·]+")
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_UNIT_SUFFIX = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(岁|人|元|户|周岁|口|万元)?$")


def width(text: str) -> str:
    """Full-width digits, letters and punctuation → half-width (NFKC), stray spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def header_key(text: Any) -> str:
    """A header label reduced for tolerant matching: half-width, no spaces/quotes/line breaks."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKC", str(text))
    t = _SPACES.sub("", t)
    for q in "\"'“”‘’「」":
        t = t.replace(q, "")
    return t


def header_key_loose(text: Any) -> str:
    """``header_key`` without any bracketed part: 家庭收入情况(预估) → 家庭收入情况."""
    return re.sub(r"\([^)]*\)", "", header_key(text))


def is_blank(value: Any) -> bool:
    if value is None or value == "":
        return True
    return isinstance(value, str) and (value.isspace() or not _SPACES.sub("", value))


def number(value: Any) -> Any:
    """A number from a cell: floats that are whole → int, text ``'１１００元'``/``'64岁'`` → number.

    Returns the value unchanged when it is not a number (the rules report it).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        t = width(value).replace(",", "").replace(" ", "")
        if not t:
            return None
        m = _UNIT_SUFFIX.match(t)
        if m:
            n = float(m.group(1))
            if m.group(2) == "万元":
                n *= 10000
            return int(n) if n.is_integer() else n
    return value


_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})\s*[.．/\-年]\s*(\d{1,2})\s*月?(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)


def month(value: Any) -> Any:
    """``2020.09``, ``2020.9``, ``2020-09``, ``2020年9月``, an Excel date → ``'2020.09'``; else unchanged."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}.{value.month:02d}"
    if isinstance(value, float | int) and not isinstance(value, bool):
        # A month typed as a number: 2020.09 arrives as 2020.09 (float), 2020.1 is October.
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        y, _, m = text.partition(".")
        if len(y) == 4 and m:
            mm = int(m) if len(m) == 2 and not m.endswith("0") else int(m.rstrip("0") or 0)
            if m == "10":
                mm = 10
            if 1 <= mm <= 12:
                return f"{int(y):04d}.{mm:02d}"
        return value
    t = width(str(value))
    for pat in _MONTH_PATTERNS:
        m = pat.match(t)
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{int(m.group(1)):04d}.{int(m.group(2)):02d}"
    return value


_PHONE_CHARS = re.compile(r"[\s\-—–－()（）]+")


def phone(value: Any) -> Any:
    """The stored form of a phone number (``app.rules.phones.normalise_phone``: mobiles lose spaces
    and dashes, landlines keep the dash written after the area code); else the text, for H-10."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    good = normalise_phone(value if isinstance(value, str) else str(value))
    return good if good is not None else width(str(value))


_PLAIN_CONTACT = re.compile(r"([\u4e00-\u9fff·]{1,20}) ?(1[3-9]\d{9})")
_CONTACT_RE = re.compile(r"^(?P<name>.*?)[\s:：,，(（]*(?P<phone>[01][\d\s\-—–－]{5,}\d)[)）]?\s*$")


def contact(value: Any) -> tuple[Any, Any]:
    """``'于海 15140731234'`` → (``'于海'``, ``'15140731234'``); a cell without a number → (text, None)."""
    if isinstance(value, str):
        m = _PLAIN_CONTACT.fullmatch(value)  # the common, already clean case
        if m:
            return m.group(1), m.group(2)
    if is_blank(value):
        return None, None
    if isinstance(value, float | int):
        return None, phone(value)
    t = width(str(value))
    m = _CONTACT_RE.match(t)
    if not m:
        return _SPACES.sub("", t) or None, None
    name = _SPACES.sub("", m.group("name")).strip(":：,，") or None
    return name, phone(m.group("phone"))


def closed(value: Any, allowed: tuple[str, ...]) -> Any:
    """A closed-list value, accepting hint text and width quirks; unchanged when not one."""
    if value in allowed:
        return value  # the common case, first
    if is_blank(value):
        return None
    t = width(str(value))
    c = canonical(t, allowed)
    return c if c is not None else _SPACES.sub("", t)


def relation(value: Any) -> Any:
    if value in _RELATION_SET:
        return value
    if is_blank(value):
        return None
    t = _SPACES.sub("", width(str(value)))
    c = canonical(t, RELATIONS)
    if c is not None:
        return c
    return RELATION_VARIANTS.get(t, t)


def cause(value: Any) -> Any:
    return closed(value, CAUSES)


def health(value: Any) -> Any:
    return closed(value, HEALTH)


def labour(value: Any) -> Any:
    return closed(value, LABOUR)


def text(value: Any) -> Any:
    """Free text: numbers shown as text, spaces trimmed; full-width kept (it is Chinese prose)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    t = str(value).strip()
    return t or None


def name(value: Any) -> Any:
    """A person's name: stray spaces removed (``张 三`` → ``张三``), half-width dot → ``·``."""
    if isinstance(value, str) and value and _PLAIN_NAME.fullmatch(value):
        return value
    if is_blank(value):
        return None
    t = _SPACES.sub("", str(value))
    return t.replace("•", "·").replace("．", "·") if _HAN.search(t) else t


@dataclass
class Normaliser:
    """Applies a conversion to a cell and records it when the value changed."""

    file: str
    sheet: str
    records: list[dict] = field(default_factory=list)

    def apply(self, fn, value: Any, row: int, column: str, *args) -> Any:
        new = fn(value, *args)
        if new is not value and not _same(value, new):
            self.records.append(
                {"file": self.file, "sheet": self.sheet, "row": row, "column": column,
                 "from": _show(value), "to": _show(new)}
            )
        return new

    def note(self, row: int, column: str, old: Any, new: Any) -> None:
        if not _same(old, new):
            self.records.append(
                {"file": self.file, "sheet": self.sheet, "row": row, "column": column,
                 "from": _show(old), "to": _show(new)}
            )


def _same(a: Any, b: Any) -> bool:
    if is_blank(a) and is_blank(b):
        return True
    if isinstance(b, dt.date | dt.datetime) or isinstance(a, dt.date | dt.datetime):
        return _show(a) == _show(b) or _show(_day(a)) == _show(_day(b))  # the same date, however typed
    if isinstance(a, float) and isinstance(b, int) and a == b:
        return True  # 64.0 read back as 64 is the reader's doing, not a quirk of the file
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b
    return type(a) is type(b) and a == b


def _day(v: Any) -> Any:
    """A datetime at midnight (how spreadsheets hold dates) as its date; other values unchanged."""
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()
    return v


def _show(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v

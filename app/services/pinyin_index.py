"""Pinyin initials of names, for the search box (``ljg`` finds 李建国, as clerks' other systems do).

A name's initials come from ``pypinyin``: the common reading of each given-name character, and for
the surname every reading pypinyin knows plus the surname reading of the characters read otherwise
as surnames (单 shan, 曾 zeng, 解 xie, 仇 qiu, …), so 单 matches both ``s`` and ``d``. The index is
built once per month and kept in memory — initials → names, sorted for prefix look-ups — and built
again only when the register changed since (every change writes the audit log; new persons and
households get new ids), so a search is a dictionary look-up and one indexed query by name.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from dataclasses import dataclass, field
from functools import lru_cache

# The surname reading of characters whose common reading differs (initial letters only).
SURNAME_INITIALS = {
    "单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "乐": "y", "尉": "y", "覃": "q",
    "朴": "p", "盖": "g", "缪": "m", "召": "s", "种": "c", "秘": "b", "员": "y", "繁": "p", "能": "n",
    "华": "h", "任": "r", "纪": "j", "翟": "z", "隗": "w", "冼": "x", "莘": "s", "眭": "s", "折": "s",
}
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "令狐", "慕容", "司徒",
                     "夏侯", "长孙", "宇文", "轩辕", "端木", "百里", "呼延", "西门", "南宫")


@lru_cache(maxsize=20_000)
def _common(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return (letters[0][:1] if letters else "").lower()


@lru_cache(maxsize=5_000)
def _surname(char: str) -> frozenset[str]:
    from pypinyin import Style, pinyin

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    out = {r[:1].lower() for r in (readings[0] if readings else []) if r}
    if char in SURNAME_INITIALS:
        out.add(SURNAME_INITIALS[char])
    return frozenset(out or {_common(char)} - {""})


@lru_cache(maxsize=400_000)
def initials(name: str) -> tuple[str, ...]:
    """Every initials string a clerk may type for ``name`` (usually one; more when the surname
    has several readings). Characters without pinyin (letters, digits) are left out."""
    name = (name or "").strip()
    if not name:
        return ()
    head_len = 2 if name[:2] in COMPOUND_SURNAMES else 1
    heads = [sorted(_surname(c)) for c in name[:head_len]]
    rest = "".join(_common(c) for c in name[head_len:])
    return tuple(sorted({"".join(p) + rest for p in itertools.product(*heads)}))


def is_initials_query(text: str) -> bool:
    return 2 <= len(text) <= 8 and text.isascii() and text.isalpha()


def matching_names(names, query: str) -> tuple[list[str], list[str]]:
    """(names whose initials are exactly ``query``, names whose initials start with it)."""
    q = query.lower()
    exact, prefix = [], []
    for name in names:
        variants = initials(name)
        if q in variants:
            exact.append(name)
        elif any(v.startswith(q) for v in variants):
            prefix.append(name)
    return exact, prefix


@dataclass
class PeriodIndex:
    """initials → the month's names with them; ``keys`` sorted for prefix look-ups."""

    stamp: tuple
    by_initials: dict[str, set[str]] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        for v in initials(name):
            self.by_initials.setdefault(v, set()).add(name)

    def find(self, query: str) -> tuple[list[str], list[str]]:
        """(names whose initials are exactly ``query``, names whose initials start with it)."""
        q = query.lower()
        exact = set(self.by_initials.get(q, ()))
        prefix: set[str] = set()
        i = bisect.bisect_left(self.keys, q)
        while i < len(self.keys) and self.keys[i].startswith(q):
            if self.keys[i] != q:
                prefix |= self.by_initials[self.keys[i]]
            i += 1
        return sorted(exact), sorted(prefix - exact)


_indexes: dict[tuple, PeriodIndex] = {}
_lock = threading.Lock()


def period_index(session, period_id: int) -> PeriodIndex:
    """The month's initials index, built on first use and again after any change to the register."""
    from sqlalchemy import func, select

    from app.models import AuditEntry, Household, Person

    key = (str(session.get_bind().url), period_id)
    stamp = (session.scalar(select(func.max(AuditEntry.id))), session.scalar(select(func.max(Person.id))),
             session.scalar(select(func.max(Household.id))))
    with _lock:
        index = _indexes.get(key)
        if index is not None and index.stamp == stamp:
            return index
    index = PeriodIndex(stamp)
    names = session.scalars(select(Person.name).join(Household, Household.id == Person.household_id)
                            .where(Household.period_id == period_id).distinct())
    for name in names:
        if name:
            index.add(name)
    index.keys = sorted(index.by_initials)
    with _lock:
        _indexes[key] = index
    return index

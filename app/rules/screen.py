"""A cheap screen over the register's plain rows: which households *might* have a finding.

``check_period`` runs every household rule only on the households this screen names; all others
are the common "every value valid" case. The screen is not written here: it is derived from the
rules' own common-case tests (``household.SCREENS``: the columns each test reads and the test), run
once per distinct value (or combination of values) of a column, so a clean register costs a few
set operations per rule. A household the screen passes gives no finding under any household rule
(a test is True only when its rule gives no finding); a household it does not name as a twin holds
no person with an H-12 key shared with anyone. H-08, H-09 and H-04 on measures and income texts
read other tables and are screened in SQL by the caller (``app.services.check_screen``).
``tests/rules/test_rules_screen.py`` compares the screened check with every rule on every household.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache, partial
from itertools import compress, filterfalse, groupby, islice, product
from math import prod
from operator import and_, eq, ge, itemgetter, not_
from typing import Any

from app import fonts

from .cells import blank
from .duplicates import name_age_key
from .household import PLAIN_NAME_RE, SCREENS
from .ids import normalise_id
from .phones import normalise_phone

# Person rows: (household_id, name, relation, age, health, labour, id_number, phone, position), in
# household and id order (the index's: no sort in SQLite); ``Members`` puts them in position order.
# Household rows: (id, band, prior_income, head_phone, cause, helper_name, helper_unit, helper_phone,
# expected_month, closed_out, housing_grade, housing_renovated, ytd_income, remark).
PERSON_COLUMNS = ("household_id", "name", "relation", "age", "health", "labour", "id_number", "phone", "position")
HOUSEHOLD_COLUMNS = ("id", "band", "prior_income", "head_phone", "cause", "helper_name", "helper_unit",
                     "helper_phone", "expected_month", "closed_out", "housing_grade", "housing_renovated",
                     "ytd_income", "remark")

_first, _second = itemgetter(0), itemgetter(1)
_NUMERIC = frozenset((int, float, bool))  # 1 == 1.0 == True: one set entry for different cells


@lru_cache(maxsize=1)
def _uncovered() -> re.Pattern[str]:
    """A character class of every code point no shipped face has (line breaks and tabs excepted,
    as H-04 ignores them): one C-level search over a whole column."""
    ignored = sorted(map(ord, fonts._IGNORED))
    ranges = [(cp, cp) for cp in ignored] + list(fonts.stored_ranges())
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[^{cls}]")


def unprintable(text: str) -> set[str]:
    """The characters of ``text`` no shipped face has (a superset of what H-04 reports)."""
    return set(_uncovered().findall(text))


class Members:
    """The person rows as columns (one C-level transpose), shared by the screens."""

    def __init__(self, persons: Sequence[tuple]):
        cols = list(zip(*persons, strict=True)) or [()] * len(PERSON_COLUMNS)
        hids, positions = cols[0], cols[8]
        if any(map(and_, map(eq, hids, islice(hids, 1, None)), map(ge, positions, islice(positions, 1, None)))):
            # rows come in household and id order; members moved since they were entered: by position
            cols = list(zip(*sorted(persons, key=itemgetter(0, 8)), strict=True))
        self.hids, self.names, self.rels, self.ages, self.healths, self.labours, self.idns, self.phones = cols[:8]
        # The usual register: every name a text, every age a whole number, ids texts or empty.
        self.plain_types = (set(map(type, self.names)) <= {str} and set(map(type, self.ages)) <= {int}
                            and set(map(type, self.idns)) <= {str, type(None)}
                            and set(map(type, self.phones)) <= {str, type(None)})
        # Members whose name is not 2–20 Chinese characters (H-03 looks closer; H-12 strips it).
        self.odd_names = (list(compress(range(len(self.names)), map(not_, map(PLAIN_NAME_RE.match, self.names))))
                          if self.plain_types else None)


_phone_keys: dict[str | None, str] = {None: ""}  # phone text → its stored form, "" when not a valid number


def phone_keys(values: Sequence[Any]) -> list[str]:
    """``normalise_phone`` of each value ("" for an invalid one or None), cached for texts."""
    keys = list(map(_phone_keys.get, values))
    if None in keys:  # not seen yet
        if len(_phone_keys) > 1_000_000:
            _phone_keys.clear()
            _phone_keys[None] = ""
        for i, (v, k) in enumerate(zip(values, keys, strict=True)):
            if k is None:
                k = keys[i] = normalise_phone(v) or ""
                if v.__class__ is str:
                    _phone_keys[v] = k
    return keys


def rule_suspects(households: Sequence[tuple], m: Members, period: str) -> set[int]:
    """Households that fail some rule's common-case test (``household.SCREENS``)."""
    bad: set[int] = set()
    if not households:
        return bad
    hcols = dict(zip(HOUSEHOLD_COLUMNS, zip(*households, strict=True), strict=True))
    ids = hcols["id"]
    derived = _Derived(ids, m)
    seen: dict[int, tuple[set, set]] = {}
    for screen in SCREENS:
        if screen.level == "member":
            keys, columns = m.hids, [derived.member(name) for name in screen.reads]
        else:
            keys, columns = ids, [hcols[name] if name in hcols else derived.household(name) for name in screen.reads]
        if not keys:
            continue
        if screen.text:
            bad |= _unprintable_rows(keys, columns)
            continue
        test = partial(screen.test, period) if screen.period else screen.test
        bad |= _failing(keys, columns, test, seen)
    return bad


class _Derived:
    """The columns a test reads beyond the stored ones: the head's age beside each member, and per
    household the members' relations, health values and whether one is of school age."""

    def __init__(self, ids: Sequence[int], m: Members):
        self.ids, self.m = ids, m
        self._cols: dict[str, Sequence] = {}

    def member(self, name: str) -> Sequence:
        m = self.m
        if name == "head_age":
            if name not in self._cols:
                first = dict(zip(reversed(m.hids), reversed(m.ages), strict=True))
                self._cols[name] = list(map(first.__getitem__, m.hids))
            return self._cols[name]
        return getattr(m, _MEMBER_ATTR[name])

    def household(self, name: str) -> Sequence:
        if name not in self._cols:
            m = self.m
            if name == "school_age":
                ages = m.ages if m.plain_types else [a if a.__class__ is int else -1 for a in m.ages]
                school = set(compress(m.hids, map(and_, map((6).__le__, ages), map((22).__ge__, ages))))
                self._cols[name] = list(map(school.__contains__, self.ids))
            else:  # relations (a tuple, in order) or healths (a set) per household; members come grouped
                values = m.rels if name == "relations" else m.healths
                make = tuple if name == "relations" else frozenset
                grouped = {h: make(map(_second, g)) for h, g in groupby(zip(m.hids, values, strict=True), key=_first)}
                empty = make()
                self._cols[name] = [grouped.get(h, empty) for h in self.ids]
        return self._cols[name]


_MEMBER_ATTR = {"name": "names", "relation": "rels", "age": "ages", "health": "healths", "labour": "labours",
                "id_number": "idns", "phone": "phones"}


def _failing(keys: Sequence[int], columns: list[Sequence], test, seen: dict[int, tuple[set, set]]) -> set[int]:
    """The keys whose row of ``columns`` fails ``test``. When a column holds mostly different values
    the test runs once per row, on the values as they are (a set would gain nothing); else once per
    distinct row, or once per combination of the columns' distinct values when they are few (a clean
    register then never builds the rows at all). ``seen``: each column's value types and distinct
    values, by id, shared by the screens that read the same column."""
    for col in columns:
        if id(col) not in seen:
            seen[id(col)] = (set(map(type, col)), set(col))
    if any(len(seen[id(c)][1]) > len(keys) // 4 for c in columns):
        return set(compress(keys, map(not_, map(test, *columns))))
    if any(len(_NUMERIC & seen[id(c)][0]) > 1 for c in columns):  # 70 and 70.0 must be told apart
        n = len(columns)
        rows = list(zip(*columns, *(map(type, c) for c in columns), strict=True))
        failed = {r for r in set(rows) if not test(*r[:n])}
        return set(compress(keys, map(failed.__contains__, rows))) if failed else set()
    if len(columns) == 1:
        failed = set(filterfalse(test, seen[id(columns[0])][1]))
        return set(compress(keys, map(failed.__contains__, columns[0]))) if failed else set()
    distincts = [seen[id(c)][1] for c in columns]
    if prod(map(len, distincts)) <= 4096 and all(test(*combo) for combo in product(*distincts)):
        return set()
    failed = {r for r in set(zip(*columns, strict=True)) if not test(*r)}
    if not failed:
        return set()
    return set(compress(keys, map(failed.__contains__, zip(*columns, strict=True))))


def _unprintable_rows(keys: Sequence[int], columns: list[Sequence]) -> set[int]:
    """H-04: the keys with a text holding a character no shipped face has (one search per column)."""
    out: set[int] = set()
    for col in columns:
        texts = col if set(map(type, col)) <= {str} else [v for v in col if v.__class__ is str]
        missing = unprintable("".join(texts))
        if missing:
            out.update(k for k, v in zip(keys, col, strict=True) if v.__class__ is str and not missing.isdisjoint(v))
    return out


_id_keys: dict[str | None, str | bool] = {None: False}  # 身份证号 text → H-12's key (normalise_id), False when blank


def twin_suspects(m: Members) -> set[int]:
    """Households holding a person whose H-12 key (身份证号, name and age, phone) some other person holds."""
    out: set[int] = set()
    hids = m.hids
    if not hids:
        return out
    ids = list(map(_id_keys.get, m.idns))
    if None in ids:  # not seen yet
        if len(_id_keys) > 1_000_000:
            _id_keys.clear()
            _id_keys[None] = False
        for i, (v, k) in enumerate(zip(m.idns, ids, strict=True)):
            if k is None:
                k = ids[i] = False if v is None or blank(v) else normalise_id(v)
                if v.__class__ is str:
                    _id_keys[v] = k
    for keys in (ids, _name_age_keys(m), phone_keys(m.phones)):
        counts = Counter(keys)
        counts.pop(None, None)
        counts.pop("", None)  # an invalid phone
        counts.pop(False, None)  # a blank 身份证号
        twice = set(compress(counts.keys(), map((1).__lt__, counts.values())))
        if twice:
            out.update(compress(hids, map(twice.__contains__, keys)))
    return out


def _name_age_keys(m: Members) -> list:
    """H-12's (name, age) keys; None for a person whose name no one else has (the cheap first cut:
    a plain name has no spaces to strip and a text caches its hash, a tuple does not)."""
    names, ages = m.names, m.ages
    if m.odd_names is None:
        return [_name_age_of(n, a) for n, a in zip(names, ages, strict=True)]
    counts = Counter(names)
    odd = {i: _name_age_of(names[i], ages[i]) for i in m.odd_names}
    counts.update(k[0] for k in odd.values() if k is not None)  # " 王芳" is 王芳
    shared = set(compress(counts.keys(), map((1).__lt__, counts.values())))
    keys: list = [None] * len(names)
    for i in compress(range(len(names)), map(shared.__contains__, names)):
        keys[i] = (names[i], ages[i])
    for i, k in odd.items():
        keys[i] = k
    return keys


class _Member:
    __slots__ = ("age", "name")

    def __init__(self, name: Any, age: Any):
        self.name, self.age = name, age


def _name_age_of(name: Any, age: Any) -> tuple | None:
    """H-12's (name, age) key of an unusual cell, as ``duplicates.name_age_key`` reads it."""
    if name.__class__ is str and age.__class__ is int and name.strip():
        return name.strip(), age
    return name_age_key(_Member(name, age))  # type: ignore[arg-type]

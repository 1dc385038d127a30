"""A cheap screen over the register's plain rows: which households *might* have a finding.

``check_period`` runs every household rule only on the households this screen names; all others
are the common "every value valid" case, judged here column by column on tuples without building
``HouseholdData``. The screen is conservative: a household it passes gives no finding under any
household rule (H-01 … H-16 but H-02, which never fires in the register), and a household it does
not name holds no person with an H-12 key shared with anyone. H-08, H-09 and the H-04 check of
measures and income texts are screened in SQL by the caller (``app.services.checks``).

A rule changed in ``household.py`` must be mirrored here; ``tests/test_rules_screen.py`` checks the
screen against the rules on every kind of odd value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from itertools import compress, islice
from operator import and_, eq, ge, itemgetter, ne, not_
from typing import Any

from app import fonts
from app.domain import BAND_A_LIMIT, BAND_B_LIMIT

from .cells import _CAUSE, _HEALTH, _LABOUR, _REL, blank
from .duplicates import _name_age
from .household import _PLAIN_NAME_RE, _age_from_id, _id_problem
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

_CHILD = frozenset(("之子", "之女"))
_PARENT = frozenset(("之父", "之母"))
_SICK = frozenset(("大病", "长期慢性病"))
_SOUND = frozenset((None, "", "A", "B"))  # housing grades H-14 never objects to
_SKIP, _BAD = -1, -2  # no 身份证号 / an invalid one, in the per-period id → age cache
_id_ages: dict[str, dict[Any, int]] = {}


def _is(value: str):
    """``x == value`` as a C-level callable giving a bool for any cell ("a".__eq__(None) is NotImplemented)."""
    return frozenset((value,)).__contains__


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


def _id_age(value: Any, period: str) -> int:
    """Age on the period's last day by a valid 身份证号; _SKIP when blank, _BAD when invalid (H-15/H-16)."""
    if value is None or blank(value):
        return _SKIP
    if _id_problem(value, period) is not None:
        return _BAD
    real = _age_from_id(value, period)
    return _BAD if real is None else real


def _ages_for(period: str) -> dict[Any, int]:
    cache = _id_ages.get(period)
    if cache is None or len(cache) > 1_000_000:
        if len(_id_ages) > 4:
            _id_ages.clear()
        cache = _id_ages[period] = {None: _SKIP}
    return cache


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
        self.odd_names = (list(compress(range(len(self.names)), map(not_, map(_PLAIN_NAME_RE.match, self.names))))
                          if self.plain_types else None)


def person_suspects(m: Members, period: str) -> set[int]:
    """Households whose members may break H-01, H-03, H-04 (names), H-05, H-06, H-07 (member edits),
    H-15 or H-16."""
    bad: set[int] = set()
    hids, names, rels, ages = m.hids, m.names, m.rels, m.ages
    if not hids:
        return bad
    # H-01: the first member is the head, and the only one.
    first = dict(zip(reversed(hids), reversed(rels), strict=True))
    bad.update(h for h, r in first.items() if r != "户主")
    heads = Counter(compress(hids, map(_is("户主"), rels)))
    bad.update(h for h, n in heads.items() if n != 1)
    head_age = dict(zip(reversed(hids), reversed(ages), strict=True))
    # H-04 on names: only characters outside the fonts send a household to the rules.
    missing = unprintable("".join(names) if m.plain_types else "".join(n for n in names if n.__class__ is str))
    if missing:
        bad.update(h for h, n in zip(hids, names, strict=True) if n.__class__ is str and not missing.isdisjoint(n))
    if not m.plain_types:
        return bad | _person_loop(m, period, head_age)
    # Below, column by column with C-level map/compress: every age is an int here.
    healths, labours = m.healths, m.labours
    # H-03, H-05, H-06.
    bad.update([hids[i] for i in m.odd_names])
    if min(ages) < 0 or max(ages) > 120:
        bad.update(h for h, a in zip(hids, ages, strict=True) if not 0 <= a <= 120)
    for values, allowed in ((rels, _REL), (healths, _HEALTH), (labours, _LABOUR)):
        if not set(values) <= allowed:
            bad.update(compress(hids, map(not_, map(allowed.__contains__, values))))
    # H-07, member edits: under 16 as spouse or 普通劳动力; 16–60, 健康 and 无劳动力; a child less than
    # 12 years younger than the head (first member), a parent less than 12 years older.
    n = range(len(hids))
    bad.update([hids[i] for i in compress(n, map((16).__gt__, ages)) if rels[i] == "配偶" or labours[i] == "普通劳动力"])
    bad.update([hids[i] for i in compress(n, map(_is("无劳动力"), labours)) if healths[i] == "健康" and 16 <= ages[i] <= 60])
    bad.update([hids[i] for i in compress(n, map(_CHILD.__contains__, rels)) if ages[i] > head_age[hids[i]] - 12])
    bad.update([hids[i] for i in compress(n, map(_PARENT.__contains__, rels)) if ages[i] < head_age[hids[i]] + 12])
    # H-15, H-16: the age by the 身份证号 (cached per period) equals the age.
    id_ages = _ages_for(period)
    real = list(map(id_ages.get, m.idns))
    if None in real:  # not seen yet
        for v, r in zip(m.idns, real, strict=True):
            if r is None:
                id_ages[v] = _id_age(v, period)
        real = list(map(id_ages.__getitem__, m.idns))
    bad.update(compress(hids, map(and_, map(ne, real, ages), map(_SKIP.__ne__, real))))
    return bad


def _person_loop(m: Members, period: str, head_age: dict) -> set[int]:
    """``person_suspects`` person by person, for cells of unusual types (a text age, a number name)."""
    bad: set[int] = set()
    id_ages = _ages_for(period)
    plain = _PLAIN_NAME_RE.match
    for h, name, rel, age, health, labour, idn in zip(m.hids, m.names, m.rels, m.ages, m.healths, m.labours,
                                                       m.idns, strict=True):
        if (name.__class__ is not str or not plain(name) or age.__class__ is not int or not 0 <= age <= 120
                or rel not in _REL or health not in _HEALTH or labour not in _LABOUR):
            bad.add(h)  # H-03, H-05, H-06
            continue
        if age < 16:
            if rel == "配偶" or labour == "普通劳动力":
                bad.add(h)
        elif age <= 60 and health == "健康" and labour == "无劳动力":
            bad.add(h)
        if rel in _CHILD or rel in _PARENT:
            ha = head_age[h]
            if ha.__class__ is not int or (age > ha - 12 if rel in _CHILD else age < ha + 12):
                bad.add(h)
        if idn is not None:
            real = id_ages.get(idn) if idn.__class__ is str else None  # 1 == 1.0: only texts are keys
            if real is None:
                real = _id_age(idn, period)
                if idn.__class__ is str:
                    id_ages[idn] = real
            if real != age and real != _SKIP:
                bad.add(h)  # H-15, H-16
    return bad


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


def household_suspects(households: Sequence[tuple], m: Members, period: str) -> set[int]:
    """Households that may break H-01 (no members), H-04 (their own texts), H-06 (cause), H-07 (cause
    without a matching member), H-10, H-11, H-13 or H-14; column by column."""
    bad: set[int] = set()
    if not households:
        return bad
    (ids, bands, priors, head_phones, causes, helper_names, helper_units, helper_phones, expected, closed,
     grades, renovated, ytds, remarks) = zip(*households, strict=True)
    hids, healths = m.hids, m.healths
    # H-01 (no members), H-06 (cause).
    members = set(hids)
    bad.update(h for h in ids if h not in members)
    bad.update(compress(ids, map(not_, map(_CAUSE.__contains__, causes))))
    # H-07: 因残 / 因病 / 因学 with a matching member.
    disabled = set(compress(hids, map(_is("残疾"), healths)))
    sick = set(compress(hids, map(_SICK.__contains__, healths)))
    if m.plain_types:
        school = set(compress(hids, map(and_, map((6).__le__, m.ages), map((22).__ge__, m.ages))))
    else:
        school = {h for h, a in zip(hids, m.ages, strict=True) if a.__class__ is int and 6 <= a <= 22}
    for cause, having in (("因残", disabled), ("因病", sick), ("因学", school)):
        bad.update(set(compress(ids, map(_is(cause), causes))) - having)
    # H-10: valid phones ("" or None: invalid), a helper's name (the head's is screened by H-03).
    bad.update(compress(ids, map(not_, phone_keys(head_phones))))
    bad.update(compress(ids, map(not_, phone_keys(helper_phones))))
    if set(map(type, helper_names)) <= {str}:
        bad.update(compress(ids, map(not_, map(str.strip, helper_names))))
    else:
        bad.update([h for h, n in zip(ids, helper_names, strict=True) if n.__class__ is not str or not n.strip()])
    # H-11: YYYY.MM of the report year; a later month with year-to-date income < 5000 (or none),
    # or a month reached and closed out.
    year, month = period[:4], int(period[5:7])
    later = frozenset(f"{year}.{i:02d}" for i in range(month + 1, 13))
    reached = frozenset(f"{year}.{i:02d}" for i in range(1, month + 1))
    bad.update([h for h, v, y, c in zip(ids, expected, ytds, closed, strict=True)
                if not ((v in later and (y is None or (y.__class__ in (int, float) and y < 5000)))
                        or (v in reached and c))])
    # H-13: the prior-year income fits the band (band_for).
    bad.update([h for h, p, b in zip(ids, priors, bands, strict=True)
                if p is not None and not (p.__class__ in (int, float) and (
                    (b == "A" and 0 <= p < BAND_A_LIMIT) or (b == "B" and BAND_A_LIMIT <= p <= BAND_B_LIMIT)))])
    # H-14: a C/D grade renovated.
    bad.update(compress(ids, map(and_, map(not_, renovated), map(not_, map(_SOUND.__contains__, grades)))))
    # H-04 on the household's own texts.
    texts = [v for col in (causes, helper_names, helper_units, remarks) for v in col if v.__class__ is str]
    missing = unprintable("".join(texts))
    if missing:
        for h, *values in zip(ids, causes, helper_names, helper_units, remarks, strict=True):
            if any(v.__class__ is str and not missing.isdisjoint(v) for v in values):
                bad.add(h)
    return bad


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
    """H-12's (name, age) key of an unusual cell, as ``duplicates._name_age`` reads it."""
    if name.__class__ is str and age.__class__ is int and name.strip():
        return name.strip(), age
    return _name_age(_Member(name, age))  # type: ignore[arg-type]

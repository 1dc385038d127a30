"""身份证号 (GB 11643-1999): check digit, birth date and masking (rules H-15, H-16; public prints)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from operator import mul

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # 2**(17-i) mod 11
_CHECK = "10X98765432"


def normalise_id(text: object) -> str:
    """Upper-case, without spaces (a trailing ``x`` is common)."""
    if text.__class__ is str and text.isascii() and text.isalnum():  # the usual cell: nothing to strip
        return text.upper()
    if text is None:
        return ""
    s = str(text).strip().replace(" ", "").upper()
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


def check_digit(first17: str) -> str:
    """The 18th character for 17 digits (ISO 7064 MOD 11-2)."""
    return _CHECK[sum(map(mul, map(int, first17), _WEIGHTS)) % 11]


def _fast_check_digit(first17: str) -> str:
    """``check_digit`` of 17 ASCII digits in one C call: the weights are 2**(17-i) mod 11 and
    13 ≡ 2 (mod 11), so the weighted sum ≡ 2 × (the digits read in base 13) (mod 11)."""
    return _CHECK[2 * int(first17, 13) % 11]


def birth_date(id_number: str) -> dt.date | None:
    """The birth date coded in characters 7–14, or None when it is not a real date."""
    return _birth_date(normalise_id(id_number))


@lru_cache(maxsize=262144)
def _birth_date(s: str) -> dt.date | None:
    if len(s) < 14 or not (s[6:14].isascii() and s[6:14].isdigit()):
        return None
    try:
        d = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None
    return d if d.year >= 1880 else None


def id_problem(id_number: object, today: dt.date | None = None) -> str | None:
    """Why ``id_number`` is not a valid 18-character 身份证号, in Chinese; None when it is valid."""
    return _id_problem(normalise_id(id_number), today)


@lru_cache(maxsize=262144)  # a register is checked again after every edit: remember the answers
def _id_problem(s: str, today: dt.date | None) -> str | None:
    return _check(s, today)[0]


def _check(s: str, today: dt.date | None) -> tuple[str | None, dt.date | None]:
    """(why the normalised ``s`` is not a valid 身份证号 or None, its birth date when valid)."""
    if len(s) != 18:
        return f"应为18位，现为{len(s)}位", None
    if not (s.isascii() and s[:17].isdigit() and (s[17].isdigit() or s[17] == "X")):
        return "前17位应为数字，最后一位为数字或X", None
    born = _date_of(s[6:14])  # many members share a birth date
    if born is None or born.year < 1880 or (today is not None and born > today):
        return f"出生日期“{s[6:14]}”不是真实日期", None
    digit = _fast_check_digit(s[:17])  # 17 ASCII digits, checked above
    if digit != s[17]:
        return f"校验位不对（最后一位应为{digit}），可能有数字录错", None
    return None, born


@lru_cache(maxsize=65536)
def _date_of(yyyymmdd: str) -> dt.date | None:
    try:
        return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]\Z")  # the usual cell: 17 ASCII digits and a digit or X, nothing to normalise


def plain_age(s: str, day: dt.date) -> int | None:
    """``age_if_valid`` of a number ``PLAIN_ID`` matches, without normalising it again: the period-wide
    screen asks this of every member."""
    if _CHECK[2 * int(s[:17], 13) % 11] != s[17]:
        return None
    born = _date_of(s[6:14])
    if born is None or born.year < 1880 or born > day:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_if_valid(id_number: object, day: dt.date) -> int | None:
    """Full years on ``day`` by the birth date of a valid 身份证号 (one not born after ``day``);
    None when it is not valid."""
    problem, born = _check(normalise_id(id_number), day)
    return None if problem is not None else age_on(born, day)  # type: ignore[arg-type]


def age_on(born: dt.date, day: dt.date) -> int:
    """Full years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask_id(id_number: object) -> str:
    """For anything public: the first 6 and last 4 characters only."""
    s = normalise_id(id_number)
    if len(s) <= 10:
        return "*" * len(s)
    return f"{s[:6]}{'*' * (len(s) - 10)}{s[-4:]}"

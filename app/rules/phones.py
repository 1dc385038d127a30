"""Phone numbers (forms.md §0): validate, normalise and mask, for rules, GUI, importers and wall charts.

Mobile: ``1[3-9]`` + 9 digits; spaces and ``-`` inside are tolerated on input and dropped.
Landline: ``0`` + 2–3 digit area code, optional ``-``, 7–8 digits (``024-82703810``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^(0\d{2,3})(-?)(\d{7,8})$")
_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-"})


def _clean(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text)).translate(_DASHES).strip()
    if s.endswith(".0") and s[:-2].isdigit():  # a number cell read back as float text
        s = s[:-2]
    if s.startswith("+86"):
        s = s[3:].strip(" -")
    return s


def normalise_phone(text: object) -> str | None:
    """The stored form of a valid phone number, or None when ``text`` is not one.

    Mobiles lose their spaces and dashes (``151 4073 1234`` → ``15140731234``); landlines keep
    the dash after the area code when one was written, and lose spaces.
    """
    if type(text) is str:
        return _normalise_text(text) if len(text) != 11 or not _MOBILE_RE.match(text) else text
    return _normalise(text)


@lru_cache(maxsize=65536)
def _normalise_text(text: str) -> str | None:
    return _normalise(text)


def _normalise(text: object) -> str | None:
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        text = str(text)
    s = _clean(text)
    if not s:
        return None
    compact = s.replace(" ", "")
    digits = compact.replace("-", "")
    if _MOBILE_RE.match(digits):
        return digits
    if _LANDLINE_RE.match(compact):
        return compact
    return None


def is_valid_phone(text: object) -> bool:
    return normalise_phone(text) is not None


def mask_phone(text: object) -> str:
    """A phone for public display: ``151****1234`` for mobiles, ``024-****3810`` for landlines."""
    if text is None or str(text).strip() == "":
        return ""
    norm = normalise_phone(text)
    if norm is not None and _MOBILE_RE.match(norm):
        return f"{norm[:3]}****{norm[-4:]}"
    if norm is not None:
        m = _LANDLINE_RE.match(norm)
        assert m is not None
        area, dash, number = m.groups()
        return f"{area}{dash}{'*' * (len(number) - 4)}{number[-4:]}"
    s = _clean(text).replace(" ", "")
    if len(s) >= 8:
        return f"{s[:3]}{'*' * (len(s) - 7)}{s[-4:]}"
    return "****"

"""The shipped fonts: which characters they can print (rule H-04) and their reportlab registration.

A Ming/Song face for the forms, with two fallbacks for rare characters (CJK Ext A–F). Text is
split into runs by the first face that has each character, so 王堃, 䶮 and 𠮷 all print.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from app.resources import resource

# (reportlab name, file, Qt family) in fallback order.
FACES = (
    ("GuatuSong", "uming-cn.ttf", "AR PL UMing CN"),
    ("GuatuRareA", "HanaMinA.ttf", "HanaMinA"),
    ("GuatuRareB", "HanaMinB.ttf", "HanaMinB"),
)
PRIMARY = FACES[0][0]
_IGNORED = frozenset("\n\r\t")
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cmaps() -> tuple[frozenset[int], ...]:
    from fontTools.ttLib import TTFont

    out = []
    for _name, file, _family in FACES:
        font = TTFont(resource("fonts", file), lazy=True)
        out.append(frozenset(font.getBestCmap()))
        font.close()
    return tuple(out)


COVERAGE_FILE = "coverage.txt"  # in resources/fonts: the union of the faces' cmaps, as ranges


def coverage_ranges(code_points) -> list[tuple[int, int]]:
    """Sorted code points as inclusive (first, last) ranges."""
    ranges: list[tuple[int, int]] = []
    for cp in sorted(code_points):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


def write_coverage() -> None:
    """Write resources/fonts/coverage.txt from the faces (run after changing a shipped font;
    tests/kernel/test_fonts_coverage.py fails while it is stale)."""
    ranges = coverage_ranges(frozenset().union(*_cmaps()))
    text = "".join(f"{a:x}-{b:x}\n" for a, b in ranges)
    resource("fonts", COVERAGE_FILE).write_text(text, encoding="ascii")


@lru_cache(maxsize=1)
def stored_ranges() -> tuple[tuple[int, int], ...]:
    """The shipped coverage as ranges: read from the small text file, not from the fonts (reading
    the three faces' cmaps costs about 0.4 s, once per ``guatu check``)."""
    try:
        text = resource("fonts", COVERAGE_FILE).read_text(encoding="ascii")
    except OSError:
        return tuple(coverage_ranges(frozenset().union(*_cmaps())))
    return tuple(tuple(int(x, 16) for x in line.split("-")) for line in text.split())  # type: ignore[misc]


@lru_cache(maxsize=1)
def coverage() -> frozenset[int]:
    """Every code point some shipped face can print."""
    return frozenset(cp for a, b in stored_ranges() for cp in range(a, b + 1))


def missing_chars(text: str) -> list[str]:
    """Characters of ``text`` that no shipped face has, in order of first appearance."""
    if not text or text.isascii():
        return []
    cov = coverage()
    seen: list[str] = []
    for ch in text:
        if ch not in _IGNORED and ord(ch) not in cov and ch not in seen:
            seen.append(ch)
    return seen


def face_for(ch: str) -> str:
    cp = ord(ch)
    for (name, _f, _q), cmap in zip(FACES, _cmaps(), strict=True):
        if cp in cmap:
            return name
    return PRIMARY


def runs(text: str) -> list[tuple[str, str]]:
    """Split text into (reportlab font name, text) runs by the first face having each character."""
    out: list[tuple[str, str]] = []
    primary = _cmaps()[0]
    for ch in text:
        name = PRIMARY if (ord(ch) in primary or ch.isascii()) else face_for(ch)
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out


def register_reportlab() -> None:
    """Register the faces with reportlab once per process (embedded, subset, on use)."""
    with _lock:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, file, _family in FACES:
            if name not in registered:
                pdfmetrics.registerFont(TTFont(name, str(resource("fonts", file))))


def qt_families() -> list[str]:
    return [family for _n, _f, family in FACES]

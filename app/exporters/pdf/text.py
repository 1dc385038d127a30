"""Measuring, wrapping and drawing mixed-face text on a reportlab canvas.

Every string goes through ``app.fonts.runs``: each character is drawn with the first shipped face
that has it (AR PL UMing CN, then HanaMinA/HanaMinB), so 王堃, 䶮 and 𠮷 print and never show an
empty box. Fonts are embedded as subsets by reportlab; ``ensure_fonts`` also installs our
ToUnicode fix (``tounicode``) so that text copied or extracted from the PDF is the text printed.

The API (shared with the wall charts and 明白卡):

- ``ensure_fonts()`` once before drawing (cheap after the first call);
- ``text_width(text, size)`` in points; ``wrap(text, size, width)`` → lines (CJK text breaks
  between any two characters, Latin words and numbers stay whole where they fit, closing
  punctuation never starts a line, ``\\n`` forces a break);
- ``draw_text(canvas, x, y, text, size, align="left", bold=False)`` draws one line at baseline
  ``y``; ``align`` is "left" (x is the start), "center" (x is the middle) or "right" (x is the end);
- ``draw_lines(canvas, x, top, lines, size, leading=None, align="left")`` draws wrapped lines
  downwards from ``top`` and returns the height used;
- ``TextBatch(canvas)``: the same ``draw`` for many strings in one PDF text object — use it for
  tables (a page of cells costs one BT … ET instead of one per cell). Close it (or use ``with``)
  before drawing anything that must lie on top of the text.

Coordinates are reportlab's (points, origin bottom-left). ``bold`` fakes a bold face (the Ming
face has none) by stroking the glyph outlines thinly.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache

from reportlab.lib.rl_accel import escapePDF
from reportlab.pdfbase import pdfmetrics

from app import fonts
from app.exporters.pdf import tounicode

ALIGNS = ("left", "center", "right")
BOLD_STROKE = 0.028  # stroke width of fake bold, as a fraction of the font size
# Characters that must not begin a line (避头) and that must not end one (避尾).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕…—,.;:?!)]}%·’”")
NO_LINE_END = frozenset("（《「『【〔([{‘“")
_TOKEN = re.compile(r"[A-Za-z0-9@#%&+\-./:_×*]+| |.", re.S)
_ready = False


def ensure_fonts() -> None:
    """Register the shipped faces with reportlab and install the ToUnicode fix (idempotent)."""
    global _ready
    if not _ready:
        fonts.register_reportlab()
        _ready = True
    tounicode.install()


@lru_cache(maxsize=65536)
def _char(ch: str) -> tuple[str, float]:
    """(face name, advance width at 1 pt) of one character."""
    face = fonts.face_for(ch) if not ch.isascii() else fonts.PRIMARY
    return face, pdfmetrics.getFont(face).stringWidth(ch, 1.0)


def text_width(text: str, size: float) -> float:
    """Width in points of ``text`` (one line) at ``size``, across faces."""
    if not text:
        return 0.0
    if not _ready:
        ensure_fonts()
    return _unit_width(text) * size


def wrap(text: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` points (a single over-wide character
    still gets its own line). Explicit newlines are kept; trailing spaces are dropped."""
    if not _ready:
        ensure_fonts()
    limit = width / size if size > 0 else float("inf")
    lines: list[str] = []
    for para in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.extend(_wrap_para(para, limit))
    return lines


def _wrap_para(para: str, limit: float) -> list[str]:
    if not para:
        return [""]
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    for token in _TOKEN.findall(para):
        tw = sum(_char(ch)[1] for ch in token)
        if cur_w + tw <= limit or not cur and tw <= limit:
            cur.append(token)
            cur_w += tw
            continue
        if token == " ":  # a break at a space eats the space
            lines.append("".join(cur).rstrip())
            cur, cur_w = [], 0.0
            continue
        if tw > limit:  # a word wider than the line: break it by characters
            for ch in token:
                cw = _char(ch)[1]
                if cur and cur_w + cw > limit:
                    lines.append("".join(cur).rstrip())
                    cur, cur_w = [], 0.0
                cur.append(ch)
                cur_w += cw
            continue
        carry: list[str] = []
        if token in NO_LINE_START:  # closing punctuation takes the character before it along
            while len(cur) > 1 and cur[-1] in NO_LINE_START:
                carry.insert(0, cur.pop())
            if len(cur) > 1:
                carry.insert(0, cur.pop())
        while len(cur) > 1 and cur[-1] in NO_LINE_END:  # an opening bracket goes down with its text
            carry.insert(0, cur.pop())
        if cur:
            lines.append("".join(cur).rstrip())
        cur = [*carry, token]
        cur_w = sum(_char(ch)[1] for t in cur for ch in t)
    if cur or not lines:
        lines.append("".join(cur).rstrip())
    return lines


def _start_x(x: float, width: float, align: str) -> float:
    if align == "left":
        return x
    if align == "center":
        return x - width / 2
    if align == "right":
        return x - width
    raise ValueError(f"align must be one of {ALIGNS}: {align!r}")


def _num(v: float) -> str:
    """A coordinate for the content stream (reportlab's fp_str is pure Python here, and slow)."""
    return f"{v:.2f}"


@lru_cache(maxsize=65536)
def _unit_width(text: str) -> float:
    return sum(_char(ch)[1] for ch in text)


# Encoded text per document (subset codes are assigned per document): short strings repeat a lot
# in a register (ages, relations, place names), so they are split and escaped once.
_encoded: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_LEN = 24  # cache strings up to this length
_CACHE_MAX = 200_000


def _doc_cache(doc) -> dict:
    cache = _encoded.get(doc)
    if cache is None:
        cache = _encoded[doc] = {}
    return cache


def _encode(doc, text: str, cache: dict) -> tuple[tuple[str, str], ...]:
    """(internal subset font name, escaped bytes) runs of ``text`` for ``doc``."""
    hit = cache.get(text)
    if hit is not None:
        return hit
    out = []
    for face, chunk in fonts.runs(text):
        font = pdfmetrics.getFont(face)
        for subset, data in font.splitString(chunk, doc):
            out.append((font.getSubsetInternalName(subset, doc), escapePDF(data)))
    result = tuple(out)
    if len(text) <= _CACHE_LEN and len(cache) < _CACHE_MAX:
        cache[text] = result
    return result


class TextBatch:
    """Many strings in one PDF text object on ``canvas``; ``draw`` like ``draw_text``."""

    def __init__(self, canvas) -> None:
        if not _ready:
            ensure_fonts()
        self._canvas = canvas
        self._doc = canvas._doc  # reportlab's document: subsets are assigned per document
        self._cache = _doc_cache(self._doc)
        self._ops: list[str] = ["BT"]
        self._font: tuple[str, float] | None = None
        self._bold = False
        self._closed = False

    def draw(self, x: float, y: float, text: str, size: float, align: str = "left", bold: bool = False) -> float:
        """Draw one line with its baseline at ``y``; return its width in points."""
        if not text:
            return 0.0
        text = str(text)
        width = _unit_width(text) * size
        ops = self._ops
        if bold != self._bold:
            ops.append(f"2 Tr {_num(size * BOLD_STROKE)} w" if bold else "0 Tr")
            self._bold = bold
        ops.append(f"1 0 0 1 {_num(_start_x(x, width, align))} {_num(y)} Tm")
        for name, data in _encode(self._doc, text, self._cache):
            if (name, size) != self._font:
                ops.append(f"{name} {_num(size)} Tf")
                self._font = (name, size)
            ops.append(f"({data}) Tj")
        return width

    def close(self) -> None:
        """Emit the text object onto the canvas (once)."""
        if self._closed:
            return
        self._closed = True
        if len(self._ops) > 1:
            if self._bold:
                self._ops.append("0 Tr")
            self._ops.append("ET")
            self._canvas.addLiteral(" ".join(self._ops))
        self._ops = []

    def __enter__(self) -> TextBatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def draw_text(canvas, x: float, y: float, text: str, size: float, align: str = "left", bold: bool = False) -> float:
    """Draw one line of mixed-face text with its baseline at ``y``; return its width in points.
    Colour is the canvas's current fill colour."""
    with TextBatch(canvas) as batch:
        return batch.draw(x, y, text, size, align, bold)


def draw_lines(
    canvas, x: float, top: float, lines: list[str], size: float, leading: float | None = None, align: str = "left"
) -> float:
    """Draw ``lines`` downwards from ``top`` (the top of the first line); return the height used."""
    leading = leading or size * 1.25
    with TextBatch(canvas) as batch:
        for i, line in enumerate(lines):
            batch.draw(x, top - i * leading - size * 0.88, line, size, align)
    return leading * len(lines)

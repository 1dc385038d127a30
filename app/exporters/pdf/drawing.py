"""Canvas helpers shared by the wall chart and the 明白卡: opening, colour, fitting text, saving.

The official forms (``forms``) have their own page furniture; these are the few bits the two
free-layout PDFs draw the same way.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from app.exporters.pdf.text import text_width

AUTHOR = "挂图作战 guatu"


def new_canvas(out: str | Path, size: tuple[float, float], title: str, subject: str | None = None) -> Canvas:
    """A compressed canvas with the document's title (and subject) and our name as author."""
    c = Canvas(str(out), pagesize=size, pageCompression=1)
    c.setTitle(title)
    if subject is not None:
        c.setSubject(subject)
    c.setAuthor(AUTHOR)
    return c


def save_flate(c: Canvas) -> None:
    """Save with Flate-only streams (reportlab's ASCII85 layer is slow pure Python and 25 % bigger);
    ``rl_config.useA85`` is global and read while saving, so it is put back at once."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c.save()
    finally:
        rl_config.useA85 = before


def ink(c: Canvas, colour) -> None:
    """Fill and stroke in one colour: fake-bold text strokes its outlines with the stroke colour."""
    c.setFillColor(colour)
    c.setStrokeColor(colour)


def fit(text: str, size: float, width: float) -> float:
    """The font size, down to 5 pt, at which ``text`` fits in ``width`` points."""
    w = text_width(text, size)
    return size if w <= width else max(5.0, size * width / w)

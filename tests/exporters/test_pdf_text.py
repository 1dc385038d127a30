"""Mixed-face measuring and wrapping (app.exporters.pdf.text), shared by the forms and wall charts."""

from __future__ import annotations

import pytest
from reportlab.pdfbase import pdfmetrics

from app import fonts
from app.exporters.pdf import text

MEASURES = "1、五小产业养羊。\n2、盖州市味中鲜食品有限公司产业带动（含分红）。\n3、低保兜底4人。"


@pytest.fixture(scope="module", autouse=True)
def _fonts():
    text.ensure_fonts()


def test_width_sums_the_faces():
    size = 10
    expected = sum(pdfmetrics.stringWidth(t, face, size) for face, t in fonts.runs("王堃𠮷ab"))
    assert text.text_width("王堃𠮷ab", size) == pytest.approx(expected)
    assert text.text_width("𠮷", size) > 0  # from the fallback face, not a zero-width box
    assert text.text_width("", size) == 0


@pytest.mark.parametrize("width", [40, 65, 100, 160])
def test_wrap_fits_and_keeps_every_character(width):
    lines = text.wrap(MEASURES, 9, width)
    for line in lines:
        assert text.text_width(line, 9) <= width + 1e-6 or len(line) == 1
        assert not line or line[0] not in text.NO_LINE_START
        assert not line or line[-1] not in text.NO_LINE_END
    assert "".join(lines) == MEASURES.replace("\n", "")


def test_newlines_force_breaks_and_words_stay_whole():
    assert text.wrap("甲\n\n乙", 10, 200) == ["甲", "", "乙"]
    lines = text.wrap("联系电话 15140731234 帮扶", 10, 70)
    assert any(line.startswith("15140731234") for line in lines)  # a number fitting a line stays whole
    assert text.wrap("1514073123415140731234", 10, 30)[0] == "151407"  # wider than a line: by characters


def test_cjk_without_spaces_wraps_between_characters():
    lines = text.wrap("王堃䶮𠮷阿依古丽·买买提", 10, 30)
    assert lines[0] == "王堃䶮"
    assert "".join(lines) == "王堃䶮𠮷阿依古丽·买买提"


def test_draw_text_rejects_unknown_alignment(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp_path / "x.pdf"))
    with pytest.raises(ValueError):
        text.draw_text(canvas, 0, 0, "甲", 10, "middle")

"""The ToUnicode fix: text outside the BMP (𠮷 U+20BB7) must extract as itself from our PDFs."""

from __future__ import annotations

import re
import subprocess

from reportlab.pdfgen.canvas import Canvas

from app.exporters.pdf import text, tounicode

RARE = "𠮷"  # U+20BB7, in HanaMinA
NAMES = f"王堃 䶮 {RARE}祥 阿依古丽·买买提"


def _pdf(path) -> str:
    """Draw the names on a canvas (fonts registered by the caller; ``draw_text`` adds nothing)."""
    canvas = Canvas(str(path), initialFontName="GuatuSong")
    text.draw_text(canvas, 72, 720, NAMES, 14)
    canvas.showPage()
    canvas.save()
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")


def test_utf16_destinations():
    assert tounicode.utf16_hex(0x20BB7) == "D842DFB7"
    assert tounicode.utf16_hex(0x10000) == "D800DC00"
    assert tounicode.utf16_hex(0x10FFFF) == "DBFFDFFF"
    assert tounicode.utf16_hex(ord("王")) == "738B"
    assert tounicode.utf16_hex(0x41) == "0041"
    assert tounicode.utf16_hex(0xD800) == "FFFD"  # a lone surrogate is no character


def test_cmap_entries_are_utf16_and_blocks_at_most_100():
    subset = list(range(32, 32 + 250)) + [0x20BB7]
    cmap = tounicode.make_to_unicode_cmap("AAAAAA+Test", subset)
    assert f"<{len(subset) - 1:02X}> <D842DFB7>" in cmap
    counts = [int(n) for n in re.findall(r"^(\d+) beginbfchar$", cmap, re.M)]
    assert counts == [100, 100, 51]
    entries = re.findall(r"^<[0-9A-F]{2}> <([0-9A-F]+)>$", cmap.split("endcodespacerange")[1], re.M)
    assert len(entries) == len(subset)
    assert all(len(dest) in (4, 8) for dest in entries)
    assert "<00> <FA>" in cmap  # codespace covers the subset's codes


def test_reportlab_still_writes_the_malformed_entry():
    """Documents why the patch exists: if reportlab fixes it upstream, this fails and the patch can go."""
    cmap = tounicode.original_cmap("AAAAAA+Test", [0x41, 0x20BB7])
    assert "<01> <20BB7>" in cmap


def test_pdftotext_returns_rare_names(tmp_path):
    text.ensure_fonts()
    assert tounicode.installed()
    out = _pdf(tmp_path / "fixed.pdf")
    assert NAMES in out


def test_without_the_patch_the_name_is_garbled(tmp_path):
    text.ensure_fonts()
    tounicode.uninstall()
    try:
        out = _pdf(tmp_path / "broken.pdf")
    finally:
        tounicode.install()
    assert tounicode.installed()
    assert RARE not in out
    assert "王堃" in out and "䶮" in out  # BMP characters were never the problem

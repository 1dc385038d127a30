"""Correct ToUnicode CMaps for reportlab's TrueType subsets, so copied text is the text printed.

reportlab (checked with 5.1) builds each subset font's ToUnicode CMap in
``reportlab.pdfbase.ttfonts.makeToUnicodeCMap`` with the entry ``"<%02X> <%04X>" % (code, cp)``.
For a character outside the Basic Multilingual Plane such as 𠮷 (U+20BB7) that writes
``<20BB7>``: five hex digits, which is not UTF-16BE. Readers take the first four (U+20BB, ₻),
so ``pdftotext`` returns the wrong character and the receiving office cannot search for the name.
The destination of a bfchar entry must be UTF-16BE: U+20BB7 is the surrogate pair ``<D842DFB7>``.
reportlab also writes all (up to 256) entries in one ``beginbfchar`` block, while the CMap
specification (Adobe TN 5014/5411) allows at most 100 per block; we split them.

``install()`` replaces the module-level function (``TTFont.addObjects`` looks it up by name when
the PDF is saved), once per process; ``original_cmap`` keeps reportlab's for the regression test
that shows the bug still exists upstream (and tells us when the patch can go).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

_BLOCK = 100  # the CMap limit of entries per beginbfchar … endbfchar block
_lock = threading.Lock()
_original = None


def utf16_hex(cp: int) -> str:
    """The UTF-16BE hex of a code point: 4 digits in the BMP, a surrogate pair (8) above it."""
    if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF or cp < 0:
        return "FFFD"  # not a character: map to the replacement character, never a malformed entry
    if cp < 0x10000:
        return f"{cp:04X}"
    v = cp - 0x10000
    return f"{0xD800 + (v >> 10):04X}{0xDC00 + (v & 0x3FF):04X}"


def make_to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """A ToUnicode CMap for one subset (one byte codes 0…len-1), with UTF-16BE destinations."""
    entries = [f"<{code:02X}> <{utf16_hex(cp)}>" for code, cp in enumerate(subset)]
    blocks: list[str] = []
    for start in range(0, len(entries), _BLOCK):
        chunk = entries[start : start + _BLOCK]
        blocks.append(f"{len(chunk)} beginbfchar")
        blocks.extend(chunk)
        blocks.append("endbfchar")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{max(len(subset) - 1, 0):02X}>",
            "endcodespacerange",
            *blocks,
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def original_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's own CMap builder (as shipped), whatever is installed now."""
    from reportlab.pdfbase import ttfonts

    return (_original or ttfonts.makeToUnicodeCMap)(fontname, subset)


def install() -> None:
    """Make reportlab write correct ToUnicode CMaps from now on (idempotent, thread-safe)."""
    global _original
    with _lock:
        from reportlab.pdfbase import ttfonts

        if ttfonts.makeToUnicodeCMap is make_to_unicode_cmap:
            return
        _original = ttfonts.makeToUnicodeCMap
        ttfonts.makeToUnicodeCMap = make_to_unicode_cmap


def uninstall() -> None:
    """Put reportlab's builder back (used by the test proving the patch is still needed)."""
    global _original
    with _lock:
        from reportlab.pdfbase import ttfonts

        if _original is not None and ttfonts.makeToUnicodeCMap is make_to_unicode_cmap:
            ttfonts.makeToUnicodeCMap = _original
        _original = None


def installed() -> bool:
    from reportlab.pdfbase import ttfonts

    return ttfonts.makeToUnicodeCMap is make_to_unicode_cmap

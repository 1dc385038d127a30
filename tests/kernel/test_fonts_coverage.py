"""resources/fonts/coverage.txt is the shipped faces' coverage (H-04 reads it instead of the fonts)."""

from __future__ import annotations

from app import fonts


def test_stored_coverage_is_the_faces_cmaps():
    faces = frozenset().union(*fonts._cmaps())
    assert fonts.coverage_ranges(faces) == list(fonts.stored_ranges()), "run app.fonts.write_coverage()"
    assert fonts.coverage() == faces
    assert fonts.missing_chars("王堃𠮷\U000f0001") == ["\U000f0001"]

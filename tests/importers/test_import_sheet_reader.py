"""The workbook reader in a child process gives what the in-process reader gives, and refuses the same files."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_import_helpers import seed_household, write_form4
from test_import_hostile_inputs import WORKBOOK_CASES, rewrite_sheet

from app.importers import sheet_reader
from app.importers.sheet_reader import ReaderFailed, read_sheets


@pytest.fixture
def book(tmp_path) -> Path:
    households = [seed_household() for _ in range(3)]
    return write_form4(tmp_path / "good.xlsx", households)


def test_rows_and_merges_from_the_child_equal_the_in_process_read(book, monkeypatch):
    monkeypatch.setattr(sheet_reader, "CHUNK_ROWS", 3)  # several chunks even for a small sheet
    here = read_sheets(book, child=False)
    there = read_sheets(book, child=True)
    assert there == here
    name, rows, merges = there[0]
    assert name == "附件4" and len(rows) > 6 and merges  # the merged household cells came back


@pytest.mark.parametrize("case", ["bad_xml", "empty_part"])
def test_a_file_the_reader_refuses_is_refused_from_the_child_too(case, book, tmp_path):
    bad = rewrite_sheet(book, tmp_path / "坏.xlsx", WORKBOOK_CASES[case])
    with pytest.raises(ReaderFailed) as here:
        read_sheets(bad, child=False)
    with pytest.raises(ReaderFailed) as there:
        read_sheets(bad, child=True)
    assert str(there.value) == str(here.value)


def test_a_large_file_goes_to_the_child(book, monkeypatch):
    """The size threshold decides (a real 100,000-person 附件4 is several MB)."""
    calls = []
    monkeypatch.setattr(sheet_reader, "_in_child", lambda p: calls.append(p) or [])
    monkeypatch.setattr(sheet_reader, "CHILD_FROM_BYTES", book.stat().st_size)
    read_sheets(book)
    assert calls == [book]


def test_records_validated_in_chunks_give_the_same_findings_at_the_same_rows(monkeypatch):
    from app.importers import schema

    members = [{"name": "张三", "age": 30} for _ in range(7)]
    for i in (1, 4, 6):
        members[i] = {"name": ["张三"], "age": 2**70}
    lists = {"members": (members, [("附件4", 10 + i) for i in range(7)])}
    whole = schema.check_records(lists, file="a.xlsx", package=False)
    monkeypatch.setattr(schema, "VALIDATE_CHUNK", 2)
    chunked = schema.check_records(lists, file="a.xlsx", package=False)
    assert chunked == whole
    assert {11, 14, 16} <= {f.row for f in chunked}

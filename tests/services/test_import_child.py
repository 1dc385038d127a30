"""A large import in a child process: the same register as in-process, cancel and a killed child
leave it as it was, refusals come back as the types the window shows. The workbook is small and
the child forced: what is proved is the path, not the size."""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest
from _query import query
from test_import_helpers import dump, households, seed_household, write_form4

from app.services import import_child, operations
from app.services.errors import Refused
from app.services.import_child import ImportFailed, ImportInChild
from app.services.imports import ImportFiles, preview_import
from app.storage import Database


def register(where: Path | str) -> list:
    """What an import writes, without the uuids and times that differ between two runs (a SQLite
    file or a PostgreSQL URL)."""
    return [
        query(where, "SELECT u.name, h.position, h.band, h.head_phone, h.cause, h.helper_name, h.helper_phone, "
                     "h.expected_month FROM households h JOIN units u ON u.id = h.village_id ORDER BY 1, 2"),
        query(where, "SELECT p.household_id, p.position, p.name, p.relation, p.age, p.health, p.labour "
                     "FROM persons p ORDER BY 1, 2"),
        query(where, "SELECT month, state FROM periods"),
        query(where, "SELECT name, level FROM units ORDER BY id"),
    ]


class Cancelled(Exception):
    pass


class Progress:
    """The caller's side of ``import_child.Progress``: texts seen, cancel, and the hold."""

    def __init__(self, on_text=None):
        self.texts: list[str] = []
        self.cancelled = False
        self.held: str | None = None
        self.on_text = on_text

    def set(self, done: int, total: int = 0, text: str = "") -> None:
        self.texts.append(text)
        if self.on_text is not None:
            self.on_text(self, text)

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled

    def hold(self, text: str) -> bool:
        if self.cancelled:
            return False
        self.held = text
        return True


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_form4(tmp_path / "附件4.xlsx", households())


def test_child_import_writes_what_the_in_process_import_writes(tmp_path, book):
    paths = [tmp_path / "child.db", tmp_path / "here.db"]
    for p in paths:
        Database(p, create=True).close()
    backups: list = []
    with Database(paths[0]) as db:
        preview = import_child.preview_in_child(db, [str(book)], "2020-03")
        progress = Progress()
        out = operations.execute(db, ImportInChild(ImportFiles((str(book),), "2020-03", before_write=backups.append),
                                                   progress))
        summary, result = out.value
    with Database(paths[1]) as db:
        with db.read_session() as s:
            here = import_child.summarise(preview_import(s, [book], "2020-03"))
        mine = operations.execute(db, ImportFiles((str(book),), "2020-03"))
    assert register(paths[0]) == register(paths[1])
    assert len(register(paths[0])[1]) == 48
    assert preview == here and summary.units == here.units
    assert result["added"] == mine.value[1]["added"] == {"households": 12, "persons": 48}
    assert out.changed == mine.changed and out.changed.structural
    assert len(backups) == 1 and backups[0].totals("added")["persons"] == 48  # before_write ran here, once
    assert progress.held == import_child.WRITING and import_child.live_children() == []


def test_cancel_while_the_child_writes_leaves_the_register_unchanged(tmp_path, book, db):
    before = dump(db.location)

    def cancel_when_writing(progress: Progress, text: str) -> None:
        if text == "正在写入数据库…":
            progress.cancelled = True

    progress = Progress(cancel_when_writing)
    with pytest.raises(Cancelled):
        operations.execute(db, ImportInChild(ImportFiles((str(book),), "2020-03"), progress))
    assert progress.held is None and import_child.live_children() == []
    assert dump(db.location) == before
    operations.execute(db, ImportFiles((str(book),), "2020-03"))  # the worker's lock and file still work
    assert len(register(db.location)[1]) == 48


def test_a_child_killed_mid_write_leaves_the_register_unchanged(tmp_path, book, db):
    before = dump(db.location)

    def kill_when_writing(_progress: Progress, text: str) -> None:
        if text == "正在写入数据库…":
            (pid,) = import_child.live_children()
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(ImportFailed, match="没有任何改动"):
        operations.execute(db, ImportInChild(ImportFiles((str(book),), "2020-03"), Progress(kill_when_writing)))
    assert dump(db.location) == before and import_child.live_children() == []
    if db.path is not None:
        with sqlite3.connect(db.path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_refusal_comes_back_as_the_window_shows_it(tmp_path, db):
    bad = write_form4(tmp_path / "错.xlsx", [seed_household(size=7)])
    before = dump(db.location)
    with pytest.raises(Refused) as refused:
        operations.execute(db, ImportInChild(ImportFiles((str(bad),), "2020-03")))
    e = refused.value
    assert type(e) is Refused and "导入被拒绝" in e.message and "H-02" in {f.code for f in e.findings}
    assert e.plan.blocking_count == len(e.findings) and e.plan.blocking
    preview = import_child.preview_in_child(db, [str(bad)], "2020-03")
    assert preview.blocking_count and not import_child.live_children()
    assert dump(db.location) == before


def test_a_usage_error_keeps_its_type_and_words(tmp_path, db):
    from app.services.errors import UsageError

    with pytest.raises(UsageError, match="找不到文件"):
        import_child.preview_in_child(db, [str(tmp_path / "没有.xlsx")], "2020-03")


def test_only_large_files_go_to_a_child(tmp_path, book, monkeypatch):
    assert not import_child.worth_a_child([str(book)])
    monkeypatch.setattr(import_child, "CHILD_FROM_BYTES", book.stat().st_size)
    assert import_child.worth_a_child([str(book)])


PARENT = """
import os, sys
from app.services import import_child, operations
from app.services.imports import ImportFiles
from app.storage import Database


class Dies:
    def set(self, done, total=0, text=""):
        if text == "正在写入数据库…":  # the child writes in its open transaction: the parent dies now
            print(import_child.live_children()[0], flush=True)
            os._exit(9)

    def check(self):
        pass

    def hold(self, text):
        return True


if __name__ == "__main__":
    with Database(sys.argv[1]) as db:
        operations.execute(db, import_child.ImportInChild(ImportFiles((sys.argv[2],), "2020-03"), Dies()))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to tell a zombie from a live child")
def test_the_child_ends_when_its_parent_dies(tmp_path, book, db_path):
    import subprocess
    import time

    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    before = dump(db_path)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(script), str(db_path), str(book)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(root)}, cwd=root)
    assert done.returncode == 9, done.stderr
    pid = int(done.stdout.split()[0])
    end = time.monotonic() + 20
    while _alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not _alive(pid)
    assert dump(db_path) == before
    with Database(db_path) as again:  # the lock went with the parent; the file opens for writing
        operations.execute(again, ImportFiles((str(book),), "2020-03"))
    assert len(register(db_path)[1]) == 48


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as fh:  # a zombie (exited, not yet reaped by init) is not alive
        return fh.read().split(") ")[-1][0] != "Z"

"""A read-only database is read-only in SQLite itself; reads never queue behind a write."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from app.models import Unit
from app.storage import Database, ReadOnlyDatabase


def _units(db: Database) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(Unit))


def test_write_through_a_read_only_database_is_refused_by_sqlite(db_path):
    with Database(db_path) as writer, writer.session() as s:
        s.add(Unit(name="甲县", level="county"))
    with Database(db_path, write=False) as ro:
        with ro.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 1
        with pytest.raises(ReadOnlyDatabase, match="只读") as e, ro.session() as s:
            s.execute(text("INSERT INTO units(name, level) VALUES ('乙县', 'county')"))
        assert "readonly" in str(e.value.__cause__)  # SQLite's own refusal
        with pytest.raises(ReadOnlyDatabase), ro.session() as s:
            s.add(Unit(name="丙县", level="county"))
        assert _units(ro) == 1
    with Database(db_path) as writer:
        assert _units(writer) == 1  # nothing got through


def test_read_session_of_a_writable_database_refuses_writes(db):
    with pytest.raises(OperationalError, match="readonly"), db.read_session() as s:
        s.execute(text("INSERT INTO units(name, level) VALUES ('乙县', 'county')"))
    with db.session() as s:  # the write session still writes
        s.add(Unit(name="甲县", level="county"))
    assert _units(db) == 1


def test_a_read_does_not_wait_for_a_write_in_progress(db):
    with db.session() as s:
        s.add(Unit(name="甲县", level="county"))
    writing, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with db.session() as s:
            s.add(Unit(name="乙县", level="county"))
            s.flush()  # the write lock is taken and held until release
            writing.set()
            release.wait(10)

    t = threading.Thread(target=long_write)
    t.start()
    try:
        assert writing.wait(10)
        t0 = time.perf_counter()
        seen = _units(db)
        took = time.perf_counter() - t0
    finally:
        release.set()
        t.join()
    assert seen == 1  # the committed state, not the write in progress
    assert took < 0.5
    assert _units(db) == 2

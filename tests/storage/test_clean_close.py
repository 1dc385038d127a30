"""A register a verified writer closed cleanly opens without ``quick_check`` until anything touches it
(app.storage.mark_closed_clean / closed_clean: a file system's clean flag)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import storage
from app.storage import Database, closed_clean

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "register.db"
    Database(path, create=True).close()
    return path


@pytest.fixture
def checks(monkeypatch) -> list[bool]:
    """Whether each open ran ``quick_check`` (the ``check`` the open asks of ``inspect_file``)."""
    seen: list[bool] = []
    real = storage.inspect_file

    def spy(path, *, write=False, check=True):
        seen.append(check)
        return real(path, write=write, check=check)

    monkeypatch.setattr(storage, "inspect_file", spy)
    return seen


def test_a_clean_close_lets_the_next_opens_skip_quick_check(register, checks):
    assert closed_clean(register)
    Database(register).close()  # a writer: clean again after it
    Database(register, write=False).close()
    assert checks == [False, False]
    assert closed_clean(register)


def test_a_write_by_another_program_is_verified_again(register, checks):
    con = sqlite3.connect(register)
    con.execute("UPDATE units SET name = name")  # a no-op write still commits: the file's time moves
    con.execute("CREATE TABLE scratch (x)")
    con.commit()
    con.close()
    assert not closed_clean(register)
    Database(register).close()
    assert checks == [True]
    assert closed_clean(register)  # verified on open, closed clean


def test_a_writer_killed_half_way_leaves_the_file_to_be_verified(register, checks):
    code = ("import os; from sqlalchemy import text; from app.storage import Database; "
            f"db = Database({str(register)!r}); s = db.Session(); s.execute(text('CREATE TABLE scratch (x)')); "
            "s.commit(); print('written', flush=True); os.kill(os.getpid(), 9)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "written" in out.stdout and out.returncode == -9
    assert Path(f"{register}-wal").exists()
    assert not closed_clean(register)
    Database(register, write=False).close()
    assert checks == [True]


def test_a_copy_over_the_file_is_verified_again(register, tmp_path, checks):
    other = tmp_path / "other.db"
    Database(other, create=True).close()
    data = other.read_bytes()
    register.write_bytes(data)  # same file, new contents (as a restore by hand would)
    assert not closed_clean(register)
    Database(register, write=False).close()
    assert checks == [True]


def test_a_reader_never_marks_a_file_clean(register, checks):
    con = sqlite3.connect(register)
    con.execute("CREATE TABLE scratch (x)")
    con.commit()
    con.close()
    Database(register, write=False).close()
    assert not closed_clean(register) and checks == [True]


def test_damage_that_keeps_size_and_time_is_met_when_its_page_is_read(register):
    """The trade: a file damaged without its size or time changing is not read whole on open, but
    SQLite still refuses the damaged page when a command reads it (as ``guatu check`` relies on)."""
    from sqlalchemy import text

    st = os.stat(register)
    con = sqlite3.connect(register)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'units'").fetchone()[0]
    con.close()
    os.utime(register, ns=(st.st_atime_ns, st.st_mtime_ns))
    data = bytearray(register.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[(root - 1) * page:(root - 1) * page + 64] = b"\xa5" * 64
    register.write_bytes(bytes(data))
    os.utime(register, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert closed_clean(register)
    with pytest.raises(Exception) as e:  # noqa: PT011 - whichever layer meets the page first
        with Database(register, write=False) as db, db.session() as s:
            s.execute(text("SELECT * FROM units")).all()
    assert isinstance(e.value, storage.DatabaseDamaged) or storage.is_damage(e.value)


def test_the_marks_stay_few(tmp_path, monkeypatch):
    """One mark is left per register closed clean; past twice the kept number the oldest go."""
    monkeypatch.setattr(storage, "_MARKS_KEPT", 3)
    paths = []
    for i in range(8):
        path = tmp_path / f"r{i}.db"
        Database(path, create=True).close()
        paths.append(path)
    folder = storage._clean_mark(os.stat(paths[-1])).parent
    mine = [storage._clean_mark(os.stat(p)).name for p in paths]
    left = {e.name for e in os.scandir(folder)}
    assert len(left) <= 6 and mine[-1] in left and closed_clean(paths[-1])

"""Operations on the register file itself: restore validates before it touches anything, the write
lock is keyed on the real file, refused commands never write, damaged registers point to 恢复.

Real SQLite files, the real CLI in a subprocess (exit codes and stderr as a script sees them),
byte-for-byte comparisons of the files before and after.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.models import Unit
from app.services import backup as bk
from app.storage import DAMAGED_HINT, Database

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from app.storage import Database
db = Database(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


def guatu(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _add_unit(path: Path, name: str) -> None:
    with Database(path) as db, db.session() as s:
        s.add(Unit(name=name, level="county", position=0))


def _units(path: Path) -> list[str]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("select name from units order by id")]
    finally:
        con.close()


def _damage(path: Path) -> None:
    """Overwrite every page after the first with garbage: the b-trees no longer parse."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for off in range(page, len(data), page):
        data[off:off + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


@pytest.fixture
def holder():
    procs = []

    def start(path: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "held"
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait(timeout=30)
        proc.stdout.close()


# ---------------------------------------------------------------- restore validates first


def test_restore_refuses_a_backup_from_a_newer_guatu_and_touches_nothing(db_path, tmp_path):
    _add_unit(db_path, "康平县")
    newer = tmp_path / "newer.db"
    bk.copy_database(db_path, newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    con.commit()
    con.close()
    (db_path.parent / "register.db.lock").unlink(missing_ok=True)
    before, files = digest(db_path), siblings(db_path)
    backups_before = list(Path(os.environ["GUATU_BACKUP_DIR"]).rglob("*.db"))
    res = guatu("restore", "--db", str(db_path), "--backup", str(newer))
    assert res.returncode == 1, res.stderr
    assert "更新版本" in res.stderr and "未恢复" in res.stderr and "Traceback" not in res.stderr
    assert digest(db_path) == before and siblings(db_path) == files
    assert list(Path(os.environ["GUATU_BACKUP_DIR"]).rglob("*.db")) == backups_before
    res = guatu("counts", "--db", str(db_path), "--form", "1")  # the register still opens
    assert "更新版本" not in res.stderr


def test_restore_of_an_older_backup_migrates_a_copy_and_prints_where_the_old_register_went(db_path, tmp_path):
    from sqlalchemy import create_engine

    from app.migrations import current_revision, head_revision, upgrade

    _add_unit(db_path, "现在的县")
    old = tmp_path / "old-version.db"
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, "0001")
    engine.dispose()
    old_digest = digest(old)
    res = guatu("restore", "--db", str(db_path), "--backup", str(old))
    assert res.returncode == 0, res.stderr
    assert digest(old) == old_digest  # the backup itself is never migrated in place
    kept = Path(res.stderr.split("恢复前的数据库已保存为：")[1].strip())
    assert kept.is_file() and _units(kept) == ["现在的县"]
    with Database(db_path, write=False) as db:
        assert current_revision(db.engine) == head_revision()
    assert not [n for n in siblings(db_path) if n.startswith(".guatu-restore")]


# ---------------------------------------------------------------- the lock on the real file


def test_restore_through_a_symlink_or_hard_link_meets_the_running_writers_lock(db_path, tmp_path, holder):
    _add_unit(db_path, "康平县")
    good = bk.backup(db_path, "manual")
    _add_unit(db_path, "后加的县")
    holder(db_path)
    alias = tmp_path / "alias.db"
    alias.symlink_to(db_path)
    other = tmp_path / "elsewhere"
    other.mkdir()
    hard = other / "hard.db"
    os.link(db_path, hard)
    before = digest(db_path)
    for name in (alias, hard, Path(os.path.relpath(db_path, ROOT))):
        res = guatu("restore", "--db", str(name), "--backup", str(good))
        assert res.returncode == 3, (name, res.stderr)
        assert "正被另一个挂图作战程序使用" in res.stderr
    assert digest(db_path) == before and _units(db_path) == ["康平县", "后加的县"]


def test_a_writer_through_a_symlink_holds_the_lock_of_the_real_file(db_path, tmp_path, holder):
    alias = tmp_path / "alias.db"
    alias.symlink_to(db_path)
    holder(alias)
    res = guatu("reopen", "--db", str(db_path), "--period", "2020-03", "--reason", "核实")
    assert res.returncode == 3, res.stderr


# ---------------------------------------------------------------- never write on refusal


def test_a_refused_import_leaves_a_foreign_sqlite_file_byte_identical(tmp_path):
    foreign = tmp_path / "shop.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE items (name TEXT, price REAL)")
    con.execute("INSERT INTO items VALUES ('茶叶', 12.5)")
    con.commit()
    con.close()
    pkg_file = tmp_path / "x.xlsx"
    pkg_file.write_bytes(b"not a workbook")
    before, files = digest(foreign), siblings(foreign)
    for args in (["import", str(pkg_file)], ["export", "--out", str(tmp_path / "o")], ["counts", "--form", "1"],
                 ["reopen", "--period", "2020-03", "--reason", "x"]):
        res = guatu(*args, "--db", str(foreign))
        assert res.returncode == 2, (args, res.stderr)
        assert "不是挂图作战数据库" in res.stderr
    assert digest(foreign) == before and siblings(foreign) == files
    con = sqlite3.connect(f"{foreign.as_uri()}?mode=ro", uri=True)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()


def test_a_zero_byte_file_stays_zero_bytes_when_a_command_is_refused(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    for args in (["export", "--out", str(tmp_path / "o")], ["counts", "--form", "1"], ["check"],
                 ["new-month", "--from", "2020-03", "--to", "2020-04"], ["import", str(bad)]):
        res = guatu(*args, "--db", str(empty))
        assert res.returncode in (1, 2), (args, res.stderr)
        assert "Traceback" not in res.stderr and "内部错误" not in res.stderr
        assert empty.stat().st_size == 0, args
    assert siblings(empty) == ["bad.xlsx", "empty.db"]


def test_a_refused_import_into_a_new_path_creates_nothing(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    res = guatu("import", str(bad), "--db", str(tmp_path / "new.db"))
    assert res.returncode in (1, 2) and "Traceback" not in res.stderr
    assert siblings(bad) == ["bad.xlsx"]


# ---------------------------------------------------------------- damaged registers


def test_damaged_register_exit_2_pointing_to_restore_for_every_command(demo_db_path, tmp_path):
    _damage(demo_db_path)
    for args in (["counts", "--form", "1"], ["cards", "--out", str(tmp_path / "c.pdf")], ["stats"], ["check"],
                 ["export", "--out", str(tmp_path / "o"), "--draft"], ["wallchart", "--level", "county", "--out", str(tmp_path / "w.pdf")],
                 ["new-month", "--from", "2020-03", "--to", "2020-04"]):
        res = guatu(*args, "--db", str(demo_db_path))
        assert res.returncode == 2, (args, res.stderr)
        assert DAMAGED_HINT in res.stderr and "内部错误" not in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "o").exists() and not (tmp_path / "c.pdf").exists()


def test_check_refuses_a_register_damaged_only_in_the_members_table(demo_db_path):
    """``guatu check`` opens without quick_check; a damaged page it reads (here the members' table,
    nothing else touched) is still refused with exit 2 and the restore hint, and nothing is printed."""
    con = sqlite3.connect(demo_db_path)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'persons'").fetchone()[0]
    con.close()
    data = bytearray(demo_db_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[(root - 1) * page:(root - 1) * page + 64] = b"\xa5" * 64
    demo_db_path.write_bytes(bytes(data))
    res = guatu("check", "--db", str(demo_db_path))
    assert res.returncode == 2, res.stderr
    assert DAMAGED_HINT in res.stderr and res.stdout == ""


def test_the_window_on_a_damaged_register_exits_2_not_in_use(demo_db_path, tmp_path):
    """``gui --screenshot`` (no start-up dialogs) on a damaged register: exit 2 as for any unusable
    database, not 3 (in use); nothing drawn, nothing written."""
    _damage(demo_db_path)
    before = digest(demo_db_path)
    res = guatu("gui", "--db", str(demo_db_path), "--screenshot", str(tmp_path / "s.png"))
    assert res.returncode == 2, res.stderr
    assert not (tmp_path / "s.png").exists() and digest(demo_db_path) == before


def test_restoring_the_register_onto_itself_is_refused(db_path, tmp_path):
    _add_unit(db_path, "康平县")
    alias = tmp_path / "same.db"
    alias.symlink_to(db_path)
    before = digest(db_path)
    res = guatu("restore", "--db", str(db_path), "--backup", str(alias))
    assert res.returncode == 2 and "数据库本身" in res.stderr
    assert digest(db_path) == before

"""Automatic backups before import, new month and final export; export faults and a killed import.

Runs the real commands on a small clean register (tests/helpers/_export_register.py).
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import _export_register as R
import pytest

from app.cli import main
from app.services import backup as bk
from app.storage import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backups_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "backups"
    monkeypatch.setenv(bk.BACKUP_DIR_ENV, str(root))
    return root


@pytest.fixture
def clean(tmp_path, backups_root) -> Path:
    path = tmp_path / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
    return path


def _rows(path: Path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _reasons(db_path: Path) -> list[str]:
    return [b.reason for b in bk.list_backups(bk.backups_dir(db_path))]


def test_final_export_backs_up_before_locking_and_is_audited(clean, tmp_path):
    assert main(["export", "--db", str(clean), "--out", str(tmp_path / "out"), "--draft"]) == 0
    assert _reasons(clean) == []  # a draft changes nothing worth a backup
    assert main(["export", "--db", str(clean), "--out", str(tmp_path / "out")]) == 0
    backups = bk.list_backups(bk.backups_dir(clean))
    assert [b.reason for b in backups] == ["export-final"]
    assert _rows(backups[0].path, "select state from periods") == [("open",)]  # taken before the lock
    assert _rows(clean, "select state from periods") == [("locked",)]
    audit = _rows(clean, "select action, field, period from audit_log where action = 'export' order by id")
    assert audit == [("export", "draft", "2020-03"), ("export", "final", "2020-03")]


def test_new_month_backs_up_first(clean):
    assert main(["new-month", "--db", str(clean), "--from", "2020-03", "--to", "2020-04"]) == 0
    backups = bk.list_backups(bk.backups_dir(clean))
    assert [b.reason for b in backups] == ["new-month"]
    assert _rows(backups[0].path, "select month from periods") == [("2020-03",)]
    assert _rows(clean, "select month from periods order by month") == [("2020-03",), ("2020-04",)]


@pytest.fixture
def package(clean, tmp_path) -> Path:
    out = tmp_path / "pkg"
    assert main(["export", "--db", str(clean), "--out", str(out), "--draft", "--for", "county"]) == 0
    return next(p for p in out.iterdir() if p.is_dir())


@pytest.fixture
def other(tmp_path) -> Path:
    """A register holding another county only: the import target."""
    from app.services.units import ensure_path

    path = tmp_path / "other.db"
    with Database(path, create=True) as db, db.session() as s:
        ensure_path(s, ["法库县"])
    return path


def test_import_backs_up_just_before_writing(package, other):
    assert main(["import", str(package), "--db", str(other)]) == 0
    backups = bk.list_backups(bk.backups_dir(other))
    assert [b.reason for b in backups] == ["import"]
    assert _rows(backups[0].path, "select count(*) from households") == [(0,)]
    assert _rows(other, "select count(*) from households") == [(len(R.HOUSEHOLDS),)]


KILLED_IMPORT = """
    import sys, time
    from app.services import import_plan

    real = import_plan.write_plan

    def write_then_hang(session, plan):
        result = real(session, plan)
        session.flush()  # every row sent to SQLite; the import's one transaction still open
        print("written", flush=True)
        time.sleep(120)
        return result

    import_plan.write_plan = write_then_hang
    from app.cli import main
    sys.exit(main(["import", sys.argv[1], "--db", sys.argv[2]]))
"""


def test_import_killed_mid_transaction_leaves_nothing_of_it(package, other):
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_IMPORT), str(package), str(other)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "written", proc.stderr.read()
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()
    with Database(other):  # the next start
        pass
    assert _rows(other, "PRAGMA integrity_check") == [("ok",)]
    assert _rows(other, "select count(*) from households") == [(0,)]
    assert _rows(other, "select count(*) from persons") == [(0,)]
    assert _rows(other, "select name from units") == [("法库县",)]
    assert _reasons(other) == ["import"]  # the backup made before the write is whole
    assert bk.check_file(bk.list_backups(bk.backups_dir(other))[0].path, full=True) == "ok"


@pytest.mark.parametrize("fault", [errno.ENOSPC, errno.EROFS])
def test_export_on_a_full_or_read_only_target_says_so_and_loses_nothing(clean, tmp_path, monkeypatch, capsys, fault):
    import app.services.export as export

    real = export.write_register_json

    def failing(path, *a, **k):  # the fault hits half-way through the package
        real(path, *a, **k)
        raise OSError(fault, os.strerror(fault), str(path))

    monkeypatch.setattr(export, "write_register_json", failing)
    out = tmp_path / "usb"
    assert main(["export", "--db", str(clean), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert ("磁盘空间已满" if fault == errno.ENOSPC else "只读") in err
    assert "Traceback" not in err and "内部错误" not in err
    assert list(out.iterdir()) == []  # no half package, no staging folder left
    assert _rows(clean, "select state from periods") == [("open",)]  # not locked
    assert _rows(clean, "select count(*) from audit_log where action = 'export'") == [(0,)]
    assert _rows(clean, "PRAGMA integrity_check") == [("ok",)]

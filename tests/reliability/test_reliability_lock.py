"""Single instance: a second writer on the same register is told so (exit 3); a killed one leaves no live lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.services import backup as bk
from app.storage import Database

ROOT = Path(__file__).resolve().parents[2]

HOLDER = """
import sys, time
from app.storage import Database
db = Database(sys.argv[1])
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder(db_path):
    """A separate process holding the register open for writing, as a running GUI would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    proc.stdout.close()


def guatu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_second_cli_writer_gets_exit_3_with_a_clear_message(db_path, holder, tmp_path):
    good = bk.backup(db_path, "manual")
    for args in (["restore", "--backup", str(good)], ["reopen", "--period", "2020-03", "--reason", "重新核实"]):
        out = guatu(*args, "--db", str(db_path))
        assert out.returncode == 3, out.stderr
        assert "正被另一个挂图作战程序使用" in out.stderr
        assert f"pid={holder.pid}" in out.stderr  # names the holder
        assert "Traceback" not in out.stderr and out.stdout == ""
    # a backup only reads: allowed while the register is in use
    copy = tmp_path / "copy.db"
    out = guatu("backup", "--db", str(db_path), "--out", str(copy))
    assert out.returncode == 0, out.stderr
    assert bk.check_file(copy) == "ok"


def test_after_sigkill_of_the_holder_the_next_start_works(db_path, holder):
    good = bk.backup(db_path, "manual")
    assert guatu("restore", "--db", str(db_path), "--backup", str(good)).returncode == 3
    os.kill(holder.pid, signal.SIGKILL)
    assert holder.wait(timeout=30) == -signal.SIGKILL
    assert Path(str(db_path) + ".lock").exists()  # the lock file stays, the OS lock is gone
    out = guatu("restore", "--db", str(db_path), "--backup", str(good))
    assert out.returncode == 0, out.stderr
    assert "已从备份恢复" in out.stderr
    Database(db_path).close()


def test_in_process_second_open_is_refused_until_the_first_closes(db_path):
    from app.storage import DatabaseInUse

    first = Database(db_path)
    with pytest.raises(DatabaseInUse):
        Database(db_path)
    first.close()
    Database(db_path).close()


def test_second_gui_is_told_and_offered_read_only_then_starts_after_sigkill(qtbot, db_path, holder):
    from app.ui.app import open_database
    from app.ui.dialogs import RecordingDialogs

    quit_ = RecordingDialogs(choice=1)  # 退出
    assert open_database(db_path, quit_) is None
    kind, title, text = quit_.shown[0]
    assert kind == "choose" and "正被另一个挂图作战程序使用" in text and f"pid={holder.pid}" in text
    read_only = RecordingDialogs(choice=0)  # 只读打开
    database, ro = open_database(db_path, read_only)
    assert ro is True and database.lock is None
    database.close()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    fresh = RecordingDialogs()
    database, ro = open_database(db_path, fresh)
    assert ro is False and fresh.shown == []
    database.close()

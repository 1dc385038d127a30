"""Crash safety: SIGKILL in the middle of a burst of edits and of a large transaction; disk full on save.

Each fault runs in a real subprocess on a real SQLite file; the test then reopens the register
the way the next start would and checks integrity and contents.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.models import Household, Period, Person, Unit
from app.storage import Database

ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = 12


@pytest.fixture
def register(db_path) -> Path:
    """A small register: one village, one open month, 12 households of one person each."""
    with Database(db_path) as db, db.session() as s:
        county = Unit(name="康平县", level="county")
        town = Unit(name="暖泉镇", level="township", parent=county)
        village = Unit(name="前暖泉村", level="village", parent=town)
        period = Period(month="2020-03", state="open")
        s.add_all([county, town, village, period])
        s.flush()
        for i in range(HOUSEHOLDS):
            hh = Household(period_id=period.id, village_id=village.id, position=i, remark="原始", helper_name="原始")
            hh.members.append(Person(name=f"户主{i}", relation="户主", age=50))
            s.add(hh)
    return db_path


def _spawn(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def _integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


EDIT_BURST = """
    import sys
    from sqlalchemy import select
    from app.models import Household
    from app.services import register
    from app.storage import Database

    db = Database(sys.argv[1])
    with db.session() as s:
        ids = s.scalars(select(Household.id).order_by(Household.id)).all()
    i = 0
    while True:
        i += 1
        hid = ids[i % len(ids)]
        with db.session() as s:  # one user action: two fields and their audit entries
            register.update_household(s, hid, "remark", f"第{i}次修改")
            register.update_household(s, hid, "helper_name", f"帮扶人{i}")
        print(f"committed {i} {hid}", flush=True)
"""


def test_sigkill_mid_burst_of_edits_keeps_every_committed_edit_and_no_half_edit(register):
    proc = _spawn(EDIT_BURST, str(register))
    reported: dict[int, int] = {}  # household id → last edit number reported committed
    count = 0
    for line in proc.stdout:
        _, i, hid = line.split()
        reported[int(hid)] = int(i)
        count = int(i)
        if count >= 40:
            break
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: the child is already in its next transaction
    for line in proc.stdout.read().splitlines():  # lines printed before the kill landed
        _, i, hid = line.split()
        reported[int(hid)] = int(i)
        count = int(i)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()

    assert Path(str(register) + "-wal").exists()  # the kill left the WAL to be recovered
    with Database(register) as db, db.session() as s:  # the next start
        assert _integrity(register) == "ok"
        households = s.query(Household).all()
        committed = 0
        for hh in households:
            if hh.remark == "原始":
                assert hh.helper_name == "原始" and hh.id not in reported
                continue
            n = int(hh.remark.removeprefix("第").removesuffix("次修改"))
            assert hh.helper_name == f"帮扶人{n}"  # both fields of one edit, never one of them
            assert n >= reported.get(hh.id, 0)  # nothing reported committed is lost
            committed = max(committed, n)
        assert committed in (count, count + 1)  # at most the one edit committed but not yet reported
        audit = s.execute(sqlite_count("audit_log")).scalar()
        assert audit == 2 * committed  # every committed edit has both its audit entries, no more


def sqlite_count(table: str):
    from sqlalchemy import text

    return text(f"select count(*) from {table}")


BIG_TRANSACTION = """
    import sys, time
    from sqlalchemy import select
    from app.models import Household, Person
    from app.storage import Database

    db = Database(sys.argv[1])
    with db.session() as s:
        s.connection().exec_driver_sql("PRAGMA cache_size=20")  # a small cache spills pages to the WAL
        hh = s.scalars(select(Household)).first()
        for i in range(3000):
            hh.members.append(Person(name=f"未提交{i}", relation="其他", age=30, position=i + 1))
        hh.remark = "未提交的大事务"
        s.flush()  # every row written to the WAL, the transaction still open
        print("flushed", flush=True)
        time.sleep(120)
"""


def test_sigkill_mid_large_transaction_leaves_nothing_of_it(register):
    wal = Path(str(register) + "-wal")
    before = wal.stat().st_size if wal.exists() else 0
    proc = _spawn(BIG_TRANSACTION, str(register))
    assert proc.stdout.readline().strip() == "flushed", proc.stderr.read()
    assert wal.stat().st_size > before + 100_000  # the uncommitted rows really are on disk
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()
    with Database(register) as db, db.session() as s:
        assert _integrity(register) == "ok"
        assert s.query(Person).count() == HOUSEHOLDS
        assert s.query(Person).filter(Person.name.like("未提交%")).count() == 0
        assert {hh.remark for hh in s.query(Household)} == {"原始"}


DISK_FULL_SAVE = """
    import os, resource, sys
    from sqlalchemy import select
    from app.models import Household
    from app.services import register
    from app.services.faults import save_failed_message
    from app.storage import Database

    path = sys.argv[1]
    db = Database(path)
    with db.session() as s:
        ids = s.scalars(select(Household.id).order_by(Household.id)).all()
    sizes = [os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)]
    limit = max(sizes) + 256 * 1024  # the disk has room for small edits, not for a big one
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    with db.session() as s:
        register.update_household(s, ids[0], "remark", "小修改已保存")
    print("small saved", flush=True)
    try:
        with db.session() as s:
            for hid in ids:
                register.update_household(s, hid, "remark", "大" * 200_000)
        print("big saved?!", flush=True)
    except Exception as e:
        print("MESSAGE " + save_failed_message(e), flush=True)
    with db.session() as s:  # the app goes on working after the failed save
        register.update_household(s, ids[1], "remark", "之后的小修改")
    print("after saved", flush=True)
"""


def test_disk_full_on_save_gives_a_clear_message_and_loses_nothing(register):
    proc = _spawn(DISK_FULL_SAVE, str(register))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "small saved" and lines[-1] == "after saved"
    message = next(line for line in lines if line.startswith("MESSAGE "))
    assert "保存失败" in message and ("磁盘" in message or "文件超过了允许的大小" in message)
    assert "本次修改没有写入" in message
    with Database(register) as db, db.session() as s:
        assert _integrity(register) == "ok"
        remarks = [hh.remark for hh in s.query(Household).order_by(Household.id)]
        assert remarks[:2] == ["小修改已保存", "之后的小修改"]
        assert set(remarks[2:]) == {"原始"}  # nothing of the failed save


def test_disk_full_on_backup_command_leaves_no_partial_file(register, tmp_path):
    import resource

    with Database(register) as db, db.session() as s:
        s.query(Household).update({Household.remark: "长" * 300_000})  # a register of several MB
    size = register.stat().st_size  # closed: the WAL is checkpointed into the file
    assert size > 2_000_000
    out = tmp_path / "usb" / "backup.db"

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (size // 3, size // 3))

    res = subprocess.run(
        [sys.executable, "-m", "app", "backup", "--db", str(register), "--out", str(out)], cwd=ROOT,
        capture_output=True, text=True, timeout=120, preexec_fn=small_disk,
    )
    assert res.returncode == 1, res.stderr
    assert "备份失败" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists() and list(out.parent.iterdir()) == []  # no partial backup left behind
    assert _integrity(register) == "ok"

"""Backups, thinning, restore and the start-up check on real SQLite files."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models import Period, Unit
from app.services import backup as bk
from app.services.errors import UsageError
from app.storage import Database, DatabaseInUse


@pytest.fixture(autouse=True)
def backups_root(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "backups"
    monkeypatch.setenv(bk.BACKUP_DIR_ENV, str(root))
    return root


def _add_unit(db: Database, name: str) -> None:
    with db.session() as s:
        s.add(Unit(name=name, level="county", position=0))


def _units(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("select name from units order by id")]
    finally:
        con.close()


def test_backup_is_a_consistent_single_file_named_by_time_and_reason(db, backups_root):
    _add_unit(db, "康平县")
    now = dt.datetime(2020, 11, 3, 10, 15, 0)
    out = bk.backup(db.path, "import", now=now)
    assert out == backups_root / "register" / "guatu-20201103-101500-import.db"
    assert _units(out) == ["康平县"]
    assert not Path(str(out) + "-wal").exists()
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    again = bk.backup(db.path, "import", now=now)  # same second: a second file, not an overwrite
    assert again.name == "guatu-20201103-101500-import-2.db"
    assert [b.reason for b in bk.list_backups(out.parent)] == ["import", "import"]


def test_backup_during_an_open_write_transaction_holds_only_committed_data(db):
    _add_unit(db, "康平县")
    with db.session() as s:
        s.add(Unit(name="未提交镇", level="township", position=1))
        s.flush()  # written to the WAL, not committed
        out = bk.backup_before(db, "new-month")
    assert _units(out) == ["康平县"]
    assert _units(db.path) == ["康平县", "未提交镇"]


def _t(days: float, hour: int = 12) -> dt.datetime:
    return NOW - dt.timedelta(days=days) + dt.timedelta(hours=hour - 12)


NOW = dt.datetime(2021, 6, 30, 12, 0, 0)


def test_thinning_keeps_recent_all_then_daily_weekly_monthly():
    # four backups a day for 400 days
    stamps = [NOW - dt.timedelta(hours=6 * i) for i in range(4 * 400)]
    keep = bk.keep_set(stamps, NOW)
    recent = [t for t in stamps if NOW - t < dt.timedelta(days=2)]
    assert set(recent) <= keep and len(recent) == 8
    def window(lo: dt.timedelta, hi: dt.timedelta, among=keep) -> list[dt.datetime]:
        return [t for t in among if lo <= NOW - t < hi]

    daily = window(dt.timedelta(days=2), dt.timedelta(days=14))
    assert len(daily) == len({t.date() for t in daily})  # one a day ...
    assert {t.date() for t in daily} == {t.date() for t in window(dt.timedelta(days=2), dt.timedelta(days=14), stamps)}
    weekly = window(dt.timedelta(days=14), dt.timedelta(weeks=8))
    weeks = {tuple(t.isocalendar())[:2] for t in weekly}
    newest_of_month: dict[tuple[int, int], dt.datetime] = {}
    for t in stamps:
        key = (t.year, t.month)
        newest_of_month[key] = max(t, newest_of_month.get(key, t))
    month_newest = set(newest_of_month.values())
    assert len([t for t in weekly if t not in month_newest]) <= len(weeks)  # ... then one a week
    assert 6 <= len(weeks) <= 7
    old = [t for t in keep if NOW - t >= dt.timedelta(weeks=8)]
    months = {(t.year, t.month) for t in old}
    assert len(old) == len(months)  # at most one a month beyond 8 weeks
    assert min(months) >= (2020, 7)  # nothing older than 12 months
    assert max(stamps) in keep
    assert len(keep) < 60


def test_thinning_always_keeps_the_newest_even_if_old():
    only = [NOW - dt.timedelta(days=800)]
    assert bk.keep_set(only, NOW) == set(only)


def test_thin_deletes_files_by_their_names(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    for i in range(30):
        t = NOW - dt.timedelta(days=i)
        (folder / f"guatu-{t:%Y%m%d-%H%M%S}-daily.db").write_bytes(b"x")
    (folder / "notes.txt").write_text("not a backup")
    removed = bk.thin(folder, NOW)
    left = sorted(p.name for p in folder.iterdir())
    assert "notes.txt" in left
    assert len(left) - 1 + len(removed) == 30
    # the last 14 days (6-17 … 6-30), then the newest of ISO weeks 23 and 22 (Sundays 6-13 and 6-6);
    # week 24's newest (6-17) is already kept, and June's newest is today's
    days = [f"guatu-202106{d:02d}-120000-daily.db" for d in [6, 13, *range(17, 31)]]
    assert left == sorted([*days, "notes.txt"])


def test_backup_if_due_makes_one_a_day(db):
    first = bk.backup_if_due(db.path, now=NOW)
    assert first is not None
    assert bk.backup_if_due(db.path, now=NOW + dt.timedelta(hours=23)) is None
    assert bk.backup_if_due(db.path, now=NOW + dt.timedelta(hours=25)) is not None


def test_restore_backs_up_first_and_brings_back_the_data(db_path):
    with Database(db_path) as db:
        _add_unit(db, "康平县")
        good = bk.backup(db_path, "manual")
        _add_unit(db, "后加的县")
    before = bk.restore(db_path, good)
    assert _units(db_path) == ["康平县"]
    assert before is not None and _units(before) == ["康平县", "后加的县"]
    with Database(db_path) as db, db.session() as s:  # usable, at head
        assert s.scalars(select(Unit.name)).all() == ["康平县"]


def test_restore_refuses_while_the_register_is_open_elsewhere(db_path):
    good = bk.backup(db_path, "manual")
    with Database(db_path):
        with pytest.raises(DatabaseInUse):
            bk.restore(db_path, good)


def test_restore_refuses_a_damaged_backup_and_changes_nothing(db_path, tmp_path):
    with Database(db_path) as db:
        _add_unit(db, "康平县")
    bad = tmp_path / "bad.db"
    bk.copy_database(db_path, bad)
    _damage(bad)
    with pytest.raises(bk.BackupError) as e:
        bk.restore(db_path, bad)
    assert "损坏" in e.value.message
    assert _units(db_path) == ["康平县"]
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t(x)").connection.commit()
    with pytest.raises(UsageError):
        bk.restore(db_path, other)


def _damage(path: Path) -> None:
    """Overwrite every page after the first with garbage: the b-trees no longer parse."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for off in range(page, len(data), page):
        data[off:off + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))


def test_open_checked_moves_a_damaged_register_aside_and_offers_the_newest_good_backup(db_path):
    with Database(db_path) as db:
        _add_unit(db, "康平县")
        older = bk.backup(db_path, "daily", now=NOW - dt.timedelta(days=1))
        newer = bk.backup(db_path, "start", now=NOW)
    _damage(newer)  # the newest backup is itself damaged: skip it
    assert bk.open_checked(db_path).ok  # healthy register: nothing happens
    _damage(db_path)
    result = bk.open_checked(db_path, now=NOW)
    assert not result.ok
    assert not db_path.exists()
    assert result.damaged == db_path.with_name("register.damaged-20210630-120000.db")
    assert result.damaged.exists()
    assert result.newest_good.path == older and result.skipped == [newer]
    assert "已损坏" in result.message and "可以恢复" in result.message
    bk.restore(db_path, result.newest_good.path)
    assert _units(db_path) == ["康平县"]
    with Database(db_path) as db, db.session() as s:
        assert s.scalars(select(Period)).all() == []


def test_open_checked_leaves_a_file_that_is_not_sqlite_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database")
    assert bk.open_checked(path).ok and path.exists()


class _Result:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def _guatu(capsys):
    """Run the CLI in-process (exit code, stdout, stderr), as a script would see it."""
    from app.cli import main

    def run(*args: str) -> _Result:
        code = main(list(args))
        out = capsys.readouterr()
        return _Result(code, out.out, out.err)

    return run


def test_cli_backup_and_restore_round_trip_with_exit_codes(db_path, tmp_path, _guatu):
    with Database(db_path) as db:
        _add_unit(db, "康平县")
    out = tmp_path / "out" / "copy.db"
    res = _guatu("backup", "--db", str(db_path), "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    assert '"backup"' in res.stdout and _units(out) == ["康平县"]
    with Database(db_path) as db:
        _add_unit(db, "后加的县")
    res = _guatu("restore", "--db", str(db_path), "--backup", str(out))
    assert res.returncode == 0, res.stderr
    assert _units(db_path) == ["康平县"]
    assert "恢复前的数据库已保存为" in res.stderr
    # usage errors: missing backup, not a guatu database, no database to back up
    assert _guatu("restore", "--db", str(db_path), "--backup", str(tmp_path / "nope.db")).returncode == 2
    text = tmp_path / "t.db"
    text.write_text("hello")
    res = _guatu("restore", "--db", str(db_path), "--backup", str(text))
    assert res.returncode == 2 and "不是挂图作战数据库" in res.stderr
    assert _guatu("backup", "--db", str(tmp_path / "none.db"), "--out", str(out)).returncode == 2
    assert _guatu("backup", "--db", str(text), "--out", str(tmp_path / "x.db")).returncode == 2
    # a damaged backup is refused (exit 1) and the register is unchanged
    _damage(out)
    res = _guatu("restore", "--db", str(db_path), "--backup", str(out))
    assert res.returncode == 1 and "已损坏" in res.stderr and "Traceback" not in res.stderr
    assert _units(db_path) == ["康平县"]


def test_restore_of_a_backup_from_an_older_version_brings_it_to_the_current_schema(db_path, tmp_path):
    from sqlalchemy import create_engine

    from app.migrations import current_revision, head_revision, upgrade

    old = tmp_path / "old-version.db"
    engine = create_engine(f"sqlite:///{old}")
    upgrade(engine, "0001")
    engine.dispose()
    bk.restore(db_path, old)
    with Database(db_path, write=False) as db:
        assert current_revision(db.engine) == head_revision() != "0001"


def test_only_real_damage_counts_as_damage():
    assert bk.looks_damaged("database disk image is malformed")
    assert bk.looks_damaged("file is not a database")
    assert bk.looks_damaged("*** in database main ***\nPage 3: btreeInitPage() returns error code 11")
    assert not bk.looks_damaged("ok")
    assert not bk.looks_damaged("unable to open database file")
    assert not bk.looks_damaged("database is locked")
    assert not bk.looks_damaged("disk I/O error")

"""Consistent backups of the register, their thinning, restore, and the start-up health check. No Qt.

A live SQLite file (WAL) is never copied with the file system: a copy can catch a half-written
page or miss the WAL. Backups use SQLite's online backup API, which reads one consistent
snapshot, into a temporary file that is synced and then renamed, so a backup either exists whole
or not at all. Backups are single self-contained files (journal mode DELETE). The temporary
``….part`` has a ``….part.busy`` marker locked while it is written; a ``.part`` whose marker no live
process holds was left by a killed run and is removed (and logged) by the next backup into that
folder and at start-up.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from app.filelocks import BusyMarker, fsync_dir
from app.services.errors import Refused, UsageError
from app.storage import APP_NAME, SCHEMA_TABLES, WriteLock

log = logging.getLogger("guatu.backup")

BACKUP_DIR_ENV = "GUATU_BACKUP_DIR"  # overrides the root of the backups folders
_NAME = re.compile(r"^guatu-(\d{8})-(\d{6})-([A-Za-z0-9_-]+?)(?:-(\d+))?\.db$")
REASONS = {
    "start": "启动时",
    "daily": "每日",
    "import": "导入前",
    "new-month": "新建月份前",
    "export-final": "正式报送前",
    "restore": "恢复前",
    "manual": "手动",
}


class BackupError(Refused):
    """A backup or restore could not be made; nothing was changed."""


# ---------------------------------------------------------------- where backups live


def backups_root() -> Path:
    env = os.environ.get(BACKUP_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "backups"


def backups_dir(db_path: str | os.PathLike) -> Path:
    """The folder of one register's backups: ``<backups root>/<db stem>/``."""
    return backups_root() / Path(db_path).stem


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken: dt.datetime
    reason: str

    @property
    def label(self) -> str:
        """For people: ``2020年11月3日 10:15 导入前``."""
        t = self.taken
        return f"{t.year}年{t.month}月{t.day}日 {t:%H:%M:%S} {REASONS.get(self.reason, self.reason)}"


def parse_name(path: Path) -> BackupFile | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    try:
        taken = dt.datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return BackupFile(path, taken, m.group(3))


def list_backups(folder: Path) -> list[BackupFile]:
    """The backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = [b for p in folder.iterdir() if p.is_file() and (b := parse_name(p))]
    return sorted(found, key=lambda b: (b.taken, b.path.name), reverse=True)


# ---------------------------------------------------------------- making backups


def clean_stale_parts(folder: Path, also: str | None = None) -> list[Path]:
    """Remove the ``.part`` files (and their journals and markers) that killed backups left in
    ``folder``: those of guatu's own backup names, and of the file named ``also``. A ``.part`` another
    process is still writing (its marker locked) is left alone; other people's files are never touched."""
    try:
        parts = [p for p in folder.iterdir() if p.name.endswith((".part", ".part-journal", ".part.busy"))]
    except OSError:
        return []
    removed = []
    for p in parts:
        base = p.name.removesuffix(".busy").removesuffix("-journal")
        target = base.removesuffix(".part")
        if target != also and parse_name(Path(target)) is None:
            continue
        if not BusyMarker.is_stale(folder / f"{base}.busy"):
            continue
        try:
            size = p.stat().st_size
            p.unlink()
        except FileNotFoundError:
            continue
        except OSError as e:  # pragma: no cover - another user's file
            log.warning("could not remove stale %s: %s", p, e)
            continue
        if p.name.endswith(".part"):
            log.warning("removed stale backup temporary %s (%d bytes) left by an interrupted backup", p, size)
        removed.append(p)
    return removed


def copy_database(src_path: Path, out: Path) -> Path:
    """A consistent snapshot of ``src_path`` written to ``out`` atomically (temp file, fsync, rename)."""
    src_path, out = Path(src_path), Path(out)
    if not src_path.is_file():
        raise BackupError(f"数据库文件不存在：{src_path}")
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_parts(out.parent, also=out.name)
    tmp = out.with_name(out.name + ".part")
    with BusyMarker(Path(f"{tmp}.busy")):
        return _copy_into(src_path, tmp, out)


def _copy_into(src_path: Path, tmp: Path, out: Path) -> Path:
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"{src_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)  # one step: one read snapshot of the whole database
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            ok = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
        if ok != "ok":
            raise BackupError(f"备份检查未通过（{ok}），数据库可能已损坏：{src_path}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + "-journal").unlink(missing_ok=True)
        raise
    finally:
        src.close()
    return out


def backup_failed(exc: BaseException, src: Path, out: Path) -> BackupError:
    """The Chinese message for a failed backup: a damaged register, or a target that cannot be written."""
    from app.services.faults import describe

    if check_file(src) != "ok":
        return BackupError(f"无法备份，数据库可能已损坏（{exc}）：{src}")
    reason = describe(exc) or str(exc)
    return BackupError(f"备份失败：{reason}（{out}）。没有留下不完整的备份文件，数据库本身完好。")


def _free_name(folder: Path, stamp: dt.datetime, reason: str) -> Path:
    base = f"guatu-{stamp:%Y%m%d-%H%M%S}-{reason}"
    path = folder / f"{base}.db"
    n = 2
    while path.exists():
        path = folder / f"{base}-{n}.db"
        n += 1
    return path


def backup(
    db_path: str | os.PathLike, reason: str, *, folder: Path | None = None, now: dt.datetime | None = None
) -> Path:
    """Back up ``db_path`` into its backups folder as ``guatu-YYYYMMDD-HHMMSS-<reason>.db``; thin the folder."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", reason):
        raise ValueError(f"bad backup reason {reason!r}")
    now = now or dt.datetime.now()
    folder = folder or backups_dir(db_path)
    try:
        out = copy_database(Path(db_path), _free_name(folder, now, reason))
    except (sqlite3.DatabaseError, OSError) as e:
        raise backup_failed(e, Path(db_path), folder) from None
    log.info("backup %s of %s -> %s", reason, db_path, out)
    try:
        removed = thin(folder, now)
        if removed:
            log.info("thinned %d old backups in %s", len(removed), folder)
    except OSError as e:  # thinning is housekeeping: never fail a backup for it
        log.warning("thinning %s failed: %s", folder, e)
    return out


def backup_before(db, reason: str) -> Path | None:
    """Call before an operation that rewrites much (import, new month, final export).

    ``db`` is an ``app.storage.Database``, a ``Session`` of one, or a path. Inside an open write
    transaction the backup still holds only committed data (it reads through its own connection),
    so calling it first thing in the operation's session is right. Raises ``BackupError`` (exit 1,
    Chinese message) if no backup can be made, so that a risky operation never runs without one.
    """
    if getattr(db, "is_server", False) or (hasattr(db, "get_bind") and db.get_bind().dialect.name != "sqlite"):
        log.info("no laptop backup before %s: the register is on a server (guatu server backup)", reason)
        return None  # laptops have no pg_dump; the server backs itself up daily
    path = getattr(db, "path", None)
    if path is None and hasattr(db, "get_bind"):
        path = db.get_bind().url.database
    return backup(path if path is not None else db, reason)


def backup_if_due(db_path: str | os.PathLike, *, every: dt.timedelta = dt.timedelta(days=1),
                  now: dt.datetime | None = None) -> Path | None:
    """The daily backup while in use: make one when the newest backup is older than ``every``."""
    now = now or dt.datetime.now()
    newest = list_backups(backups_dir(db_path))
    if newest and now - newest[0].taken < every:
        return None
    return backup(db_path, "daily", now=now)


# ---------------------------------------------------------------- thinning


def keep_set(stamps: Iterable[dt.datetime], now: dt.datetime, *, all_days: int = 2, daily_days: int = 14,
             weekly_weeks: int = 8, monthly_months: int = 12) -> set[dt.datetime]:
    """Which backup times to keep (pure): every one of the last ``all_days`` days, then the newest of
    each day for ``daily_days`` days, of each ISO week for ``weekly_weeks`` weeks, of each month for
    ``monthly_months`` months. The newest backup is always kept, however old."""
    stamps = sorted(set(stamps), reverse=True)
    keep: set[dt.datetime] = set(stamps[:1])
    seen: dict[str, set] = {"day": set(), "week": set(), "month": set()}
    for t in stamps:  # newest first, so the first of each bucket is its newest
        age = now - t
        if age < dt.timedelta(days=all_days):
            keep.add(t)
            continue
        buckets = []
        if age < dt.timedelta(days=daily_days):
            buckets.append(("day", t.date()))
        if age < dt.timedelta(weeks=weekly_weeks):
            buckets.append(("week", tuple(t.isocalendar())[:2]))
        months_ago = (now.year - t.year) * 12 + now.month - t.month
        if months_ago < monthly_months:
            buckets.append(("month", (t.year, t.month)))
        for kind, key in buckets:
            if key not in seen[kind]:
                seen[kind].add(key)
                keep.add(t)
    return keep


def thin(folder: Path, now: dt.datetime) -> list[Path]:
    """Delete the backups in ``folder`` that ``keep_set`` does not keep; return what was deleted."""
    backups = list_backups(folder)
    keep = keep_set((b.taken for b in backups), now)
    removed = []
    for b in backups:
        if b.taken not in keep:
            b.path.unlink(missing_ok=True)
            removed.append(b.path)
    return removed


# ---------------------------------------------------------------- checking and restoring


def check_file(path: Path, *, full: bool = False) -> str:
    """``"ok"`` or SQLite's first complaint (quick_check, or integrity_check when ``full``)."""
    try:
        con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        return str(e)
    try:
        rows = con.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            return "；".join(r[0] for r in rows[:3])
        tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
        if not SCHEMA_TABLES <= tables:
            return "不是挂图作战数据库"
        return "ok"
    except sqlite3.DatabaseError as e:
        return str(e)
    finally:
        con.close()


_NOT_DAMAGE = ("unable to open", "locked", "readonly", "read-only", "disk i/o error", "permission", "busy")


def looks_damaged(verdict: str) -> bool:
    """A check result that means a damaged file (not a locked, unreadable or missing one)."""
    text = verdict.lower()
    return verdict != "ok" and not any(word in text for word in _NOT_DAMAGE)


def verify_backup(path: Path) -> str | None:
    """A backup to restore must be a whole guatu database this program can open: ``UsageError`` if it
    is missing or not one, ``BackupError`` if it is damaged (full ``integrity_check``) or was made by
    a newer guatu (an unknown schema version). Returns its schema revision. Reads only."""
    from app.migrations import is_known

    if not path.is_file():
        raise UsageError(f"备份文件不存在：{path}")
    with open(path, "rb") as fh:
        if not fh.read(16).startswith(b"SQLite format 3\x00"):
            raise UsageError(f"不是挂图作战数据库备份：{path}")
    verdict = check_file(path, full=True)
    if verdict == "不是挂图作战数据库":
        raise UsageError(f"不是挂图作战数据库备份：{path}")
    if verdict != "ok":
        raise BackupError(f"备份文件已损坏，未恢复（{verdict}）：{path}")
    rev = _revision(path)
    if rev is not None and not is_known(rev):
        raise BackupError(f"备份由更新版本的挂图作战创建（结构版本 {rev}），本程序不能打开它，未恢复。"
                          f"请先升级挂图作战：{path}")
    return rev


def _revision(path: Path) -> str | None:
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        if not con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone():
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _migrated_copy(backup_path: Path, folder: Path) -> Path:
    """A backup from an older guatu brought to the current schema on a copy (the backup itself and
    the register stay untouched until the copy has opened cleanly)."""
    from app.storage import Database, StorageError

    copy = folder / f".guatu-restore-{os.getpid()}-{dt.datetime.now():%Y%m%d%H%M%S%f}.db"
    copy_database(backup_path, copy)
    try:
        Database(copy).close()  # upgrade to head
    except (StorageError, sqlite3.DatabaseError) as e:
        _remove_copy(copy)
        raise BackupError(f"备份无法升级到本程序的数据结构，未恢复（{e}）：{backup_path}") from None
    except BaseException:
        _remove_copy(copy)
        raise
    return copy


def _remove_copy(copy: Path) -> None:
    for extra in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(str(copy) + extra).unlink(missing_ok=True)


def restore(db_path: str | os.PathLike, backup_path: str | os.PathLike) -> Path | None:
    """Replace the register with a backup. Returns where the register's previous state was kept.

    Validate first, touch last: the backup must pass ``integrity_check`` and carry a schema version
    this program knows (an older one is migrated on a copy); only then is the write lock taken (on
    the real file, so a symlink or another name of the register meets a running window's lock), the
    current register backed up (or, when damaged, moved aside), and the backup copied in with the
    backup API. Raises ``DatabaseInUse`` if another guatu holds the register, ``BackupError`` if the
    backup is damaged or too new, ``UsageError`` if it is not a guatu database — nothing changed."""
    from app.migrations import head_revision

    db_path, backup_path = Path(db_path), Path(backup_path)
    rev = verify_backup(backup_path)
    if db_path.exists() and os.path.samefile(db_path, backup_path):
        raise UsageError("要恢复的备份就是数据库本身，未恢复。")
    lock = WriteLock(db_path)
    lock.acquire()  # DatabaseInUse if another process has the register open for writing
    source, before = backup_path, None
    try:
        if rev != head_revision():
            source = _migrated_copy(backup_path, db_path.resolve().parent)
        if db_path.exists():
            if check_file(db_path) == "ok":
                before = backup(db_path, "restore")
            else:
                before = _move_aside(db_path, dt.datetime.now())
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(db_path, timeout=10)
            try:
                src.backup(dst)
                verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":  # pragma: no cover - the source was checked just before
            raise BackupError(f"恢复后的数据库检查未通过（{verdict}）；恢复前的数据库在：{before}")
    except BaseException as e:
        if before is not None and not isinstance(e, BackupError):
            log.error("restore of %s failed after the previous state was kept as %s", db_path, before)
        raise
    finally:
        if source != backup_path:
            _remove_copy(source)
        lock.release()
    log.info("restored %s from %s (previous state kept as %s)", db_path, backup_path, before)
    return before


@dataclass
class StartCheck:
    """What the start-up check found: ``ok``, or the damaged file moved aside and the backup to offer."""

    ok: bool
    db_path: Path
    problem: str = ""
    damaged: Path | None = None
    newest_good: BackupFile | None = None
    skipped: list[Path] = field(default_factory=list)

    @property
    def message(self) -> str:
        if self.ok:
            return "数据库检查正常。"
        text = f"数据库文件已损坏（{self.problem}），已移到：{self.damaged}。"
        if self.newest_good:
            return text + f"\n可以恢复最近的完好备份：{self.newest_good.label}（{self.newest_good.path}）。"
        return text + "\n没有找到完好的备份。"


def _move_aside(db_path: Path, now: dt.datetime) -> Path:
    aside = db_path.with_name(f"{db_path.stem}.damaged-{now:%Y%m%d-%H%M%S}{db_path.suffix or '.db'}")
    os.replace(db_path, aside)
    for extra in ("-wal", "-shm"):
        side = Path(str(db_path) + extra)
        if side.exists():
            os.replace(side, Path(str(aside) + extra))
    log.error("damaged database %s moved aside to %s", db_path, aside)
    return aside


def newest_good_backup(db_path: Path) -> tuple[BackupFile | None, list[Path]]:
    """The newest backup that passes quick_check, and the damaged ones skipped on the way."""
    skipped = []
    for b in list_backups(backups_dir(db_path)):
        if check_file(b.path) == "ok":
            return b, skipped
        skipped.append(b.path)
    return None, skipped


def open_checked(db_path: str | os.PathLike, *, now: dt.datetime | None = None) -> StartCheck:
    """Run ``PRAGMA quick_check`` before opening; a damaged register is moved aside (never deleted)
    and the newest good backup is offered. A file that is not SQLite at all is left alone (the
    storage layer refuses it as not a guatu database)."""
    db_path = Path(db_path)
    if not db_path.exists():
        return StartCheck(True, db_path)
    with open(db_path, "rb") as fh:
        if not fh.read(16).startswith(b"SQLite format 3\x00"):
            return StartCheck(True, db_path)
    verdict = check_file(db_path)
    if verdict == "ok" or verdict == "不是挂图作战数据库" or not looks_damaged(verdict):
        return StartCheck(True, db_path)  # a locked or unreadable file is reported when opened, never moved
    lock = WriteLock(db_path)
    lock.acquire()
    try:
        aside = _move_aside(db_path, now or dt.datetime.now())
    finally:
        lock.release()
    good, skipped = newest_good_backup(db_path)
    return StartCheck(False, db_path, verdict, aside, good, skipped)

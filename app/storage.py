"""One SQLite file per office: pragmas, write lock, schema migrations. No Qt.

Writers take an OS-level lock on ``<db>.lock`` for as long as they live. The OS drops the lock
when the process dies, however it dies, so a lock left by a crash is never mistaken for a live
writer (the stale-lock case); the file's text (pid, host, start time) only names the holder.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "guatu"
SCHEMA_TABLES = {"units", "periods", "households", "persons"}


class StorageError(Exception):
    """The database cannot be used: not a guatu database, unreadable, or too new."""


class DatabaseInUse(StorageError):
    """Another guatu process holds the write lock."""


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "guatu.db"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (services, containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


class WriteLock:
    """An exclusive, crash-safe lock on ``<db>.lock`` (fcntl on POSIX, msvcrt on Windows)."""

    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".lock")
        self._fh = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+b")  # noqa: SIM115 - held for the life of the lock
        try:
            _lock_file(fh)
        except OSError:
            fh.seek(0)
            holder = fh.read().decode("utf-8", "replace").strip()
            fh.close()
            raise DatabaseInUse(
                f"数据库正被另一个挂图作战程序使用（{holder or '未知进程'}），请先关闭它再试。"
            ) from None
        fh.seek(0)
        fh.truncate()
        info = f"pid={os.getpid()} host={socket.gethostname()} user={os_user()} since={dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        fh.write(info.encode())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            self._fh.seek(0)
            self._fh.truncate()
            _unlock_file(self._fh)
        finally:
            self._fh.close()
            self._fh = None

    @property
    def held(self) -> bool:
        return self._fh is not None


if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _lock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _make_engine(path: Path, write: bool, *, reader: bool = False) -> Engine:
    """``write``: the lock holder's engine, every transaction ``BEGIN IMMEDIATE`` (one writer at a
    time, no busy error half-way through). ``reader``: deferred transactions that never take the
    write lock, so under WAL a read runs beside a long write instead of queueing behind it. A
    read-only database is opened ``mode=ro`` and ``query_only``: SQLite itself refuses a write."""
    read_only = not write
    if read_only:
        uri = f"file:{quote(path.resolve().as_posix(), safe='/:')}?mode=ro&uri=true"
        engine = create_engine(f"sqlite:///{uri}", connect_args={"timeout": 10})
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA busy_timeout=10000")
        if write and not reader:
            cur.execute("PRAGMA journal_mode=WAL")
        if read_only or reader:
            cur.execute("PRAGMA query_only=ON")
        cur.close()

    immediate = write and not reader

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN DEFERRED")

    return engine


class Database:
    """An open register file. ``write=True`` takes the write lock and brings the schema to head."""

    def __init__(self, path: str | os.PathLike, *, write: bool = True, create: bool = False):
        self.path = Path(path)
        self.write = write
        self.lock = WriteLock(self.path) if write else None
        if not self.path.exists() and not create:
            raise StorageError(f"数据库文件不存在：{self.path}")
        if self.path.exists():
            _check_sqlite(self.path)
        if self.lock:
            self.lock.acquire()
        try:
            self.engine = _make_engine(self.path, write)
            self._prepare(create)
            self.read_engine = _make_engine(self.path, write, reader=True) if write else self.engine
        except Exception:
            self.close()
            raise
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.ReadSession = sessionmaker(self.read_engine, expire_on_commit=False)

    def _prepare(self, create: bool) -> None:
        from app.migrations import current_revision, head_revision, is_known, upgrade

        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if not tables:
            if not create and self.path.stat().st_size > 0:
                raise StorageError(f"不是挂图作战数据库：{self.path}")
            if not self.write:
                raise StorageError(f"数据库是空的：{self.path}")
            upgrade(self.engine)
            return
        if not SCHEMA_TABLES <= tables:
            raise StorageError(f"不是挂图作战数据库：{self.path}")
        rev = current_revision(self.engine)
        if rev is not None and not is_known(rev):
            raise StorageError(f"数据库由更新版本的挂图作战创建（结构版本 {rev}），请升级本程序后再打开：{self.path}")
        if rev != head_revision():
            if not self.write:
                raise StorageError("数据库版本较旧，请用可写方式打开一次以升级。")
            upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One user action: a session in one transaction, committed on success."""
        with self.Session.begin() as s:
            yield s

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read: a deferred transaction on a connection of its own, refused any write
        (``query_only``). It never waits for a write in progress, and a write never waits for it."""
        with self.ReadSession.begin() as s:
            yield s

    def close(self) -> None:
        for name in ("read_engine", "engine"):
            eng = getattr(self, name, None)
            if eng is not None:
                eng.dispose()
        if self.lock:
            self.lock.release()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sqlite_version(self) -> str:
        return sqlite3.sqlite_version


def _check_sqlite(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        raise StorageError(f"无法读取数据库：{path}（{e.strerror}）") from None
    if head and not head.startswith(b"SQLite format 3\x00"):
        raise StorageError(f"不是挂图作战数据库：{path}")

"""One register per office: a SQLite file (pragmas, write lock, schema migrations), or a PostgreSQL
database on the office LAN shared by several clerks. No Qt.

On PostgreSQL many writers are the point: no file lock, no WAL, no ``quick_check`` and no laptop
backups (the server's ``guatu server backup`` takes them); a read-only open is a session whose
transactions are ``READ ONLY`` (the server refuses a write), and the schema is brought to head by
the same Alembic chain, one opener at a time (an advisory lock).

Writers take an OS-level lock on ``<db>.lock`` for as long as they live. The OS drops the lock
when the process dies, however it dies, so a lock left by a crash is never mistaken for a live
writer (the stale-lock case); the file's text (pid, host, start time) only names the holder.
The lock is keyed on the real file: ``<db>`` is the resolved path (symlinks, ``..`` and relative
names of one file meet the same lock), and a second lock is keyed on the file's identity
(device and inode), so a hard link or another mount of the same file meets it too.

Nothing is written before the file is known to be a sound guatu database: it is first read
through a read-only connection (header, ``quick_check``, tables, schema version); only then does
a writer take the lock and switch the journal to WAL. A refused file is left byte-for-byte as it was.
Like a file system's clean flag, a writer that closes the file cleanly notes its size and time
(``mark_closed_clean``); while nothing has touched it since, the next open skips ``quick_check``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import platformdirs
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.filelocks import lock_file as _lock_file
from app.filelocks import unlock_file as _unlock_file

APP_NAME = "guatu"
SCHEMA_TABLES = {"units", "periods", "households", "persons"}


class StorageError(Exception):
    """The database cannot be used: not a guatu database, unreadable, or too new."""


class ReadOnlyDatabase(StorageError):
    """A write attempted through a database opened read-only (refused by SQLite itself)."""


class DatabaseInUse(StorageError):
    """Another guatu process holds the write lock."""


class DatabaseDamaged(StorageError):
    """SQLite says the file is damaged (``quick_check`` fails or a page is malformed): restore a backup."""


DAMAGED_HINT = "数据库已损坏，请用 文件 › 恢复（命令行：guatu restore --backup 备份文件）从备份恢复"
# SQLite's words for a damaged file (as opposed to a locked, missing or unreadable one).
_DAMAGE_WORDS = ("malformed", "file is not a database", "disk image", "corrupt")


def is_damage(exc: BaseException) -> bool:
    """Whether a (DB-API or SQLAlchemy) database error means the file itself is damaged."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(word in text for word in _DAMAGE_WORDS)


def damaged(path: Path | str, detail: str = "") -> DatabaseDamaged:
    return DatabaseDamaged(f"{DAMAGED_HINT}：{path}" + (f"（{detail}）" if detail else ""))


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "guatu.db"


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (services, containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


def real_path(path: str | os.PathLike) -> Path:
    """The file a path names, whatever the alias: absolute, symlinks and ``..`` resolved."""
    return Path(os.path.realpath(Path(path).expanduser()))


def _clean_mark(st: os.stat_result) -> Path:
    if not st.st_ino:  # a file system without file ids (FAT): files would share a mark, so none has one
        raise OSError("no file id")
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "verified" / f"{st.st_dev:x}-{st.st_ino:x}"


def _wal_pending(path: Path) -> bool:
    """A write-ahead log or rollback journal beside the file: a writer (or reader) is open, or one
    ended without closing the file cleanly."""
    for suffix in ("-wal", "-journal"):
        try:
            if os.stat(f"{path}{suffix}").st_size > 0:
                return True
        except OSError:
            continue
    return False


def mark_closed_clean(path: Path) -> None:
    """After a writer closed the file cleanly (every connection gone, the log folded back into the
    file): remember its size and modification time, like a file system's clean flag, so the next open
    can skip ``quick_check`` (≈0.2 s on a county register) while nothing has touched the file since.
    The writer had verified the file when it opened it (or met it clean in turn)."""
    try:
        if _wal_pending(path):
            return
        st = os.stat(path)
        mark = _clean_mark(st)
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.write_text(f"{st.st_size} {st.st_mtime_ns}")
        _prune_marks(mark.parent)
    except OSError:  # no cache folder: the next open verifies
        pass


_MARKS_KEPT = 200  # registers an office opens; the rest (long gone or long unopened) just verify again


def _prune_marks(folder: Path) -> None:
    """Keep the newest ``_MARKS_KEPT`` marks: one is left per register ever closed clean."""
    marks = list(os.scandir(folder))
    if len(marks) <= 2 * _MARKS_KEPT:
        return
    marks.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    for e in marks[_MARKS_KEPT:]:
        try:
            os.unlink(e.path)
        except OSError:
            pass


def closed_clean(path: Path) -> bool:
    """The file is exactly as a writer of this program left it on a clean close (``mark_closed_clean``):
    same file, size and modification time (to the nanosecond where the file system keeps it), and no
    log beside it. Any write since — a crash half-way, a restore, a copy over it — changes one of them."""
    try:
        st = os.stat(path)
        if _wal_pending(path):
            return False
        return _clean_mark(st).read_text() == f"{st.st_size} {st.st_mtime_ns}"
    except OSError:
        return False


def identity_lock_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "locks"


class WriteLock:
    """An exclusive, crash-safe lock on ``<real db path>.lock`` and on the file's identity
    (fcntl on POSIX, msvcrt on Windows)."""

    def __init__(self, db_path: Path):
        real = real_path(db_path)
        self.path = Path(str(real) + ".lock")
        self._db = real
        self._fh = None
        self._id_fh = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self._take(self.path)
        try:
            ident = self._identity_path()
            if ident is not None:
                self._id_fh = self._take_current(ident)
        except BaseException:
            self._drop(self._fh, truncate=True)
            self._fh = None
            raise

    def _identity_path(self) -> Path | None:
        """``<cache>/locks/<dev>-<ino>.lock`` when the file exists (a hard link or another mount of it
        has another path but the same identity)."""
        try:
            st = os.stat(self._db)
        except OSError:
            return None
        if not st.st_ino:  # pragma: no cover - a file system without file ids
            return None
        folder = identity_lock_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:  # pragma: no cover - no cache folder: the path lock still holds
            return None
        return folder / f"{st.st_dev:x}-{st.st_ino:x}.lock"

    def _take_current(self, path: Path):
        """Lock ``path`` and make sure it is still the file at that name: a releasing holder removes
        its identity lock file, and a lock on a removed file would guard nothing."""
        for _ in range(5):
            fh = self._take(path)
            try:
                held, named = os.fstat(fh.fileno()), os.stat(path)
                current = not held.st_ino or os.path.samestat(held, named)
            except OSError:
                current = False
            if current:
                return fh
            self._drop(fh, truncate=False)
        raise DatabaseInUse("数据库正被另一个挂图作战程序使用，请先关闭它再试。")

    @staticmethod
    def _take(path: Path):
        fh = open(path, "a+b")  # noqa: SIM115 - held for the life of the lock
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
        return fh

    @staticmethod
    def _drop(fh, truncate: bool) -> None:
        try:
            if truncate:
                fh.seek(0)
                fh.truncate()
            _unlock_file(fh)
        finally:
            fh.close()

    def release(self) -> None:
        if self._id_fh is not None:  # removed, not left behind: one file per register ever opened adds up
            fh, self._id_fh = self._id_fh, None
            if os.name != "nt":  # removed while still held, so no one can lock the old file after us
                Path(fh.name).unlink(missing_ok=True)
            self._drop(fh, truncate=True)
            if os.name == "nt":  # pragma: no cover - an open file cannot be removed on Windows
                try:
                    Path(fh.name).unlink(missing_ok=True)
                except OSError:
                    pass
        if self._fh is None:
            return
        fh, self._fh = self._fh, None
        self._drop(fh, truncate=True)

    @property
    def held(self) -> bool:
        return self._fh is not None

    def delegate(self) -> DelegatedLock:
        """A token for one child process of this holder to write under this lock (a long import
        run off the window's process): see ``DelegatedLock``."""
        if not self.held:
            raise StorageError("没有持有数据库的写入锁，不能交给子进程写入。")
        return DelegatedLock(self._db, self.path, os.getpid())


@dataclass(frozen=True)
class DelegatedLock:
    """The write lock of a live parent process, lent to a child it started and waits for.

    The child does not take the lock (the parent keeps it for the whole time); ``acquire`` only
    checks that the lender is the child's own parent and that the lock file is still held by a live
    process, else it refuses. The lender's write worker waits while the child writes, so there is
    still one writer, and SQLite's own lock (``BEGIN IMMEDIATE``) holds if anything goes wrong. The
    child must end itself when its parent dies (the OS then drops the parent's lock):
    ``app.services.import_child`` watches the parent for that."""

    db: Path
    path: Path
    holder_pid: int

    def acquire(self) -> None:
        from app.filelocks import BusyMarker

        if os.getppid() != self.holder_pid:
            raise DatabaseInUse("写入锁只能交给持锁进程自己启动的子进程。")
        if BusyMarker.is_stale(self.path):  # nobody holds it: the lender is gone
            raise DatabaseInUse("持有写入锁的程序已经退出，子进程不能写入。")

    def release(self) -> None:
        """The lender releases its lock, not the child."""

    @property
    def held(self) -> bool:
        return True


def _make_engine(path: Path, write: bool, *, reader: bool = False) -> Engine:
    """``write``: the lock holder's engine, every transaction ``BEGIN IMMEDIATE`` (one writer at a
    time, no busy error half-way through). ``reader``: deferred transactions that never take the
    write lock, so under WAL a read runs beside a long write instead of queueing behind it. A
    read-only database is opened ``mode=ro`` and ``query_only``: SQLite itself refuses a write.
    ``hide_parameters``: a failed statement's message never carries the values (names, 身份证号, phones)."""
    read_only = not write
    if read_only:
        uri = f"file:{quote(path.resolve().as_posix(), safe='/:')}?mode=ro&uri=true"
        engine = create_engine(f"sqlite:///{uri}", connect_args={"timeout": 10}, hide_parameters=True)
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 10}, hide_parameters=True)

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


def _make_server_engine(url: str, *, read_only: bool) -> Engine:
    """A PostgreSQL engine (psycopg 3). ``read_only``: every transaction is ``READ ONLY`` (the
    server refuses a write). ``hide_parameters`` as on SQLite."""
    from app.connections import connect_args

    args = connect_args(url)
    args.setdefault("connect_timeout", 10)
    args["application_name"] = APP_NAME
    if read_only:
        args["options"] = "-c default_transaction_read_only=on"
    return create_engine(url, connect_args=args, hide_parameters=True, pool_pre_ping=True)


class Database:
    """An open register. ``write=True`` takes the write lock (SQLite) and brings the schema to head.

    ``target`` is a SQLite path, a ``postgresql+psycopg://`` URL or a saved connection profile name
    (app.connections). ``path`` is the SQLite file (``None`` on a server); ``url`` the server's.

    ``verify=False`` (read-only only) skips ``quick_check`` on open: for a reader that reads everything
    it reports on before it reports anything (``guatu check``), SQLite's own page checks refuse a
    damaged page it reads (``is_damage``, exit 2 in the CLI). A writer always verifies."""

    path: Path | None
    url: str | None

    def __init__(self, target: str | os.PathLike, *, write: bool = True, create: bool = False,
                 lock: DelegatedLock | None = None, verify: bool = True):
        """``lock`` (SQLite): write under a lock lent by the parent process (``WriteLock.delegate``);
        the file was checked when the parent opened it, so only its tables and version are looked at again."""
        from app.connections import ConnectionError_, resolve

        try:
            where = resolve(target)
        except ConnectionError_ as e:
            raise StorageError(str(e)) from None
        self.write = write
        self.lock = None
        if isinstance(where, str):
            self.path, self.url = None, where
            self._open_server(create)
            return
        self.path, self.url = where, None
        exists = self.path.exists()
        if not exists and not create:
            raise StorageError(f"数据库文件不存在：{self.path}")
        if exists:
            _check_sqlite(self.path)
            if self.path.stat().st_size == 0 and not create:
                raise StorageError(f"数据库是空的（0 字节），不是挂图作战数据库：{self.path}")
            if self.path.stat().st_size > 0:
                # refuse before anything is written; a file untouched since a verified writer closed it is not read again
                verify = lock is None and (verify or write) and not closed_clean(self.path)
                inspect_file(self.path, write=write, check=verify)
        if write:
            self.lock = lock or WriteLock(self.path)
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

    @property
    def is_server(self) -> bool:
        return self.url is not None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def label(self) -> str:
        """What the register is called in titles and messages: the file name, or user@host:port/db."""
        if self.url is not None:
            from app.connections import display_name

            return display_name(self.url)
        return self.path.name

    @property
    def location(self) -> Path | str:
        """What opens this register again: the SQLite file's path, or the server URL."""
        return self.path if self.url is None else self.url

    @property
    def where(self) -> str:
        """The file's full path, or the server connection without its password."""
        if self.url is not None:
            return self.label
        return str(self.path)

    def _open_server(self, create: bool) -> None:
        try:
            self.engine = _make_server_engine(self.url, read_only=not self.write)
            self.read_engine = _make_server_engine(self.url, read_only=True) if self.write else self.engine
            self._prepare_server()
        except OperationalError as e:
            self.close()
            detail = (str(e.orig).strip().splitlines() or [""])[0]
            raise StorageError(f"无法连接数据库服务器：{self.label}（{detail}）") from None
        except Exception:
            self.close()
            raise
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        self.ReadSession = sessionmaker(self.read_engine, expire_on_commit=False)

    def _prepare_server(self) -> None:
        from app.migrations import current_revision, head_revision, is_known, upgrade

        with self.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        if not tables:
            if not self.write:
                raise StorageError(f"数据库是空的：{self.label}")
            upgrade(self.engine)
            return
        if not SCHEMA_TABLES <= tables:
            raise StorageError(f"不是挂图作战数据库：{self.label}")
        rev = current_revision(self.engine)
        if rev is not None and not is_known(rev):
            raise StorageError(f"数据库由更新版本的挂图作战创建（结构版本 {rev}），请升级本程序后再打开：{self.label}")
        if rev != head_revision():
            if not self.write:
                raise StorageError("数据库由较旧版本的挂图作战创建：请先用挂图作战窗口打开一次（会自动升级数据库结构），再运行此命令。")
            upgrade(self.engine)

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
                raise StorageError("数据库由较旧版本的挂图作战创建：请先用挂图作战窗口打开一次（会自动升级数据库结构），再运行此命令。")
            upgrade(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One user action: a session in one transaction, committed on success. On a read-only
        database a write is refused by SQLite and raised as ``ReadOnlyDatabase``."""
        try:
            with self.Session.begin() as s:
                yield s
        except DBAPIError as e:
            if not self.write and _is_read_only_refusal(e):
                raise ReadOnlyDatabase(f"数据库以只读方式打开，不能修改：{self.where}") from e
            raise

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
            if isinstance(self.lock, WriteLock) and self.lock.held and self.path is not None:
                mark_closed_clean(self.path)  # still under the lock: no other writer between
            self.lock.release()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def sqlite_version(self) -> str:
        return sqlite3.sqlite_version

    def server_version(self) -> str | None:
        """PostgreSQL's version string on a server, else ``None``."""
        if self.url is None:
            return None
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("SHOW server_version").scalar()


def _is_read_only_refusal(e: DBAPIError) -> bool:
    """SQLite's "attempt to write a readonly database", or PostgreSQL's read_only_sql_transaction."""
    if getattr(e.orig, "sqlstate", None) == "25006":
        return True
    return isinstance(e, OperationalError) and "readonly" in str(e.orig).replace(" ", "").lower()


def inspect_file(path: Path, *, write: bool = False, check: bool = True) -> str | None:
    """Read-only look at an existing register before it is opened: SQLite header, ``quick_check``,
    guatu tables and a schema version this program knows. Returns the schema revision.

    Opens with ``mode=ro``, so a refused file (foreign, damaged, too new) is never touched: no
    journal-mode switch, no lock file, no schema written."""
    from app.migrations import head_revision, is_known

    try:
        con = sqlite3.connect(f"{real_path(path).as_uri()}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as e:
        raise StorageError(f"无法读取数据库：{path}（{e}）") from None
    try:
        if check:
            rows = con.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise damaged(path, "；".join(str(r[0]) for r in rows[:3]))
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not SCHEMA_TABLES <= tables:
            raise StorageError(f"不是挂图作战数据库：{path}")
        rev = None
        if "alembic_version" in tables:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            rev = row[0] if row else None
    except sqlite3.DatabaseError as e:
        if is_damage(e):
            raise damaged(path, str(e)) from None
        raise StorageError(f"无法读取数据库：{path}（{e}）") from None
    finally:
        con.close()
    if rev is not None and not is_known(rev):
        raise StorageError(f"数据库由更新版本的挂图作战创建（结构版本 {rev}），请升级本程序后再打开：{path}")
    if rev != head_revision() and not write:
        raise StorageError("数据库由较旧版本的挂图作战创建：请先用挂图作战窗口打开一次（会自动升级数据库结构），再运行此命令。")
    return rev


def _check_sqlite(path: Path) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as e:
        raise StorageError(f"无法读取数据库：{path}（{e.strerror}）") from None
    if head and not head.startswith(b"SQLite format 3\x00"):
        raise StorageError(f"不是挂图作战数据库：{path}")

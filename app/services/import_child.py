"""A large import run in a child process, so the window's process keeps its GIL for the clerk.

Reading, checking and matching 100,000 persons is pure Python for seconds; in the window's
process it competes with the GUI thread for the GIL and a read waits for it. So a large import
(files of ``CHILD_FROM_BYTES`` or more, ``worth_a_child``) runs in a ``spawn`` child (as on
Windows; the frozen app calls ``multiprocessing.freeze_support()``):

- ``preview_in_child`` opens the register read-only and sends back only what the wizard shows
  (``PreviewSummary``: per-unit summary, the first findings and normalised values, counts), never
  the plan: unpickling 100,000 records would itself hold the GIL in one long call.
- ``ImportInChild`` is the ``ImportFiles`` request run by the child under the parent's write lock
  (``storage.WriteLock.delegate``); the parent's write worker runs it through
  ``operations.execute`` like any request and waits. The child asks before the backup
  (``before_write`` runs in the parent, with the files checked and nothing written yet) and
  again before it commits: until then 取消 kills it and SQLite rolls its transaction back;
  once the parent has said "commit", cancel is refused (``Progress.hold``). A child that dies
  leaves the register as it was, unless it died while committing (then SQLite's commit is
  all or nothing, and the message says to look).
- Errors come back as the types the window shows (``Refused`` with its findings and the summary
  as ``error.plan``, ``UsageError``, ``LockedPeriod``, ``StorageError``); anything else as
  ``ImportFailed`` with the child's exception named.
- The child watches its parent and ends itself if the parent dies, so it never writes under a
  lock nobody holds any more.

The command line imports in-process (no window to keep responsive).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from app.rules.findings import Finding
from app.storage import Database, StorageError

from .checks import gc_paused
from .errors import GuatuError, LockedPeriod, Refused, UsageError
from .import_plan import ImportPlan, UnitChange
from .imports import ImportFiles, preview_import

log = logging.getLogger("guatu.services.import_child")

CHILD_FROM_BYTES = 2 * 1024 * 1024  # ~10,000 persons of 附件4: below it the import takes well under a second
SHOWN = 3000  # findings and normalised values sent back (the wizard's tables show as many)
DIFFERENCES = 20  # per unit, as the wizard and the refusal list them
WRITING = "正在写入，不能取消"


class Progress(Protocol):
    """What the caller hands in (``app.ui.tasks.Progress`` is one): progress text, cancel, and the
    point after which cancel is refused."""

    def set(self, done: int, total: int = 0, text: str = "") -> None: ...

    def check(self) -> None:
        """Raise (the caller's cancel exception) once the clerk has cancelled."""

    def hold(self, text: str) -> bool:
        """Refuse cancel from now on, saying ``text``; False when cancel came first."""


class ImportFailed(GuatuError):
    """The import's child process failed or died; the message says whether the register changed."""


@dataclass
class PreviewSummary:
    """What the import wizard shows of a plan: small enough to cross a pipe in a moment."""

    period: str
    files: list[str]
    units: list[UnitChange]
    findings: list[Finding]  # the first ``SHOWN``, errors first
    normalised: list[dict]  # the first ``SHOWN``
    locked: bool
    finding_count: int
    error_count: int  # E findings
    blocking: list[Finding] = field(default_factory=list)  # the first ``SHOWN`` of those that refuse the import
    blocking_count: int = 0
    normalised_count: int = 0

    @property
    def errors(self) -> list[Finding]:
        return self.blocking

    @property
    def needs_replace(self) -> list[UnitChange]:
        return [u for u in self.units if u.status == "changed"]

    def totals(self, key: str) -> dict[str, int]:
        return {"households": sum(u.households.get(key, 0) for u in self.units),
                "persons": sum(u.persons.get(key, 0) for u in self.units)}


def summarise(plan: ImportPlan | PreviewSummary) -> PreviewSummary:
    if isinstance(plan, PreviewSummary):
        return plan
    findings = sorted(plan.findings, key=lambda f: f.severity != "E")
    blocking = plan.errors
    units = [replace(u, differences=u.differences[:DIFFERENCES]) for u in plan.units]
    return PreviewSummary(plan.period, list(plan.files), units, findings[:SHOWN], plan.normalised[:SHOWN],
                          plan.locked, len(plan.findings), sum(1 for f in plan.findings if f.severity == "E"),
                          blocking[:SHOWN], len(blocking), len(plan.normalised))


def _compact(result: dict[str, Any]) -> dict[str, Any]:
    """The write's result without its long lists (the counts say how many there were)."""
    out = dict(result)
    for key in ("findings", "normalised"):
        if isinstance(out.get(key), list):
            out[f"{key}_count"] = len(out[key])
            out[key] = out[key][:SHOWN]
    return out


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.exists() else 0


def worth_a_child(files: list[str] | tuple[str, ...]) -> bool:
    """Whether these files are large enough that starting a process (~0.5 s) pays for itself."""
    return sum(_size(Path(f)) for f in files) >= CHILD_FROM_BYTES


# -- the parent's side ---------------------------------------------------------------------------
def preview_in_child(db: Database, files: list[str] | tuple[str, ...], period: str | None = None, *,
                     passphrase: str | None = None, progress: Progress | None = None) -> PreviewSummary:
    """``preview_import`` in a child process; 取消 (``progress.check``) ends the child."""
    args = (str(db.location), tuple(str(f) for f in files), period, passphrase)
    return _run(_preview_main, args, progress, before=None)


@dataclass(frozen=True)
class ImportInChild:
    """``ImportFiles`` run in a child process under the caller's write lock; the value is
    ``(PreviewSummary, result)`` with the result's long lists cut to ``SHOWN``. The request's
    ``before_write`` runs in this process, handed the ``PreviewSummary``. ``operations.execute``
    hands it the database (``outcome``) instead of opening a transaction of its own."""

    request: ImportFiles
    progress: Progress | None = None

    def outcome(self, db: Database):
        from .operations import Outcome

        if not db.write:
            raise UsageError("数据库以只读方式打开，不能导入。")
        # SQLite: the child writes under our lock; a server has no file lock (its own locking holds)
        token = db.lock.delegate() if db.lock is not None else None
        request = replace(self.request, before_write=None)  # runs here, in the parent, when the child asks
        args = (str(db.location), token, request)
        summary, result, changed = _run(_import_main, args, self.progress, before=self.request.before_write)
        return Outcome((summary, result), changed)


def _run(target: Callable, args: tuple, progress: Progress | None, *, before: Callable | None) -> Any:
    """Start the child and wait for it. No cyclic collection in this process meanwhile, as during an
    import in-process (``checks.gc_paused``): a full collection of the window's objects holds the GIL
    for 50 ms and more, and this process has nothing else to do but answer clicks."""
    with gc_paused():
        return _run_child(target, args, progress, before=before)


def _run_child(target: Callable, args: tuple, progress: Progress | None, *, before: Callable | None) -> Any:
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe(duplex=True)
    # not daemonic: the child may itself read a workbook; it is ended below, and ends itself if we die
    proc = ctx.Process(target=_child_main, args=(target, there, *args), name="guatu-import")
    proc.start()
    there.close()  # the child's end is the child's only: its death ends recv with EOFError
    _live.add(proc)
    committing = False

    def died() -> ImportFailed:
        proc.join(5)
        log.warning("import child died (exit code %s, committing=%s)", proc.exitcode, committing)
        if committing:
            return ImportFailed("导入进程在提交时意外退出：请检查本月数据是否已导入（提交要么全部完成，要么没有任何改动）。")
        return ImportFailed("导入进程意外退出，数据库没有任何改动。")

    try:
        while True:
            if not here.poll(0.05):
                if progress is not None and not committing:
                    progress.check()  # 取消: the child is killed below, its transaction never committed
                continue
            try:
                msg = here.recv()
            except (EOFError, OSError):
                raise died() from None
            kind = msg[0]
            if kind == "progress":
                if progress is not None:
                    progress.set(0, 0, msg[1])
                continue
            if kind == "done":
                return msg[1]
            if kind == "error":
                raise _error(msg)
            if progress is not None:  # "before" (files checked, nothing written) or "commit" (all written)
                progress.check()
            if kind == "before" and before is not None:
                before(msg[1])  # the backup, here in the parent
            if kind == "commit":
                if progress is not None and not progress.hold(WRITING):
                    progress.check()
                committing = True
            try:
                here.send(("go",))
            except OSError:
                raise died() from None
    finally:
        _live.discard(proc)
        here.close()
        if committing:
            proc.join(60)  # told to commit: let it finish rather than cut the commit short
        if proc.is_alive():
            proc.kill()  # cancelled or failed before the commit: SQLite rolls back what it wrote
        proc.join()


_live: set = set()


def live_children() -> list[int]:
    """The pids of the import children running now (a test kills one mid-write)."""
    return [p.pid for p in list(_live) if p.pid is not None]


def _error(msg: tuple) -> BaseException:
    """The child's error as the type the window and the command line show."""
    _kind, name, message, findings, extra = msg
    if name == "LockedPeriod":
        e: GuatuError = LockedPeriod(extra)
    elif name == "Refused":
        e = Refused(message, findings)
        if extra is not None:
            e.plan = extra
    elif name == "UsageError":
        e = UsageError(message, findings)
    elif name == "StorageError":
        return StorageError(message)
    else:
        e = ImportFailed(f"导入出错（{name}）：{message}", findings)
    return e


# -- the child's side ----------------------------------------------------------------------------
def _child_main(target: Callable, conn, *args) -> None:
    _watch_parent()
    _yield_to_the_window()
    from app.importers import sheet_reader

    sheet_reader.stay_in_process()  # this process is already off the window's
    try:
        conn.send(("done", target(conn, *args)))
    except LockedPeriod as e:
        conn.send(("error", "LockedPeriod", e.message, [], e.month))
    except GuatuError as e:  # Refused, UsageError and the like: as the parent's types, the plan summarised
        name = "UsageError" if e.exit_code == UsageError.exit_code else "Refused"
        plan = getattr(e, "plan", None)
        conn.send(("error", name, e.message, list(e.findings)[:SHOWN], summarise(plan) if plan is not None else None))
    except StorageError as e:
        conn.send(("error", "StorageError", str(e), [], None))
    except Exception as e:
        from app.logging_setup import log_exception

        where = log_exception(e)
        conn.send(("error", type(e).__name__, f"{e}（详情见日志 {where}）", [], None))
    finally:
        conn.close()


def _yield_to_the_window() -> None:
    """Run at a lower priority than the window: on a machine with fewer free cores than busy
    processes, the clerk's click is scheduled before the import's next slice."""
    try:
        if os.name == "nt":  # pragma: no cover - Windows
            import ctypes

            below_normal = 0x4000  # BELOW_NORMAL_PRIORITY_CLASS
            ctypes.windll.kernel32.SetPriorityClass(ctypes.windll.kernel32.GetCurrentProcess(), below_normal)
        else:
            os.nice(10)
    except (OSError, AttributeError):  # pragma: no cover - not allowed: run at the usual priority
        pass


def _watch_parent() -> None:
    """End this process the moment its parent dies (the parent's write lock is gone with it)."""
    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - always started by ``_run``
        return

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([parent.sentinel])
        os._exit(3)  # no commit, no cleanup: SQLite rolls the open transaction back

    threading.Thread(target=watch, name="guatu-parent-watch", daemon=True).start()


def _preview_main(conn, path: str, files: tuple[str, ...], period: str | None,
                  passphrase: str | None) -> PreviewSummary:
    conn.send(("progress", "正在读取并检查文件…"))
    with Database(path, write=False) as db, db.read_session() as s:
        return summarise(preview_import(s, files, period, passphrase=passphrase))


def _import_main(conn, path: str, token, request: ImportFiles) -> tuple[PreviewSummary, dict, Any]:
    def before(plan: ImportPlan) -> None:
        conn.send(("before", summarise(plan)))
        _go(conn)
        conn.send(("progress", "正在写入数据库…"))

    conn.send(("progress", "正在读取并检查文件…"))
    with Database(path, write=True, lock=token) as db:
        with db.session() as s:
            (plan, result), changed = replace(request, before_write=before).run(s)
            s.flush()
            conn.send(("commit",))
            _go(conn)
    return summarise(plan), _compact(result), changed


def _go(conn) -> None:
    """Wait for the parent's word; the parent kills this process instead of saying no."""
    msg = conn.recv()
    if msg != ("go",):  # pragma: no cover - the parent only ever says go
        os._exit(4)


__all__ = ["CHILD_FROM_BYTES", "ImportFailed", "ImportInChild", "PreviewSummary", "live_children",
           "preview_in_child", "summarise", "worth_a_child"]

"""Long operations off the GUI thread: progress, cancel, result and error back on the GUI thread.

The shape of Anki's ``CollectionOp(...).success(cb).failure(cb).run_in_background()``::

    runner = TaskRunner(database, parent_widget)
    runner.run(lambda session, progress: preview(session, ..., progress=progress),
               title="读取文件", on_result=show_plan, on_error=show_error)
    runner.execute(lambda progress: NewMonth(src, dst, cancel=progress.check),
                   title="结转", on_result=show_outcome, on_error=show_error)

``run`` reads: the work gets a read session of its own (one session per thread), so it never waits
behind a write nor holds one up. ``execute`` changes: the typed request made from the task's
``Progress`` runs on the window's write worker (``writer.worker_for``), after the edits queued
before it, and ``on_result`` receives its ``Outcome``; a dialog on a database of its own runs it
through ``operations.execute`` in a pool thread. ``progress.set(done, total, text)`` updates the dialog
and ``progress.check()`` raises ``Cancelled`` once the clerk has pressed 取消 (inside a request: its
transaction is rolled back). Callbacks always run on the GUI thread; ``on_error`` receives the exception.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QApplication, QDialog, QProgressDialog, QWidget

from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.widgets import plain_label

log = logging.getLogger("guatu.ui.tasks")


class Cancelled(Exception):
    """The clerk pressed 取消; the work stopped and its transaction was rolled back."""


class Progress:
    """Handed to the work function; thread-safe."""

    def __init__(self, signals: _Signals):
        self._signals = signals
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._held: str | None = None

    def set(self, done: int, total: int = 0, text: str = "") -> None:
        self._signals.progress.emit(int(done), int(total), text)

    def cancel(self) -> None:
        with self._lock:
            if self._held is None:
                self._cancel.set()
                return
        self._signals.held.emit(self._held)  # said again: the work goes on to its end

    def hold(self, text: str) -> bool:
        """From now on cancel is refused, saying ``text`` (a commit under way); False when the
        clerk had already cancelled."""
        with self._lock:
            if self._cancel.is_set():
                return False
            self._held = text
        self._signals.held.emit(text)
        return True

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("已取消")


class _Signals(QObject):
    progress = Signal(int, int, str)
    held = Signal(str)
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, database: Database | None, fn: Callable, signals: _Signals, progress: Progress):
        super().__init__()
        self.setAutoDelete(True)
        self._db, self._fn, self._signals, self._progress = database, fn, signals, progress

    def run(self) -> None:
        try:
            if self._db is None:
                result = self._fn(self._progress)
            else:
                with self._db.read_session() as session:
                    result = self._fn(session, self._progress)
            self._progress.check()  # cancelled at the very end: the result is not delivered
        except BaseException as e:  # handed to on_error on the GUI thread
            self._signals.failed.emit(e)
        else:
            self._signals.finished.emit(result)


class TaskHandle:
    def __init__(self, progress: Progress, signals: _Signals):
        self.progress = progress
        self.signals = signals
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self.progress.cancel()

    def wait(self, timeout_ms: int = 30000) -> bool:
        """Block until finished and callbacks ran (tests, shutdown)."""
        import time

        end = time.monotonic() + timeout_ms / 1000
        while not self.done and time.monotonic() < end:
            QThreadPool.globalInstance().waitForDone(50)
            QApplication.processEvents()
        return self.done


class TaskRunner(QObject):
    """Runs work functions in the global thread pool, with an optional modal progress dialog."""

    def __init__(self, database: Database | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.database = database
        self.parent_widget = parent
        self._running: set[TaskHandle] = set()
        self._switch: float | None = None

    def _running_changed(self) -> None:
        """While Python work runs in a worker, hand the GIL back to the GUI thread more often, so
        painting (many short Python calls from Qt) does not wait 5 ms per call."""
        if self._running:
            if self._switch is None:
                self._switch = sys.getswitchinterval()
                sys.setswitchinterval(0.0005)
        elif self._switch is not None:
            sys.setswitchinterval(self._switch)
            self._switch = None

    def run(self, fn: Callable, *, title: str = "请稍候", on_result: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, with_session: bool = True,
            show_progress: bool = True) -> TaskHandle:
        """``fn(session, progress)`` in a read session of its own (``with_session=False``:
        ``fn(progress)``): the work only reads, so edits made meanwhile do not queue behind it."""
        handle, signals, progress = self._start(title, on_result, on_error, show_progress)
        QThreadPool.globalInstance().start(_Job(self.database if with_session else None, fn, signals, progress))
        return handle

    def execute(self, make: Callable[[Progress], Any], *, title: str = "请稍候",
                on_result: Callable[[Any], None] | None = None,
                on_error: Callable[[BaseException], None] | None = None, show_progress: bool = True) -> TaskHandle:
        """A change with progress and cancel: the request ``make(progress)`` runs on the window's write
        worker (in order with the window's edits), else in one write transaction on a pool thread;
        ``on_result`` receives the ``Outcome``."""
        from app.services.operations import execute
        from app.ui.writer import worker_for

        handle, signals, progress = self._start(title, on_result, on_error, show_progress)
        request = make(progress)
        worker = worker_for(self.parent_widget, self.database)
        if worker is not None:
            worker.submit(request, signals.finished.emit, signals.failed.emit)
        else:
            db = self.database
            QThreadPool.globalInstance().start(_Job(None, lambda _p: execute(db, request), signals, progress))
        return handle

    def _start(self, title: str, on_result: Callable[[Any], None] | None,
               on_error: Callable[[BaseException], None] | None,
               show_progress: bool) -> tuple[TaskHandle, _Signals, Progress]:
        signals = _Signals()  # no parent: it outlives a closed window while the worker finishes
        progress = Progress(signals)
        handle = TaskHandle(progress, signals)
        dialog = None
        if show_progress:
            dialog = QProgressDialog(title, "取消", 0, 0, self.parent_widget)
            dialog.setLabel(plain_label(title))  # progress texts name units and files: shown literally
            dialog.setWindowTitle(title)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(400)
            dialog.canceled.connect(progress.cancel)

        def on_progress(done: int, total: int, text: str) -> None:
            if dialog is not None:
                dialog.setMaximum(max(total, 0))
                dialog.setValue(min(done, total) if total else 0)
                if text:
                    dialog.setLabelText(text)

        def finish(result: Any = None, error: BaseException | None = None) -> None:
            handle.done, handle.result, handle.error = True, result, error
            self._running.discard(handle)
            self._running_changed()
            if dialog is not None:
                dialog.reset()
                dialog.deleteLater()
            if error is not None:
                if not isinstance(error, Cancelled):
                    log.info("task %s failed: %r", title, error)
                if on_error is not None:
                    on_error(error)
                elif not isinstance(error, Cancelled):
                    raise error  # unexpected: the global hook logs it and shows one dialog
            elif on_result is not None:
                on_result(result)

        def on_held(text: str) -> None:
            if dialog is not None:
                dialog.setCancelButton(None)  # no 取消 button any more: the commit finishes
                dialog.setLabelText(text)
                dialog.show()

        signals.progress.connect(on_progress)
        signals.held.connect(on_held)
        signals.finished.connect(lambda r: finish(result=r))
        signals.failed.connect(lambda e: finish(error=e))
        self._running.add(handle)
        self._running_changed()
        return handle, signals, progress


class TaskDialog(QDialog):
    """A dialog whose action runs off the GUI thread (导出月报, 结转, 挂图, 明白卡): its database, its
    message service, a runner, and the handle and result of the last run (tests wait on them)."""

    def __init__(self, db: Database, parent: QWidget | None = None, dialogs: Dialogs | None = None):
        super().__init__(parent)
        self.db, self.dialogs = db, dialogs or Dialogs()
        self.runner = TaskRunner(db, self)
        self.handle: TaskHandle | None = None
        self.result: dict[str, Any] | None = None

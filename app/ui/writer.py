"""The window's one write worker: requests run in order, off the GUI thread, results back on it.

In the spirit of Anki's ``CollectionOp``: ``submit(request, on_done, on_error)`` queues the request;
one thread runs the queue through ``operations.execute`` (each request its own write transaction)
and hands each ``Outcome`` or error back to the GUI thread, in the order the requests were made.
``wait_idle()`` runs everything queued to its end and delivers the results (before an undo, a
close, a test's look at the file); ``call(request)`` is ``submit`` and wait, for the few changes whose
result the window needs at once (a new household's UUID). Reads never go through here.
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from app.services import operations
from app.storage import Database

log = logging.getLogger("guatu.ui.writer")

_workers: weakref.WeakSet[WriteWorker] = weakref.WeakSet()


def drain_all() -> None:
    """Every live worker's queue run and delivered (what a clerk's keystroke leaves behind)."""
    for worker in list(_workers):
        worker.wait_idle()


class WriteWorker(QObject):
    _ready = Signal()

    def __init__(self, database: Callable[[], Database], parent: QObject | None = None):
        super().__init__(parent)
        self._database = database
        self._jobs: queue.Queue[tuple[Any, Callable, Callable] | None] = queue.Queue()
        self._results: deque[tuple[Callable, Any]] = deque()
        self._ready.connect(self.deliver, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name="guatu-writer", daemon=True)
        self._thread.start()
        _workers.add(self)

    def submit(self, request: Any, on_done: Callable[[operations.Outcome], None],
               on_error: Callable[[BaseException], None]) -> None:
        if not self._thread.is_alive():
            raise RuntimeError("write worker closed")
        self._jobs.put((request, on_done, on_error))

    def call(self, request: Any) -> operations.Outcome:
        """Run ``request`` after everything queued before it; its outcome, or its error raised."""
        box: list[tuple[bool, Any]] = []
        self.submit(request, lambda out: box.append((True, out)), lambda e: box.append((False, e)))
        self.wait_idle()
        ok, value = box[0]
        if not ok:
            raise value
        return value

    @property
    def closed(self) -> bool:
        return not self._thread.is_alive()

    def pending(self) -> int:
        return self._jobs.unfinished_tasks + len(self._results)

    def wait_idle(self) -> None:
        self._jobs.join()
        self.deliver()

    def deliver(self) -> None:
        """Hand finished results to their callbacks, oldest first (on the GUI thread)."""
        while self._results:
            callback, value = self._results.popleft()
            callback(value)

    def close(self) -> None:
        """Drain the queue, then stop the thread (the window closing)."""
        if not self._thread.is_alive():
            return
        self.wait_idle()
        self._jobs.put(None)
        self._thread.join(10)
        _workers.discard(self)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            request, on_done, on_error = job
            try:
                result: tuple[Callable, Any] = (on_done, operations.execute(self._database(), request))
            except BaseException as e:  # typed refusals and faults alike go back to the GUI thread
                result = (on_error, e)
            self._results.append(result)
            self._jobs.task_done()
            try:
                self._ready.emit()
            except RuntimeError:  # the window is gone; close() drains what is left
                log.debug("write result after the window closed")


def write_for(parent: Any, db: Database) -> Callable[[Any], operations.Outcome]:
    """How a view opened from ``parent`` changes ``db``: through the window's store (its write
    worker, after the edits queued before) when ``parent`` is the window on that database, else
    ``operations.execute`` in one write transaction (a tool dialog on its own)."""
    store = getattr(parent, "store", None)
    if store is not None and getattr(store, "db", None) is db:
        return store.write
    return lambda request: operations.execute(db, request)


def worker_for(widget: Any, db: Database | None) -> WriteWorker | None:
    """The write worker of the window ``widget`` is in (a dialog's parent chain), when that window
    changes ``db``; None for a read-only window or a dialog on a database of its own."""
    while widget is not None:
        store = getattr(widget, "store", None)
        if store is not None:
            worker = getattr(store, "worker", None)
            usable = store.db is db and not store.read_only and worker is not None and not worker.closed
            return worker if usable else None
        parent = getattr(widget, "parent", None)
        widget = parent() if callable(parent) else None
    return None

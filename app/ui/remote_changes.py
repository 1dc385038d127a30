"""Other clerks' changes appear in an open window within seconds.

Every operation adds a row to the register's change sequence (``services.concurrency``); the window
polls it every few seconds on a pool thread (one indexed read of the rows after the last one seen; a
slow or unreachable server never freezes the window) and repaints what other registers changed: the household list rows, the
household on show (its member rows and panel; a field being typed keeps its text), the findings of
the changed households, the tree counts when records were added or removed, everything when a month
or the unit tree changed. While the clerk is in the middle of an edit (a cell editor open, edits on
their way) the repaint waits for the next tick, so nothing typed is swept away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QWidget

from app.services import concurrency
from app.services.concurrency import Cursor, Remote
from app.ui.store import Store

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.tasks import TaskHandle

log = logging.getLogger("guatu.ui.remote")
POLL_MS = 3000
RECHECK_AT_MOST = 50  # more households changed than this: the month's check runs again instead


def merge(a: Remote | None, b: Remote) -> Remote:
    if a is None:
        return b
    return Remote(a.households | b.households, a.persons | b.persons, a.units | b.units,
                  a.count_rows | b.count_rows, a.periods | b.periods, a.structural or b.structural,
                  tuple(dict.fromkeys((*a.who, *b.who))), a.everything or b.everything, a.records | b.records)


class ChangeFollower(QObject):
    """The window's poll of the change sequence (``interval`` ms) and the repaint of what it finds."""

    def __init__(self, window: MainWindow, interval: int = POLL_MS):
        super().__init__(window)
        self.window = window
        self.pending: Remote | None = None
        self.cursor = window.store.change_cursor()
        self.handle: TaskHandle | None = None  # the poll on its way (a pool thread: a slow server never freezes the window)
        self.timer = QTimer(self)
        self.timer.setInterval(interval)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def restart(self) -> None:
        """Another register file opened in the window (after a restore): follow that one's sequence."""
        self.cursor = self.window.store.change_cursor()
        self.pending = None

    def stop(self) -> None:
        self.timer.stop()
        if self.handle is not None:
            self.handle.wait(5000)

    def poll(self) -> None:
        """Read the sequence off the GUI thread; the repaint happens back on it."""
        if self.handle is not None and not self.handle.done:
            return
        cursor, via = self.cursor, self.window.store.via
        self.handle = self.window.runner.run(
            lambda s, _p: Store.poll_in(s, cursor, via), title="刷新", show_progress=False,
            on_result=lambda found: self._polled(cursor, found),
            on_error=lambda e: log.warning("change poll failed: %r", e))  # a server gone for a moment: next tick

    def _polled(self, cursor: Cursor, found: Remote | None) -> None:
        if cursor is not self.cursor:  # another register opened meanwhile
            return
        if found is not None:
            self.pending = merge(self.pending, found)
        if self.pending is not None and not self._busy():
            remote, self.pending = self.pending, None
            self.apply(remote)

    def _busy(self) -> bool:
        w = self.window
        editing = w.grid.state() == QAbstractItemView.State.EditingState
        return editing or w.editor.worker.pending() > 0

    def apply(self, remote: Remote) -> None:
        w = self.window
        store = w.store
        if store.period is None or remote.periods or remote.units or remote.everything:
            store._paths = None
            w.load_periods(store.period.month if store.period else None)
        else:
            shown = w.household_id
            if remote.structural:
                w.tree.update_counts(store.tree())
                w.reload_households(select=shown)
            else:
                for hid in remote.households:
                    w.hh_model.refresh(hid)
            if shown is not None and shown == w.household_id and shown in remote.households:
                if remote.structural:
                    w.member_model.reload()
                else:
                    for pid in remote.persons:
                        w.member_model.refresh_person(pid)
                w._load_panel_keeping_typed(store.household_detail(shown), None)
            self._findings(remote)
        who = "、".join(remote.who) or "另一位填表人"
        w.show_message(f"{who} 刚修改了数据，已刷新。")

    def _findings(self, remote: Remote) -> None:
        w = self.window
        if len(remote.households) > RECHECK_AT_MOST:
            w.start_check()
            return
        for hid in remote.households:
            detail = w.store.household_detail(hid)
            if detail is not None and detail.period_id == w.store.period_id:
                w.recheck(hid)


class ViewFollower(QObject):
    """A tool view's own poll of the change sequence (督战与销号, 月报表): off the GUI thread; when
    another register changed what the view shows (``wants``), ``reload`` once the clerk is not in the
    middle of typing (``busy``)."""

    def __init__(self, view: QWidget, db, wants: Callable[[Remote], bool], reload: Callable[[], None],
                 busy: Callable[[], bool], interval: int = POLL_MS):
        from app.ui.tasks import TaskRunner

        super().__init__(view)
        self.view, self.wants, self.reload, self.busy = view, wants, reload, busy
        with db.read_session() as s:
            self.cursor = concurrency.start(s)
        self.via = concurrency.via_of(db)
        self.runner, self.handle, self.stale = TaskRunner(db, view), None, False
        self.timer = QTimer(self)
        self.timer.setInterval(interval)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def poll(self) -> None:
        if self.handle is not None and not self.handle.done:
            return
        if not shiboken6.isValid(self.view) or not self.view.isVisible():  # a closed dialog reads nothing
            return
        cursor, via = self.cursor, self.via
        self.handle = self.runner.run(
            lambda s, _p: concurrency.poll(s, cursor, via), title="刷新", show_progress=False,
            on_result=self._polled, on_error=lambda e: log.warning("view change poll failed: %r", e))

    def _polled(self, found: Remote | None) -> None:
        if not shiboken6.isValid(self.view):  # the view was closed while the poll was on its way
            return
        if found is not None and (found.everything or self.wants(found)):
            self.stale = True
        if self.stale and not self.busy():
            self.stale = False
            self.reload()

    def stop(self) -> None:
        self.timer.stop()
        if self.handle is not None:
            self.handle.wait(5000)

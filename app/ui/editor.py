"""The window's register edits: a typed request to the write worker, an undo command per result.

Every accepted edit is committed at once (no Save button) and can be undone. A cell or panel field
typed is sent and the window goes on (the typed value is already on screen); its ``Outcome`` comes
back on the GUI thread, is pushed on the undo stack and announced (``changed``), or, refused, is
said and the field is read back (``on_refused``). Changes whose result the window needs at once (a
new household, a removal, anything inside an undo macro) wait for the worker.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from app import domain
from app.services import faults
from app.services import register_ops as ops
from app.services.concurrency import StaleEdit
from app.services.errors import GuatuError
from app.services.operations import Outcome
from app.ui import undo
from app.ui.dialogs import Dialogs
from app.ui.store import ReadOnly, Store
from app.ui.writer import WriteWorker

log = logging.getLogger("guatu.ui")


class Editor(QObject):
    changed = Signal(object)  # operations.Outcome whose value is a register.Change

    def __init__(self, store: Store, dialogs: Dialogs, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.dialogs, self.parent_widget = store, dialogs, parent
        self.stack = QUndoStack(self)
        self.worker = WriteWorker(lambda: self.store.db, self)
        store.worker = self.worker  # the window's other changes (settings, notes …) queue here too
        self.last_error: str | None = None
        self._macro = 0
        self.stepping = False

    # -- plumbing ------------------------------------------------------------------------------
    def _refused(self, error: BaseException, quiet: bool = False) -> None:
        if not isinstance(error, GuatuError):
            if not isinstance(error, Exception) or faults.describe(error) is None:
                raise error  # a bug: the global handler logs it and shows one dialog
            # Disk full, read-only folder, I/O error: the transaction rolled back, nothing is lost.
            self.last_error = faults.save_failed_message(error)
            if not quiet:
                self.dialogs.warn(self.parent_widget, "保存失败", self.last_error)
            return
        self.last_error = error.message
        if not quiet:
            self.dialogs.warn(self.parent_widget, "不能修改", error.message)

    def _check_writable(self) -> None:
        if self.store.read_only:
            raise ReadOnly("本窗口以只读方式打开，不能修改。")

    def do(self, request: Any, text: str, quiet: bool = False, wait: bool = True,
           on_refused: Callable[[], None] | None = None) -> bool:
        """Run ``request``; on success push its undo command and announce it. ``wait=False``: queued,
        True returned at once, the outcome handled when it arrives (in the order of the requests)."""
        try:
            self._check_writable()
        except GuatuError as e:
            self._refused(e, quiet)
            return False
        box: list[bool] = []

        def done(out: Outcome) -> None:
            change = out.value
            box.append(True)
            if change.structural or change.old != change.new:  # nothing changed: nothing to undo
                self.stack.push(undo.Command(text, self._step, request, out))
                self.changed.emit(out)

        def failed(error: BaseException) -> None:
            box.append(False)
            if isinstance(error, StaleEdit) and not quiet and not self._macro:
                self._stale(request, error, text, on_refused)
                return
            self._refused(error, quiet)
            if on_refused is not None:
                on_refused()

        if self.worker.closed:  # a field left after the window closed: nothing can be written now
            log.warning("edit after close not written: %s", type(request).__name__)
            return False
        self.worker.submit(request, done, failed)
        if not wait and not self._macro:
            return True
        self.worker.wait_idle()
        return bool(box and box[0])

    def _stale(self, request: Any, error: StaleEdit, text: str, on_refused: Callable[[], None] | None) -> None:
        """Another clerk changed the row since the window showed it: the clerk sees who, when and
        the current values, and re-applies the edit on them or drops it (the row is read back)."""
        self.last_error = error.message
        if on_refused is not None:
            on_refused()  # the current values on screen behind the question
        mine = getattr(request, "value", None)
        if self.dialogs.stale(self.parent_widget, error, mine):
            self.do(dataclasses.replace(request, base_version=error.version), text, wait=False,
                    on_refused=on_refused)

    def _step(self, request: Any) -> Outcome | None:
        """An undo or redo: run at once (the stack moves only when it is done)."""
        try:
            self._check_writable()
            out = self.worker.call(request)
        except BaseException as e:  # a locked month, a record gone: said, the stack stays
            self._refused(e)
            return None
        self.stepping = True  # the window follows an undo or redo to its household; a typed edit does not
        try:
            self.changed.emit(out)
        finally:
            self.stepping = False
        return out

    def undo(self) -> None:
        """撤销: the edits still on their way land first, then the last one is taken back."""
        self.worker.wait_idle()
        self.stack.undo()

    def redo(self) -> None:
        self.worker.wait_idle()
        self.stack.redo()

    def wait_idle(self) -> None:
        self.worker.wait_idle()

    def close(self) -> None:
        """Every queued edit written before the window goes (the close waits for them)."""
        self.worker.close()

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        self.worker.wait_idle()
        self.stack.beginMacro(text)
        self._macro += 1
        try:
            yield
        finally:
            self._macro -= 1
            self.worker.wait_idle()
            self.stack.endMacro()

    @property
    def _period(self) -> int:
        return self.store.period_id

    # -- operations ----------------------------------------------------------------------------
    def edit_person(self, hh_uuid: str, uuid: str, field: str, value: Any, quiet: bool = False,
                    wait: bool = True, on_refused: Callable[[], None] | None = None,
                    base_version: int | None = None) -> bool:
        label = domain.FIELD_NAMES.get(field, domain.ASSISTANCE_NAMES.get(field, field))
        try:
            request = ops.SetMemberField(self._period, hh_uuid, uuid, field, value, base_version=base_version)
        except GuatuError as e:
            self._refused(e, quiet)
            return False
        return self.do(request, f"修改{label}", quiet, wait, on_refused)

    def add_member(self, hh_uuid: str, position: int | None, values: dict[str, Any], quiet: bool = False) -> bool:
        return self.do(ops.AddMember(self._period, hh_uuid, position, tuple(values.items())), "添加成员", quiet)

    def remove_member(self, hh_uuid: str, uuid: str, name: str) -> bool:
        return self.do(ops.RemoveMember(self._period, hh_uuid, uuid), f"删除成员{name}")

    def add_household(self, village_id: int, head_name: str = "") -> str | None:
        """A household with its 户主 as first member (named, or to be named in the grid)."""
        before = self.stack.index()
        text = f"新建{head_name}户" if head_name else "新建一户"
        if not self.do(ops.AddHousehold(self._period, village_id, head_name), text) or self.stack.index() == before:
            return None
        return self.stack.command(self.stack.index() - 1).value.new

    def discard_household(self, hh_uuid: str) -> bool:
        """Take back a household just added and left empty (Esc): no trace on the undo stack."""
        self.worker.wait_idle()
        index = self.stack.index()
        cmd = self.stack.command(index - 1) if index > 0 else None
        if not isinstance(cmd, undo.Command) or not isinstance(cmd.forward, ops.AddHousehold) \
                or cmd.value.new != hh_uuid:
            return False
        cmd.discard = True  # undone, then dropped from the stack (nothing left to redo)
        self.stack.undo()
        return not cmd.failed

    def remove_household(self, hh_uuid: str, name: str) -> bool:
        return self.do(ops.RemoveHousehold(self._period, hh_uuid), f"删除{name}户")

    def household_field(self, hh_uuid: str, field: str, value: Any, wait: bool = True,
                        on_refused: Callable[[], None] | None = None, base_version: int | None = None) -> bool:
        label = domain.FIELD_NAMES.get(field, field)
        return self.do(ops.SetHouseholdField(self._period, hh_uuid, field, value, base_version=base_version),
                       f"修改{label}", wait=wait, on_refused=on_refused)

    def set_lines(self, hh_uuid: str, kind: str, lines: list, wait: bool = True,
                  on_refused: Callable[[], None] | None = None, base_version: int | None = None) -> bool:
        """主要脱贫措施 or 家庭收入 lines replaced as a whole."""
        if kind == "measures":
            return self.do(ops.SetMeasures(self._period, hh_uuid, tuple(tuple(x) for x in lines),
                                           base_version=base_version),
                           "修改主要脱贫措施", wait=wait, on_refused=on_refused)
        return self.do(ops.SetIncomeItems(self._period, hh_uuid, tuple(tuple(x) for x in lines),
                                          base_version=base_version),
                       "修改家庭收入", wait=wait, on_refused=on_refused)

    def panel_field(self, hh_uuid: str, field: str, new: Any, values: dict[str, Any], wait: bool = True,
                    on_refused: Callable[[], None] | None = None, base_version: int | None = None) -> bool:
        """A household-panel edit; 销号 goes with its date, a risk colour with its reasons."""
        if field == "closed_out":
            request: Any = (ops.CloseOut(self._period, hh_uuid, base_version=base_version) if new
                            else ops.ReopenHousehold(self._period, hh_uuid, base_version=base_version))
            return self.do(request, "销号" if new else "取消销号", wait=wait, on_refused=on_refused)
        if field == "risk_colour":
            reasons = tuple(r for r in (values.get("risk_reasons") or "").split("、") if r)
            return self.do(ops.SetRisk(self._period, hh_uuid, new, reasons, base_version=base_version),
                           "修改返贫风险", wait=wait, on_refused=on_refused)
        return self.household_field(hh_uuid, field, new, wait, on_refused, base_version)


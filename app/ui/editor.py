"""The window's edit operations: apply through the store, push on the undo stack, announce the change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from app import domain
from app.services import faults, register
from app.services.errors import GuatuError
from app.services.register import Change
from app.ui import undo
from app.ui.dialogs import Dialogs
from app.ui.store import Store


class Editor(QObject):
    """Every accepted edit is committed at once (no Save button) and can be undone."""

    changed = Signal(object)  # register.Change

    def __init__(self, store: Store, dialogs: Dialogs, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.dialogs, self.parent_widget = store, dialogs, parent
        self.stack = QUndoStack(self)
        self.last_error: str | None = None

    # -- plumbing ------------------------------------------------------------------------------
    def _notify(self, change: Change) -> None:
        if change.field == "__error__":
            self._refused(change.new)
            return
        self.changed.emit(change)

    def _refused(self, error: Exception) -> None:
        if not isinstance(error, GuatuError):
            if faults.describe(error) is None:
                raise error  # a bug: the global handler logs it and shows one dialog
            # Disk full, read-only folder, I/O error: the transaction rolled back, nothing is lost.
            self.last_error = faults.save_failed_message(error)
            self.dialogs.warn(self.parent_widget, "保存失败", self.last_error)
            return
        self.last_error = error.message
        self.dialogs.warn(self.parent_widget, "不能修改", error.message)

    def do(self, command: undo._Command, quiet: bool = False) -> bool:
        """Apply ``command`` now; on success push it (its first redo is skipped) and announce it."""
        try:
            change = command.apply()
        except GuatuError as e:
            if quiet:
                self.last_error = e.message
            else:
                self._refused(e)
            return False
        except Exception as e:
            if faults.describe(e) is None:
                raise
            self._refused(e)
            return False
        if not change.structural and change.old == change.new:
            return True  # nothing changed: nothing to undo
        self.stack.push(command)
        self.changed.emit(change)
        return True

    @contextmanager
    def macro(self, text: str) -> Iterator[None]:
        self.stack.beginMacro(text)
        try:
            yield
        finally:
            self.stack.endMacro()

    # -- operations ----------------------------------------------------------------------------
    def edit_person(self, hh_uuid: str, uuid: str, field: str, value: Any, quiet: bool = False) -> bool:
        label = domain.FIELD_NAMES.get(field, domain.ASSISTANCE_NAMES.get(field, field))
        return self.do(undo.EditPerson(self.store, self._notify, hh_uuid, uuid, field, value, label), quiet)

    def add_member(self, hh_uuid: str, position: int | None, values: dict[str, Any], quiet: bool = False) -> bool:
        return self.do(undo.AddMember(self.store, self._notify, hh_uuid, position, values), quiet)

    def remove_member(self, hh_uuid: str, uuid: str, name: str) -> bool:
        return self.do(undo.RemoveMember(self.store, self._notify, hh_uuid, uuid, name))

    def add_household(self, village_id: int, head_name: str = "") -> str | None:
        """A household with its 户主 as first member (named, or to be named in the grid)."""
        cmd = undo.AddHousehold(self.store, self._notify, village_id, head_name)
        return cmd.uuid if self.do(cmd) else None

    def discard_household(self, hh_uuid: str) -> bool:
        """Take back a household just added and left empty (Esc): no trace on the undo stack."""
        index = self.stack.index()
        cmd = self.stack.command(index - 1) if index > 0 else None
        if not isinstance(cmd, undo.AddHousehold) or cmd.uuid != hh_uuid:
            return False
        cmd.discard = True  # undone, then dropped from the stack (nothing left to redo)
        self.stack.undo()
        return cmd.error is None

    def remove_household(self, hh_uuid: str, name: str) -> bool:
        return self.do(undo.RemoveHousehold(self.store, self._notify, hh_uuid, name))

    def household_field(self, hh_uuid: str, field: str, old: Any, new: Any) -> bool:
        label = domain.FIELD_NAMES.get(field, field)
        return self.do(undo.EditHousehold(
            self.store, self._notify, hh_uuid, f"修改{label}",
            lambda s, hid: register.update_household(s, hid, field, new),
            lambda s, hid: register.update_household(s, hid, field, old)))

    def household_op(self, hh_uuid: str, text: str, do: Callable[[Any, int], Change],
                     undo_fn: Callable[[Any, int], Change]) -> bool:
        """A whole-list edit (measures, income items, risk, close-out) with its inverse."""
        return self.do(undo.EditHousehold(self.store, self._notify, hh_uuid, text, do, undo_fn))

    def panel_field(self, hh_uuid: str, field: str, old: Any, new: Any, values: dict[str, Any]) -> bool:
        """A household-panel edit; 销号 goes with its date, a risk colour with its reasons."""
        if field == "closed_out":
            day = values.get("closed_out_on")
            if new:
                return self.household_op(hh_uuid, "销号", lambda s, h: register.close_out(s, h),
                                         lambda s, h: register.reopen(s, h))
            return self.household_op(hh_uuid, "取消销号", lambda s, h: register.reopen(s, h),
                                     lambda s, h: register.close_out(s, h, day))
        if field == "risk_colour":
            reasons = [r for r in (values.get("risk_reasons") or "").split("、") if r]
            return self.household_op(hh_uuid, "修改返贫风险", lambda s, h: register.set_risk(s, h, new, reasons),
                                     lambda s, h: register.set_risk(s, h, old, reasons))
        return self.household_field(hh_uuid, field, old, new)

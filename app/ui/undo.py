"""Undo/redo of register edits: each command calls the same services as the first edit did.

Commands address records by UUID (ids change when a removed record is put back) and report every
change to ``notify`` so the window repaints and re-checks the household. The first ``redo`` is
skipped: the edit was already applied (and could be refused) before the command was pushed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from app.services import register
from app.services.register import Change, Snapshot
from app.ui.store import Store

Notify = Callable[[Change], None]


class _Command(QUndoCommand):
    def __init__(self, store: Store, notify: Notify, text: str):
        super().__init__(text)
        self.store, self.notify = store, notify
        self._first = True
        self.error: Exception | None = None
        self.discard = False  # undo it once and forget it (a household left empty)

    def apply(self) -> Change:  # do the edit; raise to refuse
        raise NotImplementedError

    def revert(self) -> Change:
        raise NotImplementedError

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._safely(self.apply)

    def undo(self) -> None:
        self._safely(self.revert)
        if self.discard:
            self.setObsolete(True)  # QUndoStack drops a command that is obsolete after its undo

    def _safely(self, fn: Callable[[], Change]) -> None:
        try:
            self.error = None
            self.notify(fn())
        except Exception as e:  # a locked month, a record gone: shown by the window's error handler
            self.error = e
            self.notify(Change(-1, "__error__", None, e))

    def _hid(self, uuid: str) -> int:
        hid = self.store.household_id(uuid)
        if hid is None:
            raise register.Refused("该户已不存在。")
        return hid

    def _pid(self, hh_uuid: str, uuid: str) -> int:
        pid = self.store.person_id(self._hid(hh_uuid), uuid)
        if pid is None:
            raise register.Refused("该成员已不存在。")
        return pid


class EditPerson(_Command):
    def __init__(self, store: Store, notify: Notify, hh_uuid: str, uuid: str, field: str, value: Any, label: str):
        super().__init__(store, notify, f"修改{label}")
        self.hh_uuid, self.uuid, self.field, self.value = hh_uuid, uuid, field, value
        self.old: Any = None

    def apply(self) -> Change:
        change = self.store.run(register.update_person, self._pid(self.hh_uuid, self.uuid), self.field, self.value)
        self.old = change.old if self._first else self.old
        return change

    def revert(self) -> Change:
        return self.store.run(register.update_person, self._pid(self.hh_uuid, self.uuid), self.field, self.old)


class EditHousehold(_Command):
    """A household field, or a whole-list setter (measures, income items, risk, close-out)."""

    def __init__(self, store: Store, notify: Notify, hh_uuid: str, text: str,
                 do: Callable[[Any, int], Change], undo: Callable[[Any, int], Change]):
        super().__init__(store, notify, text)
        self.hh_uuid, self._do, self._undo = hh_uuid, do, undo

    def apply(self) -> Change:
        return self.store.run(self._do, self._hid(self.hh_uuid))

    def revert(self) -> Change:
        return self.store.run(self._undo, self._hid(self.hh_uuid))


class AddMember(_Command):
    def __init__(self, store: Store, notify: Notify, hh_uuid: str, position: int | None, values: dict[str, Any]):
        super().__init__(store, notify, "添加成员")
        self.hh_uuid, self.position, self.values = hh_uuid, position, dict(values)
        self.uuid: str | None = None

    def apply(self) -> Change:
        values = {**self.values, **({"uuid": self.uuid} if self.uuid else {})}
        change = self.store.run(register.add_member, self._hid(self.hh_uuid), self.position, values)
        self.uuid = change.new
        return change

    def revert(self) -> Change:
        assert self.uuid is not None
        change, _snap = self.store.run(register.remove_member, self._pid(self.hh_uuid, self.uuid))
        return change


class RemoveMember(_Command):
    def __init__(self, store: Store, notify: Notify, hh_uuid: str, uuid: str, name: str):
        super().__init__(store, notify, f"删除成员{name}")
        self.hh_uuid, self.uuid = hh_uuid, uuid
        self.snap: Snapshot | None = None

    def apply(self) -> Change:
        change, self.snap = self.store.run(register.remove_member, self._pid(self.hh_uuid, self.uuid))
        return change

    def revert(self) -> Change:
        assert self.snap is not None
        return self.store.run(register.restore_member, self._hid(self.hh_uuid), self.snap)


class AddHousehold(_Command):
    def __init__(self, store: Store, notify: Notify, village_id: int, head_name: str):
        super().__init__(store, notify, f"新建{head_name}户" if head_name else "新建一户")
        self.village_id, self.head_name = village_id, head_name
        self.snap: Snapshot | None = None
        self.uuid: str | None = None

    def apply(self) -> Change:
        if self.snap is not None:
            return self.store.run(register.restore_household, self.store.period_id, self.snap)
        change = self.store.run(register.add_household, self.store.period_id, self.village_id, None,
                                self.head_name or None, with_head=True)
        self.uuid = change.new
        return change

    def revert(self) -> Change:
        assert self.uuid is not None
        change, self.snap = self.store.run(register.remove_household, self._hid(self.uuid))
        return change


class RemoveHousehold(_Command):
    def __init__(self, store: Store, notify: Notify, hh_uuid: str, name: str):
        super().__init__(store, notify, f"删除{name}户")
        self.hh_uuid = hh_uuid
        self.snap: Snapshot | None = None

    def apply(self) -> Change:
        change, self.snap = self.store.run(register.remove_household, self._hid(self.hh_uuid))
        return change

    def revert(self) -> Change:
        assert self.snap is not None
        return self.store.run(register.restore_household, self.store.period_id, self.snap)

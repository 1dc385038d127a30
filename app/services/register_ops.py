"""The register changes the window makes, as typed requests for ``operations.execute``.

Records are addressed by UUID within a month (a removed record put back keeps its UUIDs but gets new
ids), so a request stays valid across undo and redo. Every request's value is a ``register.Change``
and ``inverse(change)`` is the request that takes it back: undo runs the inverse, redo the inverse of
the inverse. A record that is gone, a locked month or a value that cannot be stored is refused with
a typed error (``Refused``, ``LockedPeriod``, ``register.InvalidValue``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from sqlalchemy.orm import Session

from app.models import Household, Person

from . import concurrency, register
from .errors import Refused
from .operations import Changed
from .register import Change, Snapshot


def _changed(change: Change) -> Changed:
    return Changed(households=frozenset({change.household_id}),
                   persons=frozenset({change.person_id}) if change.person_id is not None else frozenset(),
                   structural=change.structural)


def _hid(session: Session, period_id: int, hh_uuid: str) -> int:
    hid = register.household_id_for(session, period_id, hh_uuid)
    if hid is None:
        raise Refused("该户已不存在。")
    return hid


def _pid(session: Session, period_id: int, hh_uuid: str, uuid: str) -> int:
    pid = register.person_id_for(session, _hid(session, period_id, hh_uuid), uuid)
    if pid is None:
        raise Refused("该成员已不存在。")
    return pid


@dataclass(frozen=True)
class _OfHousehold:
    """A request about one household of a month, named by its UUID."""

    period_id: int
    hh_uuid: str
    # The version of the row the edit was based on (what the window showed): the household's, or for
    # a member field the member's. None: not checked (undo, scripts). See ``concurrency``.
    base_version: int | None = dc_field(default=None, kw_only=True)

    def households(self, session: Session) -> set[int]:
        hid = register.household_id_for(session, self.period_id, self.hh_uuid)
        return {hid} if hid is not None else set()

    def run(self, session: Session) -> tuple[Change, Changed]:
        hid = _hid(session, self.period_id, self.hh_uuid)
        concurrency.check(session, session.get(Household, hid), self.base_version, getattr(self, "field", None))
        change = self.apply(session, hid)
        return change, _changed(change)

    def apply(self, session: Session, household_id: int) -> Change:
        raise NotImplementedError


@dataclass(frozen=True)
class SetMemberField(_OfHousehold):
    """One member's field (年龄, 姓名 …) set to what was typed; the inverse sets the old value back."""

    uuid: str
    field: str
    value: Any

    def run(self, session: Session) -> tuple[Change, Changed]:
        pid = _pid(session, self.period_id, self.hh_uuid, self.uuid)
        concurrency.check(session, session.get(Person, pid), self.base_version, self.field)
        change = register.update_person(session, pid, self.field, self.value)
        return change, _changed(change)

    def inverse(self, change: Change) -> SetMemberField:
        return SetMemberField(self.period_id, self.hh_uuid, self.uuid, self.field, change.old)


@dataclass(frozen=True)
class SetHouseholdField(_OfHousehold):
    """One household-panel field (帮扶责任人, 人均纯收入 …) set; the inverse sets the old value back."""

    field: str
    value: Any

    def apply(self, session: Session, household_id: int) -> Change:
        return register.update_household(session, household_id, self.field, self.value)

    def inverse(self, change: Change) -> SetHouseholdField:
        return SetHouseholdField(self.period_id, self.hh_uuid, self.field, change.old)


@dataclass(frozen=True)
class CloseOut(_OfHousehold):
    """销号 on a day (today when none); the inverse is ``ReopenHousehold``."""

    on: dt.date | None = None

    def apply(self, session: Session, household_id: int) -> Change:
        return register.close_out(session, household_id, self.on)

    def inverse(self, change: Change) -> ReopenHousehold | CloseOut:
        was_closed, day = change.old
        if was_closed:
            return CloseOut(self.period_id, self.hh_uuid, day)
        return ReopenHousehold(self.period_id, self.hh_uuid)


@dataclass(frozen=True)
class ReopenHousehold(_OfHousehold):
    """取消销号: the household is followed again; the inverse closes it out on its old day."""

    def apply(self, session: Session, household_id: int) -> Change:
        return register.reopen(session, household_id)

    def inverse(self, change: Change) -> CloseOut | ReopenHousehold:
        was_closed, day = change.old
        if was_closed:
            return CloseOut(self.period_id, self.hh_uuid, day)
        return ReopenHousehold(self.period_id, self.hh_uuid)


@dataclass(frozen=True)
class SetRisk(_OfHousehold):
    """返贫风险 colour with its reasons; the inverse puts back the old colour and reasons."""

    colour: str
    reasons: tuple[str, ...] = ()

    def apply(self, session: Session, household_id: int) -> Change:
        return register.set_risk(session, household_id, self.colour, list(self.reasons))

    def inverse(self, change: Change) -> SetRisk:
        colour, reasons = change.old
        return SetRisk(self.period_id, self.hh_uuid, colour, tuple(r for r in (reasons or "").split("、") if r))


@dataclass(frozen=True)
class SetMeasures(_OfHousehold):
    """The 主要脱贫措施 lines replaced (category, text)."""

    lines: tuple[tuple[str, str], ...]

    def apply(self, session: Session, household_id: int) -> Change:
        return register.set_measures(session, household_id, list(self.lines))

    def inverse(self, change: Change) -> SetMeasures:
        return SetMeasures(self.period_id, self.hh_uuid, tuple(change.old))


@dataclass(frozen=True)
class SetIncomeItems(_OfHousehold):
    """The income lines replaced (category, label, amount)."""

    items: tuple[tuple[str, str | None, Any], ...]

    def apply(self, session: Session, household_id: int) -> Change:
        return register.set_income_items(session, household_id, list(self.items))

    def inverse(self, change: Change) -> SetIncomeItems:
        return SetIncomeItems(self.period_id, self.hh_uuid, tuple(change.old))


@dataclass(frozen=True)
class AddMember(_OfHousehold):
    """A member at ``position`` (None: last) with typed values (a ``uuid`` among them puts one back)."""

    position: int | None = None
    values: tuple[tuple[str, Any], ...] = ()

    def apply(self, session: Session, household_id: int) -> Change:
        return register.add_member(session, household_id, self.position, dict(self.values))

    def inverse(self, change: Change) -> RemoveMember:
        return RemoveMember(self.period_id, self.hh_uuid, change.new)


@dataclass(frozen=True)
class RemoveMember(_OfHousehold):
    """A member removed; the inverse puts them back where they were, with their UUID."""

    uuid: str

    def run(self, session: Session) -> tuple[Change, Changed]:
        change, snap = register.remove_member(session, _pid(session, self.period_id, self.hh_uuid, self.uuid))
        change = Change(change.household_id, person_id=change.person_id, structural=True, old=change.old,
                        snapshot=snap)
        return change, _changed(change)

    def inverse(self, change: Change) -> AddMember:
        assert change.snapshot is not None
        values = dict(change.snapshot.values)
        position = values.pop("position", None)
        return AddMember(self.period_id, self.hh_uuid, position, tuple(values.items()))


@dataclass(frozen=True)
class AddHousehold:
    """A household in a village with its 户主 as first member (named, or to be named in the grid)."""

    period_id: int
    village_id: int
    head_name: str = ""

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[Change, Changed]:
        change = register.add_household(session, self.period_id, self.village_id, None, self.head_name or None,
                                        with_head=True)
        return change, _changed(change)

    def inverse(self, change: Change) -> RemoveHousehold:
        return RemoveHousehold(self.period_id, change.new)


@dataclass(frozen=True)
class RemoveHousehold(_OfHousehold):
    """A household and its members removed; the inverse puts it all back with the same UUIDs."""

    def run(self, session: Session) -> tuple[Change, Changed]:
        change, snap = register.remove_household(session, _hid(session, self.period_id, self.hh_uuid))
        change = Change(change.household_id, structural=True, old=change.old, snapshot=snap)
        return change, _changed(change)

    def inverse(self, change: Change) -> RestoreHousehold:
        assert change.snapshot is not None
        return RestoreHousehold(self.period_id, change.snapshot)


@dataclass(frozen=True)
class RestoreHousehold:
    """A removed household put back from its snapshot (undo of a removal)."""

    period_id: int
    snapshot: Snapshot

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[Change, Changed]:
        change = register.restore_household(session, self.period_id, self.snapshot)
        return change, _changed(change)

    def inverse(self, change: Change) -> RemoveHousehold:
        return RemoveHousehold(self.period_id, change.new)

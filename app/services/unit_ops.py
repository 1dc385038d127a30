"""Changes to the unit tree (县/乡镇/村) as typed requests for ``operations.execute``.

Each names the unit by id and returns the unit's id (a removal: the paths removed); a unit gone, a
name taken or a level out of place is refused with a typed error (``Refused``, ``UsageError``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Unit

from . import office, units
from .errors import Refused
from .operations import Changed


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise Refused("该单位已不存在。")
    return unit


@dataclass(frozen=True)
class AddUnit:
    """新增县（市、区）/乡镇/村 under ``parent_id`` (None: a county, which becomes the office's unit
    when the office has none yet)."""

    parent_id: int | None
    name: str
    level: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[int, Changed]:
        parent = _unit(session, self.parent_id) if self.parent_id is not None else None
        unit = units.add_unit(session, parent, self.name, self.level)
        if parent is None and office.get_office(session).unit_id is None:
            office.update_office(session, unit_id=unit.id)
        return unit.id, Changed(units=frozenset({unit.id}), structural=True)


@dataclass(frozen=True)
class RenameUnit:
    unit_id: int
    name: str

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[int, Changed]:
        unit = units.rename_unit(session, _unit(session, self.unit_id), self.name)
        return unit.id, Changed(units=frozenset({unit.id}))


@dataclass(frozen=True)
class SetDivisionCode:
    """The 12-digit 统计用区划代码 of a unit (empty: none)."""

    unit_id: int
    code: str | None

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[int, Changed]:
        unit = units.set_division_code(session, _unit(session, self.unit_id), self.code)
        return unit.id, Changed(units=frozenset({unit.id}))


@dataclass(frozen=True)
class RemoveUnit:
    """A unit and those below it removed (refused while any of them has data); returns their paths."""

    unit_id: int

    def households(self, session: Session) -> set[int]:
        return set()

    def run(self, session: Session) -> tuple[list[str], Changed]:
        paths = units.remove_unit(session, _unit(session, self.unit_id))
        return paths, Changed(units=frozenset({self.unit_id}), structural=True)

"""The part of the register an analysis or a 反馈单 covers: a unit's villages and their townships, as SQL."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Unit
from app.models.dialect import raw

from .checks import UnitIndex
from .errors import UsageError
from .units import default_unit, find_unit


class Scope:
    """The villages of ``unit`` and their township names, and the SQL that restricts households to them."""

    def __init__(self, session: Session, unit: Unit):
        self.units = UnitIndex(session)
        self.villages = self.units.villages(unit.id)
        self.township: dict[int, str] = {}
        for v in self.villages:
            u = self.units.info[v]
            p = self.units.info.get(u.parent_id)
            self.township[v] = p.name if p is not None and p.level == "township" else u.name
        self.where = "" if self.units.is_everything(self.villages) else f" AND h.village_id IN ({','.join(str(v) for v in self.villages) or '0'})"


def dbapi(session: Session):
    """The session's own DB-API connection, for the plain-tuple GROUP BYs of the analysis (``?``
    placeholders on both engines: app.models.dialect.raw)."""
    return raw(session)


def unit_or_default(session: Session, unit: Unit | str | None) -> Unit:
    if isinstance(unit, Unit):
        return unit
    u = find_unit(session, unit) if unit else default_unit(session)
    if u is None:
        raise UsageError("数据库中还没有单位")
    return u

"""Finding units by name or path; unit paths as findings and the CLI print them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Unit

from .errors import UsageError


def unit_path(unit: Unit) -> str:
    """"乡镇/村" for a village, the township's name for a township, the county's for a county."""
    names = []
    u: Unit | None = unit
    while u is not None and u.level != "county":
        names.append(u.name)
        u = u.parent
    if not names:
        return unit.name
    return "/".join(reversed(names))


def full_path(unit: Unit) -> str:
    names = []
    u: Unit | None = unit
    while u is not None:
        names.append(u.name)
        u = u.parent
    return "/".join(reversed(names))


def root_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.position, Unit.id)))


def find_unit(session: Session, text: str) -> Unit:
    """A unit by name (`暖泉镇`) or path (`暖泉镇/前暖泉村`, `康平县/暖泉镇`); usage error otherwise."""
    parts = [p.strip() for p in text.replace("\\", "/").split("/") if p.strip()]
    if not parts:
        raise UsageError("单位不能为空。")
    candidates = list(session.scalars(select(Unit).where(Unit.name == parts[-1])))
    matches = [u for u in candidates if full_path(u).split("/")[-len(parts):] == parts]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        names = list(session.scalars(select(Unit.name).where(Unit.name.contains(parts[-1][:2])).limit(10)))
        hint = f"，相近的单位：{'、'.join(names)}" if names else ""
        raise UsageError(f"找不到单位“{text}”{hint}。")
    raise UsageError(f"单位“{text}”不唯一，请写出上级：{'、'.join(full_path(u) for u in matches)}。")


def default_unit(session: Session) -> Unit | None:
    """The office's own unit, or the single root unit."""
    from app.models import Office

    office = session.get(Office, 1)
    if office and office.unit_id:
        return session.get(Unit, office.unit_id)
    roots = root_units(session)
    return roots[0] if len(roots) == 1 else None


def villages_under(session: Session, unit: Unit) -> list[Unit]:
    """Every village at or below ``unit``, in tree order."""
    if unit.level == "village":
        return [unit]
    out: list[Unit] = []
    for child in unit.children:
        out.extend(villages_under(session, child))
    return out


def ensure_path(session: Session, names: list[str], division_codes: list[str | None] | None = None) -> Unit:
    """The unit at county/township/village path ``names``, created where missing."""
    parent: Unit | None = None
    for depth, name in enumerate(names):
        level = ("county", "township", "village")[depth]
        q = select(Unit).where(Unit.name == name, Unit.level == level)
        q = q.where(Unit.parent_id.is_(None)) if parent is None else q.where(Unit.parent_id == parent.id)
        unit = session.scalars(q).first()
        if unit is None:
            pos = len(parent.children) if parent is not None else len(root_units(session))
            code = division_codes[depth] if division_codes else None
            unit = Unit(name=name, level=level, parent=parent, position=pos, division_code=code)
            session.add(unit)
            session.flush()
        parent = unit
    assert parent is not None
    return parent

"""Finding units by name or path; unit paths as findings and the CLI print them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Period, Unit
from app.models.units import full_path

from .errors import UsageError
from .periods import get_period


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


# -- building the office's units by hand ("start from scratch", no package to import) ----------------

TOWNSHIP_SUFFIXES = ("乡", "镇", "街道")
_LEVEL_BELOW = {None: "county", "county": "township", "township": "village"}


def _clean_name(session: Session, parent: Unit | None, name: str, level: str, unit: Unit | None = None) -> str:
    """A unit's name as typed, checked: not empty, no path separator, 乡/镇/街道 for a township,
    not already used under the same parent (``unit`` itself excepted when renaming)."""
    from app.domain import LEVEL_NAMES

    name = (name or "").strip()
    if not name:
        raise UsageError(f"{LEVEL_NAMES[level]}名称不能为空。")
    if "/" in name or "\\" in name:
        raise UsageError(f"单位名称“{name}”不能含有“/”或“\\”（它们用来分隔上下级）。")
    if len(name) > 60:
        raise UsageError(f"单位名称“{name}”太长（最多60个字）。")
    if level == "township" and not name.endswith(TOWNSHIP_SUFFIXES):
        raise UsageError(f"乡镇名称“{name}”应以“乡”“镇”或“街道”结尾，例如“暖泉镇”。")
    q = select(Unit).where(Unit.name == name)
    q = q.where(Unit.parent_id.is_(None)) if parent is None else q.where(Unit.parent_id == parent.id)
    same = [u for u in session.scalars(q) if u is not unit]
    if same:
        where = f"“{full_path(parent)}”下" if parent is not None else ""
        raise UsageError(f"{where}已有名为“{name}”的单位，同一上级下的单位不能重名。")
    return name


def _clean_code(code: str | None) -> str | None:
    """统计用区划代码: optional; when given exactly 12 digits."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    if not (len(code) == 12 and code.isascii() and code.isdigit()):
        raise UsageError(f"行政区划代码“{code}”不对：应为12位数字（统计用区划代码），也可以不填。")
    return code


def add_unit(session: Session, parent: Unit | None, name: str, level: str,
             division_code: str | None = None) -> Unit:
    """A new county (no parent), township (under a county) or village (under a township). Audited."""
    from app.domain import LEVEL_NAMES

    from . import audit

    expected = _LEVEL_BELOW.get(parent.level if parent is not None else None)
    if expected is None:
        raise UsageError(f"村“{parent.name}”下不能再设下级单位。")  # type: ignore[union-attr]
    if level != expected:
        where = f"“{parent.name}”下" if parent is not None else "最上一级"
        raise UsageError(f"{where}只能新增{LEVEL_NAMES[expected]}，不能新增{LEVEL_NAMES.get(level, level)}。")
    name = _clean_name(session, parent, name, level)
    code = _clean_code(division_code)
    pos = (max((c.position for c in parent.children), default=-1) + 1 if parent is not None
           else max((u.position for u in root_units(session)), default=-1) + 1)
    unit = Unit(name=name, level=level, parent=parent, position=pos, division_code=code)
    session.add(unit)
    session.flush()
    audit.record(session, "insert", table="units", record=str(unit.id), field="name", new=full_path(unit))
    if code:
        audit.record(session, "update", table="units", record=str(unit.id), field="division_code", new=code)
    return unit


def rename_unit(session: Session, unit: Unit, name: str) -> Unit:
    """The unit under a new name (same checks as a new one); every month shows the new name. Audited."""
    from . import audit

    name = _clean_name(session, unit.parent, name, unit.level, unit)
    if name != unit.name:
        old = full_path(unit)
        unit.name = name
        session.flush()
        audit.record(session, "update", table="units", record=str(unit.id), field="name", old=old,
                     new=full_path(unit))
    return unit


def division_code(session: Session, unit_id: int) -> str:
    """The unit's 12-digit division code ("" when none is kept)."""
    unit = session.get(Unit, unit_id)
    return (unit.division_code if unit is not None else None) or ""


def set_division_code(session: Session, unit: Unit, code: str | None) -> Unit:
    """Set or clear (None / "") the unit's 12-digit division code. Audited."""
    from . import audit

    code = _clean_code(code)
    if code != unit.division_code:
        audit.record(session, "update", table="units", record=str(unit.id), field="division_code",
                     old=unit.division_code, new=code)
        unit.division_code = code
        session.flush()
    return unit


def remove_unit(session: Session, unit: Unit) -> list[str]:
    """Delete a unit and the units below it, only when none of them has data in any month
    (households, hand-typed counts, fund projects); returns the paths removed. Audited."""
    from sqlalchemy import func

    from app.models import FundProject, HandCount, Household, Office, Period

    from . import audit
    from .errors import Refused, month_label

    units = list(_walk(unit))
    ids = [u.id for u in units]
    found = []
    for label, model, column, unit_word in (
            ("户台账", Household, Household.village_id, "户"), ("手填数（附件1/附件2）", HandCount, HandCount.unit_id, "条"),
            ("资金项目（附件3）", FundProject, FundProject.township_id, "个")):
        rows = session.execute(select(Period.month, func.count()).select_from(model)
                               .join(Period, Period.id == model.period_id)
                               .where(column.in_(ids)).group_by(Period.month).order_by(Period.month)).all()
        if rows:
            found.append(f"{label}：" + "、".join(f"{month_label(m)}{n}{unit_word}" for m, n in rows))
    from app.models import Adjustment, MonitoredHousehold, Visit

    for label, model, unit_word in (("监测户", MonitoredHousehold, "户"), ("入户走访", Visit, "次"),
                                    ("动态调整", Adjustment, "条")):
        n = session.scalar(select(func.count()).select_from(model).where(model.village_id.in_(ids)))
        if n:
            found.append(f"{label}{n}{unit_word}")
    below = "及其下级单位" if len(ids) > 1 else ""
    if found:
        raise Refused(f"不能删除“{full_path(unit)}”：该单位{below}已有数据——" + "；".join(found)
                      + "。只能删除没有任何数据的单位。")
    removed = [full_path(u) for u in units]
    office = session.get(Office, 1)
    if office is not None and office.unit_id in ids:
        from .office import update_office

        update_office(session, unit_id=None)
    for path, uid in zip(removed, ids, strict=True):
        audit.record(session, "delete", table="units", record=str(uid), field="name", old=path)
    session.delete(unit)
    session.flush()
    return removed


def _walk(unit: Unit):
    yield unit
    for c in unit.children:
        yield from _walk(c)


def period_and_unit(session: Session, period: Period | str | None, unit: Unit | str | int | None) -> tuple[Period, Unit]:
    """The month and unit a command or view names (a month text or None for the latest; a unit path,
    id or None for the office's own unit)."""
    p = period if isinstance(period, Period) else get_period(session, period)
    if isinstance(unit, Unit):
        u = unit
    elif isinstance(unit, int):
        found = session.get(Unit, unit)
        if found is None:
            raise UsageError(f"找不到单位（编号 {unit}）。")
        u = found
    elif unit:
        u = find_unit(session, unit)
    else:
        u = default_unit(session)
        if u is None:
            raise UsageError("没有设置本单位，请指定要导出的单位。")
    return p, u

"""Building the office's units and its first month by hand (no package to import). Real SQLite, no Qt."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEntry, HandCount, Period, Unit
from app.models.units import unit_path
from app.services import office, periods, projects, register, units
from app.services.errors import Refused, UsageError


def build(db) -> dict[str, int]:
    with db.session() as s:
        county = units.add_unit(s, None, " 康平县 ", "county", "210523000000")
        town = units.add_unit(s, county, "暖泉镇", "township")
        v1 = units.add_unit(s, town, "前暖泉村", "village", "210523101201")
        v2 = units.add_unit(s, town, "后暖泉村", "village")
        return {"county": county.id, "town": town.id, "v1": v1.id, "v2": v2.id}


def test_add_units_level_by_level_with_positions_and_audit(db):
    ids = build(db)
    with db.session() as s:
        county = s.get(Unit, ids["county"])
        assert (county.name, county.level, county.division_code, county.parent_id) == (
            "康平县", "county", "210523000000", None)
        assert [(c.name, c.level) for c in county.children] == [("暖泉镇", "township")]
        town = county.children[0]
        assert [(v.name, v.level, v.position) for v in town.children] == [
            ("前暖泉村", "village", 0), ("后暖泉村", "village", 1)]
        assert units.find_unit(s, "暖泉镇/后暖泉村").id == ids["v2"]
        added = s.scalars(select(AuditEntry.new).where(AuditEntry.table == "units", AuditEntry.action == "insert")
                          .order_by(AuditEntry.id)).all()
        assert added == ["康平县", "康平县/暖泉镇", "康平县/暖泉镇/前暖泉村", "康平县/暖泉镇/后暖泉村"]


@pytest.mark.parametrize("parent, name, level, code, message", [
    (None, "康平县", "township", None, "只能新增县"),
    ("county", "暖泉", "township", None, "应以“乡”“镇”或“街道”结尾"),
    ("county", "暖泉镇", "township", None, "已有名为“暖泉镇”"),
    ("county", "  ", "township", None, "名称不能为空"),
    ("town", "前暖泉村", "village", None, "不能重名"),
    ("town", "新村/一组", "village", None, "不能含有“/”"),
    ("town", "新村", "village", "2105231012", "应为12位数字"),
    ("town", "新村", "village", "21052310120X", "应为12位数字"),
    ("v1", "一组", "village", None, "不能再设下级单位"),
    (None, "康平县", "county", None, "已有名为“康平县”"),
])
def test_add_unit_refuses_with_chinese_message(db, parent, name, level, code, message):
    ids = build(db)
    with db.session() as s:
        p = s.get(Unit, ids[parent]) if parent else None
        with pytest.raises(UsageError) as e:
            units.add_unit(s, p, name, level, code)
    assert message in e.value.message


def test_township_suffixes_and_second_county_allowed(db):
    ids = build(db)
    with db.session() as s:
        county = s.get(Unit, ids["county"])
        for name in ("郝官屯乡", "城区街道"):
            assert units.add_unit(s, county, name, "township").level == "township"
        assert units.add_unit(s, None, "法库县", "county").position == 1
        assert units.add_unit(s, s.get(Unit, ids["town"]), "新村", "village", " 210523101 202 ").division_code \
            == "210523101202"


def test_rename_and_division_code_are_checked_and_audited(db):
    ids = build(db)
    with db.session() as s:
        town = s.get(Unit, ids["town"])
        with pytest.raises(UsageError, match="应以“乡”“镇”或“街道”结尾"):
            units.rename_unit(s, town, "暖泉")
        units.rename_unit(s, town, "暖泉镇")  # its own name again: no change, no refusal
        v1 = s.get(Unit, ids["v1"])
        with pytest.raises(UsageError, match="不能重名"):
            units.rename_unit(s, v1, "后暖泉村")
        units.rename_unit(s, town, "新暖泉镇")
        units.set_division_code(s, v1, "")
        with pytest.raises(UsageError, match="12位数字"):
            units.set_division_code(s, v1, "123")
    with db.session() as s:
        assert unit_path(s.get(Unit, ids["v1"])) == "新暖泉镇/前暖泉村"
        assert s.get(Unit, ids["v1"]).division_code is None
        rows = s.execute(select(AuditEntry.field, AuditEntry.old, AuditEntry.new).where(
            AuditEntry.table == "units", AuditEntry.action == "update").order_by(AuditEntry.id)).all()
        assert rows[-2:] == [("name", "康平县/暖泉镇", "康平县/新暖泉镇"), ("division_code", "210523101201", None)]


def test_remove_unit_refused_while_it_or_a_unit_below_has_data(db):
    ids = build(db)
    with db.session() as s:
        march = periods.open_first_period(s, "2020-03")
        register.add_household(s, march.id, ids["v1"])
        s.add(HandCount(period_id=march.id, unit_id=ids["v2"], form=1, total=3))
        projects.add_project(s, march, s.get(Unit, ids["town"]), name="暖泉镇大棚")
        office.update_office(s, unit_id=ids["county"])
    for key, expected in (("v1", ["户台账：2020年3月数据1户"]), ("v2", ["手填数（附件1/附件2）：2020年3月数据1条"]),
                          ("town", ["户台账", "手填数", "资金项目（附件3）：2020年3月数据1个", "及其下级单位"]),
                          ("county", ["户台账"])):
        with db.session() as s, pytest.raises(Refused) as e:
            units.remove_unit(s, s.get(Unit, ids[key]))
        assert e.value.message.startswith("不能删除“康平县")
        for text in expected:
            assert text in e.value.message
    with db.session() as s:
        assert s.scalar(select(Unit).where(Unit.id == ids["v1"])) is not None


def test_remove_empty_units_with_children_clears_office_unit(db):
    ids = build(db)
    with db.session() as s:
        office.update_office(s, unit_id=ids["town"])
    with db.session() as s:
        removed = units.remove_unit(s, s.get(Unit, ids["town"]))
    assert removed == ["康平县/暖泉镇", "康平县/暖泉镇/前暖泉村", "康平县/暖泉镇/后暖泉村"]
    with db.session() as s:
        assert s.scalars(select(Unit.name)).all() == ["康平县"]
        assert office.get_office(s).unit_id is None
        deleted = s.scalars(select(AuditEntry.old).where(AuditEntry.action == "delete",
                                                         AuditEntry.table == "units")).all()
        assert deleted == removed


def test_open_first_period_only_on_a_database_without_months(db):
    with db.session() as s:
        with pytest.raises(UsageError, match="格式不对"):
            periods.open_first_period(s, "2020-13")
        p = periods.open_first_period(s, "2020-03")
        assert (p.month, p.state) == ("2020-03", "open")
    with db.session() as s:
        assert s.scalars(select(Period.month)).all() == ["2020-03"]
        assert s.scalars(select(AuditEntry.record).where(AuditEntry.table == "periods")).all() == ["2020-03"]
        with pytest.raises(Refused, match="请用“新建月份”"):
            periods.open_first_period(s, "2020-04")

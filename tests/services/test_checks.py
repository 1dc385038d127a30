"""The register checked: Core loading, every rule over a real SQLite register, H-12, notes, projects."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import FundProject, HandCount, Household, IncomeItem, Measure, Person
from app.services import checks
from app.services.errors import LockedPeriod, UsageError
from app.services.periods import ensure_period
from app.services.units import ensure_path

VALID_ID = "11010519491231002X"


def _household(village, period, position, head, spouse, **kw) -> Household:
    values = dict(period_id=period.id, village_id=village.id, position=position, band="A", prior_income=4200,
                  head_phone="15140731234", cause="收入较低", helper_name="李振国", helper_phone="024-82703810",
                  expected_month="2020.10", ytd_income=3000)
    values.update(kw)
    h = Household(**values)
    h.members = [
        Person(position=0, name=head, relation="户主", age=55, health="健康", labour="普通劳动力", industry=True),
        Person(position=1, name=spouse, relation="配偶", age=52, health="健康", labour="弱劳动力"),
    ]
    h.measures = [Measure(position=0, category="产业带动", text="入股肉牛养殖合作社")]
    h.income_items = [IncomeItem(position=0, category="种植业", label="玉米", amount=8000),
                      IncomeItem(position=1, category="低保", amount=1600)]
    return h


@pytest.fixture
def register(db):
    """Two villages of 暖泉镇, two households each, period 2020-03: no findings at all."""
    with db.session() as s:
        period = ensure_period(s, "2020-03")
        front = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        back = ensure_path(s, ["康平县", "暖泉镇", "后暖泉村"])
        s.add_all([
            _household(front, period, 0, "于德海", "王秀兰"),
            _household(front, period, 1, "刘长顺", "赵桂芝"),
            _household(back, period, 0, "孙永和", "钱淑珍"),
            _household(back, period, 1, "周福贵", "吴玉梅", band="B", prior_income=5300, ytd_income=5100,
                       expected_month="2020.03", closed_out=True),
        ])
    return db


def _hh(s, head: str) -> Household:
    from sqlalchemy import select

    return s.scalars(select(Household).join(Person).where(Person.name == head)).one()


def test_load_households_reads_the_register(register):
    with register.session() as s:
        hs = checks.load_households(s, "2020-03")
    assert [h.unit for h in hs] == ["暖泉镇/前暖泉村"] * 2 + ["暖泉镇/后暖泉村"] * 2
    first = hs[0]
    assert (first.band, first.prior_income, first.head_name, first.head_phone, first.cause, first.helper_name,
            first.helper_phone, first.expected_month, first.closed_out, first.housing_grade,
            first.housing_renovated, first.ytd_income) == (
        "A", 4200, None, "15140731234", "收入较低", "李振国", "024-82703810", "2020.10", False, None, False, 3000)
    assert hs[3].band == "B" and hs[3].closed_out is True
    p = first.members[0]
    assert (p.name, p.relation, p.age, p.health, p.labour, p.id_number, p.phone) == (
        "于德海", "户主", 55, "健康", "普通劳动力", None, None)
    assert [p.name for p in first.members] == ["于德海", "王秀兰"]
    assert first.measures == [("产业带动", "入股肉牛养殖合作社")]
    assert first.income_items == [("种植业", 8000), ("低保", 1600)]
    assert first.texts["income"] == "玉米"
    assert first.members[0].assistance["industry"] is True and first.members[1].assistance["industry"] is False
    with register.session() as s:
        only = checks.load_households(s, "2020-03", "暖泉镇/后暖泉村")
    assert [h.members[0].name for h in only] == ["孙永和", "周福贵"]


def test_clean_register_has_no_findings(register):
    with register.session() as s:
        assert checks.check_period(s, "2020-03") == []


def test_findings_are_located(register):
    with register.session() as s:
        h = _hh(s, "刘长顺")
        h.members[1].age = 130
        h.head_phone = "1514073××××"
        h.measures.clear()
        household_uuid, person_uuid = h.uuid, h.members[1].uuid
    with register.session() as s:
        found = checks.check_period(s, "2020-03")
    by_code = {f.code: f for f in found}
    assert set(by_code) == {"H-05", "H-08", "H-10"}
    f = by_code["H-05"]
    assert (f.unit, f.household, f.person, f.field, f.severity) == (
        "暖泉镇/前暖泉村", household_uuid, person_uuid, "age", "E")
    assert "130" in f.message and "赵桂芝" in f.message
    with register.session() as s:
        assert checks.check_period(s, "2020-03", "后暖泉村") == []


def test_h04_rare_character_in_register(register):
    with register.session() as s:
        _hh(s, "孙永和").members[1].name = "钱\U00030edd"
    with register.session() as s:
        found = checks.check_period(s, "2020-03")
    assert [(f.code, f.field) for f in found] == [("H-04", "name")]


def test_h12_across_households_and_per_household(register):
    with register.session() as s:
        a, b = _hh(s, "于德海"), _hh(s, "孙永和")
        a.members[1].id_number = VALID_ID
        a.members[1].age = 70
        b.members[1].id_number = VALID_ID
        b.members[1].age = 70
        b_id, b_uuid, a_person = b.id, b.uuid, a.members[1].uuid
    with register.session() as s:
        found = [f for f in checks.check_period(s, "2020-03") if f.code == "H-12"]
        assert len(found) == 2 and {f.field for f in found} == {"id_number"}
        one = checks.check_household_id(s, b_id)
    assert [(f.code, f.household) for f in one] == [("H-12", b_uuid)]
    assert "前暖泉村" in one[0].message and "于德海户" in one[0].message
    assert a_person not in {f.person for f in one}


def test_check_household_id_matches_period_check(register):
    with register.session() as s:
        h = _hh(s, "周福贵")
        h.prior_income = 6000  # H-13
        h.members[0].relation = "之子"  # H-01
        h.members[1].labour = "半劳力"  # H-06
        hid, uuid = h.id, h.uuid
    with register.session() as s:
        one = checks.check_household_id(s, hid)
        period = [f for f in checks.check_period(s, "2020-03") if f.household == uuid]
    assert sorted(f.code for f in one) == sorted(f.code for f in period) == ["H-01", "H-06", "H-10", "H-13"]  # no 户主: no head name either
    with register.session() as s, pytest.raises(UsageError):
        checks.check_household_id(s, 99999)


def test_projects_checked_and_notes_attach(register):
    with register.session() as s:
        period = ensure_period(s, "2020-03")
        town = ensure_path(s, ["康平县", "暖泉镇"])
        s.add(FundProject(period_id=period.id, township_id=town.id, name="肉牛养殖基地", planned=100, received=80,
                          disbursed=90, stage="已开工", started_on=dt.date(2020, 2, 1), households=10, persons=30))
    with register.session() as s:
        (f,) = checks.check_period(s, "2020-03")
        assert (f.code, f.unit, f.field, f.note) == ("P-02", "暖泉镇", "disbursed", None)
        assert f.target
        checks.add_note(s, "2020-03", f, "县财政提前拨付，已核实", who="张会计")
    with register.session() as s:
        (f,) = checks.check_period(s, "2020-03")
        assert f.note == "县财政提前拨付，已核实"
        assert f.to_dict()["note"] == "县财政提前拨付，已核实"
        assert checks.check_period(s, "2020-03", "后暖泉村") == []  # a village has no projects
    with register.session() as s:
        assert checks.remove_note(s, "2020-03", f) is True
        assert checks.remove_note(s, "2020-03", f) is False
    with register.session() as s:
        (f,) = checks.check_period(s, "2020-03")
        assert f.note is None


def test_note_on_household_warning_and_locked_month(register):
    with register.session() as s:
        h = _hh(s, "孙永和")
        h.housing_grade = "D"
    with register.session() as s:
        (f,) = checks.check_period(s, "2020-03")
        assert f.code == "H-14"
        checks.add_note(s, "2020-03", f, "已列入今年改造计划，5月开工", who="王书记")
    with register.session() as s:
        (f,) = checks.check_household_id(s, _hh(s, "孙永和").id)
        assert f.note == "已列入今年改造计划，5月开工"
        with pytest.raises(UsageError):
            checks.add_note(s, "2020-03", f, "  ")
        ensure_period(s, "2020-03").state = "locked"
    with register.session() as s, pytest.raises(LockedPeriod):
        checks.add_note(s, "2020-03", f, "再改")


def test_count_rows_of_hand_typed_village_are_checked(register):
    with register.session() as s:
        period = ensure_period(s, "2020-03")
        other = ensure_path(s, ["康平县", "暖泉镇", "西山村"])
        s.add(HandCount(period_id=period.id, unit_id=other.id, form=1, total=5, water=6, inc_lt_4400=5))
    with register.session() as s:
        found = checks.check_period(s, "2020-03")
    assert [(f.code, f.unit, f.field) for f in found] == [("M-02", "暖泉镇/西山村", "water")]


def test_demo_register_planted_violations_found(demo_db):
    """The demo plants one household per code; the check finds each of them."""
    with demo_db.session() as s:
        found = checks.check_period(s, None)
        hs = checks.load_households(s, None)
    assert {"H-01", "H-03", "H-05", "H-07", "H-10", "H-11", "H-13", "H-14", "H-15"} <= {f.code for f in found}
    assert sum(len(h.members) for h in hs) == 400
    assert all(f.unit and "/" in f.unit for f in found if f.code.startswith("H-"))


def test_h12_ignores_the_same_household_in_other_months(register):
    """The register is kept per period: last month's copy of a person is not a duplicate."""
    with register.session() as s:
        april = ensure_period(s, "2020-04")
        old = _hh(s, "于德海")
        old.members[1].id_number = VALID_ID
        copy = Household(uuid=old.uuid, period_id=april.id, village_id=old.village_id, band="A", prior_income=4200)
        copy.members = [Person(uuid=p.uuid, position=p.position, name=p.name, relation=p.relation, age=p.age,
                               id_number=p.id_number, phone=p.phone) for p in old.members]
        s.add(copy)
        old_id = old.id
    with register.session() as s:
        assert [f for f in checks.check_household_id(s, old_id) if f.code == "H-12"] == []
        assert [f for f in checks.check_period(s, "2020-03") if f.code == "H-12"] == []


def test_load_for_rules_holds_the_same_lines(register):
    """The grouped loading of check_period reads the same measures, income items and labels."""
    with register.session() as s:
        h = _hh(s, "孙永和")
        h.measures.append(Measure(position=1, category="就业", text="县城物流公司务工"))
        h.income_items.append(IncomeItem(position=2, category="工资性收入", label="务工", amount=12000.5))
    with register.session() as s:
        exact = checks.load_households(s, "2020-03")
        fast = checks.load_households(s, "2020-03", for_rules=True)
    assert [h.uuid for h in exact] == [h.uuid for h in fast]
    for a, b in zip(exact, fast, strict=True):
        assert sorted(a.measures) == sorted(b.measures)
        assert sorted(a.income_items) == sorted(b.income_items)
        assert sorted(a.texts.get("income", "").split()) == sorted(b.texts.get("income", "").split())
        assert [p.uuid for p in a.members] == [p.uuid for p in b.members]
    assert ("工资性收入", 12000.5) in fast[2].income_items

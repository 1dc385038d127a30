"""Household rules H-01 … H-16: for every code a case that fires and one that does not."""

from __future__ import annotations

import copy

import pytest

from app.rules import ids
from app.rules.data import Context, HouseholdData, PersonData
from app.rules.engine import RULES, check_household, check_households
from app.rules.phones import is_valid_phone, mask_phone, normalise_phone

CTX = Context("2020-03")
VALID_ID = "11010519491231002X"  # GB 11643 example: born 1949-12-31 → 70 on 2020-03-31


def good() -> HouseholdData:
    """A household that passes every rule."""
    return HouseholdData(
        uuid="h-1", unit="暖泉镇/前暖泉村", band="A", prior_income=4200, head_phone="151 4073 1234",
        cause="因病", helper_name="李振国", helper_phone="024-82703810", expected_month="2020.09",
        closed_out=False, housing_grade="B", measures=[("产业带动", "入股肉牛养殖合作社")],
        income_items=[("种植业", 1100), ("低保", 3000), ("养老金/退休金", 2000)],
        members=[
            PersonData(uuid="p-1", name="于德海", relation="户主", age=70, health="长期慢性病",
                       labour="弱劳动力（含半劳动力）", id_number=VALID_ID),
            PersonData(uuid="p-2", name="王秀兰", relation="配偶", age=68, health="健康", labour="弱劳动力"),
            PersonData(uuid="p-3", name="于小龙", relation="之子", age=40, health="健康", labour="普通劳动力"),
        ],
    )


def codes(h: HouseholdData, ctx: Context = CTX) -> list[str]:
    return [f.code for f in check_household(h, ctx)]


def test_good_household_has_no_findings():
    assert check_household(good(), CTX) == []


def _set(**kw):
    def change(h: HouseholdData) -> None:
        for k, v in kw.items():
            setattr(h, k, v)
    return change


def _member(i: int, **kw):
    def change(h: HouseholdData) -> None:
        for k, v in kw.items():
            setattr(h.members[i], k, v)
    return change


def _swap_head(h):
    h.members[0], h.members[1] = h.members[1], h.members[0]


def _add_member(**kw):
    def change(h):
        h.members.append(PersonData(uuid="p-9", **kw))
    return change


# (code, change that makes it fire, change that keeps it quiet)
CASES = [
    ("H-01", _member(1, relation="户主"), _member(1, relation="配偶")),
    ("H-01", _swap_head, _set()),
    ("H-01", _member(0, relation="之子"), _member(0, relation=" 户主 ")),
    ("H-02", _set(stated_size=4), _set(stated_size="3")),
    ("H-03", _member(1, name="王 秀兰"), _member(1, name="阿依古丽·买买提")),
    ("H-03", _member(1, name="王秀兰2"), _member(1, name="王秀兰")),
    ("H-03", _member(1, name="王"), _member(1, name="王兰")),
    ("H-04", _member(1, name="王\U00030edd"), _member(1, name="王堃")),
    ("H-04", _set(measures=[("产业带动", "养\U00030edd")]), _set(measures=[("产业带动", "养鹅")])),
    ("H-04", _set(texts={"remark": "\U00030edd"}), _set(texts={"remark": "无"})),
    ("H-05", _member(1, age="七十"), _member(1, age="68")),
    ("H-05", _member(1, age=121), _member(1, age=68.0)),
    ("H-05", _member(1, age=-1), _member(1, age=0)),
    ("H-06", _set(cause="缺资金"), _set(cause="收入较低（缺少收入来源或收入水平较低）")),
    ("H-06", _member(1, health="良好"), _member(1, health="残疾")),
    ("H-06", _member(1, labour="半劳力"), _member(1, labour="无劳动力 (含丧失劳动力)")),
    ("H-06", _member(1, relation="妻子"), _member(1, relation="配偶")),
    ("H-06", _set(cause=None), _set(cause="其他")),
    ("H-07", _member(1, age=15), _member(1, age=16)),  # 配偶 younger than 16
    ("H-07", _member(2, age=59), _member(2, age=58)),  # 之子 older than head − 12
    ("H-07", _add_member(name="于老汉", relation="之父", age=81, health="健康", labour="无劳动力"),
     _add_member(name="于老汉", relation="之父", age=82, health="健康", labour="无劳动力")),
    ("H-07", _add_member(name="于小宝", relation="之孙子", age=15, health="健康", labour="普通劳动力"),
     _add_member(name="于小宝", relation="之孙子", age=15, health="健康", labour="无劳动力")),
    ("H-07", _member(2, labour="无劳动力"), _member(2, labour="无劳动力", health="残疾")),
    ("H-07", _set(cause="因残"), _set(cause="收入较低")),
    ("H-07", _member(0, health="健康"), _member(0, health="大病")),  # 因病 without sick member
    ("H-07", _set(cause="因学"), _add_member(name="于小花", relation="之孙女", age=12, health="健康",
                                            labour="无劳动力")),
    ("H-08", _set(measures=[]), _set(band="B", measures=[], prior_income=5200)),
    ("H-08", _set(measures=[("", "  ")]), _set(measures=[("其它", "")])),
    ("H-09", _set(income_items=[("种植业", -5)]), _set(income_items=[("种植业", 0)])),
    ("H-09", _set(income_items=[("种植业", "很多")]), _set(income_items=[("种植业", "1100元")])),
    ("H-09", _set(stated_total=6000), _set(stated_total=6100)),
    ("H-09", _set(stated_per_capita=2000), _set(stated_per_capita=2033)),
    ("H-10", _set(head_phone="1514073××××"), _set(head_phone="15140731234")),
    ("H-10", _set(head_phone=None), _set(head_phone="0412-2345678")),
    ("H-10", _set(helper_phone="12345678901"), _set(helper_phone="139-4000-1234")),
    ("H-10", _set(helper_name=""), _set(helper_name="张三")),
    ("H-10", _set(head_name="", members=[]), _set(head_name="于德海")),  # (members=[] also fires H-01)
    ("H-11", _set(expected_month="2020-09"), _set(expected_month="2020.12")),
    ("H-11", _set(expected_month=2021.1), _set(expected_month=2020.1)),  # numbers read from a sheet
    ("H-11", _set(expected_month="2020.13"), _set(expected_month="2020.04")),
    ("H-11", _set(expected_month="2021.03"), _set(expected_month="2020.04")),
    ("H-11", _set(expected_month="2020.03"), _set(expected_month="2020.03", closed_out=True)),
    ("H-11", _set(ytd_income=5000), _set(ytd_income=4999, income_items=[("工资性收入", 30000)])),
    ("H-11", _set(ytd_income=5600, expected_month="2020.04"), _set(ytd_income=5600, expected_month="2020.03",
                                                                    closed_out=True)),
    ("H-13", _set(prior_income=5000), _set(prior_income=4999.9)),
    ("H-13", _set(band="B", prior_income=5761), _set(band="B", prior_income=5760)),
    ("H-13", _set(prior_income="不详"), _set(prior_income=None)),
    ("H-14", _set(housing_grade="D"), _set(housing_grade="D", housing_renovated=True)),
    ("H-14", _set(housing_grade="c"), _set(housing_grade="A")),
    ("H-15", _member(0, id_number="110105194912310021"), _member(0, id_number="11010519491231002x")),
    ("H-15", _member(0, id_number="1101051949123100"), _member(0, id_number=None)),
    ("H-15", _member(0, id_number="110105194902300023"), _member(0, id_number="")),
    ("H-16", _member(0, age=71), _member(0, age=70)),
]


@pytest.mark.parametrize(("code", "fire", "quiet"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_and_stays_quiet(code, fire, quiet):
    h = good()
    fire(h)
    found = check_household(h, CTX)
    assert code in [f.code for f in found], found
    for f in found:
        assert f.severity == RULES[f.code][0] or f.code == "H-11"
        assert f.household == "h-1" and f.unit == "暖泉镇/前暖泉村"
        assert f.message and f.field
    h = good()
    quiet(h)
    assert code not in codes(h), check_household(h, CTX)


def test_every_household_code_has_cases():
    tested = {c[0] for c in CASES} | {"H-12"}
    assert tested == {c for c in RULES if c.startswith("H-")}


def test_age_message_is_for_a_clerk_and_located():
    h = good()
    h.members[1].age = "七十"
    h.members[1].row = 12
    h.file, h.sheet, h.row = "附件4.xlsx", "Sheet1", 10
    (f,) = [f for f in check_household(h, CTX) if f.code == "H-05"]
    assert f.message == "王秀兰的年龄应为0至120的整数，现为“七十”"
    assert (f.file, f.sheet, f.row, f.person, f.field) == ("附件4.xlsx", "Sheet1", 12, "p-2", "age")
    assert "第12行" in str(f)


def test_h04_names_the_missing_character():
    h = good()
    h.members[1].name = "王\U00030edd兰"
    (f,) = [f for f in check_household(h, CTX) if f.code == "H-04"]
    assert "\U00030edd" in f.message and f.person == "p-2"


def test_h11_warnings_are_warnings():
    h = good()
    h.expected_month = "2020.02"
    (f,) = [f for f in check_household(h, CTX) if f.code == "H-11"]
    assert f.severity == "W"
    h.expected_month = "2020.2"
    (f,) = [f for f in check_household(h, CTX) if f.code == "H-11"]
    assert f.severity == "E"


def test_h12_same_person_in_two_households():
    a, b = good(), good()
    b.uuid, b.unit = "h-2", "暖泉镇/后暖泉村"
    for i, p in enumerate(b.members):
        p.uuid = f"q-{i}"
        p.id_number = None
    b.members[0].name, b.members[0].age = "于德江", 50
    b.members[1].name = "王淑芬"
    b.members[2].name = "于小虎"
    assert [f for f in check_households([a, b], CTX) if f.code == "H-12"] == []
    b.members[2].name = "于小龙"  # same name and age as a's 之子
    found = [f for f in check_households([a, b], CTX) if f.code == "H-12"]
    assert {(f.household, f.person) for f in found} == {("h-1", "p-3"), ("h-2", "q-2")}
    assert all(f.severity == "W" for f in found)
    assert "后暖泉村" in next(f for f in found if f.household == "h-1").message
    b.members[2].name = "于小虎"
    b.members[1].id_number = VALID_ID.lower()  # same 身份证号 as a's head
    found = [f for f in check_households([a, b], CTX) if f.code == "H-12"]
    assert {f.person for f in found} == {"p-1", "q-1"} and found[0].field == "id_number"
    b.members[1].id_number = None
    a.members[2].phone, b.members[0].phone = "139 4000 1234", "13940001234"
    found = [f for f in check_households([a, b], CTX) if f.code == "H-12"]
    assert {f.person for f in found} == {"p-3", "q-0"}


def test_h12_not_within_one_household():
    a = good()
    a.members[2].name, a.members[2].age = "王秀兰", 68  # same as 配偶, same household: not H-12
    assert [f for f in check_households([a], CTX) if f.code == "H-12"] == []


@pytest.mark.parametrize(("text", "norm"), [
    ("151 4073 1234", "15140731234"), ("151-4073-1234", "15140731234"), ("024-82703810", "024-82703810"),
    ("02482703810", "02482703810"), ("0412 2345678", "04122345678"), ("+86 139 4000 1234", "13940001234"),
    (15140731234, "15140731234"), ("１５１４０７３１２３４", "15140731234"),
    ("12140731234", None), ("1514073××××", None), ("82703810", None), ("", None), (None, None),
])
def test_phone_normalisation(text, norm):
    assert normalise_phone(text) == norm
    assert is_valid_phone(text) == (norm is not None)


def test_mask_phone():
    assert mask_phone("151 4073 1234") == "151****1234"
    assert mask_phone("024-82703810") == "024-****3810"
    assert mask_phone(None) == ""


def test_id_helpers():
    assert ids.check_digit(VALID_ID[:17]) == "X"
    assert ids.id_problem(VALID_ID) is None
    assert ids.mask_id(VALID_ID) == "110105********002X"
    h = copy.deepcopy(good())
    h.members[0].id_number = "110105194912310021"
    (f,) = [f for f in check_household(h, CTX) if f.code == "H-15"]
    assert "校验位" in f.message and f.person == "p-1" and f.field == "id_number"

"""The value-level quirks, one by one (the workbook tests show them end to end)."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import RELATIONS
from app.importers import normalise as nz
from app.importers import texts


@pytest.mark.parametrize("raw,want", [
    ("2020.09", "2020.09"), ("2020.9", "2020.09"), ("2020-09", "2020.09"), ("2020年9月", "2020.09"),
    ("２０２０年９月", "2020.09"), ("2020/9", "2020.09"), ("202009", "2020.09"), (dt.date(2020, 9, 1), "2020.09"),
    (dt.datetime(2020, 12, 31), "2020.12"), (2020.09, "2020.09"), (2020.1, "2020.10"), (2020.12, "2020.12"),
    ("2020.13", "2020.13"), ("明年", "明年"),
])
def test_months(raw, want):
    assert nz.month(raw) == want


@pytest.mark.parametrize("raw,want", [
    ("64岁", 64), ("６４", 64), ("2人", 2), ("1100元", 1100), ("1,100", 1100), ("0.3万元", 3000), (64.0, 64),
    ("42", 42), ("64.5", 64.5), ("七十", "七十"), (None, None), ("", None),
])
def test_numbers(raw, want):
    got = nz.number(raw)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("raw,want", [
    ("于海 15140731234", ("于海", "15140731234")), ("于海15140731234", ("于海", "15140731234")),
    ("于海 151-4073-1234", ("于海", "15140731234")), ("于海：151 4073 1234", ("于海", "15140731234")),
    ("于海（１５１４０７３１２３４）", ("于海", "15140731234")), ("赵奇 024-82703810", ("赵奇", "024-82703810")),
    ("于海", ("于海", None)), (15140731234.0, (None, "15140731234")), (None, (None, None)),
])
def test_contacts(raw, want):
    assert nz.contact(raw) == want


@pytest.mark.parametrize("raw,want", [
    ("儿子", "之子"), ("子", "之子"), ("长子", "之子"), ("妻子", "配偶"), ("丈夫", "配偶"), ("女儿", "之女"),
    ("孙子", "之孙子"), ("孙女", "之孙女"), ("父亲", "之父"), ("母亲", "之母"), ("儿媳", "之儿媳"), ("女婿", "之女婿"),
    ("外孙", "之外孙子"), ("姐姐", "之兄弟姐妹"), ("本人", "户主"), (" 户 主 ", "户主"), ("其它", "其他"), ("邻居", "邻居"),
])
def test_relation_variants(raw, want):
    got = nz.relation(raw)
    assert got == want
    assert (got in RELATIONS) == (raw != "邻居")  # an unknown word is left for H-06 to report


def test_closed_lists_accept_hint_text_and_width():
    assert nz.labour("无劳动力（含丧失劳动力）") == "无劳动力"
    assert nz.labour("弱劳动力(含半劳动力)") == "弱劳动力"
    assert nz.cause("收入较低（缺少收入来源或收入水平较低）") == "收入较低"
    assert nz.health(" 大病 ") == "大病"
    assert nz.health("很好") == "很好"


def test_header_keys_ignore_width_spaces_quotes_and_breaks():
    assert nz.header_key("县（市、区）") == nz.header_key("县 (市、区)") == "县(市、区)"
    assert nz.header_key("本年度“三保障”+安全饮水帮扶人数") == nz.header_key('本年度"三保障"+安全饮水\n帮扶人数')
    assert nz.header_key_loose("家庭收入情况（预估）") == "家庭收入情况"


def test_names_lose_stray_spaces():
    assert nz.name("张 三") == "张三"
    assert nz.name("买买提•卡德尔") == "买买提·卡德尔"
    assert nz.name("张三") == "张三"


def test_measure_lines_and_categories():
    got = texts.measures("①危房改造 ②小额信贷5万元 ③慢性病签约 ④孩子上学雨露计划 ⑤自来水入户 ⑥护林员 ⑦外出务工 ⑧种植4.5亩玉米 ⑨其他帮扶")
    assert [m["category"] for m in got] == ["危房翻建", "扶贫小额信贷", "健康扶贫", "教育资助", "饮水安全", "公益岗位",
                                            "就业", "产业带动", "其它"]
    assert got[7]["text"] == "种植4.5亩玉米"  # a decimal point is not a line number


def test_income_items_and_stated_totals():
    got = texts.income("1．种植业收入：１１００元\n2．打工：0.5万元\n3.其他: 很多\n合计 6100元，人均3050元")
    assert [(i["category"], i["label"], i["amount"]) for i in got.items] == [
        ("种植业", "种植业收入", 1100), ("工资性收入", "打工", 5000), ("其他", "其他", "很多")]
    assert (got.stated_total, got.stated_per_capita) == (6100, 3050)
    assert texts.income(None).items == [] and texts.income(800).items[0]["amount"] == 800

"""The screened full check (``check_period``) gives exactly the findings of running every household
rule on every household, on the demo register and after each kind of odd value is written into it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.models import Period, Unit
from app.services import check_screen, checks

UNCOVERED = "\U000f0001"  # private use: in no shipped font


def _reference(s, period, unit=None) -> list[dict]:
    """Every household rule on every loaded household, plus H-12: the plain path."""
    hs = checks.load_households(s, period, unit, assistance=False)
    return [f.to_dict() for f in checks.check_households_data(hs, period.month)]


def _screened(s, period, unit=None) -> list[dict]:
    return [f.to_dict() for f in checks._check_screened(s, period, unit)]


def _same(db) -> int:
    with db.session() as s:
        n = 0
        for period in s.scalars(select(Period)):
            want = _reference(s, period)
            assert _screened(s, period) == want, period.month
            n += len(want)
        return n


def test_demo_register_same_findings_in_same_order(demo_db):
    with demo_db.session() as s:
        period = s.scalars(select(Period).order_by(Period.month.desc())).first()
        want = _reference(s, period)
        assert _screened(s, period) == want
        assert {f["code"] for f in want} >= {"H-01", "H-03", "H-05", "H-07", "H-10", "H-11", "H-15"}
        # check_period itself: the screened households, projects, counts and notes
        full = [f.to_dict() for f in checks.check_period(s, period)]
        old = [f.to_dict() for f in checks.check_period(s, period, households=checks.load_households(
            s, period, for_rules=True))]
        assert sorted(map(repr, full)) == sorted(map(repr, old))
        for unit in s.scalars(select(Unit).where(Unit.level.in_(("township", "village")))).all()[:6]:
            assert _screened(s, period, unit) == _reference(s, period, unit), unit.name


def _ids(db):
    with db.session() as s:
        rows = s.execute(text("SELECT p.id, p.household_id FROM persons p JOIN households h ON h.id = p.household_id "
                              "WHERE h.period_id = (SELECT max(id) FROM periods) ORDER BY p.household_id, p.position"
                              )).all()
    persons = [r[0] for r in rows]
    households = list(dict.fromkeys(r[1] for r in rows))
    return persons, households


PERSON_VALUES = {
    "name": ["", "  ", "王 小明", "王2明", "A", f"王{UNCOVERED}", "·", " 王小明", 12345, "Ivan Petrov"],
    "relation": ["户主", "之子", "儿子", None, "邻居", "之父", "配偶", " 配偶"],
    "age": [None, -1, 121, "七十", 70.5, "70", 3, 15, 61, 10, 90, 70.0],
    "health": [None, "健康 ", "很好", "残疾", "大病"],
    "labour": [None, "无劳动力", "普通劳动力", "劳力"],
    "id_number": ["", " ", "11010519491231002x", "110105194912310021", "11010519491231002X", "１１０１０５１９４９１２３１００２X",
                  "110105 19491231002X", 123, "11010520300101002X"],
    "phone": [None, "", "123", "151 4073 1234", "15140731234", "024-82703810", "02482703810", "+86 151-4073-1234"],
}
HOUSEHOLD_VALUES = {
    "band": ["B", "C"],
    "prior_income": [None, -1, 5500, 4999.99, 5760, 5760.5, "abc", 0],
    "head_phone": [None, "123", "151-4073-1234", "15140731234 ", 15140731234],
    "cause": [None, "因残", "因学", "因病", "收入低", " 因残"],
    "helper_name": [None, " ", "\u3000", f"李{UNCOVERED}"],
    "helper_unit": [f"镇政府{UNCOVERED}", "", None],
    "helper_phone": [None, "0248270381"],
    "expected_month": [None, "2020.13", "2019.05", "2020.1", "2020.01", "2020.12", " 2020.12", 2020.1, "2020-05"],
    "ytd_income": [6000, 4999.9, None, "六千"],
    "closed_out": [0, 1],
    "housing_grade": ["C", "d", " D ", "", None, "B"],
    "housing_renovated": [0, 1],
    "remark": [f"注{UNCOVERED}", "\t", None],
}


@pytest.mark.sqlite_only  # SQLite's loose column types: PostgreSQL refuses text in a number column at the door
@pytest.mark.parametrize("table, values", [("persons", PERSON_VALUES), ("households", HOUSEHOLD_VALUES)])
def test_odd_values_same_findings(demo_db, table, values):
    persons, households = _ids(demo_db)
    targets = persons if table == "persons" else households
    k = 0
    for column, choices in values.items():
        for value in choices:
            target = targets[(k * 7) % len(targets)]
            k += 1
            with demo_db.session() as s:
                s.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"), {"v": value, "id": target})
            _same(demo_db)


def test_twins_measures_and_income(demo_db):
    persons, households = _ids(demo_db)
    steps = [
        # H-12 while every 身份证号 and phone is plain (read as its own key): the same number, the same mobile
        f"UPDATE persons SET id_number = (SELECT id_number FROM persons WHERE id = {persons[0]}) WHERE id = {persons[20]}",
        f"UPDATE persons SET phone = '13900001111' WHERE id IN ({persons[170]}, {persons[180]})",
        # H-12: the same 身份证号 written differently, the same name and age, the same phone spaced
        f"UPDATE persons SET id_number = lower((SELECT id_number FROM persons WHERE id = {persons[0]})) "
        f"WHERE id = {persons[40]}",
        f"UPDATE persons SET name = (SELECT name FROM persons WHERE id = {persons[3]}), "
        f"age = (SELECT age FROM persons WHERE id = {persons[3]}) WHERE id = {persons[60]}",
        f"UPDATE persons SET name = ' ' || (SELECT name FROM persons WHERE id = {persons[5]}) || ' ', "
        f"age = (SELECT age FROM persons WHERE id = {persons[5]}) WHERE id = {persons[80]}",
        f"UPDATE persons SET name = '独一无二', age = 33 WHERE id = {persons[100]}",
        f"UPDATE persons SET name = ' 独一无二', age = 33 WHERE id = {persons[130]}",
        f"UPDATE persons SET name = '另一个人', age = 44 WHERE id = {persons[140]}",
        f"UPDATE persons SET name = '另一个人 ', age = 44 WHERE id = {persons[150]}",
        f"UPDATE persons SET name = '另一个人　', age = 44 WHERE id = {persons[160]}",
        f"UPDATE persons SET phone = '151 4073 9999' WHERE id = {persons[90]}",
        f"UPDATE persons SET phone = '15140739999' WHERE id = {persons[120]}",
        # H-08, H-04 on measures; H-09, H-04 on income items
        f"DELETE FROM measures WHERE household_id = {households[2]}",
        f"UPDATE measures SET text = '\u3000', category = ' ' WHERE household_id = {households[4]}",
        f"UPDATE measures SET text = '', category = '' WHERE household_id = {households[6]}",
        f"UPDATE measures SET category = '产业{UNCOVERED}' WHERE household_id = {households[8]}",
        f"UPDATE income_items SET amount = -5 WHERE household_id = {households[10]}",
        f"UPDATE income_items SET amount = 'abc' WHERE household_id = {households[14]}",
        f"UPDATE income_items SET label = '玉{UNCOVERED}米' WHERE household_id = {households[16]}",
        f"UPDATE income_items SET category = '{UNCOVERED}' WHERE household_id = {households[18]}",
        f"DELETE FROM persons WHERE household_id = {households[20]}",
        # members reordered after entry: the head moved last, a child moved first (H-01, H-07)
        f"UPDATE persons SET position = 9 WHERE id = {persons[200]}",
        f"UPDATE persons SET position = -1 WHERE id = (SELECT max(id) FROM persons WHERE household_id = "
        f"(SELECT household_id FROM persons WHERE id = {persons[230]}))",
    ]
    for sql in steps:
        if demo_db.is_server and "'abc'" in sql:  # PostgreSQL refuses text in a number column itself
            continue
        with demo_db.session() as s:
            s.execute(text(sql))
        _same(demo_db)
    with demo_db.session() as s:
        period = s.scalars(select(Period).order_by(Period.month.desc())).first()
        codes = {f["code"] for f in _screened(s, period)}
    assert {"H-04", "H-08", "H-09", "H-12"} <= codes


def test_whitespace_for_sqlite_trim_is_python_strip():
    """H-08's SQL must call a measure blank exactly when ``cells.blank`` does."""
    import sys

    assert set(check_screen.WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


def test_twins_by_number_and_by_mobile():
    """The screen names the households holding the same 身份证号 or mobile, and no other."""
    from app.rules import ids, screen

    def id_of(first17: str) -> str:
        return first17 + ids.check_digit(first17)

    a, b, c = id_of("11010519491231002"), id_of("11010519800101003"), id_of("11010519900505004")
    rows = [(1, "张三", "户主", 70, "健康", "普通劳动力", a, "13900001111", 0),
            (2, "李四", "户主", 40, "健康", "普通劳动力", a, "13900002222", 0),
            (3, "王五", "户主", 30, "健康", "普通劳动力", b, "13900001111", 0),
            (4, "赵六", "户主", 30, "健康", "普通劳动力", c, None, 0),
            (5, "钱七", "户主", 30, "健康", "普通劳动力", None, "", 0)]
    assert screen.twin_suspects(screen.Members(rows)) == {1, 2, 3}

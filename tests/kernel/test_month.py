"""The Month value type: what the code reads from a period's ``YYYY-MM`` instead of slicing it."""

from __future__ import annotations

import datetime as dt

import pytest

from app.kernel.month import Month, due_date, last_day, month_label


def test_parse_read_and_step():
    m = Month.parse("2020-03")
    assert (m.year, m.month, str(m)) == (2020, 3, "2020-03")
    assert Month.parse("2020.10") == Month(2020, 10)  # 预计脱贫时间 is written YYYY.MM
    assert str(Month.parse("2020-12").next()) == "2021-01"
    assert str(Month.parse("2021-01").previous()) == "2020-12"
    assert Month(2020, 2) < Month(2020, 10) < Month(2021, 1)
    assert (m.short, m.label) == ("2020年3月", "2020年3月数据")


def test_days():
    assert due_date("2020-12") == dt.date(2021, 1, 5)
    assert last_day("2020-02") == dt.date(2020, 2, 29)
    assert Month.parse("2021-02").last_day == dt.date(2021, 2, 28)
    assert month_label("2020-03") == "2020年3月数据"


@pytest.mark.parametrize("text", ["2020-13", "2020-3", "20-03", "", "2020/03"])
def test_not_a_month(text):
    assert not Month.valid(text)
    with pytest.raises(ValueError):
        Month.parse(text)

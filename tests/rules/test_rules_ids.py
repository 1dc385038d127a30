"""身份证号 checks (H-15, H-16): the one-call check digit agrees with the standard's weighted sum."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rules import ids


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_base_13_check_digit_is_the_weighted_sum_of_gb_11643(first17):
    assert ids._fast_check_digit(first17) == ids.check_digit(first17)


def test_the_check_names_a_wrong_check_digit_and_a_date_that_is_not_real():
    good = "11010519491231002" + ids.check_digit("11010519491231002")
    assert ids.id_problem(good) is None
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验位不对" in ids.id_problem(wrong)
    feb30 = "11010519490230002"
    assert "不是真实日期" in ids.id_problem(feb30 + ids.check_digit(feb30))
    assert ids.plain_age(feb30 + ids.check_digit(feb30), dt.date(2020, 12, 31)) is None
    assert ids.age_if_valid(good, dt.date(2020, 12, 31)) == 71
    assert ids.age_if_valid(good, dt.date(2020, 12, 30)) == 70
    assert ids.age_if_valid(wrong, dt.date(2020, 12, 31)) is None


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="0123456789", min_size=6, max_size=6), st.dates(dt.date(1850, 1, 1), dt.date(2030, 12, 31)),
       st.text(alphabet="0123456789", min_size=3, max_size=3), st.sampled_from(["right", "wrong", "X"]),
       st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)))
def test_the_screen_s_age_of_a_plain_number_is_the_check_s(area, born, seq, last, day):
    """``plain_age`` (the period-wide screen's H-15/H-16 test) agrees with ``age_if_valid`` (the rule's)
    on numbers with real and unreal birth dates, before 1880 or after the day, right and wrong check digits."""
    first17 = f"{area}{born:%Y%m%d}{seq}"
    digit = ids.check_digit(first17)
    s = first17 + {"right": digit, "wrong": "0" if digit != "0" else "1", "X": "X"}[last]
    assert ids.PLAIN_ID.match(s)
    assert ids.plain_age(s, day) == ids.age_if_valid(s, day)

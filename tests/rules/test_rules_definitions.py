"""Each household rule is screened from its own common-case test, or says why it is not."""

from __future__ import annotations

from app.rules.codes import RULES
from app.rules.data import Context, HouseholdData, PersonData
from app.rules.household import HOUSEHOLD_RULES, SCREENS, UNSCREENED, age_ok, h05_age, id_ok


def test_every_household_rule_is_screened_or_says_why():
    codes = {f.__name__[1:3] for f in HOUSEHOLD_RULES} | {"12"}
    codes = {f"H-{c}" for c in codes}
    screened = {s.code for s in SCREENS}
    assert codes <= screened | set(UNSCREENED), codes - screened - set(UNSCREENED)
    assert not screened & {c for c, why in UNSCREENED.items() if why != "H-15"}
    assert codes <= set(RULES)


def test_a_passing_test_means_no_finding():
    ctx = Context("2020-03")
    for age in (0, 70, 120, -1, 121, 70.0, "70", None, True):
        h = HouseholdData(members=[PersonData(name="王芳", relation="户主", age=age)])
        assert not age_ok(age) or h05_age(h, ctx) == []
    assert id_ok("2020-03", None, 70) and id_ok("2020-03", "  ", "七十")
    assert not id_ok("2020-03", "110105194912310021", 70)  # a wrong check digit

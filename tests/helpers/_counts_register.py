"""A small register with chosen assistance and incomes, so 附件1/附件2 can be checked cell by cell.

康平县 → 暖泉镇 (前暖泉村, 后暖泉村) and 沙金乡 (沙金村, 手填村 — a village not kept in the register,
its 附件1 row typed by hand). Periods 2020-02 and 2020-03; 2020-03 is the one the tests check.
"""

from __future__ import annotations

from app.models import HandCount, Household, Period, Person
from app.services.units import ensure_path

# (village, band, ytd_income, [assistance codes of each member])
MARCH = [
    ("暖泉镇/前暖泉村", "A", 4000, [["housing", "medical", "industry", "industry_started"],
                                  ["education", "employment", "public_post"], ["dibao"]]),
    ("暖泉镇/前暖泉村", "A", 4600, [["industry", "industry_benefited", "employment"], ["water", "medical"]]),
    ("暖泉镇/前暖泉村", "B", 5500, [["employment", "graduate_placement"], ["housing"]]),
    ("暖泉镇/后暖泉村", "A", None, [["dibao", "medical"]]),
    ("暖泉镇/后暖泉村", "A", 5200, [["industry", "industry_started", "industry_benefited", "employment"],
                                  ["industry", "industry_started", "industry_benefited"],
                                  ["industry", "industry_started", "industry_benefited"],
                                  ["industry", "industry_started", "industry_benefited"]]),
    ("暖泉镇/后暖泉村", "B", 6000, [["industry"], ["industry"], ["industry"]]),
    ("沙金乡/沙金村", "A", 4400, [["water"], ["water"]]),
    ("沙金乡/沙金村", "B", None, [["dibao"]]),
    ("沙金乡/沙金村", "B", 5760, [[], []]),
]
# February: 后暖泉村's big household had all four members employed (employment falls 4 → 1 in March).
FEBRUARY = [h for h in MARCH if not (h[0] == "暖泉镇/后暖泉村" and h[2] == 5200)] + [
    ("暖泉镇/后暖泉村", "A", 3000, [["industry", "industry_started", "industry_benefited", "employment"]] * 4),
]
RELATIONS = ["户主", "配偶", "之子", "之女"]


def add_households(session, period: Period, spec) -> None:
    for pos, (path, band, ytd, members) in enumerate(spec):
        village = ensure_path(session, ["康平县", *path.split("/")])
        h = Household(period_id=period.id, village_id=village.id, position=pos, band=band, ytd_income=ytd,
                      prior_income=4000 if band == "A" else 5300, cause="因病")
        for i, codes in enumerate(members):
            p = Person(name=f"成员{pos}{'甲乙丙丁'[i]}", relation=RELATIONS[i], age=40 - i, position=i,
                       health="健康", labour="普通劳动力")
            for code in codes:
                setattr(p, code, True)
            h.members.append(p)
        session.add(h)
    session.flush()


def build(db) -> None:
    """The register of the module docstring, in ``db``."""
    with db.session() as s:
        ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        ensure_path(s, ["康平县", "暖泉镇", "后暖泉村"])
        ensure_path(s, ["康平县", "沙金乡", "沙金村"])
        typed = ensure_path(s, ["康平县", "沙金乡", "手填村"])
        feb, mar = Period(month="2020-02"), Period(month="2020-03")
        s.add_all([feb, mar])
        s.flush()
        add_households(s, feb, FEBRUARY)
        add_households(s, mar, MARCH)
        for period in (feb, mar):
            s.add(HandCount(period_id=period.id, unit_id=typed.id, form=1, total=5, housing=2, inc_lt_4400=5))

"""A small register to reason about in a test: one county, two villages, three households."""

from __future__ import annotations

from app.services import register
from app.services.periods import ensure_period
from app.services.units import ensure_path


def build_register(database, month: str = "2020-03") -> dict:
    """One county, two villages, three households: small enough to reason about in a test."""
    with database.session() as s:
        period = ensure_period(s, month)
        v1 = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        v2 = ensure_path(s, ["康平县", "暖泉镇", "后暖泉村"])
        ids = {"period": period.id, "v1": v1.id, "v2": v2.id, "households": []}
        for vid, members in ((v1.id, [("王建国", "户主", 58), ("李秀英", "配偶", 55)]),
                             (v1.id, [("张凤兰", "户主", 70)]),
                             (v2.id, [("刘德明", "户主", 45), ("刘小军", "之子", 20), ("刘小红", "之女", 16)])):
            hid = register.add_household(s, period.id, vid).household_id
            for name, rel, age in members:
                register.add_member(s, hid, None, {"name": name, "relation": rel, "age": age, "health": "健康",
                                                   "labour": "普通劳动力", "phone": "139 1234 5678"})
            register.set_measures(s, hid, [("产业带动", "发展庭院经济")])
            register.set_income_items(s, hid, [("种植业", "玉米", 3000), ("低保", None, 1200)])
            register.update_household(s, hid, "cause", "因病")
            register.update_household(s, hid, "prior_income", 4200)
            ids["households"].append(hid)
    return ids

"""The services behind the GUI: edits with audit and lock, queries, search. Real SQLite, no Qt."""

from __future__ import annotations

import pytest
from _small_register import build_register
from sqlalchemy import select

from app.models import AuditEntry, Household, Person
from app.services import browse, register, search
from app.services.errors import LockedPeriod


def test_edit_normalises_audits_and_reports_change(db):
    ids = build_register(db)
    hid = ids["households"][0]
    with db.session() as s:
        pid = browse.member_ids(s, hid)[0]
        ch = register.update_person(s, pid, "labour", "无劳动力（含丧失劳动力）")
    assert (ch.old, ch.new, ch.person_id) == ("普通劳动力", "无劳动力", pid)
    with db.session() as s:
        row = browse.person_rows(s, [pid])[pid]
        assert row["labour"] == "无劳动力" and row["phone"] == "13912345678"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.field == "labour")).one()
        assert (entry.old, entry.new, entry.table) == ("普通劳动力", "无劳动力", "persons")
    with db.session() as s, pytest.raises(register.InvalidValue):
        register.update_person(s, pid, "age", "七十")


def test_locked_period_refuses(db):
    ids = build_register(db)
    with db.session() as s:
        pid = browse.member_ids(s, ids["households"][0])[0]
        s.get(Household, ids["households"][0]).members[0].household  # noqa: B018 - load
        from app.models import Period

        s.get(Period, ids["period"]).state = "locked"
    with db.session() as s, pytest.raises(LockedPeriod):
        register.update_person(s, pid, "age", 30)


def test_members_insert_remove_restore_keep_order_and_uuid(db):
    ids = build_register(db)
    hid = ids["households"][2]
    with db.session() as s:
        register.add_member(s, hid, 1, {"name": "赵丽", "relation": "之儿媳", "age": 22})
    with db.session() as s:
        names = [browse.person_rows(s, [i])[i]["name"] for i in browse.member_ids(s, hid)]
        assert names == ["刘德明", "赵丽", "刘小军", "刘小红"]
        target = browse.member_ids(s, hid)[2]
        _ch, snap = register.remove_member(s, target)
    with db.session() as s:
        assert [browse.person_rows(s, [i])[i]["name"] for i in browse.member_ids(s, hid)] == ["刘德明", "赵丽", "刘小红"]
        register.restore_member(s, hid, snap)
    with db.session() as s:
        rows = [browse.person_rows(s, [i])[i] for i in browse.member_ids(s, hid)]
        assert [r["name"] for r in rows] == ["刘德明", "赵丽", "刘小军", "刘小红"]
        assert rows[2]["uuid"] == snap.values["uuid"]


def test_household_remove_and_restore_round_trip(db):
    ids = build_register(db)
    hid = ids["households"][0]
    with db.session() as s:
        before = browse.household_detail(s, hid)
        _ch, snap = register.remove_household(s, hid)
    with db.session() as s:
        assert browse.household_ids(s, ids["period"], [ids["v1"]]) == [ids["households"][1]]
        new_id = register.restore_household(s, ids["period"], snap).household_id
    with db.session() as s:
        after = browse.household_detail(s, new_id)
        assert after.uuid == before.uuid and after.measures == before.measures
        assert after.income_items == before.income_items and after.size == 2
        assert browse.household_ids(s, ids["period"], [ids["v1"]]) == [new_id, ids["households"][1]]


def test_tree_counts_and_household_rows(db):
    ids = build_register(db)
    with db.session() as s:
        (county,) = browse.unit_tree(s, ids["period"])
        assert (county.households, county.persons) == (3, 6)
        township = county.children[0]
        assert [(v.name, v.households, v.persons) for v in township.children] == [
            ("前暖泉村", 2, 3), ("后暖泉村", 1, 3)]
        rows = browse.household_rows(s, ids["households"], browse.unit_paths(s))
        r = rows[ids["households"][0]]
        assert (r.head_name, r.size, r.per_capita, r.unit) == ("王建国", 2, 2100, "暖泉镇/前暖泉村")


def test_search_by_name_phone_and_id_masked(db):
    ids = build_register(db)
    with db.session() as s:
        pid = browse.member_ids(s, ids["households"][2])[1]
        register.update_person(s, pid, "id_number", "11010519491231002x")
    with db.session() as s:
        hits = search.search(s, ids["period"], "刘小")
        assert [h.name for h in hits] == ["刘小军", "刘小红"]
        (hit,) = search.search(s, ids["period"], "19491231")
        assert hit.person_id == pid and hit.id_masked == "110105********002X" and hit.unit == "暖泉镇/后暖泉村"
        assert len(search.search(s, ids["period"], "1234 5678")) == 6
        assert search.search(s, ids["period"], "%") == []


def test_risk_and_close_out(db):
    ids = build_register(db)
    hid = ids["households"][1]
    with db.session() as s:
        register.set_risk(s, hid, "红", ["因病", "因灾"])
        register.close_out(s, hid)
    with db.session() as s:
        hh = s.get(Household, hid)
        assert (hh.risk_colour, hh.risk_reasons, hh.closed_out) == ("red", "因病、因灾", True)
        assert hh.closed_out_on is not None
        assert browse.household_ids(s, ids["period"], [ids["v1"], ids["v2"]], risky_only=True) == [hid]
        assert s.scalar(select(Person.name).where(Person.household_id == hid)) == "张凤兰"


def test_search_by_scanned_card_payload(db):
    ids = build_register(db)
    with db.session() as s:
        uuid = browse.household_detail(s, ids["households"][2]).uuid
        hits = search.search(s, ids["period"], f"GUATU1|{uuid}|暖泉镇/后暖泉村|2020-03")
        assert [h.name for h in hits] == ["刘德明", "刘小军", "刘小红"] and hits[0].matched == "二维码"
        assert [h.name for h in search.search(s, ids["period"], uuid.upper())][:1] == ["刘德明"]

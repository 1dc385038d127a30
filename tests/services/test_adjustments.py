"""动态调整 (household-records.md §1): register changes become records; A-01…A-03; the 名单 export.

Real SQLite registers built through the same operations the window and import use.
"""

from __future__ import annotations

import datetime as dt

import pytest
from _small_register import build_register
from sqlalchemy import select

from app.models import Adjustment, Household, Period, Person, Unit
from app.services import adjustments, checks, counts, register
from app.services.errors import LockedPeriod
from app.services.new_month import new_month
from app.services.periods import lock_period


@pytest.fixture
def two_months(db):
    """March set up (no records: the register is being established), April opened from it."""
    ids = build_register(db, "2020-03")
    with db.session() as s:
        new_month(s, "2020-03", "2020-04")
        april = s.scalar(select(Period).where(Period.month == "2020-04"))
        ids["april"] = april.id
        ids["hh"] = {h.uuid: h.id for h in s.scalars(select(Household).where(Household.period_id == april.id))}
    return ids


def _records(db, month="2020-04"):
    with db.session() as s:
        return [(a.kind, a.person_name or a.head_name, a.persons, a.reason) for a in s.scalars(
            select(Adjustment).join(Period).where(Period.month == month).order_by(Adjustment.id))]


def _april_hid(db, ids, head):
    with db.session() as s:
        return s.scalar(select(Household.id).join(Person).where(
            Household.period_id == ids["april"], Person.name == head))


def test_establishing_a_register_creates_no_record(db):
    build_register(db, "2020-03")
    assert _records(db, "2020-03") == []


def test_removing_a_person_is_a_record_with_a01_open_and_kept_in_earlier_months(db, two_months):
    hid = _april_hid(db, two_months, "王建国")
    with db.session() as s:
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "李秀英"))
        register.remove_member(s, pid)
    assert _records(db) == [("自然减少", "李秀英", 1, None)]
    with db.session() as s:
        april = s.get(Period, two_months["april"])
        found = [f for f in checks.check_period(s, april) if f.code == "A-01"]
        assert len(found) == 1 and found[0].severity == "E" and "原因" in found[0].message
        # the person stays in March
        assert s.scalar(select(Person).join(Household).join(Period).where(
            Period.month == "2020-03", Person.name == "李秀英")) is not None
        rec = s.scalar(select(Adjustment))
        ch = adjustments.set_details(s, adjustments.SetDetails(rec.uuid, reason="婚出到外县", cause="婚出",
                                                               approval_no="康扶〔2020〕3号"))
        assert ch.updated == (rec.uuid,) and [f.code for f in ch.findings] == ["A-01"]  # the closed finding
        assert not [f for f in checks.check_period(s, april) if f.code == "A-01"]


def test_added_then_removed_in_the_same_month_and_undo_leave_no_record(db, two_months):
    hid = _april_hid(db, two_months, "张凤兰")
    with db.session() as s:
        ch = register.add_member(s, hid, None, {"name": "张小宝", "relation": "之孙子", "age": 0})
    assert _records(db) == [("新增人口", "张小宝", 1, None)]
    with db.session() as s:
        assert s.scalar(select(Adjustment)).cause == "出生"
        register.remove_member(s, ch.person_id)
    assert _records(db) == []
    # undo of a removal (restore with the same UUID) takes the record back
    hid = _april_hid(db, two_months, "王建国")
    with db.session() as s:
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "李秀英"))
        _ch, snap = register.remove_member(s, pid)
    assert len(_records(db)) == 1
    with db.session() as s:
        register.restore_member(s, hid, snap)
    assert _records(db) == []
    # a whole household: removed (错评退出 of its 2 persons), undone
    with db.session() as s:
        _ch, snap = register.remove_household(s, hid)
    assert _records(db) == [("错评退出", "王建国", 2, None)]
    with db.session() as s:
        register.restore_household(s, two_months["april"], snap)
    assert _records(db) == []


def test_new_household_counts_its_members_and_cancels_whole(db, two_months):
    with db.session() as s:
        ch = register.add_household(s, two_months["april"], two_months["v1"], None, "赵四")
        register.add_member(s, ch.household_id, None, {"name": "赵小四", "relation": "之子", "age": 10})
    assert _records(db) == [("新识别纳入", None, 2, None)]
    with db.session() as s:
        lst = adjustments.listing(s, s.get(Period, two_months["april"]), s.get(Unit, two_months["v1"]))
        assert lst.rows[0].head == "赵四" and lst.persons_in == 2 and lst.net == 2
        register.remove_household(s, ch.household_id)
    assert _records(db) == []


def test_returning_household_is_fanpin_and_a03(db, two_months):
    with db.session() as s:
        march_hid = s.scalar(select(Household.id).join(Person).join(Period).where(
            Period.month == "2020-03", Person.name == "张凤兰"))
        register.close_out(s, march_hid, dt.date(2020, 3, 20))
    hid = _april_hid(db, two_months, "张凤兰")
    with db.session() as s:
        _c, snap = register.remove_household(s, hid)
        a = s.scalar(select(Adjustment))
        adjustments.set_details(s, adjustments.SetDetails(a.uuid, reason="已销号"))
    # removed this month then re-entered is an undo (no record), so re-enter in May instead
    with db.session() as s:
        new_month(s, "2020-04", "2020-05")
        may = s.scalar(select(Period).where(Period.month == "2020-05"))
        register.restore_household(s, may.id, snap)
        rec = s.scalar(select(Adjustment).join(Period).where(Period.month == "2020-05"))
        assert rec.kind == "返贫"
        assert not [f for f in checks.check_period(s, may) if f.code == "A-03"]
        # 王建国 was never closed out: 返贫 is refused by A-03
        other = s.scalar(select(Household.id).join(Person).where(Household.period_id == may.id, Person.name == "王建国"))
        _c, snap2 = register.remove_household(s, other)
        bad = s.scalar(select(Adjustment).where(Adjustment.kind == "错评退出", Adjustment.period_id == may.id))
        with pytest.raises(adjustments.AdjustmentRefused):
            adjustments.set_details(s, adjustments.SetDetails(bad.uuid, kind="返贫"))
        with pytest.raises(adjustments.AdjustmentRefused):
            adjustments.set_details(s, adjustments.SetDetails(bad.uuid, effective_on=dt.date(2020, 6, 1)))


def test_leaving_twice_and_death_seen_later(db, two_months):
    hid = _april_hid(db, two_months, "刘德明")
    with db.session() as s:
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "刘小红"))
        _c, _snap = register.remove_member(s, pid)
        rec = s.scalar(select(Adjustment))
        adjustments.set_details(s, adjustments.SetDetails(rec.uuid, reason="死亡", cause="死亡"))
        # the same person typed again into May's register (copied from March by mistake) and removed again
    with db.session() as s:
        new_month(s, "2020-04", "2020-05")
        may = s.scalar(select(Period).where(Period.month == "2020-05"))
        mh = s.scalar(select(Household.id).join(Person).where(Household.period_id == may.id, Person.name == "刘德明"))
        ch = register.restore_member(s, mh, register.Snapshot(values={"uuid": _snap.values["uuid"], "name": "刘小红"}))
        register.remove_member(s, ch.person_id)  # cancels the May 新增人口 — no second leave
        register.restore_member(s, mh, register.Snapshot(values={"uuid": _snap.values["uuid"], "name": "刘小红"}))
    with db.session() as s:
        april = s.get(Period, two_months["april"])
        a02 = [f for f in checks.check_period(s, april) if f.code == "A-02"]
        assert a02 and "以后月份" in a02[0].message
        # a leave recorded in May for the person who left in April: A-03
        may = s.scalar(select(Period).where(Period.month == "2020-05"))
        mh = s.scalar(select(Household.id).join(Person).where(Household.period_id == may.id, Person.name == "刘德明"))
        s.add(Adjustment(period_id=may.id, village_id=two_months["v2"], kind="自然减少", household_uuid="x",
                         person_uuid=_snap.values["uuid"], effective_on=dt.date(2020, 5, 2), reason="迁出"))
        s.flush()
        a03 = [f for f in checks.check_period(s, may) if f.code == "A-03"]
        assert a03 and a03[0].severity == "E"


def test_counts_change_by_net_adjustments_and_m07_note(db, two_months):
    with db.session() as s:
        april = s.get(Period, two_months["april"])
        county = s.scalar(select(Unit).where(Unit.level == "county"))
        before = counts.rows(s, april, county, 1)[0]["total"]
        hid = s.scalar(select(Household.id).join(Person).where(Household.period_id == april.id, Person.name == "刘德明"))
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "刘小军"))
        register.remove_member(s, pid)
        ch = register.add_household(s, april.id, two_months["v1"], None, "孙大")
        register.add_member(s, ch.household_id, None, {"name": "孙二", "relation": "之子", "age": 3})
        register.add_member(s, ch.household_id, None, {"name": "孙三", "relation": "之女", "age": 1})
        after = counts.rows(s, april, county, 1)[0]["total"]
        lst = adjustments.listing(s, april, county)
        assert (lst.persons_in, lst.persons_out) == (3, 1)
        assert after - before == lst.net == 2
        note = adjustments.m07_note(s, april, county)
        assert note.startswith("本月动态调整2条") and "净增加2人" in note
        m07 = [f for f in checks.check_period(s, april) if f.code == "M-07" and f.field == "total"]
        by_unit = {f.unit: adjustments.suggested_note(s, "2020-04", f) for f in m07}
        assert by_unit["暖泉镇/前暖泉村"] == "本月动态调整1条（新识别纳入1条）；调入3人，调出0人，净增加3人。"
        assert by_unit["暖泉镇/后暖泉村"].endswith("调入0人，调出1人，净减少1人。")


def test_locked_month_refuses(db, two_months):
    with db.session() as s:
        lock_period(s, "2020-03")
        march_hid = s.scalar(select(Household.id).join(Period).where(Period.month == "2020-03").limit(1))
        with pytest.raises(LockedPeriod):
            register.remove_household(s, march_hid)
    assert _records(db, "2020-03") == []


@pytest.mark.sqlite_only  # copies the register file
def test_import_records_changes_but_not_into_an_empty_unit(db, two_months, tmp_path):
    """The other office removed a person and added a household; importing its package here records both."""
    import shutil

    from app.services.export import export_package
    from app.services.imports import apply_import, preview_import
    from app.storage import Database

    other_path = tmp_path / "other.db"
    db.close()
    shutil.copy(db.path, other_path)
    with Database(other_path) as other:
        with other.session() as s:
            april, pid = _april_member(s, "刘德明", "刘小红")
            register.remove_member(s, pid)
            register.add_household(s, april, two_months["v1"], None, "钱一")
        res = export_package(other, "2020-04", "暖泉镇", tmp_path / "pkg", draft=True)
    from app.storage import Database as D

    here = D(db.path)
    try:
        with here.session() as s:
            apply_import(s, preview_import(s, [res["zip"]]), replace=True)
        with here.session() as s:
            recs = s.scalars(select(Adjustment).join(Period).where(Period.month == "2020-04")).all()
            assert sorted((a.kind, a.source) for a in recs) == [("新识别纳入", "import"), ("自然减少", "import")]
    finally:
        here.close()
    # a new, empty register takes the same package without inferring any record: it holds the
    # package's own records (register.json carries them), no other
    fresh = tmp_path / "fresh.db"
    D(fresh, create=True).close()
    with D(fresh) as f, f.session() as s:
        apply_import(s, preview_import(s, [res["zip"]]))
        with D(other_path) as o, o.session() as so:
            sent = sorted(a.uuid for a in so.scalars(select(Adjustment)))
        assert sorted(a.uuid for a in s.scalars(select(Adjustment))) == sent and len(sent) == 2


def test_export_list_xlsx_and_pdf_masked(db, two_months, tmp_path):
    import subprocess

    from python_calamine import CalamineWorkbook

    hid = _april_hid(db, two_months, "王建国")
    with db.session() as s:
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "李秀英"))
        register.update_person(s, pid, "id_number", "210123195503150028")
        register.remove_member(s, pid)
        res = adjustments.export_list(s, adjustments.ExportList("2020-04", "康平县", str(tmp_path / "out")))
    assert res.rows == 1 and res.open_records == 1
    xlsx = next(f for f in res.files if f.endswith(".xlsx"))
    rows = CalamineWorkbook.from_path(xlsx).get_sheet_by_index(0).to_python()
    flat = [str(c) for r in rows for c in r]
    assert "210123********0028" in flat and "李秀英" in flat and "自然减少" in flat
    assert not any("195503" in c for c in flat)
    pdf = next(f for f in res.files if f.endswith(".pdf"))
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True).stdout
    assert "动态调整名单" in text and "210123********0028" in text and "195503" not in text
    assert "自然减少1条" in text


def _carried(s, month="2020-04"):
    return sorted((a.kind, a.cause, a.household_uuid, a.person_uuid, a.persons, a.effective_on, a.reason,
                   a.approved_on, a.approval_no)
                  for a in s.scalars(select(Adjustment).join(Period).where(Period.month == month)))


@pytest.mark.sqlite_only  # copies the register file as the township's
def test_a_package_carries_its_records_with_reasons_into_the_county(db, two_months, tmp_path):
    """The township records its changes with reasons and approval; the county, importing the township's
    package over the month it carried forward, has the same records — once, even imported twice —
    and a register.json written before the records travelled still imports (records without reasons)."""
    import json
    import shutil
    from pathlib import Path

    from app import __version__
    from app.exporters.package import write_manifest
    from app.services.export import export_package
    from app.services.imports import apply_import, preview_import
    from app.storage import Database

    township = tmp_path / "township.db"
    db.close()
    shutil.copy(db.path, township)
    with Database(township) as other:
        with other.session() as s:
            april, pid = _april_member(s, "刘德明", "刘小红")
            s.get(Person, pid).id_number = "210523200401011234"
            register.remove_member(s, pid)
            register.add_household(s, april, two_months["v1"], None, "钱一")
            for a in s.scalars(select(Adjustment)):
                adjustments.set_details(s, adjustments.SetDetails(
                    a.uuid, reason=f"{a.kind}：经村民代表大会评议", effective_on=dt.date(2020, 4, 12),
                    approved_on=dt.date(2020, 4, 20), approval_no="康扶〔2020〕7号",
                    cause="婚出" if a.kind == "自然减少" else None))
        with other.session() as s:
            expected = _carried(s)
        res = export_package(other, "2020-04", "暖泉镇", tmp_path / "pkg", draft=True)
    assert len(expected) == 2 and all(r[6] and r[8] == "康扶〔2020〕7号" for r in expected)
    doc = json.loads((Path(res["folder"]) / "register.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "guatu.register/1" and len(doc["adjustments"]) == 2
    assert all("id_number" not in a for a in doc["adjustments"])  # a package leaves 身份证号 out
    from app.importers.schema import check_register

    assert check_register(doc, file="register.json") == []
    bad = json.loads(json.dumps(doc))
    bad["adjustments"][0]["kind"] = "随便调"
    found = check_register(bad, file="register.json")
    assert [f.code for f in found] == ["I-10"] and "动态调整记录" in found[0].message

    before = tmp_path / "county-before.db"
    shutil.copy(db.path, before)
    county = Database(db.path)
    try:
        for _ in range(2):
            with county.session() as s:
                apply_import(s, preview_import(s, [res["zip"]]), replace=True)
            with county.session() as s:
                assert _carried(s) == expected
                removed = s.scalar(select(Adjustment).where(Adjustment.kind == "自然减少"))
                assert removed.source == "import" and removed.id_number is None
                assert not [f for f in checks.check_period(s, s.get(Period, two_months["april"]))
                            if f.code == "A-01"]
    finally:
        county.close()

    # register.json of an older version: no "adjustments" key — imports; the county infers the records
    old = tmp_path / "old"
    old.mkdir()
    del doc["adjustments"]
    (old / "register.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    write_manifest(old, unit=doc["unit"], period="2020-04", app_version=__version__, final=False,
                   files=[("register.json", 0)], findings={})
    with Database(before) as d:
        with d.session() as s:
            apply_import(s, preview_import(s, [str(old)]), replace=True)
        with d.session() as s:
            assert sorted((r[0], r[6]) for r in _carried(s)) == [("新识别纳入", None), ("自然减少", None)]


def _april_member(s, head: str, name: str) -> tuple[int, int]:
    """(the 2020-04 period id, the id of ``name`` in ``head``'s household of that month)."""
    april = s.scalar(select(Period.id).where(Period.month == "2020-04"))
    hid = s.scalar(select(Household.id).join(Person).where(Household.period_id == april, Person.name == head))
    return april, s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == name))

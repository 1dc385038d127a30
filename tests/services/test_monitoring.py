"""监测户 (household-records.md §3): add, measures, review, 风险消除, R-01…R-03, 红 proposals, the 名单."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from _query import query
from _small_register import build_register
from sqlalchemy import select

from app.cli import main
from app.models import Household, MonitoredHousehold, Period
from app.services import checks, monitoring, register


def test_monitored_rules_and_proposals(db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        register.set_risk(s, ids["households"][2], "red", ["因病"])
        ch = monitoring.add_monitored(s, monitoring.AddMonitored(
            "暖泉镇/前暖泉村", "周边缘", "边缘易致贫户", dt.date(2019, 8, 1), "red", ("因病", "因学"),
            members=(("周边缘", 52, None), ("周小", 15, None))))
        uuid = ch.monitored[0]
        period = s.scalar(select(Period))
        found = {f.code for f in monitoring.findings(s, period, today=dt.date(2020, 3, 20))}
        assert found == {"R-01", "R-03"}  # red without a measure; monitored since 2019-08 without review
        monitoring.add_measure(s, monitoring.AddMeasure(uuid, dt.date(2020, 3, 5), "申请临时救助2000元"))
        monitoring.review(s, monitoring.Review(uuid, dt.date(2020, 3, 6), "yellow"))
        assert monitoring.findings(s, period, today=dt.date(2020, 3, 20)) == []
        ch = monitoring.clear_risk(s, monitoring.ClearRisk(uuid, dt.date(2020, 3, 18), None))
        assert [f.code for f in ch.findings] == ["R-02"]
        assert "R-02" in {f.code for f in checks.check_period(s, period)}
        monitoring.clear_risk(s, monitoring.ClearRisk(uuid, dt.date(2020, 3, 18), "收入稳定超过标准"))
        rows = monitoring.listing(s, period)
        red = s.get(Household, ids["households"][2])
        assert [(r["head"], r["proposed"]) for r in rows] == [("周边缘", False), ("刘德明", True)]
        assert rows[1]["household"] == red.uuid and rows[0]["status"] == "风险已消除" and rows[0]["persons"] == 2
        with pytest.raises(monitoring.MonitorRefused):
            monitoring.add_monitored(s, monitoring.AddMonitored("暖泉镇/前暖泉村", "某", "贫困户", dt.date(2020, 3, 1)))


def test_cli_add_list_export(db, db_path, tmp_path, capsys):
    build_register(db, "2020-03")
    db.close()
    assert main(["monitored", "add", "--db", str(db_path), "--village", "后暖泉村", "--head", "吴突发",
                 "--kind", "突发严重困难户", "--since", "2020-03-02", "--colour", "红", "--reason", "因灾"]) == 0
    assert main(["monitored", "list", "--db", str(db_path), "--unit", "康平县", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["households"]
    assert [(r["head"], r["kind"], r["colour"]) for r in rows] == [("吴突发", "突发严重困难户", "红")]
    assert main(["monitored", "export", "--db", str(db_path), "--unit", "康平县", "--out", str(tmp_path / "m")]) == 0
    pdf = next((tmp_path / "m").glob("*.pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "防止返贫监测户名单" in text and "吴突发" in text and "突发严重困难户1户" in text
    assert main(["monitored", "add", "--db", str(db_path), "--village", "后暖泉村", "--head", "x", "--kind", "别的",
                 "--since", "2020-03-02"]) == 1


def test_a_village_with_monitored_households_is_not_deleted(db):
    from app.services.errors import Refused
    from app.services.units import ensure_path, remove_unit

    with db.session() as s:
        ensure_path(s, ["康平县", "暖泉镇", "空村"])
        monitoring.add_monitored(s, monitoring.AddMonitored("暖泉镇/空村", "周边缘", "边缘易致贫户", dt.date(2020, 3, 1)))
        with pytest.raises(Refused, match="监测户1户"):
            remove_unit(s, _unit(s, "空村"))


def _unit(s, name):
    from app.models import Unit

    return s.scalar(select(Unit).where(Unit.name == name))


def test_a_red_household_that_is_also_monitored_has_one_r01(db):
    """A registered 红 household with no measure new this month, also monitored (linked, 红, no measure
    for 30 days): one R-01, not one from the register and one from the monitoring record. A measure in
    either place clears it; an unlinked 红 household keeps its own R-01."""
    from app.services.new_month import new_month

    build_register(db, "2020-02")
    with db.session() as s:
        new_month(s, "2020-02", "2020-03")
        march = s.scalar(select(Period).where(Period.month == "2020-03"))
        hhs = {h.head.name: h for h in s.scalars(select(Household).where(Household.period_id == march.id))}
        for name in ("刘德明", "张凤兰"):
            register.set_risk(s, hhs[name].id, "red", ["因病"])
        red = hhs["刘德明"].uuid
        uuid = monitoring.add_monitored(s, monitoring.AddMonitored(
            "后暖泉村", "刘德明", "脱贫不稳定户", dt.date(2020, 1, 10), "red", ("因病",), household=red)).monitored[0]

        def r01(today=dt.date(2020, 3, 20)):
            return sorted((f.household, f.target is not None)
                          for f in monitoring.findings(s, march, today=today) if f.code == "R-01")

        alone = hhs["张凤兰"].uuid
        assert r01() == sorted([(red, True), (alone, False)])  # the monitoring record's, once; the other's own
        assert [f.code for f in checks.check_period(s, march) if f.code == "R-01" and f.household == red] == ["R-01"]
        monitoring.add_measure(s, monitoring.AddMeasure(uuid, dt.date(2020, 3, 2), "落实大病救助"))
        assert r01() == [(alone, False)]
        assert r01(dt.date(2020, 4, 10)) == [(alone, False)]  # as of the month's end, the measure is recent
        s.flush()
    with db.session() as s:  # a new register measure this month, monitoring without recent measures
        march = s.scalar(select(Period).where(Period.month == "2020-03"))
        m = s.scalar(select(MonitoredHousehold).where(MonitoredHousehold.uuid == uuid))
        for x in list(m.measures):
            s.delete(x)
        s.flush()
        s.expire_all()
        hid = s.scalar(select(Household.id).where(Household.period_id == march.id, Household.uuid == red))
        assert sorted(f.household for f in monitoring.findings(s, march, today=dt.date(2020, 3, 20))
                      if f.code == "R-01") == sorted([red, alone])
        register.set_measures(s, hid, [("产业带动", "发展庭院经济"), ("健康扶贫", "家庭医生签约")])
        assert [f.household for f in monitoring.findings(s, march, today=dt.date(2020, 3, 20))
                if f.code == "R-01"] == [alone]


def test_one_save_of_the_editor_is_one_transaction(db, db_path):
    """SaveMonitored through operations.execute: added with a measure, then corrected, reviewed and
    cleared; a refused save (an unknown risk reason) leaves the file as it was, measure included."""

    from app.services.operations import execute
    from app.services.record_ops import SaveMonitored

    build_register(db, "2020-03")
    out = execute(db, SaveMonitored(None, "后暖泉村", "吴突发", "突发严重困难户", "red", ("因灾",), dt.date(2020, 3, 2),
                                    measure=(dt.date(2020, 3, 3), "发放救灾款")))
    uuid = out.value.monitored[0]
    assert out.changed.structural
    with pytest.raises(monitoring.MonitorRefused):
        execute(db, SaveMonitored(uuid, None, "吴突发", "突发严重困难户", "red", ("因灾", "因懒"), dt.date(2020, 3, 2),
                                  measure=(dt.date(2020, 3, 9), "不该留下")))
    execute(db, SaveMonitored(uuid, None, "吴突发", "边缘易致贫户", "yellow", ("因灾", "因病"), dt.date(2020, 3, 1),
                              reviewed_on=dt.date(2020, 3, 15), cleared_on=dt.date(2020, 3, 28)))
    got = query(db_path, "SELECT kind, risk_colour, risk_reasons, started_on, reviewed_on, cleared_on, cleared_basis "
                "FROM monitored_households")
    measures = query(db_path, "SELECT taken_on, text FROM monitor_measures")
    assert got == [("边缘易致贫户", "yellow", "因灾、因病", "2020-03-01", "2020-03-15", "2020-03-28", None)]
    assert measures == [("2020-03-03", "发放救灾款")]
    with db.session() as s:  # 风险消除 without its basis: R-02 says so
        assert [f.code for f in monitoring.findings_of(s, uuid)] == ["R-02"]

"""附件3: project register edits (audited, refused on a locked month), rows with totals and progress."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from _counts_register import build
from sqlalchemy import select

from app.models import AuditEntry, FundProject
from app.services import checks, projects
from app.services.errors import LockedPeriod, Refused
from app.services.periods import get_period, lock_period
from app.services.units import find_unit

COLS = ("kind", "seq", "county", "township", "name", "planned", "received", "disbursed", "progress", "stage",
        "started_on", "completed_on", "households", "persons")


@pytest.fixture
def register(db):
    build(db)
    with db.session() as s:
        period = get_period(s, "2020-03")
        nq, sj = find_unit(s, "暖泉镇"), find_unit(s, "沙金乡")
        projects.add_project(s, period, nq, name="大棚蔬菜", content="新建大棚20栋", fund_source="财政专项扶贫资金",
                             planned=100, received=80, disbursed=33.3333, stage="已开工",
                             started_on=dt.date(2020, 3, 2), households=10, persons=25)
        projects.add_project(s, period, nq, name="肉牛养殖", fund_source="金融扶贫资金", planned=50, received=50,
                             disbursed=50, stage="已完工", started_on="2020-01-10", completed_on="2020-03-01",
                             households=3, persons=9)
        projects.add_project(s, period, sj, name="光伏电站", fund_source="社会扶贫资金", stage="未开工",
                             planned_start="2020-03", households=4, persons=2)
    return db


def test_rows_with_township_and_county_totals_and_progress(register):
    with register.session() as s:
        rows = projects.project_rows(s, get_period(s, "2020-03"), find_unit(s, "康平县"))
    assert [tuple(r[c] for c in COLS) for r in rows] == [
        ("county_total", 1, "康平县", "全县合计数", None, 150.0, 130.0, 83.3333, 55.6, None, None, None, 17, 36),
        ("township_total", 2, "康平县", "暖泉镇", "全镇合计", 150.0, 130.0, 83.3333, 55.6, None, None, None, 13, 34),
        ("project", 3, "康平县", "暖泉镇", "大棚蔬菜", 100.0, 80.0, 33.3333, 33.3, "已开工", "2020-03-02", None, 10, 25),
        ("project", 4, "康平县", "暖泉镇", "肉牛养殖", 50.0, 50.0, 50.0, 100.0, "已完工", "2020-01-10", "2020-03-01", 3, 9),
        ("township_total", 5, "康平县", "沙金乡", "全乡合计", 0.0, 0.0, 0.0, 0.0, None, None, None, 4, 2),
        ("project", 6, "康平县", "沙金乡", "光伏电站", 0.0, 0.0, 0.0, 0.0, "未开工", None, None, 4, 2),
    ]
    assert list(rows[2]) == ["kind", *projects.ROW_CODES]
    assert rows[2]["content"] == "新建大棚20栋" and rows[2]["fund_source"] == "财政专项扶贫资金"


def test_progress_rounds_half_up_to_one_decimal():
    assert projects.progress(1, 8) == 12.5
    assert projects.progress(0.0005, 0.008) == 6.3  # 6.25 → 6.3, not banker's 6.2
    assert projects.progress(5, 0) == 0.0


def test_update_and_delete_are_audited_and_refused_when_locked(register):
    with register.session() as s:
        period = get_period(s, "2020-03")
        uuid = s.scalars(select(FundProject.uuid).where(FundProject.name == "大棚蔬菜")).one()
        assert projects.update_project(s, period, uuid, disbursed=80, stage="已完工") == {
            "disbursed": (33.3333, 80.0), "stage": ("已开工", "已完工")}
        assert projects.update_project(s, period, uuid, disbursed=80) == {}
        with pytest.raises(Refused):
            projects.update_project(s, period, uuid, stage="快完工了")
        entries = s.scalars(select(AuditEntry).where(AuditEntry.table == "fund_projects")).all()
        assert [(e.action, e.field, e.old, e.new) for e in entries][-2:] == [
            ("update", "disbursed", "33.3333", "80.0"), ("update", "stage", "已开工", "已完工")]
        assert [e.action for e in entries].count("insert") == 3
        assert projects.delete_project(s, period, uuid) == "大棚蔬菜"
        assert s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first().action == "delete"
        lock_period(s, period, "报送")
        other = s.scalars(select(FundProject.uuid).where(FundProject.name == "肉牛养殖")).one()
        for attempt in (lambda: projects.update_project(s, period, other, persons=1),
                        lambda: projects.delete_project(s, period, other),
                        lambda: projects.add_project(s, period, find_unit(s, "暖泉镇"), name="新项目")):
            with pytest.raises(LockedPeriod):
                attempt()


def test_project_findings_use_the_p_rules(register):
    with register.session() as s:
        period = get_period(s, "2020-03")
        uuid = s.scalars(select(FundProject.uuid).where(FundProject.name == "大棚蔬菜")).one()
        projects.update_project(s, period, uuid, started_on=None)
        found = checks.project_findings(s, period)
    assert sorted((f.code, f.unit, f.field) for f in found) == [
        ("P-04", "暖泉镇", "started_on"),  # 已开工 without a start date
        ("P-05", "沙金乡", "stage"),  # planned for 2020-03, not started
        ("P-06", "沙金乡", "persons"),  # 2 persons for 4 households
    ]


def test_counts_cli_form3_json(register, db_path, capsys):
    from app.cli import main

    register.close()
    assert main(["counts", "--db", str(db_path), "--form", "3", "--unit", "暖泉镇", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["seq"], r["name"], r["progress"]) for r in rows] == [
        ("township_total", 1, "全镇合计", 55.6), ("project", 2, "大棚蔬菜", 33.3), ("project", 3, "肉牛养殖", 100.0)]

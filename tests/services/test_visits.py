"""入户走访 (household-records.md §2): record, 群众满意度 by hand, V-01…V-03, import from .xlsx, work log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import xlsxwriter
from _small_register import build_register
from sqlalchemy import select

from app.cli import main
from app.models import AuditEntry, Household, Period, Person, Unit, Visit
from app.services import checks, visits


@pytest.fixture
def reg(db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        ids["uuid"] = {s.scalar(select(Person.name).where(Person.household_id == h, Person.relation == "户主")):
                       s.get(Household, h).uuid for h in ids["households"]}
    return ids


def _visit(s, uuid, day, answer, **kw):
    return visits.record_visit(s, visits.RecordVisit(uuid, dt.date(2020, 3, day), "孙丽华", satisfaction=answer, **kw))


def test_record_visit_with_problems_and_v02(db, reg):
    with db.session() as s:
        ch = _visit(s, reg["uuid"]["王建国"], 10, "满意", asked=frozenset({"basic", "budget"}),
                    talks=frozenset({"policy"}),
                    looks=(("housing", "有问题", "西屋墙体裂缝"), ("water", "有问题", "水压不足")),
                    problems=(visits.ProblemIn("西屋墙体裂缝，需鉴定", "housing"),))
        assert len(ch.problems) == 1
        # 看饮水 found a problem but none was raised for it: V-02; 看住房 has its problem: none
        assert [(f.code, f.field) for f in ch.findings] == [("V-02", "look_water")]
        v = s.scalar(select(Visit))
        assert v.ask_basic and v.ask_budget and not v.ask_living and v.talk_policy and v.look_housing == "有问题"
        assert v.problems[0].look == "housing" and v.head_name == "王建国"
        assert s.scalar(select(AuditEntry).where(AuditEntry.table == "visits")).action == "insert"
        with pytest.raises(visits.VisitRefused):
            _visit(s, reg["uuid"]["王建国"], 11, "很满意")


def test_satisfaction_by_hand_and_v01_v03(db, reg):
    with db.session() as s:
        _visit(s, reg["uuid"]["王建国"], 2, "不满意")
        _visit(s, reg["uuid"]["王建国"], 20, "基本满意")  # the latest answer counts
        _visit(s, reg["uuid"]["张凤兰"], 5, "不满意")
        town = s.scalar(select(Unit).where(Unit.name == "暖泉镇"))
        sat = visits.satisfaction(s, town, "2020-03")
        # by hand: 2 households visited; 王建国 基本满意 (latest), 张凤兰 不满意 → 1/2 = 50.0 %
        assert (sat.visited, sat.satisfied, sat.basically, sat.dissatisfied, sat.rate) == (2, 0, 1, 1, 50.0)
        period = s.scalar(select(Period))
        found = visits.findings(s, period, today=dt.date(2020, 3, 31))
        v03 = [f for f in found if f.code == "V-03"]
        assert len(v03) == 1 and "50.0%" in v03[0].message and v03[0].unit == "暖泉镇"
        v01 = {f.household for f in found if f.code == "V-01"}
        assert v01 == {reg["uuid"]["刘德明"]}  # never visited; the two others were visited this month
        # and they appear in the month's check
        assert {"V-01", "V-03"} <= {f.code for f in checks.check_period(s, period)}


def test_work_log_merges_entries_and_visits(db, reg):
    with db.session() as s:
        _visit(s, reg["uuid"]["张凤兰"], 8, "满意", problems=(visits.ProblemIn("申请临时救助", solved_on_spot=True),))
        visits.add_log_entry(s, visits.AddLogEntry("孙丽华", dt.date(2020, 3, 3), "参加镇扶贫例会"))
        log = visits.work_log(s, "孙丽华", "2020-03")
    assert [(r["date"], r["kind"]) for r in log] == [("2020-03-03", "日志"), ("2020-03-08", "入户走访")]
    assert "申请临时救助（当场解决）" in log[1]["text"] and "满意度：满意" in log[1]["text"]


def _book(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("走访")
    header = ["走访日期", "乡镇", "村", "户主", "走访人", "问基本信息", "问生活状况", "问家庭收支", "问满意成效",
              "问意见建议", "讲党恩", "讲政策", "讲希望", "讲励志", "看住房", "看住房说明", "看饮水", "看一册两表",
              "问题", "当场解决", "满意度", "备注"]
    ws.write_row(0, 0, header)
    for i, r in enumerate(rows, 1):
        ws.write_row(i, 0, r)
    wb.close()
    return path


def test_import_visits_all_or_nothing(db, db_path, reg, tmp_path, capsys):
    db.close()  # the command opens the register itself
    good = ["2020-03-15", "暖泉镇", "前暖泉村", "王建国", "孙丽华", "√", "√", "", "√", "", "√", "√", "", "",
            "有问题", "厨房漏雨", "正常", "正常", "厨房屋顶修补", "", "满意", ""]
    other = ["2020/3/16", "", "后暖泉村", "刘德明", "李军", "是", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
             "基本满意", "电话回访"]
    bad = ["2020-03-17", "", "", "赵无此人", "李军"] + [""] * 15 + ["满意", ""]
    book = _book(tmp_path / "走访.xlsx", [good, other, bad])
    assert main(["visits", "import", str(book), "--db", str(db_path), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert not out["ok"] and [(f["code"], f["row"]) for f in out["findings"]] == [("V-11", 4)]
    book = _book(tmp_path / "走访2.xlsx", [good, other])
    assert main(["visits", "import", str(book), "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["visits"] == 2
    assert main(["visits", "list", "--db", str(db_path), "--period", "2020-03", "--unit", "康平县", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["visits"]
    assert [(r["head"], r["satisfaction"]) for r in rows] == [("王建国", "满意"), ("刘德明", "基本满意")]
    assert rows[0]["problems"][0]["look"] == "housing" and rows[0]["looks"]["看住房"] == "有问题"
    assert rows[0]["asked"] == ["问基本信息", "问生活状况", "问满意成效"] and rows[0]["talks"] == ["讲党恩", "讲政策"]
    assert main(["visits", "satisfaction", "--db", str(db_path), "--period", "2020-03", "--unit", "康平县",
                 "--json"]) == 0
    sat = json.loads(capsys.readouterr().out)
    assert sat[0]["visited"] == 2 and sat[0]["rate"] == 100.0

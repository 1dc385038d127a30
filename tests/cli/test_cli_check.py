"""`guatu check` and `guatu stats` through app.cli.main: JSON shapes, human output, exit codes."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from app.models import Household, Measure, Person
from app.services.periods import ensure_period
from app.services.units import ensure_path

FINDING_KEYS = {"code", "severity", "message", "file", "sheet", "row", "column", "unit", "household", "person",
                "field", "note"}


@pytest.fixture
def small(db, db_path):
    """暖泉镇 with two villages, one household each in 2020-03; one household has an age of 130 (H-05)."""
    with db.session() as s:
        period = ensure_period(s, "2020-03")
        for village, head, age in (("前暖泉村", "于德海", 55), ("后暖泉村", "孙永和", 130)):
            v = ensure_path(s, ["康平县", "暖泉镇", village])
            h = Household(period_id=period.id, village_id=v.id, band="A", prior_income=4200,
                          head_phone="15140731234", cause="收入较低", helper_name="李振国",
                          helper_phone="024-82703810", expected_month="2020.10", ytd_income=1200)
            h.members = [Person(position=0, name=head, relation="户主", age=age, health="健康", labour="弱劳动力")]
            h.measures = [Measure(position=0, category="产业带动", text="养羊")]
            s.add(h)
    db.close()
    return db_path


def run_json(capsys, *argv) -> tuple[int, dict]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_check_json(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "check", "--json")
    assert code == 0  # a report, even with errors
    assert doc["period"] == "2020-03" and doc["errors"] == 1 and doc["warnings"] == 0
    (f,) = doc["findings"]
    assert set(f) == FINDING_KEYS
    assert (f["code"], f["severity"], f["unit"], f["field"]) == ("H-05", "E", "暖泉镇/后暖泉村", "age")
    assert "130" in f["message"]


def test_check_unit_and_period(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "check", "--unit", "前暖泉村", "--period", "2020-03", "--json")
    assert code == 0 and doc["findings"] == [] and doc["errors"] == 0
    code, doc = run_json(capsys, "check", "--db", str(small), "--unit", "康平县/暖泉镇/后暖泉村", "--json")
    assert code == 0 and doc["errors"] == 1


def test_check_human_output(small, capsys):
    assert main(["--db", str(small), "check"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("[H-05 错误] 暖泉镇/后暖泉村：") and "130" in out[0]
    assert out[-1].startswith("2020年3月数据") and "错误1条" in out[-1] and "提示0条" in out[-1]


@pytest.mark.parametrize("argv", [
    ["check", "--unit", "不存在村"],
    ["check", "--period", "2020-13"],
    ["check", "--period", "2019-01"],
    ["stats", "--period", "20-03"],
])
def test_usage_errors_exit_2(small, capsys, argv):
    assert main(["--db", str(small), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err and captured.err.strip()


def test_not_a_database_exits_2(tmp_path, capsys):
    bogus = tmp_path / "notes.db"
    bogus.write_text("这不是数据库", encoding="utf-8")
    assert main(["--db", str(bogus), "check", "--json"]) == 2
    assert main(["--db", str(tmp_path / "missing.db"), "stats"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_check_opens_read_only(small, capsys):
    """A running GUI holds the write lock; check still works (it never writes)."""
    from app.storage import Database

    with Database(small):
        code, doc = run_json(capsys, "--db", str(small), "check", "--json")
    assert code == 0 and doc["errors"] == 1


def test_stats_json(small, capsys):
    code, doc = run_json(capsys, "--db", str(small), "stats", "--json")
    assert code == 0
    assert doc == {
        "period": "2020-03", "households": 2, "persons": 2,
        "villages": {"暖泉镇/前暖泉村": {"households": 1, "persons": 1},
                     "暖泉镇/后暖泉村": {"households": 1, "persons": 1}},
        "findings": {"H-05": 1},
    }


def test_stats_human(small, capsys):
    assert main(["--db", str(small), "stats"]) == 0
    out = capsys.readouterr().out
    assert "2户，2人，2个村" in out and "H-05 错误 1条" in out


@pytest.fixture
def with_ledgers(small, db_path):
    """``small`` plus a task missing its 责任人 (D-01) and a problem of 后暖泉村 past its 整改时限 (D-07)."""
    import datetime as dt

    from app.services import ledgers as L
    from app.storage import Database

    db = Database(db_path)
    with db.session() as s:
        task = L.add_task(s, L.AddTask(2020, "departments", "危房改造全部竣工", measures="逐户验收", deadline="6月30日",
                                       leaders="王县长", units="住建局", today=dt.date(2020, 3, 1))).tasks[0]
        problem = L.add_problem(s, L.AddProblem(2020, "自查", "危房改造进度慢", resp_unit="住建局",
                                                deadline="2020-04-30", measures="倒排工期", resp_person="赵建军",
                                                unit="后暖泉村", today=dt.date(2020, 3, 1))).problems[0]
    db.close()
    return small, task, problem


def test_check_lists_the_ledgers_d_findings_with_their_record(with_ledgers, capsys):
    path, task, problem = with_ledgers
    code, doc = run_json(capsys, "--db", str(path), "check", "--today", "2020-05-10", "--json")
    assert code == 0
    d = {(f["code"], f["record"]["kind"], f["record"]["uuid"]) for f in doc["findings"] if "record" in f}
    assert ("D-01", "task", task) in d and ("D-07", "problem", problem) in d
    assert doc["errors"] == 2  # H-05 and D-01
    assert all(set(f) - {"record"} == FINDING_KEYS for f in doc["findings"])
    # the same day, before the 整改时限: no D-07
    _code, doc = run_json(capsys, "--db", str(path), "check", "--today", "2020-04-01", "--json")
    assert {f["code"] for f in doc["findings"]} == {"H-05", "D-01"}
    # a village gets the ledger rows that concern it only
    _code, doc = run_json(capsys, "--db", str(path), "check", "--unit", "后暖泉村", "--today", "2020-05-10", "--json")
    assert {f["code"] for f in doc["findings"]} == {"H-05", "D-07"}
    _code, doc = run_json(capsys, "--db", str(path), "check", "--unit", "前暖泉村", "--today", "2020-05-10", "--json")
    assert doc["findings"] == []


def test_check_text_names_d_findings_but_judges_the_month_by_its_own(with_ledgers, capsys):
    path, _task, _problem = with_ledgers
    assert main(["--db", str(path), "check", "--unit", "后暖泉村", "--today", "2020-05-10"]) == 0
    out = capsys.readouterr().out
    assert "[D-07 提示]" in out and "危房改造进度慢" in out
    assert main(["--db", str(path), "check", "--today", "2020-05-10"]) == 0
    out = capsys.readouterr().out
    assert "[D-01 错误]" in out and "责任人" in out
    assert main(["--db", str(path), "check", "--today", "bad"]) == 2

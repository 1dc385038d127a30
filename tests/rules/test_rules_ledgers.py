"""D-01 … D-09 against an injected today: each fires on its case and stays quiet otherwise."""

from __future__ import annotations

import datetime as dt

from app.rules.codes import RULES
from app.rules.ledgers import (
    PROBLEM_RULES,
    TARGET_RULES,
    TASK_RULES,
    ProblemRow,
    TargetRow,
    TaskRow,
    TaskUnitRow,
    check_ledgers,
    check_problem,
    check_target,
    check_task,
)

TODAY = dt.date(2018, 7, 18)


def full_task(**kw) -> TaskRow:
    base = dict(uuid="t1", seq=4, target="群众满意度。满意度达到90%以上。", measures="入户走访。",
                deadline=dt.date(2018, 9, 30), units_text="扶贫办、各乡镇", persons="康明礼",
                units=(TaskUnitRow("扶贫办", "u1", progress_months=frozenset({"2018-07"})),
                       TaskUnitRow("暖泉镇", "u2", progress_months=frozenset({"2018-07"}))))
    base.update(kw)
    return TaskRow(**base)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_every_d_rule_is_registered_once_with_its_severity():
    from app.rules.analysis import ANALYSIS_RULES

    registered = [*TASK_RULES, *PROBLEM_RULES, *TARGET_RULES, *ANALYSIS_RULES]
    assert sorted(registered) == [f"D-{i:02d}" for i in range(1, 12)]
    assert {c for c in RULES if c.startswith("D-")} == set(registered)


def test_a_complete_task_on_time_has_no_finding():
    assert check_task(full_task(), TODAY) == []


def test_d01_names_what_is_missing():
    (f,) = check_task(full_task(measures=" ", persons=None), TODAY)
    assert f.code == "D-01" and f.severity == "E" and "工作措施、责任人" in f.message
    assert f.to_dict()["record"] == {"kind": "task", "uuid": "t1"}


def test_d02_per_open_township_row():
    late = full_task(deadline=dt.date(2018, 6, 30),
                     units=(TaskUnitRow("扶贫办", "u1", "已销号", dt.date(2018, 6, 29), "验收报告",
                                        frozenset({"2018-07"})),
                            TaskUnitRow("暖泉镇", "u2", progress_months=frozenset({"2018-07"}))))
    found = check_task(late, TODAY)
    assert codes(found) == ["D-02"] and found[0].unit == "暖泉镇" and "逾期" in found[0].message
    assert "D-02" not in codes(check_task(late, dt.date(2018, 6, 30)))  # due today is not late


def test_d03_closed_without_evidence():
    t = full_task(units=(TaskUnitRow("扶贫办", "u1", "已销号", None, None, frozenset({"2018-07"})),))
    (f,) = check_task(t, TODAY)
    assert f.code == "D-03" and "销号日期、销号依据" in f.message


def test_d04_after_the_15th_only():
    t = full_task(units=(TaskUnitRow("扶贫办", "u1", progress_months=frozenset({"2018-06"})),))
    assert codes(check_task(t, dt.date(2018, 7, 15))) == []
    assert codes(check_task(t, dt.date(2018, 7, 16))) == ["D-04"]


def test_d05_ongoing_two_months_silent():
    t = full_task(deadline=None, ongoing=True,
                  units=(TaskUnitRow("扶贫办", "u1", progress_months=frozenset({"2018-05"})),))
    assert codes(check_task(t, dt.date(2018, 7, 10))) == ["D-05"]
    t2 = full_task(deadline=None, ongoing=True,
                   units=(TaskUnitRow("扶贫办", "u1", progress_months=frozenset({"2018-06"})),))
    assert codes(check_task(t2, dt.date(2018, 7, 10))) == []


def test_d05_waits_for_a_task_entered_this_month_or_the_one_before():
    silent = (TaskUnitRow("扶贫办", "u1"),)
    for created, flagged in ((dt.date(2018, 7, 2), False), (dt.date(2018, 6, 1), False),
                             (dt.date(2018, 5, 31), True), (None, True)):
        t = full_task(deadline=None, ongoing=True, units=silent, created_on=created)
        assert codes(check_task(t, dt.date(2018, 7, 10))) == (["D-05"] if flagged else []), created


def test_problem_rules():
    ok = ProblemRow("p1", "入户走访", "危房未改造", "住建局", dt.date(2018, 8, 1))
    assert check_problem(ok, TODAY) == []
    assert codes(check_problem(ProblemRow("p2", None, "x", None, None), TODAY)) == ["D-06"]
    late = ProblemRow("p3", "自查", "档案不全", "扶贫办", dt.date(2018, 7, 1))
    (f,) = check_problem(late, TODAY)
    assert f.code == "D-07" and f.to_dict()["record"] == {"kind": "problem", "uuid": "p3"}
    closed = ProblemRow("p4", "自查", "档案不全", "扶贫办", dt.date(2018, 7, 1), "已销号", dt.date(2018, 7, 2), "")
    assert codes(check_problem(closed, TODAY)) == ["D-08"]


def test_d09_after_the_20th():
    t = TargetRow("g1", "武定县", frozenset({"2018-06"}))
    assert check_target(t, dt.date(2018, 7, 20)) == []
    (f,) = check_target(t, dt.date(2018, 7, 21))
    assert f.code == "D-09" and f.to_dict()["record"] == {"kind": "target", "uuid": "g1"}
    assert check_target(TargetRow("g1", "武定县", frozenset({"2018-07"})), dt.date(2018, 7, 21)) == []


def test_check_ledgers_runs_all_three():
    found = check_ledgers([full_task(persons="")], [ProblemRow("p", None, None, None, None)],
                          [TargetRow("g", "x")], dt.date(2018, 7, 25))
    assert {"D-01", "D-06", "D-09"} <= set(codes(found))

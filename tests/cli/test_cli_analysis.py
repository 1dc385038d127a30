"""`guatu analysis` through app.cli.main on a small register: problems entered this month (本月新增),
their 登记日期 in `guatu problems list`, and the month's figures kept for the next run."""

from __future__ import annotations

import json
import sqlite3

from _small_register import build_register

from app.cli import main
from app.storage import Database


def _json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_problems_entered_this_month_and_the_figures_kept(db, db_path, capsys):
    ids = build_register(db, "2020-03")
    db.close()
    d = str(db_path)
    for today, text in (("2020-02-20", "上月登记的问题"), ("2020-03-05", "本月登记的问题"), ("2020-03-25", "本月又一个")):
        assert main(["problems", "add", "--db", d, "--year", "2020", "--today", today, "--source", "自查",
                     "--description", text, "--resp-unit", "暖泉镇", "--deadline", "2020-06-30"]) == 0
    capsys.readouterr()
    listed = _json(capsys, "problems", "list", "--db", d, "--year", "2020", "--json")["problems"]
    assert [(p["description"], p["opened_on"]) for p in listed] == [
        ("上月登记的问题", "2020-02-20"), ("本月登记的问题", "2020-03-05"), ("本月又一个", "2020-03-25")]

    doc = _json(capsys, "--db", d, "analysis", "--period", "2020-03", "--json")
    assert [(p["unit"], p["total"], p["opened_month"]) for p in doc["problems"]] == [("暖泉镇", 3, 2)]
    before = {f["code"]: f["count"] for f in doc["findings"]}
    with sqlite3.connect(d) as c:  # no other guatu had the register: the month's figures are kept
        assert c.execute("SELECT count(*) FROM check_summaries").fetchone()[0] == 1

    # an edit of a household: the kept figures go, the next run counts the register as it is
    with Database(db_path) as again, again.session() as s:
        from app.services import register

        register.update_household(s, ids["households"][0], "expected_month", "2020.12")
    doc = _json(capsys, "--db", d, "analysis", "--period", "2020-03", "--json")
    assert {f["code"]: f["count"] for f in doc["findings"]}["H-11"] == before["H-11"] - 1

    # beside the window (another writer): read-only, nothing kept, same figures
    with sqlite3.connect(d) as c:
        c.execute("DELETE FROM check_summaries")
    with Database(db_path):
        held = _json(capsys, "--db", d, "analysis", "--period", "2020-03", "--json")
    assert held["findings"] == doc["findings"]
    with sqlite3.connect(d) as c:
        assert c.execute("SELECT count(*) FROM check_summaries").fetchone()[0] == 0

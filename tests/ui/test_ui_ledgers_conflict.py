"""A ledger row another clerk changed while the 督战与销号 grid showed it: named, then re-applied or dropped."""

from __future__ import annotations

import datetime as dt
import sqlite3

from _query import query

from app.ui.dialogs import RecordingDialogs
from app.ui.ledgers_view import LedgersView


def _other_clerk(path, table: str, column: str, uuid: str, text: str) -> None:
    con = sqlite3.connect(path, timeout=10)
    with con:
        con.execute(f"UPDATE {table} SET {column} = ?, version = version + 1, changed_by = '王五', changed_at = ?, "
                    "changed_via = 'another-laptop' WHERE uuid = ?", (text, dt.datetime.now(), uuid))
    con.close()


def test_a_stale_problem_and_task_edit_are_named_then_reapplied_or_dropped(qtbot, demo_db, demo_db_path):
    for answer in (True, False):
        dialogs = RecordingDialogs(confirm=answer)
        view = LedgersView(demo_db, 2020, dialogs=dialogs, today=dt.date(2020, 3, 25))
        qtbot.addWidget(view)
        problem = view.models["problems"].lines[0]
        _other_clerk(demo_db_path, "problems", "measures", problem.uuid, f"他人措施{answer}")
        view.commit("problems", problem, "measures", f"我的措施{answer}")
        task = view.models["departments"].lines[0]
        _other_clerk(demo_db_path, "tasks", "leaders", task.task_uuid, f"他人领导{answer}")
        view.commit("departments", task, "leaders", f"我的领导{answer}")
        assert [k for k, _t, _m in dialogs.shown] == ["stale", "stale"]
        assert dialogs.shown[0][2].startswith("该问题已被 王五 于") and dialogs.shown[1][2].startswith("该任务已被 王五")
        mine = "我的" if answer else "他人"
        assert query(demo_db_path, "SELECT measures FROM problems WHERE uuid = ?", problem.uuid) == [(f"{mine}措施{answer}",)]
        assert query(demo_db_path, "SELECT leaders FROM tasks WHERE uuid = ?", task.task_uuid) == [(f"{mine}领导{answer}",)]
        view.close()

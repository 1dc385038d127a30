"""监测户 editor: a household taken into monitoring, corrected, cleared and a proposed 红 household
taken in — all by real key events, written on a write worker, read back from the SQLite file."""

from __future__ import annotations

import sqlite3

from _clerk import focus, keys
from _small_register import build_register
from PySide6.QtWidgets import QApplication

from app.models import Household
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.monitored_view import MonitoredView
from app.ui.writer import WriteWorker


def rows(path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT m.head_name, m.kind, m.risk_colour, m.risk_reasons, m.started_on, m.reviewed_on, m.cleared_on, "
            "m.cleared_basis, m.household_uuid, group_concat(x.taken_on || ' ' || x.text, '；') "
            "FROM monitored_households m LEFT JOIN monitor_measures x ON x.monitored_id = m.id "
            "GROUP BY m.id ORDER BY m.id").fetchall()
    finally:
        con.close()


def test_monitored_households_added_edited_and_cleared_by_keyboard(qtbot, db, db_path):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        red = s.get(Household, ids["households"][2])
        red.risk_colour = "red"
        red_uuid = red.uuid
    create_application()
    worker = WriteWorker(lambda: db)
    dialogs = RecordingDialogs()
    v = MonitoredView(db, "2020-03", dialogs, write=worker.call)
    qtbot.addWidget(v)
    v.resize(1300, 640)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v)
    assert [r["head"] for r in v.rows] == ["刘德明"] and v.rows[0]["proposed"]  # the 红 household, proposed

    # a new 突发严重困难户, typed from the paper
    v.table.setFocus()
    keys("Ctrl+N")
    assert focus() is v.village.lineEdit() or focus() is v.village
    keys("后暖泉村", "Tab", "赵大海", "Tab", "3", "Tab", "1", "Tab", "Space", "Tab", "Tab", "Tab", "Space")
    assert v.reasons["因残"].hasFocus()
    keys("Tab", "Tab", "Tab", "Tab", "Tab")
    assert focus() is v.started
    keys("2020-03-05", "Tab", "2020-03-06", "Tab", "申请临时救助", "Ctrl+Enter")
    got = rows(db_path)
    assert got == [("赵大海", "突发严重困难户", "red", "因病、因残", "2020-03-05", None, None, None, None,
                    "2020-03-06 申请临时救助")]
    assert focus() is v.head and v.village.currentText().endswith("后暖泉村")  # ready for the next one
    assert dialogs.shown == []

    # refused: no head — said in the status line, nothing written, no dialog
    keys("Ctrl+Enter")
    assert "请填写户主姓名" in v.status.text() and len(rows(db_path)) == 1 and dialogs.shown == []

    # the list: Up/Down load a household, Enter goes to the form; 风险消除 typed, saved
    v.table.setFocus()
    keys("Home")
    assert v.editing is not None and v.head.text() == "赵大海"
    keys("Enter")
    assert focus() is v.head
    keys(*["Tab"] * 15)  # 监测类型, 红黄绿, 8 reasons, 纳入日期,措施日期, 措施, 复核日期 → 风险消除
    assert focus() is v.cleared
    keys("2020-03-20", "Tab", "务工收入稳定，经村民代表评议", "Ctrl+Enter")
    got = rows(db_path)
    assert got[0][6:8] == ("2020-03-20", "务工收入稳定，经村民代表评议") and len(got) == 1
    assert v.rows[0]["status"] == "风险已消除"

    # the proposed 红 household: Down to it, Ctrl+Enter takes it in as 脱贫不稳定户
    v.table.setFocus()
    keys("Down")
    assert v.editing is None and v.household == red_uuid and v.kind.currentText() == "脱贫不稳定户"
    keys("Ctrl+Enter")
    got = rows(db_path)
    assert got[1][:3] == ("刘德明", "脱贫不稳定户", "red") and got[1][8] == red_uuid
    assert [r["proposed"] for r in v.rows] == [False, False]
    worker.wait_idle()

"""Another register's changes appear in an open window within the poll: the member cell, the
household list row, the panel and the problems dock repaint without the clerk doing anything."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from test_ui_window import cell, small  # noqa: F401 - fixtures

from app.services import register_ops as ops
from app.services.operations import execute
from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow


def test_another_registers_edits_are_repainted_within_the_poll(qtbot, small):  # noqa: F811
    path, ids = small
    create_application()
    # The window opened beside a writer (on SQLite: read-only, as when another guatu holds the file;
    # on the office server every window writes and follows the others the same way).
    shown = Database(path, write=False)
    window = MainWindow(shown, dialogs=RecordingDialogs())
    qtbot.addWidget(window)
    window.show()
    window.wait_checks()
    window.follower.timer.setInterval(300)
    try:
        window.tree.select_unit(ids["v2"])  # 刘德明户
        son = window.member_model.person(1)
        assert son["age"] == 20 and "H-05" not in window.problems.codes_shown()
        with Database(path) as other:  # the other clerk's register (a guatu CLI run, another window)
            period = window.store.period_id
            hh = window.hh_uuid
            execute(other, ops.SetMemberField(period, hh, son["uuid"], "age", 150))
            execute(other, ops.SetHouseholdField(period, hh, "helper_name", "赵主任"))
        qtbot.waitUntil(lambda: cell(window, 1, "age").data() in (150, "150"), timeout=3000)
        qtbot.waitUntil(lambda: window.panel.detail.values["helper_name"] == "赵主任", timeout=3000)
        assert "H-05" in window.problems.codes_shown()  # its findings came along
        assert "刚修改了数据" in window.statusBar().currentMessage()
        with Database(path) as other:  # a member added elsewhere: the list and the grid grow
            execute(other, ops.AddMember(period, hh, None, (("name", "刘小明"), ("relation", "之子"), ("age", 9))))
        qtbot.waitUntil(lambda: len(window.member_model.ids) == 4, timeout=3000)
        QApplication.processEvents()
        assert window.member_model.person(3)["name"] == "刘小明"
    finally:
        window.close()
        shown.close()

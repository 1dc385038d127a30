"""Two clerks on one household: the window's edit based on a member another clerk changed since is
not written; the clerk sees who and when and the current values, and re-applies (Alt+R) or drops
(Esc) the edit from the keyboard."""

from __future__ import annotations

import datetime as dt
import sqlite3

from _query import query
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_ui_window import cell, open_window, small, type_into  # noqa: F401 - fixtures

from app.ui.conflict_dialog import ConflictDialog
from app.ui.dialogs import Dialogs


def _other_clerk_sets_age(path, person_id: int, age: int) -> None:
    """Another clerk's committed change, as the database holds it (on the office server another
    laptop's transaction): the value, a new row version, who, when and through which register."""
    con = sqlite3.connect(path, timeout=10)
    with con:
        con.execute("UPDATE persons SET age = ?, version = version + 1, changed_by = '张三', changed_at = ?, "
                    "changed_via = 'another-laptop' WHERE id = ?",
                    (age, dt.datetime.now().replace(second=0, microsecond=0), person_id))
    con.close()


def _answer(seen: list, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """When the conflict dialog is up and has the keyboard: note what it shows, then press ``key``
    where the focus is (a dialog still open after that is closed, so the test fails, not hangs)."""
    tries = [0]

    def look() -> None:
        tries[0] += 1
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog) or (not dialog.isActiveWindow() and tries[0] < 100):
            if isinstance(dialog, ConflictDialog):
                dialog.activateWindow()
            QTimer.singleShot(20, look)
            return
        table = dialog.table
        seen.append((dialog.message.text(), dialog.mine.text(),
                     {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())},
                     table.item(0, 0).font().bold()))
        QTest.keyClick(QApplication.focusWidget() or dialog, key, mods)
        guard = QTimer(dialog)  # goes with the dialog once it is closed
        guard.setSingleShot(True)
        guard.timeout.connect(lambda: dialog.isVisible() and (seen.append("still open"), dialog.reject()))
        guard.start(500)

    QTimer.singleShot(20, look)


def _age_of(path, person_id: int) -> int:
    return query(path, "SELECT age FROM persons WHERE id = ?", person_id)[0][0]


def test_a_stale_edit_is_refused_with_who_and_when_then_reapplied_or_dropped(qtbot, small):  # noqa: F811
    path, ids = small
    window, database = open_window(qtbot, path, Dialogs())
    try:
        window.tree.select_unit(ids["v2"])  # 刘德明户: 刘德明, 刘小军 (20), 刘小红 (16)
        son = window.member_model.ids[1]
        assert cell(window, 1, "age").data() in (20, "20")
        _other_clerk_sets_age(path, son, 21)  # while the window shows 20

        seen: list = []
        _answer(seen, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # 重新应用我的修改
        type_into(window, cell(window, 1, "age"), "33")
        window.editor.wait_idle()
        QApplication.processEvents()
        message, mine, current, first_bold = seen[0]
        assert message.startswith("该成员已被 张三 于 ") and "没有保存" in message
        assert "年龄 改为 33" in mine and current["年龄"] == "21" and current["姓名"] == "刘小军" and first_bold
        assert _age_of(path, son) == 33  # re-applied on the current row
        assert cell(window, 1, "age").data() in (33, "33")

        _other_clerk_sets_age(path, son, 22)
        seen.clear()
        _answer(seen, Qt.Key.Key_Escape)  # 放弃我的修改
        type_into(window, cell(window, 1, "age"), "40")
        window.editor.wait_idle()
        QApplication.processEvents()
        assert seen and seen[0][2]["年龄"] == "22"
        assert _age_of(path, son) == 22  # the other clerk's value stays
        assert cell(window, 1, "age").data() in (22, "22")  # and is what the window shows

        seen.clear()  # the window's own quick edits of the row are no conflict with each other
        type_into(window, cell(window, 1, "age"), "41")
        type_into(window, cell(window, 1, "name"), "刘军")
        window.editor.wait_idle()
        QApplication.processEvents()
        assert not seen and query(path, "SELECT age, name FROM persons WHERE id = ?", son) == [(41, "刘军")]
    finally:
        window.close()
        database.close()

"""The write worker under the window: typed cells shown at once, written in order off the GUI thread,
refusals rolled back, the problems dock updated row by row, the close waiting for every edit."""

from __future__ import annotations

import threading

from _clerk import keys
from _query import query
from PySide6.QtTest import QTest
from sqlalchemy import event
from test_ui_window import cell, open_window, small, win  # noqa: F401 - fixtures

from app.ui.dialogs import RecordingDialogs


def _ages(path) -> list[int]:
    return [a for (a,) in query(path, "SELECT age FROM persons WHERE household_id = 3 ORDER BY position")]


def test_a_typed_cell_is_shown_at_once_and_written_by_the_worker(win, small):  # noqa: F811
    window, _ids = win
    path = small[0]
    before = _ages(path)
    ran_on: list[str] = []
    window.editor.changed.connect(lambda _out: ran_on.append(threading.current_thread().name))
    writes: list[str] = []
    event.listen(window.store.db.engine, "before_cursor_execute",
                 lambda *_a: writes.append(threading.current_thread().name))
    assert window.member_model.setData(cell(window, 1, "age"), 33)
    assert cell(window, 1, "age").data() in (33, "33")  # on screen before the outcome is back
    window.editor.wait_idle()
    assert _ages(path) == [before[0], 33, *before[2:]]
    assert ran_on == [threading.main_thread().name]  # the outcome is handled on the GUI thread
    assert writes and set(writes) == {"guatu-writer"}  # every write statement ran on the worker
    window.editor.undo()
    assert _ages(path) == before


def test_a_refused_cell_is_read_back_and_said(qtbot, small):  # noqa: F811
    path, ids = small
    dialogs = RecordingDialogs()
    window, database = open_window(qtbot, path, dialogs)
    window.tree.select_unit(ids["v2"])
    before = cell(window, 1, "age").data()
    assert window.member_model.setData(cell(window, 1, "age"), "七十岁半")  # accepted for writing
    window.editor.wait_idle()
    assert [k for k, _t, _m in dialogs.shown] == ["warn"] and "年龄" in dialogs.shown[0][2]
    assert cell(window, 1, "age").data() == before and not window.editor.stack.canUndo()
    window.close()
    database.close()


def test_the_problems_dock_takes_the_changed_findings_without_a_reset(win):  # noqa: F811
    window, _ids = win
    model = window.problems.model
    resets, inserted, removed = [], [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda *_: inserted.append(1))
    model.rowsRemoved.connect(lambda *_: removed.append(1))
    window.member_model.setData(cell(window, 1, "age"), 150)
    window.editor.wait_idle()
    assert "H-05" in window.problems.codes_shown() and inserted and not resets
    window.member_model.setData(cell(window, 1, "age"), 20)
    window.editor.wait_idle()
    assert "H-05" not in window.problems.codes_shown() and removed and not resets


def test_closing_waits_for_every_queued_edit(qtbot, small):  # noqa: F811
    path, ids = small
    window, database = open_window(qtbot, path)
    window.tree.select_unit(ids["v2"])
    for row, age in ((0, 51), (1, 22), (2, 17)):
        window.member_model.setData(cell(window, row, "age"), age)
    window.close()  # no wait_idle: the close drains the queue
    assert _ages(path) == [51, 22, 17]
    database.close()


def test_an_outcome_arriving_while_the_next_cell_is_typed_keeps_what_is_typed(win, small):  # noqa: F811
    window, _ids = win
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 1, "age"))
    assert window.member_model.setData(cell(window, 1, "phone"), "13900001111")  # on its way
    keys("4")  # the age cell of the same row opens with the 4
    window.editor.wait_idle()  # the phone's outcome repaints the row while the age is being typed
    window.member_model.set_findings([])  # as the month's check finishing does
    keys("4", "Enter")
    window.editor.wait_idle()
    assert _ages(small[0])[1] == 44
    assert query(small[0], "SELECT phone FROM persons WHERE household_id = 3 ORDER BY position")[1] == ("13900001111",)


def test_an_outcome_arriving_while_the_next_panel_field_is_typed_keeps_what_is_typed(win):  # noqa: F811
    window, _ids = win
    name, phone = window.panel._widgets["helper_name"], window.panel._widgets["helper_phone"]
    name.setText("陈云")
    name.editingFinished.emit()  # on its way
    phone.setFocus()
    QTest.keyClicks(phone, "1390")
    window.editor.wait_idle()  # the name's outcome reloads the panel while the phone is being typed
    assert window.panel.detail.values["helper_name"] == "陈云"
    assert phone.text() == "1390"


def test_closing_writes_the_panel_field_being_typed(qtbot, small):  # noqa: F811
    path, ids = small
    window, database = open_window(qtbot, path)
    window.tree.select_unit(ids["v2"])
    field = window.panel._widgets["helper_name"]
    field.setFocus()
    QTest.keyClicks(field, "Chen Yun")
    window.close()
    assert query(path, "SELECT helper_name FROM households WHERE id = 3") == [("Chen Yun",)]
    database.close()


def test_settings_and_a_note_are_written_by_the_worker(win, small):  # noqa: F811
    """The office settings and a warning's 核实说明 go as requests on the window's worker too."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    from app.ui.settings_dialog import SettingsDialog

    window, _ids = win
    writes: list[str] = []

    def seen(_conn, _cursor, statement, *_a) -> None:
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(threading.current_thread().name)

    event.listen(window.store.db.engine, "before_cursor_execute", seen)
    dialog = SettingsDialog(window.store, window.dialogs, window)
    dialog.preparer.clear()
    dialog.preparer.setFocus()
    typed = QInputMethodEvent()
    typed.setCommitString("李会计")  # as a Chinese input method commits it
    QApplication.sendEvent(dialog.preparer, typed)
    dialog.save()
    assert query(small[0], "SELECT preparer FROM office") == [("李会计",)]
    warning = next(f for fs in window.findings.values() for f in fs if not f.is_error and f.household)
    window.explain(warning, "已入户核实")
    window.editor.wait_idle()
    assert query(small[0], "SELECT note, who FROM verification_notes") == [("已入户核实", "李会计")]
    assert writes and set(writes) == {"guatu-writer"}  # not one write statement on the GUI thread

"""The main window driven like a clerk drives it: real widgets, real SQLite, rules inline."""

from __future__ import annotations

import pytest
from _clerk import keys
from _small_register import build_register
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.services import browse
from app.storage import Database
from app.ui.app import create_application
from app.ui.columns import MEMBER_CODES
from app.ui.delegates import AgeSpin, ChoiceCombo
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow
from app.ui.models import ERROR_BG
from app.ui.problems import FindingRole

R = Qt.ItemDataRole


def open_window(qtbot, path, dialogs=None) -> tuple[MainWindow, Database]:
    create_application()
    database = Database(path)
    window = MainWindow(database, dialogs=dialogs or RecordingDialogs())
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    window.wait_checks()
    return window, database


@pytest.fixture
def small(db_path):
    database = Database(db_path)
    ids = build_register(database)
    database.close()
    return db_path, ids


@pytest.fixture
def win(qtbot, small):
    path, ids = small
    window, database = open_window(qtbot, path)
    window.tree.select_unit(ids["v2"])  # 刘德明户: 刘德明 户主, 刘小军 之子, 刘小红 之女
    yield window, ids
    window.close()
    database.close()


def cell(window: MainWindow, row: int, code: str):
    return window.member_model.index(row, MEMBER_CODES.index(code))


def type_into(window: MainWindow, index, text: str, _editor_type=None) -> None:
    """Put the cursor on the cell, type like a clerk (the first key opens the editor and replaces the
    content; Chinese through the input method) and press Enter."""
    if not window.isActiveWindow():  # a dialog was shown and closed: the clerk is back in the window
        window.activateWindow()
        QTest.qWaitForWindowActive(window)
    window.grid.setFocus()
    window.grid.setCurrentIndex(index)
    keys(text, "Enter", ime=True)


def db_person(database_path, household_id: int, row: int) -> dict:
    with Database(database_path, write=False) as database, database.session() as s:
        ids = browse.member_ids(s, household_id)
        return browse.person_rows(s, [ids[row]])[ids[row]] if row < len(ids) else {}


def test_bad_age_turns_cell_red_with_h05_and_fixing_clears_it(win):
    window, ids = win
    assert window.household_id == ids["households"][2]
    type_into(window, cell(window, 0, "age"), "150", AgeSpin)
    idx = cell(window, 0, "age")
    assert idx.data(R.EditRole) == 150
    assert idx.data(R.BackgroundRole).color() == ERROR_BG
    assert "H-05" in idx.data(R.ToolTipRole)
    assert "H-05" in window.problems.codes_shown()
    assert window.grid.currentIndex().row() == 1  # Enter moved down
    type_into(window, cell(window, 0, "age"), "46", AgeSpin)
    idx = cell(window, 0, "age")
    assert idx.data(R.EditRole) == 46
    assert not idx.data(R.ToolTipRole) or "H-05" not in idx.data(R.ToolTipRole)
    assert "H-05" not in window.problems.codes_shown()


def test_second_head_shows_h01_in_problems_panel(win):
    window, _ids = win
    assert "H-01" not in window.problems.codes_shown()
    type_into(window, cell(window, 1, "relation"), "户主", ChoiceCombo)
    assert cell(window, 1, "relation").data(R.EditRole) == "户主"
    assert "H-01" in window.problems.codes_shown()
    e, _w = window.problems.counts()
    assert e >= 1 and "错误" in window.counts_label.text()


def test_paste_three_tsv_rows_adds_three_members(win, small):
    window, ids = win
    hid = ids["households"][2]
    QGuiApplication.clipboard().setText("赵丽\t之儿媳\t22\t健康\t普通劳动力\r\n刘一\t之孙子\t3\t健康\t弱劳动力（含半劳动力）\r\n"
                                        "刘二\t之孙女\t150\t健康\t无劳动力\r\n")
    blank = window.member_model.index(3, 0)
    window.grid.setCurrentIndex(blank)
    QTest.keyClick(window.grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(window.member_model.ids) == 6
    assert [window.member_model.person(r)["name"] for r in range(3, 6)] == ["赵丽", "刘一", "刘二"]
    assert db_person(small[0], hid, 4)["labour"] == "弱劳动力"
    assert "H-05" in cell(window, 5, "age").data(R.ToolTipRole)  # validated like typing
    window.editor.stack.undo()  # one paste, one undo step
    assert len(window.member_model.ids) == 3


def test_undo_restores_value_and_database_agrees(win, small):
    window, ids = win
    hid = ids["households"][2]
    type_into(window, cell(window, 2, "name"), "刘晓红", QLineEdit)
    assert db_person(small[0], hid, 2)["name"] == "刘晓红"
    QTest.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # 撤销 from the keyboard
    assert window.editor.stack.index() == 0
    assert cell(window, 2, "name").data(R.DisplayRole) == "刘小红"
    assert db_person(small[0], hid, 2)["name"] == "刘小红"
    window.editor.stack.redo()
    assert db_person(small[0], hid, 2)["name"] == "刘晓红"
    assert cell(window, 2, "name").data(R.DisplayRole) == "刘晓红"


def test_member_insert_and_remove_with_confirmation_and_undo(win, small):
    window, ids = win
    hid = ids["households"][2]
    window.grid.setCurrentIndex(cell(window, 0, "name"))
    QTest.keyClick(window.grid, Qt.Key.Key_Insert)
    assert len(window.member_model.ids) == 4 and window.member_model.person(1)["name"] == ""
    window.grid.setCurrentIndex(cell(window, 2, "name"))
    QTest.keyClick(window.grid, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert window.dialogs.shown[-1][0] == "confirm"
    assert [window.member_model.person(r)["name"] for r in range(3)] == ["刘德明", "", "刘小红"]
    window.editor.stack.undo()
    assert [window.member_model.person(r)["name"] for r in range(4)] == ["刘德明", "", "刘小军", "刘小红"]
    assert db_person(small[0], hid, 2)["name"] == "刘小军"


def test_every_edit_survives_closing_and_reopening(qtbot, small):
    path, ids = small
    window, database = open_window(qtbot, path)
    window.tree.select_unit(ids["v1"])
    type_into(window, cell(window, 1, "age"), "56", AgeSpin)
    type_into(window, window.member_model.index(2, 0), "王小明", QLineEdit)  # the blank row adds a member
    window.panel._widgets["helper_name"].setText("陈云")
    window.panel._widgets["helper_name"].editingFinished.emit()
    hh_blank = window.hh_model.index(window.hh_model.rowCount() - 1, 0)
    assert window.hh_model.setData(hh_blank, "孙大海", R.EditRole)
    window.close()
    database.close()

    window, database = open_window(qtbot, path)
    window.tree.select_unit(ids["v1"])
    assert window.hh_model.rowCount() == 4  # 3 households + the blank row
    assert window.hh_model.row(2).head_name == "孙大海"
    window.hh_view.setCurrentIndex(window.hh_model.index(0, 0))
    names = [window.member_model.person(r)["name"] for r in range(len(window.member_model.ids))]
    assert names == ["王建国", "李秀英", "王小明"]
    assert cell(window, 1, "age").data(R.EditRole) == 56
    assert window.panel._widgets["helper_name"].text() == "陈云"
    window.close()
    database.close()


def test_search_jumps_to_person(win):
    window, ids = win
    window.tree.select_unit(ids["v1"])
    window.search.setText("刘小红")
    window.search.run()
    assert window.household_id == ids["households"][2]
    assert window.member_model.person(window.grid.currentIndex().row())["name"] == "刘小红"


def test_red_yellow_filter_and_panel_risk(win):
    window, ids = win
    window.panel.reasons["因病"].setChecked(True)
    window.panel._widgets["risk_colour"].setCurrentIndex(0)  # 红色
    window.panel._widgets["risk_colour"].activated.emit(0)
    window.editor.wait_idle()  # the panel's edit is written and shown
    assert window.panel.detail.values["risk_reasons"] == "因病"
    window.panel._widgets["risk_colour"].setCurrentIndex(2)  # 绿色: no reasons kept
    window.panel._widgets["risk_colour"].activated.emit(2)
    window.editor.wait_idle()  # the panel's edit is written and shown
    assert window.panel.detail.values["risk_reasons"] is None
    window.editor.stack.undo()
    assert window.panel.detail.values["risk_colour"] == "red"
    window.tree.select_unit(next(iter(window.tree._nodes)))  # the county
    window.acts["risky"].setChecked(True)
    assert window.hh_model.ids == [ids["households"][2]]
    assert window.hh_model.index(0, 6).data(R.DisplayRole) == "红"


def test_problems_double_click_jumps_and_warning_note(qtbot, small):
    path, ids = small
    dialogs = RecordingDialogs(text="已入户核实，年龄无误")
    window, database = open_window(qtbot, path, dialogs)
    window.tree.select_unit(ids["v1"])
    type_into(window, cell(window, 1, "age"), "12", AgeSpin)  # 配偶 younger than 16: H-07 warning
    spouse = window.member_model.person(1)["uuid"]
    window.tree.select_unit(next(iter(window.tree._nodes)))  # the county: every finding
    h07 = next(f for f in window.problems.model.rows if f.code == "H-07" and f.person == spouse)
    window.tree.select_unit(ids["v2"])
    assert h07 not in window.problems.model.rows  # the dock lists the selected unit only
    window.tree.select_unit(next(iter(window.tree._nodes)))
    proxy = window.problems.proxy
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole) == h07)
    window.tree.select_unit(ids["v2"])
    window.tree.select_unit(next(iter(window.tree._nodes)))
    window.problems.view.doubleClicked.emit(proxy.index(row, 4))  # double-click in the dock
    assert window.household_id == ids["households"][0]
    assert window.grid.currentIndex().row() == 1
    assert window.grid.currentIndex().column() == MEMBER_CODES.index("age")
    window.acknowledge(h07)
    assert any(f.code == "H-07" and f.note == "已入户核实，年龄无误" for f in window.findings[window.hh_uuid])
    window.close()
    database.close()


def test_panel_measures_income_and_close_out_with_undo(win, small):
    window, ids = win
    hid = ids["households"][2]
    panel = window.panel
    panel._add_line("income")
    last = panel.income.rowCount() - 1
    panel.income.item(last, 1).setText("务工")
    panel.income.item(last, 2).setText("2400")  # itemChanged: committed with the line
    window.editor.wait_idle()  # the panel's edit is written and shown
    assert "合计 6600 元，人均 2200 元（3人）" in panel.income_sum.text()
    with Database(small[0], write=False) as database, database.session() as s:
        detail = browse.household_detail(s, hid)
        assert detail.income_items[-1] == ("种植业", "务工", 2400.0) and detail.income_per_capita == 2200
    panel.closed.setChecked(True)
    window.editor.wait_idle()  # the panel's edit is written and shown
    assert window.hh_model.index(0, 7).data() == "已销"
    with Database(small[0], write=False) as database, database.session() as s:
        assert browse.household_detail(s, hid).values["closed_out_on"] is not None  # 销号 with its date
    window.editor.stack.undo()  # the close-out
    window.editor.stack.undo()  # the amount
    window.editor.stack.undo()  # the new line with its label
    assert not window.editor.stack.canUndo()
    with Database(small[0], write=False) as database, database.session() as s:
        detail = browse.household_detail(s, hid)
        assert not detail.values["closed_out"] and len(detail.income_items) == 2
    assert window.hh_model.index(0, 7).data() == ""


def test_new_household_row_updates_tree_counts_and_keeps_selection(win):
    window, ids = win
    node = window.tree.node(ids["v2"])
    before = (node.households, node.persons)
    blank = window.hh_model.index(window.hh_model.rowCount() - 1, 0)
    window.hh_view.setCurrentIndex(blank)
    window.hh_view.edit(blank)
    (editor,) = [w for w in window.hh_view.viewport().findChildren(QLineEdit) if w.isVisible()]
    event = QInputMethodEvent()
    event.setCommitString("周新华")
    QApplication.sendEvent(editor, event)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.hh_model.row(window.hh_model.row_of(window.household_id)).head_name == "周新华"
    assert window.member_model.person(0)["name"] == "周新华"  # the new household is shown, head first
    assert (node.households, node.persons) == (before[0] + 1, before[1] + 1)
    assert window.tree.current_unit() == ids["v2"]
    type_into(window, window.member_model.index(1, 0), "周小华", QLineEdit)
    assert window.member_model.person(0)["name"] == "周新华" and len(window.member_model.ids) == 2
    assert window.tree.node(ids["v2"]).persons == before[1] + 2


def test_settings_dialog_saves_office(win, small):
    from app.ui.settings_dialog import SettingsDialog

    window, _ids = win
    dialog = SettingsDialog(window.store, window.dialogs, window)
    dialog.preparer.setText("李会计")
    dialog.phone.setText("139 0000 1111")
    dialog.mailbox.setText("fpb@example.gov.cn")
    dialog.unit.setCurrentIndex(2)  # the township
    dialog.save()
    office = window.store.office()
    assert (office["preparer"], office["preparer_phone"], office["upper_mailbox"]) == (
        "李会计", "13900001111", "fpb@example.gov.cn")
    assert office["unit_id"] is not None


def test_delete_clears_cells_in_one_undo_step(win, small):
    window, ids = win
    hid = ids["households"][2]
    window.grid.setCurrentIndex(cell(window, 1, "age"))
    window.grid.selectionModel().select(cell(window, 2, "age"), window.grid.selectionModel().SelectionFlag.Select)
    QTest.keyClick(window.grid, Qt.Key.Key_Delete)
    assert db_person(small[0], hid, 1)["age"] is None and db_person(small[0], hid, 2)["age"] is None
    assert "H-05" in cell(window, 1, "age").data(R.ToolTipRole)  # a blank age is an error too
    window.editor.stack.undo()
    assert (db_person(small[0], hid, 1)["age"], db_person(small[0], hid, 2)["age"]) == (20, 16)


def test_disk_full_on_save_shows_clear_message_and_keeps_old_value(win, small, monkeypatch):
    import errno

    from app.services import register

    window, ids = win
    path, _ = small
    before = db_person(path, ids["households"][2], 0)["age"]

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(register, "update_person", full)
    type_into(window, cell(window, 0, "age"), "47", AgeSpin)
    shown = window.dialogs.shown
    assert shown and shown[-1][0] == "warn" and shown[-1][1] == "保存失败"
    assert "磁盘" in shown[-1][2] and "没有写入" in shown[-1][2]
    assert db_person(path, ids["households"][2], 0)["age"] == before

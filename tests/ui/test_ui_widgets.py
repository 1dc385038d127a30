"""app.ui.widgets: the 选择… path row, the (label, data) combos and the button rows shared by the dialogs
(pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QLineEdit, QWidget

from app.ui.widgets import (
    action_buttons,
    data_combo,
    folder_chooser,
    month_combo,
    ok_cancel,
    path_row,
    pdf_chooser,
)


def test_path_row_puts_the_chosen_path_in_the_box(qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[tuple] = []
    answers = iter([("/srv/out/明白卡", "PDF 文件 (*.pdf)"), ("/srv/out/B.PDF", ""), ("", "")])

    def save_name(*args):
        asked.append(args)
        return next(answers)

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    edit = QLineEdit("/srv/old.pdf")
    row, button = path_row(edit, pdf_chooser(parent, "保存明白卡"))
    assert row.itemAt(0).widget() is edit and row.itemAt(1).widget() is button and button.text() == "选择…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert edit.text() == "/srv/out/明白卡.pdf"  # .pdf added
    assert asked[0] == (parent, "保存明白卡", "/srv/old.pdf", "PDF 文件 (*.pdf)")  # starts at the box
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert edit.text() == "/srv/out/B.PDF"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # cancelled: the box keeps its path
    assert edit.text() == "/srv/out/B.PDF"


def test_folder_chooser_starts_at_the_box(qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda p, cap, cur: f"{cur}/子目录"))
    edit = QLineEdit("/home/clerk")
    _row, button = path_row(edit, folder_chooser(parent, "选择输出文件夹"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert edit.text() == "/home/clerk/子目录"


def test_combos_choose_the_current_data(qtbot):
    months = month_combo([("2020-03", "open"), ("2020-02", "locked")], "2020-02")
    qtbot.addWidget(months)
    assert [months.itemText(i) for i in range(2)] == ["2020年3月数据（填报中）", "2020年2月数据（已报送）"]
    assert months.currentData() == "2020-02"
    bare = month_combo([("2020-03", None)], "2019-12")  # not there: the first
    qtbot.addWidget(bare)
    assert (bare.itemText(0), bare.currentIndex()) == ("2020年3月数据", 0)
    units = data_combo([("（未设置）", None), ("康平县", 1), ("暖泉镇", 2)], 2)
    qtbot.addWidget(units)
    assert units.currentText() == "暖泉镇"
    assert data_combo([("（未设置）", None), ("康平县", 1)], None).currentIndex() == 0


def test_button_rows_run_the_action_and_reject(qtbot):
    dialog = QDialog()
    qtbot.addWidget(dialog)
    runs: list[str] = []
    buttons = ok_cancel(dialog, "保存", lambda: runs.append("save"), QDialogButtonBox.StandardButton.Save)
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert (save.text(), cancel.text()) == ("保存", "取消")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert runs == ["save"] and dialog.result() == 0  # on_ok only: the dialog was not accepted
    dialog.show()
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    row, make = action_buttons(dialog, "生成并打开", lambda: runs.append("make"))
    close = next(b for b in row.buttons() if b is not make)
    assert (make.text(), close.text()) == ("生成并打开", "关闭")
    qtbot.mouseClick(make, Qt.MouseButton.LeftButton)
    assert runs == ["save", "make"]
    dialog.show()
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible() and runs == ["save", "make"]

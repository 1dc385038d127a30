"""app.ui.widgets: the 选择… path row and the (label, data) combos shared by the dialogs (pytest-qt)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget

from app.ui.widgets import data_combo, folder_chooser, month_combo, path_row, pdf_chooser


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

"""The problems dock takes the clerk there: Enter or double-click lands on the field (panel fields
scrolled into view and focused; 附件1/附件2 findings open the counts view at the row and column); 栏目 in
Chinese; a warning explained in place (pytest-qt, the demo register)."""

from __future__ import annotations

import re

import pytest
from _query import query as _q
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from test_ui_window import open_window

from app.ui.dialogs import RecordingDialogs
from app.ui.problems import NOTE_COL, FindingRole


@pytest.fixture
def demo_win(qtbot, demo_db_path):
    window, database = open_window(qtbot, demo_db_path, RecordingDialogs())
    window.resize(1366, 768)
    window.tree.select_unit(next(iter(window.tree._nodes)))  # the county: every finding
    QApplication.processEvents()
    yield window
    window.close()
    database.close()


def _row(window, code: str) -> int:
    proxy = window.problems.proxy
    return next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole).code == code)


def test_enter_on_h13_lands_on_prior_income_scrolled_into_view(demo_win):
    window = demo_win
    window.activateWindow()
    view = window.problems.view
    view.setFocus()
    view.setCurrentIndex(window.problems.proxy.index(_row(window, "H-13"), 0))
    QTest.keyClick(view, Qt.Key.Key_Return)
    QApplication.processEvents()
    field = window.panel._widgets["prior_income"]
    assert QApplication.focusWidget() is field
    panel = window.panel
    assert panel.sections.currentIndex() == panel.section_of(field) == 0  # its section shown
    viewport = panel.scrolls[0].viewport()
    top = field.mapTo(viewport, QPoint(0, 0)).y()
    assert 0 <= top and top + field.height() <= viewport.height()  # scrolled into view
    f = window.problems.proxy.index(_row(window, "H-13"), 0).data(FindingRole)
    assert window.hh_uuid == f.household


def test_double_click_on_a_housing_finding_focuses_its_field(demo_win):
    window = demo_win
    window.tree.select_unit(next(iter(window.tree._nodes)))
    view = window.problems.view
    index = window.problems.proxy.index(_row(window, "H-14"), 4)
    view.scrollTo(index)
    rect = view.visualRect(index)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click's
    QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # first press and release
    QApplication.processEvents()
    field = window.panel._widgets["housing_grade"]
    assert QApplication.focusWidget() is field
    assert window.panel.sections.currentIndex() == window.panel.section_of(field) == 2  # 销号与住房 shown
    assert window.panel.sections.tabText(2).endswith("●")  # the section with the finding is marked


def test_m07_opens_the_counts_view_at_its_row_and_column(demo_win):
    window = demo_win
    view = window.problems.view
    index = window.problems.proxy.index(_row(window, "M-07"), 1)
    f = index.data(FindingRole)
    view.setCurrentIndex(index)
    QTest.keyClick(view, Qt.Key.Key_Enter)
    from app.ui.counts_view import CountsView

    counts = window.counts_dialog.findChild(CountsView)
    assert counts.form == 1
    cur = counts.table.currentIndex()
    row, code = counts.model.cell(cur)
    assert code == f.field == "industry_benefited" and counts.model.sheet.rows[row].unit == f.unit
    window.counts_dialog.close()
    m08 = window.problems.proxy.index(_row(window, "M-08"), 1)
    window.problems.view.doubleClicked.emit(m08)
    counts = window.counts_dialog.findChild(CountsView)
    assert counts.form == 2 and counts.model.cell(counts.table.currentIndex())[1] == "inc_5000_5760"
    window.counts_dialog.close()


def test_field_column_is_chinese(demo_win):
    proxy = demo_win.problems.proxy
    labels = {proxy.index(r, 3).data() for r in range(proxy.rowCount())}
    assert "上年度人均纯收入" in labels and "已受益人数" in labels
    assert not any(re.search(r"[A-Za-z_]", x or "") for x in labels)


def test_a_warning_is_explained_in_place(demo_win, demo_db_path):
    window = demo_win
    view = window.problems.view
    index = window.problems.proxy.index(_row(window, "H-14"), NOTE_COL)
    f = index.data(FindingRole)
    view.setFocus()
    view.setCurrentIndex(index)
    QTest.keyClick(view, Qt.Key.Key_F2)
    editor = view.findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    QTest.keyClicks(editor, "2020.05")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert any(g.code == "H-14" and g.note == "2020.05" for g in window.findings[f.household])
    assert _q(demo_db_path, "SELECT code, note FROM verification_notes") == [("H-14", "2020.05")]
    error = window.problems.proxy.index(_row(window, "H-13"), NOTE_COL)
    assert not (error.flags() & Qt.ItemFlag.ItemIsEditable)  # errors are fixed, not explained

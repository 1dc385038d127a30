"""工具 › 月度分析 on a real demo register: the menu entry, sections by keyboard, drill-down by Enter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.ui.analysis_view import SECTIONS, AnalysisView


@pytest.fixture
def view(qtbot, demo_db):
    v = AnalysisView(demo_db, None)
    qtbot.addWidget(v)
    v.resize(1100, 700)
    v.show()
    return v


def test_menu_has_the_analysis():
    from app.ui.actions import TOOL_ACTIONS
    from app.ui.window_tools import TOOLS

    assert any(key == "analysis" and text.startswith("月度分析") for _m, key, text, _i in TOOL_ACTIONS)
    assert "analysis" in TOOLS


def test_keyboard_to_causes_and_drill_down(view, qtbot):
    a = view.analysis
    assert a.title in view.title.text()
    view.sections.setFocus()
    for _ in range(SECTIONS.index("致贫原因")):
        QTest.keyClick(view.sections, Qt.Key.Key_Down)
    assert view.sections.currentItem().text() == "致贫原因"
    assert view.table.rowCount() == len(a.causes)
    assert view.table.item(0, 4).text() == f"{a.causes[0].share}%"
    QTest.keyClick(view.sections, Qt.Key.Key_Tab)
    assert view.table.hasFocus()
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.households.rowCount() == a.causes[0].now, timeout=3000)
    assert view.drill_label.text() == f"{a.causes[0].label}：{a.causes[0].now}户"


def test_township_figures_and_draft(view):
    view.sections.setCurrentRow(SECTIONS.index("分乡镇"))
    assert view.table.rowCount() == len(view.analysis.townships)
    view.table.setCurrentCell(0, 0)
    view.drill()
    assert view.households.rowCount() == view.analysis.townships[0].households
    view.sections.setCurrentRow(SECTIONS.index("报告草稿"))
    assert view.draft.isVisible() and view.draft.toPlainText().startswith("截至")
    # a township's own analysis
    view.unit_box.setCurrentIndex(1)
    view.reload()
    assert view.analysis.unit == view.unit_box.currentText()


def test_edit_a_section_by_keyboard_and_it_is_kept(view, demo_db, qtbot):
    from app.services.analysis import section_edits

    view.sections.setCurrentRow(SECTIONS.index("报告草稿"))
    view.section_box.setCurrentIndex(3)  # 四、下步工作
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=3000)
    view.draft.setFocus()
    QTest.keyClick(view.draft, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    event = QInputMethodEvent()  # Chinese arrives from the input method as a commit string
    event.setCommitString("按时报送")
    QApplication.sendEvent(view.draft, event)
    QTest.keyClick(view.draft, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "修改后的文字" in view.edited_label.text(), timeout=3000)
    with demo_db.session() as s:
        assert section_edits(s, view.analysis.period, None) == {"四、下步工作": "按时报送"}
    view.revert_button.click()
    assert view.draft.toPlainText().startswith("（一）")


def test_the_view_keeps_the_month_figures_it_computed(view, demo_db):
    """Computed in a read session, kept through the write requests: the next view reads them."""
    from sqlalchemy import text

    with demo_db.read_session() as s:
        rows = s.connection().execute(text("SELECT summary FROM check_summaries")).scalars().all()
    assert len(rows) == 2 and all('"counts"' in r and '"register"' in r for r in rows)
    first = view.analysis
    view.reload()
    assert view.analysis.findings == first.findings and view.analysis.households == first.households

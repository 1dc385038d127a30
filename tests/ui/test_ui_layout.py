"""The window at 1366×768 and 1280×720: rows visible in each pane, every member column reachable
through the column groups (Alt+1…Alt+4) without scrolling sideways, no truncated closed-list text,
the problems dock one line when empty, sizes remembered per screen size (pytest-qt, demo register)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_ui_window import open_window

from app import domain
from app.ui import layout
from app.ui.columns import MEMBER_CODES
from app.ui.dialogs import RecordingDialogs


def visible_rows(view) -> int:
    return view.viewport().height() // view.verticalHeader().defaultSectionSize()


@pytest.fixture
def small_screen(qtbot, demo_db_path):
    window, database = open_window(qtbot, demo_db_path, RecordingDialogs())
    yield window
    window.close()
    database.close()


@pytest.fixture(autouse=True)
def _fresh_settings():
    layout.settings().clear()  # sizes remembered by another test are not this one's
    yield


def _at(window, width: int, height: int) -> None:
    window.resize(width, height)
    window.fit_screen()
    for _ in range(5):
        QApplication.processEvents()


def test_1366x768_shows_12_households_and_6_members(small_screen):
    window = small_screen
    window.tree.select_unit(next(iter(window.tree._nodes)))  # the county: findings, the dock open
    _at(window, 1366, 748)  # maximised under a 20 px title bar
    assert not window.problems.collapsed and window.problems.view.isVisible()
    assert visible_rows(window.hh_view) >= 12
    assert visible_rows(window.grid) >= 6
    assert visible_rows(window.problems.view) >= 3
    for scroll in window.panel.scrolls:  # no panel section wider than the panel: nothing cut at the edge
        assert scroll.widget().minimumSizeHint().width() <= window.panel.sections.width() - 4


def test_every_member_column_reachable_without_sideways_scrolling(small_screen):
    window = small_screen
    _at(window, 1366, 748)
    assert window.member_tabs.currentIndex() == 0  # the compact set on a small screen
    seen = set()
    for n in range(1, layout.COMPACT + 1):  # Alt+1 … Alt+4: the compact groups, together every column
        QTest.keyClick(window, Qt.Key(Qt.Key.Key_0 + n), Qt.KeyboardModifier.AltModifier)
        QApplication.processEvents()
        assert window.member_tabs.currentIndex() == n - 1
        shown = [c for i, c in enumerate(MEMBER_CODES) if not window.grid.isColumnHidden(i)]
        assert shown == [c for c in MEMBER_CODES if c in layout.MEMBER_GROUPS[n - 1][1]]
        assert window.grid.horizontalScrollBar().maximum() == 0, layout.MEMBER_GROUPS[n - 1][0]
        seen |= set(shown)
    assert seen == set(MEMBER_CODES)
    QTest.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    metrics = window.grid.fontMetrics()
    longest = max(metrics.horizontalAdvance(domain.display(v)) for v in domain.LABOUR)
    assert window.grid.columnWidth(MEMBER_CODES.index("labour")) >= longest + 12  # 无劳动力（含丧失劳动力） whole


def test_1280x720_still_usable(small_screen):
    window = small_screen
    village = window.tree.first_village()
    window.tree.select_unit(village)
    _at(window, 1280, 690)
    assert visible_rows(window.hh_view) >= 9 and visible_rows(window.grid) >= 5
    assert window.grid.horizontalScrollBar().maximum() == 0


def test_problems_dock_is_one_line_when_empty(small_screen):
    window = small_screen
    window.tree.select_unit(next(iter(window.tree._nodes)))
    _at(window, 1366, 748)
    open_height = window.problems.height()
    empty = next(uid for uid, (n, _p, _c) in window.tree._nodes.items()
                 if n.level == "village" and not any(f.unit == _p for fs in window.findings.values() for f in fs))
    window.tree.select_unit(empty)
    QApplication.processEvents()
    assert window.problems.collapsed and window.problems.height() <= 40 < open_height
    assert "没有问题" in window.problems.summary.text()
    window.tree.select_unit(next(iter(window.tree._nodes)))
    QApplication.processEvents()
    assert not window.problems.collapsed and abs(window.problems.height() - open_height) <= 4


def test_sizes_remembered_per_screen_size(qtbot, demo_db_path):
    window, database = open_window(qtbot, demo_db_path, RecordingDialogs())
    memory = layout.LayoutMemory(window)
    layout.settings().clear()
    assert not memory.restore_geometry()  # the first start: guatu gui maximises
    window.remember_layout = True
    _at(window, 1366, 748)
    window.splitters["main"].setSizes([300, 700, 366])
    window.hh_view.setColumnWidth(1, 210)
    window.member_tabs.setCurrentIndex(2)
    window.problems.remembered_height = 210
    sizes = window.splitters["main"].sizes()
    window.close()
    database.close()
    window2, database2 = open_window(qtbot, demo_db_path, RecordingDialogs())
    assert layout.LayoutMemory(window2).restore_geometry()
    _at(window2, 1366, 748)  # (the offscreen screen is smaller than the geometry kept)
    assert window2.splitters["main"].sizes() == sizes
    assert window2.hh_view.columnWidth(1) == 210 and window2.member_tabs.currentIndex() == 2
    assert window2.problems.remembered_height == 210
    s = layout.settings()
    assert s.value(f"{layout.screen_key(window2)}/member_group") is not None  # keyed by screen size
    window2.close()
    database2.close()


def test_a_wide_screen_starts_with_more_member_columns(small_screen):
    window = small_screen
    layout.settings().clear()  # nothing remembered for this screen size
    _at(window, 1920, 1050)
    group = window.member_tabs.currentIndex()
    assert group in (layout.WIDE, layout.ALL)
    assert window.grid.horizontalScrollBar().maximum() == 0
    assert not window.grid.isColumnHidden(MEMBER_CODES.index("id_number"))

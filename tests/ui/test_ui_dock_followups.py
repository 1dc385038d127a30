"""The problems dock beyond the register: a D-row of the 督战与销号 ledgers opens that window at its
row; an M-07 total change's 核实说明 typed in place starts from the month's net 动态调整, as the
dialog's and the counts view's do (pytest-qt, real SQLite, real key events)."""

from __future__ import annotations

import pytest
from _query import query as _q
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import select
from test_ui_window import open_window

from app.ui.dialogs import RecordingDialogs
from app.ui.problems import NOTE_COL, FindingRole


def _rows(window, pred) -> list[int]:
    proxy = window.problems.proxy
    return [r for r in range(proxy.rowCount()) if pred(proxy.index(r, 0).data(FindingRole))]


@pytest.fixture
def demo_win(qtbot, demo_db_path):
    window, database = open_window(qtbot, demo_db_path, RecordingDialogs())
    window.tree.select_unit(next(iter(window.tree._nodes)))  # the county: every finding
    QApplication.processEvents()
    yield window
    window.close()
    database.close()


def _open_ledger_row(window, row: int, key) -> dict:
    """Enter (or double-click) on a dock row; what the modal 督战与销号 window shows, then closed."""
    seen: dict = {}

    def look() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is None or not hasattr(dlg, "view"):
            QTimer.singleShot(50, look)
            return
        view = dlg.view
        grid = view.grids[view.current_key()]
        cur = grid.currentIndex()
        seen.update(title=dlg.windowTitle(), key=view.current_key(), line=view.models[view.current_key()].lines[cur.row()],
                    header=view.models[view.current_key()].columns[cur.column()].header,
                    focus=dlg.focusWidget() is grid)  # the focus within the window (no window manager here)
        dlg.reject()

    QTimer.singleShot(100, look)
    view = window.problems.view
    view.setFocus()
    view.setCurrentIndex(window.problems.proxy.index(row, 1))
    key(view)
    return seen


def test_d_rows_are_in_the_dock_and_enter_opens_the_ledger_at_the_row(demo_win):
    window = demo_win
    d_rows = _rows(window, lambda f: f.record is not None)
    codes = {window.problems.proxy.index(r, 1).data() for r in d_rows}
    assert {"D-02", "D-07"} <= codes  # the demo's 2020 ledgers judged today: overdue rows
    assert all(c.startswith("D-") for c in codes)
    # a problem's D-07: the 问题整改台账 tab, its row, the 整改时限 column
    (r,) = _rows(window, lambda f: f.code == "D-07")[:1]
    f = window.problems.proxy.index(r, 0).data(FindingRole)
    seen = _open_ledger_row(window, r, lambda v: QTest.keyClick(v, Qt.Key.Key_Return))
    assert seen["title"].startswith("督战与销号")
    assert seen["key"] == "problems" and seen["line"].uuid == f.record[1]
    assert seen["header"] == "整改时限" and seen["focus"]
    # a task's D-02 by double-click: its list's tab, the row of the finding's 责任单位
    (r,) = _rows(window, lambda f: f.code == "D-02" and f.unit)[:1]
    f = window.problems.proxy.index(r, 0).data(FindingRole)
    view = window.problems.view

    def dclick(v):
        index = window.problems.proxy.index(r, 4)
        v.scrollTo(index)
        rect = v.visualRect(index)
        QTest.mouseClick(v.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(v.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    seen = _open_ledger_row(window, r, dclick)
    assert seen["key"] in ("departments", "townships")
    assert seen["line"].task_uuid == f.record[1] and seen["line"].unit == f.unit
    assert seen["header"] == "完成时限"
    # a D-row's 核实说明 cell is not typed in: the row is dealt with in its window
    assert not (window.problems.proxy.index(r, NOTE_COL).flags() & Qt.ItemFlag.ItemIsEditable)
    assert view is window.problems.view


@pytest.fixture
def adjusted(db_path):
    """April opened from March, then a household of three added (前暖泉村) and a person removed
    (后暖泉村): M-07 total changes with notes to suggest."""
    from _small_register import build_register

    from app.models import Household, Period, Person
    from app.services import register
    from app.services.new_month import new_month
    from app.storage import Database

    db = Database(db_path)
    ids = build_register(db, "2020-03")
    with db.session() as s:
        new_month(s, "2020-03", "2020-04")
        april = s.scalar(select(Period).where(Period.month == "2020-04"))
        hid = s.scalar(select(Household.id).join(Person).where(Household.period_id == april.id, Person.name == "刘德明"))
        pid = s.scalar(select(Person.id).where(Person.household_id == hid, Person.name == "刘小军"))
        register.remove_member(s, pid)
        ch = register.add_household(s, april.id, ids["v1"], None, "孙大")
        register.add_member(s, ch.household_id, None, {"name": "孙二", "relation": "之子", "age": 3})
        register.add_member(s, ch.household_id, None, {"name": "孙三", "relation": "之女", "age": 1})
    db.close()
    return db_path


def test_m07_note_typed_in_place_starts_from_the_net_adjustments(qtbot, adjusted):
    window, database = open_window(qtbot, adjusted, RecordingDialogs())
    try:
        window.tree.select_unit(next(iter(window.tree._nodes)))
        QApplication.processEvents()
        (r,) = _rows(window, lambda f: f.code == "M-07" and f.field == "total" and f.unit == "暖泉镇/前暖泉村")
        index = window.problems.proxy.index(r, NOTE_COL)
        f = index.data(FindingRole)
        expected = window.store.suggested_note(f)  # the dialog's and the counts view's note
        assert expected == "本月动态调整1条（新识别纳入1条）；调入3人，调出0人，净增加3人。"
        view = window.problems.view
        view.setFocus()
        view.setCurrentIndex(index)
        QTest.keyClick(view, Qt.Key.Key_F2)
        editor = view.findChild(QLineEdit)
        assert editor is not None and editor.isVisible() and editor.text() == expected
        QTest.keyClick(editor, Qt.Key.Key_End)
        QTest.keyClicks(editor, "OK")
        QTest.keyClick(editor, Qt.Key.Key_Return)
        QApplication.processEvents()
        assert _q(adjusted, "SELECT code, note FROM verification_notes") == [("M-07", expected + "OK")]
        window.wait_checks()
        QApplication.processEvents()
        (r,) = _rows(window, lambda g: g.code == "M-07" and g.field == "total" and g.unit == "暖泉镇/前暖泉村")
        assert window.problems.proxy.index(r, NOTE_COL).data() == expected + "OK"  # shown once stored
        # the other village's change (a person removed) gets its own suggestion
        (r,) = _rows(window, lambda g: g.code == "M-07" and g.field == "total" and g.unit == "暖泉镇/后暖泉村")
        view.setCurrentIndex(window.problems.proxy.index(r, NOTE_COL))
        QTest.keyClick(view, Qt.Key.Key_F2)
        (editor,) = [w for w in view.findChildren(QLineEdit) if w.isVisible()]
        assert editor.text().endswith("调入0人，调出1人，净减少1人。")
        QTest.keyClick(editor, Qt.Key.Key_Escape)  # Escape keeps nothing
        QApplication.processEvents()
        assert _q(adjusted, "SELECT count(*) FROM verification_notes") == [(1,)]
    finally:
        window.close()
        database.close()

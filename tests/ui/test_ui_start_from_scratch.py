"""A new office with nothing to import starts from scratch in the window: units, first month, first
household. Real widgets (pytest-qt), a real SQLite file, the same slots the menus call."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import select
from test_ui_window import open_window, type_into

from app.models import AuditEntry, Household, Office, Period, Person, Unit
from app.storage import Database
from app.ui.dialogs import RecordingDialogs
from app.ui.first_month_dialog import FirstMonthDialog, previous_calendar_month
from app.ui.main_window import MainWindow
from app.ui.unit_tree import ADD_COUNTY


class Answering(RecordingDialogs):
    """RecordingDialogs that types the next of ``answers`` into each text question."""

    def __init__(self):
        super().__init__(confirm=True)
        self.answers: list[str] = []

    def ask_text(self, parent, title, label, text=""):
        super().ask_text(parent, title, label, text)
        return self.answers.pop(0) if self.answers else None

    def warnings(self) -> list[str]:
        return [t for kind, _title, t in self.shown if kind == "warn"]


def entry(window: MainWindow, unit_id: int | None, text: str):
    """The slot behind the tree's context-menu entry ``text`` on ``unit_id`` (None: the empty area)."""
    entries = dict(window.tree.menu_entries(unit_id))
    assert text in entries, list(entries)
    return entries[text]


def answer_first_month(year: int, month: int) -> None:
    """Fill in the modal 新建第一个月份 dialog once it is up and press 新建."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, FirstMonthDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.year.setValue(year)
        dialog.month_box.setCurrentIndex(month - 1)
        dialog.accept()

    QTimer.singleShot(0, fill)


def type_household(window: MainWindow, head: str) -> None:
    """Type a head's name into the household list's blank row, like a clerk (input method, Enter)."""
    blank = window.hh_model.index(window.hh_model.rowCount() - 1, 0)
    window.hh_view.setCurrentIndex(blank)
    window.hh_view.edit(blank)
    (editor,) = [w for w in window.hh_view.viewport().findChildren(QLineEdit) if w.isVisible()]
    event = QInputMethodEvent()
    event.setCommitString(head)
    QApplication.sendEvent(editor, event)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


@pytest.fixture
def scratch(qtbot, db_path):
    dialogs = Answering()
    window, database = open_window(qtbot, db_path, dialogs)
    yield window, dialogs, db_path
    window.close()
    database.close()


def build_units(window: MainWindow, dialogs: Answering) -> dict[str, int]:
    tree = window.tree
    dialogs.answers = ["康平县"]
    assert entry(window, None, ADD_COUNTY)()
    county = tree.current_unit()
    dialogs.answers = ["暖泉"]  # not a township's name: refused, nothing added
    assert not entry(window, county, "新增乡镇…")()
    assert "应以“乡”“镇”或“街道”结尾" in dialogs.warnings()[-1]
    dialogs.answers = ["暖泉镇"]
    assert entry(window, county, "新增乡镇…")()
    town = tree.current_unit()
    dialogs.answers = ["前暖泉村"]
    assert entry(window, town, "新增村…")()
    return {"county": county, "town": town, "village": tree.current_unit()}


def test_units_first_month_household_and_member_from_an_empty_database(scratch, tmp_path):
    window, dialogs, path = scratch
    assert "还没有月份" in window.period_state.text() and window.first_month.isVisible()
    assert window.tree.add_county_button.isVisible()
    assert [t for t, _slot in window.tree.menu_entries(None)] == [ADD_COUNTY]

    ids = build_units(window, dialogs)
    assert not window.tree.add_county_button.isVisible()
    assert [t for t, _s in window.tree.menu_entries(ids["town"])] == ["新增村…", "重命名…", "行政区划代码…", "删除"]
    assert [t for t, _s in window.tree.menu_entries(ids["village"])] == ["重命名…", "行政区划代码…", "删除"]
    assert window.unit_id == ids["village"] and window.unit_level == "village"
    assert window.tree.node(ids["village"]).name == "前暖泉村"
    assert window.hh_model.rowCount() == 0  # no month yet: nowhere to type a household
    shot = window.grab()
    assert not shot.isNull()
    shot.save(str(os.path.join(os.environ.get("GUATU_SCREENSHOT_DIR", str(tmp_path)), "start_from_scratch.png")))

    answer_first_month(2020, 3)
    window.new_first_month()
    assert window.period_combo.currentText() == "2020年3月数据 · 4月5日前报送"
    assert not window.first_month.isVisible() and "填报中" in window.period_state.text()
    assert window.tree.current_unit() == ids["village"] and window.hh_model.rowCount() == 1  # the blank row

    type_household(window, "王建国")
    assert window.hh_model.row(0).head_name == "王建国" and window.tree.node(ids["village"]).households == 1
    type_into(window, window.member_model.index(1, 0), "李秀英", QLineEdit)
    assert [window.member_model.person(r)["name"] for r in range(2)] == ["王建国", "李秀英"]

    with Database(path, write=False) as database, database.session() as s:
        assert s.scalars(select(Period.month)).all() == ["2020-03"]
        county = s.get(Unit, ids["county"])
        assert (county.name, county.level) == ("康平县", "county")
        assert [(t.name, [v.name for v in t.children]) for t in county.children] == [("暖泉镇", ["前暖泉村"])]
        assert s.get(Office, 1).unit_id == ids["county"]  # the first county became the office's unit
        (hh,) = s.scalars(select(Household)).all()
        assert hh.village_id == ids["village"]
        members = s.scalars(select(Person).where(Person.household_id == hh.id).order_by(Person.position)).all()
        assert [(p.name, p.relation) for p in members] == [("王建国", "户主"), ("李秀英", None)]
        assert s.scalars(select(AuditEntry.new).where(AuditEntry.table == "units")).all()[:3] == [
            "康平县", "康平县/暖泉镇", "康平县/暖泉镇/前暖泉村"]


def test_removing_a_village_with_households_is_refused_with_the_reason(scratch):
    window, dialogs, path = scratch
    ids = build_units(window, dialogs)
    answer_first_month(2020, 3)
    window.new_first_month()
    type_household(window, "张凤兰")
    assert window.tree.node(ids["village"]).households == 1

    assert not entry(window, ids["village"], "删除")()
    confirm = [t for kind, _title, t in dialogs.shown if kind == "confirm"][-1]
    assert "确定删除“前暖泉村”吗" in confirm
    assert dialogs.warnings()[-1] == ("不能删除“康平县/暖泉镇/前暖泉村”：该单位已有数据——户台账：2020年3月数据1户。"
                                      "只能删除没有任何数据的单位。")
    assert window.tree.node(ids["village"]) is not None
    assert not entry(window, ids["town"], "删除")()
    assert "该单位及其下级单位已有数据" in dialogs.warnings()[-1]

    dialogs.answers = ["后暖泉村"]  # an empty village goes, and the township is selected again
    assert entry(window, ids["town"], "新增村…")()
    empty = window.tree.current_unit()
    assert entry(window, empty, "删除")()
    assert window.tree.node(empty) is None and window.tree.current_unit() == ids["town"]
    with Database(path, write=False) as database, database.session() as s:
        assert s.get(Unit, empty) is None and s.get(Unit, ids["village"]) is not None


def test_rename_and_division_code_through_the_menu(scratch):
    window, dialogs, path = scratch
    ids = build_units(window, dialogs)
    dialogs.answers = ["暖泉乡"]
    assert entry(window, ids["town"], "重命名…")()
    assert window.tree.node(ids["town"]).name == "暖泉乡" and window.tree.current_unit() == ids["town"]
    dialogs.answers = ["1234"]
    assert not entry(window, ids["village"], "行政区划代码…")()
    assert "应为12位数字" in dialogs.warnings()[-1]
    dialogs.answers = ["210523101201"]
    assert entry(window, ids["village"], "行政区划代码…")()
    with Database(path, write=False) as database, database.session() as s:
        assert s.get(Unit, ids["town"]).name == "暖泉乡"
        assert s.get(Unit, ids["village"]).division_code == "210523101201"


def test_first_month_dialog_defaults_and_refuses_a_second_first_month(scratch):
    window, dialogs, _path = scratch
    assert previous_calendar_month(dt.date(2021, 1, 10)) == (2020, 12)
    dialog = FirstMonthDialog(window.store, dialogs, window, today=dt.date(2021, 1, 10))
    assert dialog.month() == "2020-12" and dialog.preview.text() == "2020年12月数据 · 1月5日前报送"
    dialog.accept()
    assert dialog.created == "2020-12"
    again = FirstMonthDialog(window.store, dialogs, window, today=dt.date(2021, 3, 1))
    again.accept()
    assert again.created is None and "请用“新建月份”" in dialogs.warnings()[-1]


def test_right_click_opens_the_menu_and_real_dialogs_ask_one_line(scratch, monkeypatch):
    """The real wiring: a right-click pops the menu up; with the window's real Dialogs a name is asked
    in a one-line QInputDialog."""
    from PySide6.QtWidgets import QInputDialog, QMenu

    from app.ui.dialogs import Dialogs

    window, dialogs, path = scratch
    ids = build_units(window, dialogs)
    window.tree.dialogs = Dialogs()
    seen: list[list[str]] = []

    def in_dialog() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(20, in_dialog)
            return
        assert box.inputMode() == QInputDialog.InputMode.TextInput  # one line, not the multi-line ask_text
        assert not box.testOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
        box.setTextValue("后暖泉村")
        box.accept()

    def in_menu() -> None:
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, in_menu)
            return
        seen.append([a.text() for a in menu.actions()])
        QTimer.singleShot(0, in_dialog)
        menu.actions()[0].trigger()
        menu.close()

    rect = window.tree.visualRect(window.tree.model_.index(0, 0, window.tree.model_.index(0, 0)))  # 暖泉镇
    QTimer.singleShot(0, in_menu)
    window.tree.customContextMenuRequested.emit(rect.center())
    QApplication.processEvents()
    assert seen == [["新增村…", "重命名…", "行政区划代码…", "删除"]]
    node = window.tree.node(window.tree.current_unit())
    assert (node.name, node.level, node.parent_id) == ("后暖泉村", "village", ids["town"])
    with Database(path, write=False) as database, database.session() as s:
        assert [v.name for v in s.get(Unit, ids["town"]).children] == ["前暖泉村", "后暖泉村"]


def test_read_only_window_offers_no_building(qtbot, db_path):
    database = Database(db_path)
    window = MainWindow(database, read_only=True, dialogs=Answering())
    qtbot.addWidget(window)
    window.show()
    assert not window.tree.add_county_button.isVisible() and not window.first_month.isVisible()
    window.dialogs.answers = ["康平县"]
    assert not window.tree.add_county()
    assert "只读" in window.dialogs.warnings()[-1]
    window.close()
    database.close()

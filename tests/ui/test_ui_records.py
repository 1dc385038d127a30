"""工具 › 入户走访与动态调整 on the demo register: a visit typed by keyboard alone, reasons typed in
the 动态调整 table, the 名单 exported — every change read back from the SQLite file."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.models import Adjustment, Household, Person, Visit
from app.services import register
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.records_view import RecordsView

MONTH = "2020-03"


def make_view(qtbot, db) -> RecordsView:
    create_application()
    v = RecordsView(db, MONTH, RecordingDialogs())
    qtbot.addWidget(v)
    v.resize(1300, 700)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v)
    return v


def ime(widget, text: str) -> None:
    """Chinese arrives from the input method as a committed string, as on a clerk's machine."""
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def _tab(n=1):
    for _ in range(n):
        w = QApplication.focusWidget()
        assert w is not None
        QTest.keyClick(w, Qt.Key.Key_Tab)


def test_visit_typed_by_keyboard(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    f = v.form
    label = next(iter(f.households))
    before = len(f.households)
    start = time.monotonic()
    f.household.setFocus()
    ime(f.household.lineEdit(), label)
    QTest.keyClick(f.household.lineEdit(), Qt.Key.Key_Escape)  # close the completer if it opened
    f.visitor.setFocus()
    ime(f.visitor, "孙丽华")
    _tab()
    assert QApplication.focusWidget() is f.asks["basic"]
    for _ in range(5):  # 五问: all asked
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
        _tab()
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # 讲党恩
    _tab(4)
    assert QApplication.focusWidget() is f.looks["housing"][0]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # 看住房有问题
    _tab()
    ime(QApplication.focusWidget(), "屋顶漏雨")
    _tab(5)
    assert QApplication.focusWidget() is f.problems
    ime(f.problems, "屋顶修缮")
    _tab(2)
    assert QApplication.focusWidget() is f.satisfaction
    QTest.keyClick(f.satisfaction, Qt.Key.Key_2)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert time.monotonic() - start < 60
    with demo_db.read_session() as s:
        visit = s.scalar(select(Visit).where(Visit.household_uuid == f.households[label], Visit.visitor == "孙丽华"))
        assert visit is not None and visit.satisfaction == "基本满意" and visit.ask_advice and visit.talk_party
        assert visit.look_housing == "有问题" and visit.look_housing_note == "屋顶漏雨"
        assert [(p.text, p.look) for p in visit.problems] == [("屋顶修缮", "housing")]
    # ready for the next household: cleared, visitor kept, focus back on the household
    assert f.household.currentText() == "" and f.visitor.text() == "孙丽华" and not f.asks["basic"].isChecked()
    assert len(f.households) == before and "孙丽华" in v.visit_table.item(0, 3).text()


def test_reason_typed_in_the_table_closes_a01_and_export(demo_db, qtbot, tmp_path):
    with demo_db.session() as s:
        hh = s.scalar(select(Household).join(Household.members).where(Person.relation == "之子")
                      .order_by(Household.id.desc()).limit(1))
        child = next(p for p in hh.members if p.relation == "之子")
        register.remove_member(s, child.id)
        uuid = s.scalar(select(Adjustment.uuid).where(Adjustment.person_uuid == child.uuid))
    v = make_view(qtbot, demo_db)
    v.tabs.setCurrentIndex(1)
    row = next(i for i, r in enumerate(v.adj.rows) if r.uuid == uuid)
    assert v.adj.rows[row].open
    t = v.adj_table
    t.setFocus()
    t.setCurrentCell(row, 8)
    QTest.keyClick(t, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    ime(editor, "外出务工落户外地")
    assert editor.text() == "外出务工落户外地", (editor.text(), t.state())
    QTest.keyClick(editor, Qt.Key.Key_Return)

    def stored():
        with demo_db.read_session() as s:
            return s.scalar(select(Adjustment.reason).where(Adjustment.uuid == uuid))

    qtbot.waitUntil(lambda: stored() == "外出务工落户外地")
    assert not next(r for r in v.adj.rows if r.uuid == uuid).open
    files = v.export_adjustments(str(tmp_path))
    assert len(files) == 2 and all((tmp_path / p).exists() for p in files)


def test_remove_in_the_main_window_demands_a_record_undo_takes_it_back(demo_db_path, qtbot):
    from PySide6.QtCore import QTimer

    from app.ui.main_window import MainWindow

    create_application()
    from app.storage import Database

    database = Database(demo_db_path)
    window = MainWindow(database, dialogs=RecordingDialogs())
    qtbot.addWidget(window)
    window.show()
    with database.read_session() as s:
        from app.models import Period

        pid = s.scalar(select(Period.id).where(Period.month == MONTH))
        hh = s.scalar(select(Household).join(Person).where(Household.period_id == pid, Person.relation == "配偶")
                      .limit(1))
        spouse = next(p for p in hh.members if p.relation == "配偶")
        hh_uuid, p_uuid, name = hh.uuid, spouse.uuid, spouse.name

    def records():
        with database.read_session() as s:
            return s.scalars(select(Adjustment.kind).where(Adjustment.person_uuid == p_uuid)).all()

    assert window.editor.remove_member(hh_uuid, p_uuid, name)
    assert records() == ["自然减少"]
    window.editor.stack.undo()
    assert records() == []
    window.editor.stack.redo()
    assert records() == ["自然减少"]
    seen = {}

    def look():
        dlg = QApplication.activeModalWidget()
        view = dlg.findChild(RecordsView)
        seen["rows"] = [(r.name, r.kind, r.open) for r in view.adj.rows]
        dlg.reject()

    QTimer.singleShot(300, look)
    window.acts["records"].trigger()
    assert (name, "自然减少", True) in seen["rows"]
    database.close()


def test_a01_reason_typed_from_the_problems_dock(demo_db_path, qtbot):
    from app.services import checks
    from app.services.periods import get_period
    from app.storage import Database
    from app.ui.main_window import MainWindow

    create_application()
    database = Database(demo_db_path)
    dialogs = RecordingDialogs(text="随子女迁往外省")
    window = MainWindow(database, dialogs=dialogs)
    qtbot.addWidget(window)
    with database.read_session() as s:
        from app.models import Period

        pid = s.scalar(select(Period.id).where(Period.month == MONTH))
        hh = s.scalar(select(Household).join(Person).where(Household.period_id == pid, Person.relation == "配偶").limit(1))
        spouse = next(p for p in hh.members if p.relation == "配偶")
        hh_uuid, p_uuid, name = hh.uuid, spouse.uuid, spouse.name
    assert window.editor.remove_member(hh_uuid, p_uuid, name)
    with database.read_session() as s:
        a01 = next(f for f in checks.check_period(s, get_period(s, MONTH)) if f.code == "A-01" and f.person == p_uuid)
    window.acknowledge(a01)  # what the dock's 填写… does for the selected finding
    with database.read_session() as s:
        assert s.scalar(select(Adjustment.reason).where(Adjustment.person_uuid == p_uuid)) == "随子女迁往外省"
        assert not [f for f in checks.check_period(s, get_period(s, MONTH)) if f.code == "A-01"]
    database.close()

"""A month's whole cycle in the window: sent as final → an edit refused with the reason → 重新打开本月…
(reason required, audited, the CLI's service) → the edit lands; the banner beside the month selector."""

from __future__ import annotations

import datetime as dt

import pytest
from _query import query as _q
from _small_register import build_register
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_ui_window import cell, db_person, open_window, type_into

from app.services.browse import PeriodInfo
from app.services.export import export_package
from app.storage import Database
from app.ui.delegates import AgeSpin
from app.ui.dialogs import RecordingDialogs
from app.ui.month_state import banner


@pytest.fixture
def sent(db_path, tmp_path):
    """A register whose month was exported as final (locked)."""
    database = Database(db_path)
    ids = build_register(database)
    export_package(database, "2020-03", None, tmp_path / "out", draft=True)  # a draft does not lock
    with database.session() as s:
        from app.services.periods import lock_period

        lock_period(s, "2020-03", "正式报送")
    database.close()
    return db_path, ids


def test_sent_month_refuses_an_edit_and_reopens_with_a_reason(qtbot, sent):
    path, ids = sent
    dialogs = RecordingDialogs(choice=0, text="乡里更正了刘小军的年龄")
    window, database = open_window(qtbot, path, dialogs)
    window.tree.select_unit(ids["v2"])
    assert window.period_state.text().strip().startswith("已报送（")  # with its date
    assert window.lock_bar.isVisible() and "不能修改" in window.lock_bar.text.text()
    assert window.acts["reopen"].isEnabled()
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 1, "age"))
    QTest.keyClicks(window.grid, "3")  # an edit attempt: refused with the reason, 重新打开本月… offered
    kinds = [(k, t) for k, t, _ in dialogs.shown]
    assert kinds[0] == ("choose", "本月已报送") and "报送" in dialogs.shown[0][2]
    assert kinds[1] == ("ask", "重新打开本月")  # the reason asked
    assert not window.store.locked and not window.lock_bar.isVisible()
    assert "填报中" in window.period_state.text()
    assert window.panel._widgets["helper_name"].isEnabled()  # the panel shown is editable again
    rows = _q(path, "SELECT action, period, new FROM audit_log WHERE action = 'reopen'")
    assert rows == [("reopen", "2020-03", "乡里更正了刘小军的年龄")]  # the same audit row as the CLI writes
    window.tree.select_unit(ids["v2"])
    type_into(window, cell(window, 1, "age"), "33", AgeSpin)
    assert db_person(path, window.household_id, 1)["age"] == 33  # the edit lands
    window.close()
    database.close()


def test_reopen_needs_a_reason_and_a_panel_click_is_refused(qtbot, sent):
    path, ids = sent
    dialogs = RecordingDialogs(choice=0, text="   ")
    window, database = open_window(qtbot, path, dialogs)
    window.tree.select_unit(ids["v2"])
    field = window.panel._widgets["helper_name"]
    QTest.mouseClick(window.panel, Qt.MouseButton.LeftButton, pos=field.mapTo(window.panel, field.rect().center()))
    assert [k for k, *_ in dialogs.shown] == ["choose", "ask", "warn"]  # empty reason: not reopened
    assert window.store.locked
    assert _q(path, "SELECT count(*) FROM audit_log WHERE action = 'reopen'") == [(0,)]
    window.close()
    database.close()


def test_banner_counts_from_the_due_date_of_the_month_shown():
    march = PeriodInfo(1, "2020-03", "open", dt.date(2020, 4, 5))
    assert "还剩5天" in banner(march, dt.date(2020, 3, 31))[0]
    text, colour = banner(march, dt.date(2020, 4, 8))
    assert "已逾期3天" in text and colour == "#c0392b"
    sent = PeriodInfo(1, "2020-03", "locked", dt.date(2020, 4, 5), dt.datetime(2020, 4, 3, 16, 20))
    assert banner(sent, dt.date(2026, 11, 30))[0].strip() == "已报送（4月3日）"


@pytest.fixture
def december(tmp_path):
    from app.services.demo import generate
    from app.services.demo_parts import DemoMonths

    path = tmp_path / "dec.db"
    with Database(path, create=True) as database:
        generate(database, persons=150, seed=4, months=DemoMonths("2020-11", "2020-12"))
    return path


def test_new_month_across_a_year_asks_for_incomes_in_a_table(qtbot, december, tmp_path):
    """Typed, pasted from Excel (Ctrl+V) and imported from a workbook; never a JSON file."""
    from PySide6.QtGui import QGuiApplication

    from app.services.prior_incomes import prior_rows, write_template
    from app.ui.new_month_dialog import INCOME_COL, NewMonthDialog

    dialogs = RecordingDialogs()
    with Database(december) as database:
        dlg = NewMonthDialog(database, "2020-12", dialogs=dialogs)
        qtbot.addWidget(dlg)
        dlg.show()
        assert dlg.target.text() == "2021-01" and dlg.incomes_box.isVisible()
        table = dlg.table
        n = table.rowCount()
        assert n > 20 and table.item(0, 3).text() == table.item(0, INCOME_COL).text() != ""  # December's offered
        table.setFocus()
        table.setCurrentCell(0, INCOME_COL)
        QGuiApplication.clipboard().setText("刘德明\t5,100\r\n张三\t4800\r\n")  # two lines copied from Excel
        QTest.keySequence(table, "Ctrl+V")
        assert [table.item(r, INCOME_COL).text() for r in range(2)] == ["5100", "4800"]
        with database.session() as s:
            rows = prior_rows(s, "2020-12")
        book = tmp_path / "incomes.xlsx"
        write_template(book, rows[2:4])
        from openpyxl import load_workbook

        wb = load_workbook(book)
        wb.active["D2"], wb.active["D3"] = 6000, "5300元"
        wb.active["C2"] = None  # no 身份证号: matched by village and head
        wb.save(book)
        assert dlg.import_workbook(str(book)) == 2
        assert [table.item(r, INCOME_COL).text() for r in (2, 3)] == ["6000", "5300"]
        table.item(5, INCOME_COL).setText("约四千")
        dlg.start()
        assert dialogs.shown[-1][0] == "error" and "约四千" in dialogs.shown[-1][2]
        table.item(5, INCOME_COL).setText("4100")
        dlg.start()
        assert dlg.handle.wait(60000) and dlg.result["period"] == "2021-01"
        assert dlg.result["left_scope"] == [rows[2].head]  # above 5760: not carried
    got = dict(_q(december, "SELECT h.uuid, h.band FROM households h JOIN periods p ON p.id = h.period_id "
                            "WHERE p.month = '2021-01'"))
    assert got[rows[0].uuid] == "B" and got[rows[1].uuid] == "A" and got[rows[3].uuid] == "B"
    assert rows[2].uuid not in got


def test_within_a_year_no_incomes_are_asked(qtbot, demo_db):
    from app.ui.new_month_dialog import NewMonthDialog

    dlg = NewMonthDialog(demo_db, "2020-03", dialogs=RecordingDialogs())
    qtbot.addWidget(dlg)
    dlg.show()
    assert not dlg.incomes_box.isVisible()
    dlg.target.setText("2021-01")
    assert dlg.incomes_box.isVisible() and dlg.table.rowCount() > 0

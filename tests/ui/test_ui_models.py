"""Table models checked by QAbstractItemModelTester; the second-copy lock; the background runner."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from _small_register import build_register
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.services.operations import UpdateOffice
from app.services.register import Refused
from app.storage import Database
from app.ui.app import create_application, open_database
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow
from app.ui.models import HouseholdListModel, MemberModel
from app.ui.problems import FindingsModel
from app.ui.store import Store
from app.ui.tasks import Cancelled, TaskRunner

MODE = QAbstractItemModelTester.FailureReportingMode.Fatal


def test_models_pass_the_model_tester(qtbot, demo_db):
    create_application()
    store = Store(demo_db)
    store.set_period(store.periods()[0])
    villages = [v for root in store.tree() for t in root.children for v in t.villages()]
    hh = HouseholdListModel(store)
    QAbstractItemModelTester(hh, MODE)
    ids = store.household_ids(villages)
    assert len(ids) > 50
    hh.reset(ids, blank_row=True)
    assert hh.rowCount() == len(ids) + 1
    assert hh.index(len(ids) - 1, 0).data() != ""  # fetched on demand, far from the first chunk
    members = MemberModel(store)
    QAbstractItemModelTester(members, MODE)
    members.load(ids[0])
    assert members.rowCount() == len(members.ids) + 1
    members.set_findings(store.check_household(ids[0]))
    members.refresh_person(members.ids[0])
    members.load(None)
    findings = FindingsModel()
    QAbstractItemModelTester(findings, MODE)
    findings.set_rows(store.check_household(ids[1]) + store.check_household(ids[2]))


def test_second_copy_gets_the_lock_message_and_cannot_write(qtbot, db_path):
    create_application()
    holder = Database(db_path)
    build_register(holder)
    try:
        refuse = RecordingDialogs(choice=1)  # 退出
        assert open_database(db_path, refuse) is None
        kind, _title, text = refuse.shown[-1]
        assert kind == "choose" and "正被另一个挂图作战程序使用" in text and "不能修改" in text
        readonly = RecordingDialogs(choice=0)  # 只读打开
        database, read_only = open_database(db_path, readonly)
        try:
            assert read_only and not database.write
            window = MainWindow(database, read_only=True, dialogs=readonly)
            qtbot.addWidget(window)
            window.wait_checks()
            assert "只读" in window.windowTitle()
            assert window.member_model.rowCount() > 0
            index = window.member_model.index(0, 0)
            assert not window.member_model.flags(index) & Qt.ItemFlag.ItemIsEditable
            assert not window.member_model.setData(index, "改名", Qt.ItemDataRole.EditRole)
            with pytest.raises(Refused):
                window.store.write(UpdateOffice({"preparer": "改名"}))
            window.close()
        finally:
            database.close()
    finally:
        holder.close()


def test_task_runner_reports_progress_result_error_and_cancel(qtbot, db):
    create_application()
    build_register(db)
    runner = TaskRunner(db)
    seen: dict = {}
    handle = runner.run(lambda s, p: (p.set(1, 2, "一半"), threading.current_thread().name,
                                      len(Store(db).periods()))[1:],
                        on_result=lambda r: seen.update(result=r, thread=threading.current_thread().name),
                        show_progress=False)
    assert handle.wait()
    worker_thread, periods = seen["result"]
    assert worker_thread != threading.main_thread().name and periods == 1
    assert seen["thread"] == threading.main_thread().name  # callbacks on the GUI thread

    def boom(_s, _p):
        raise ValueError("坏了")

    handle = runner.run(boom, on_error=lambda e: seen.update(error=e), show_progress=False)
    assert handle.wait() and isinstance(seen["error"], ValueError)

    started = threading.Event()

    def slow(_s, p):
        started.set()
        while True:
            p.check()

    handle = runner.run(slow, on_error=lambda e: seen.update(cancelled=e), show_progress=False)
    assert started.wait(5)
    handle.cancel()
    assert handle.wait() and isinstance(seen["cancelled"], Cancelled)


def test_locked_month_is_shown_and_cannot_be_edited(qtbot, db_path):
    from app.models import Period

    create_application()
    database = Database(db_path)
    ids = build_register(database)
    with database.session() as s:
        s.get(Period, ids["period"]).state = "locked"
    window = MainWindow(database, dialogs=RecordingDialogs())
    qtbot.addWidget(window)
    window.wait_checks()
    try:
        assert "已报送" in window.period_state.text()
        assert window.period_combo.currentText() == "2020年3月数据 · 4月5日前报送"
        window.tree.select_unit(ids["v1"])
        index = window.member_model.index(0, 0)
        assert window.member_model.rowCount() == 2  # no blank row to add members
        assert not window.member_model.flags(index) & Qt.ItemFlag.ItemIsEditable
        assert not window.acts["add_household"].isEnabled()
    finally:
        window.close()
        database.close()


def test_names_are_checked_as_typed(qtbot):
    from app.ui.delegates import BAD_STYLE, name_edit

    create_application()
    edit = name_edit()
    qtbot.addWidget(edit)
    edit.setText("王2")
    assert edit.styleSheet() == BAD_STYLE and "H-03" in edit.toolTip()
    edit.setText("阿依古丽·买买提")
    assert edit.styleSheet() == "" and edit.toolTip() == ""


def test_unexpected_error_is_logged_and_shown_once(qtbot, tmp_path, monkeypatch):
    import sys

    from app import logging_setup
    from app.ui.app import install_excepthook

    create_application()
    log = tmp_path / "guatu.log"
    monkeypatch.setattr(logging_setup, "log_exception", lambda exc: (log.write_text(repr(exc)), log)[1])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    dialogs = RecordingDialogs()
    install_excepthook(dialogs)
    try:
        raise RuntimeError("测试用的意外")
    except RuntimeError as e:
        sys.excepthook(type(e), e, e.__traceback__)
    (shown,) = dialogs.shown
    assert shown[0] == "error" and str(log) in shown[2] and "测试用的意外" in shown[2]
    assert "测试用的意外" in log.read_text()


def test_switching_months_shows_that_months_register_and_findings(qtbot, demo_db):
    from app.services.checks import check_period

    create_application()
    window = MainWindow(demo_db, dialogs=RecordingDialogs())
    qtbot.addWidget(window)
    try:
        latest, earlier = window.store.periods()[:2]
        assert window.store.period == latest
        window.period_combo.setCurrentIndex(1)  # at once, while the latest month may still be checked
        window.wait_checks()
        assert window.store.period == earlier and window.editor.stack.count() == 0
        with demo_db.session() as s:
            # the month's findings and its year's ledger rows (D-rules), judged today as the window does
            expected = sorted((f.code, f.person or f.household or "")
                              for f in check_period(s, earlier.month, today=dt.date.today()))
        shown = sorted((f.code, f.person or f.household or "") for fs in window.findings.values() for f in fs)
        assert shown == expected
        root = window.tree.model_.index(0, 0)
        assert int(root.siblingAtColumn(1).data()) == window.store.tree()[0].households
    finally:
        window.close()

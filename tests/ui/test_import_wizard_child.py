"""The import wizard on a large file: preview and write in a child process, driven by clicks on the
window's wizard; 取消 before the commit rolls back, a killed child leaves the window usable. The
threshold is set low so a small workbook takes the child path."""

from __future__ import annotations

import threading

import pytest
from _query import query
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QProgressDialog, QWizard
from sqlalchemy import event
from test_import_helpers import dump, households, write_form4
from test_ui_window import cell, open_window, small  # noqa: F401 - fixtures

from app.services import import_child
from app.ui.import_wizard import ImportWizard
from app.ui.tasks import Cancelled


@pytest.fixture
def child(monkeypatch):
    monkeypatch.setattr(import_child, "CHILD_FROM_BYTES", 1)


@pytest.fixture
def book(tmp_path):
    return write_form4(tmp_path / "附件4.xlsx", households())


def _click(qtbot, wizard: QWizard, which: QWizard.WizardButton) -> None:
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), button.text()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def _wizard(qtbot, window, book, before=None) -> ImportWizard:
    wizard = ImportWizard(window.store.db, None, window, before_write=before or (lambda _plan: None))
    qtbot.addWidget(wizard)
    wizard.show()
    QTest.qWaitForWindowExposed(wizard)
    wizard.files_page.add_paths([str(book)])
    wizard.files_page.month.setFocus()
    QTest.keyClicks(wizard.files_page.month, "2020-03")
    return wizard


def _statements(window) -> list[str]:
    """Every statement the window's own connections run from now on."""
    seen: list[str] = []
    for engine in (window.store.db.engine, window.store.db.read_engine):
        event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    return seen


def _persons(path) -> int:
    return query(path, "SELECT count(*) FROM persons")[0][0]


def test_the_wizard_previews_and_imports_through_a_child(qtbot, small, child, book):  # noqa: F811
    window, database = open_window(qtbot, small[0])
    try:
        seen = _statements(window)
        wizard = _wizard(qtbot, window, book)
        _click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.handle.wait(60000) and wizard.handle.error is None, wizard.handle.error
        page = wizard.preview_page
        assert "新增12户48人" in page.summary.text() and page.isComplete()
        assert page.tabs.widget(0).rowCount() == 3 and page.tabs.widget(0).item(0, 2).text() == "新增"
        _click(qtbot, wizard, QWizard.WizardButton.CommitButton)
        assert wizard.handle.wait(60000) and wizard.handle.error is None, wizard.handle.error
        assert "导入完成" in wizard.done_page.label.text() and "新增12户48人" in wizard.done_page.label.text()
        assert _persons(small[0]) == 6 + 48
        # read, checked and written by the child: the window's connections wrote nothing
        assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        _click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    finally:
        window.close()
        database.close()


def test_cancel_clicked_while_importing_leaves_the_register_unchanged(qtbot, small, child, book):  # noqa: F811
    window, database = open_window(qtbot, small[0])
    clicked = threading.Event()

    def before(_plan) -> None:  # the backup's moment: the files are checked, the write is next
        assert clicked.wait(30)

    try:
        wizard = _wizard(qtbot, window, book, before)
        _click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.handle.wait(60000) and wizard.preview_page.isComplete()
        before_rows = dump(small[0])
        _click(qtbot, wizard, QWizard.WizardButton.CommitButton)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in wizard.findChildren(QProgressDialog)), timeout=10000)
        (dialog,) = [d for d in wizard.findChildren(QProgressDialog) if d.isVisible()]
        (cancel,) = [b for b in dialog.findChildren(type(wizard.button(QWizard.WizardButton.NextButton)))
                     if b.text() == "取消"]
        QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
        clicked.set()
        assert wizard.handle.wait(60000)
        assert "导入未完成，数据库没有任何改动" in wizard.done_page.label.text()
        assert dump(small[0]) == before_rows and import_child.live_children() == []
    finally:
        window.close()
        database.close()


def test_a_child_killed_mid_import_leaves_the_window_usable(qtbot, small, child, book):  # noqa: F811
    import os
    import signal

    window, database = open_window(qtbot, small[0])

    def kill(_plan) -> None:  # in the parent, while the child waits with its transaction open
        (pid,) = import_child.live_children()
        os.kill(pid, signal.SIGKILL)

    try:
        before_rows = dump(small[0])
        wizard = _wizard(qtbot, window, book, kill)
        _click(qtbot, wizard, QWizard.WizardButton.NextButton)
        assert wizard.handle.wait(60000)
        _click(qtbot, wizard, QWizard.WizardButton.CommitButton)
        assert wizard.handle.wait(60000)
        assert "导入进程意外退出，数据库没有任何改动" in wizard.done_page.label.text()
        assert dump(small[0]) == before_rows
        _click(qtbot, wizard, QWizard.WizardButton.FinishButton)
        qtbot.waitUntil(lambda: not wizard.isVisible())
        window.activateWindow()
        assert QTest.qWaitForWindowActive(window)
        window.tree.select_unit(small[1]["v2"])  # the window still reads and writes
        assert window.member_model.setData(cell(window, 1, "age"), 21)  # through the window's write worker
        window.editor.wait_idle()
        assert query(small[0], "SELECT age FROM persons WHERE name = '刘小军'") == [(21,)]
    finally:
        window.close()
        database.close()


def test_cancel_is_refused_once_the_commit_has_begun(qtbot):
    from PySide6.QtWidgets import QPushButton, QWidget

    from app.ui.tasks import TaskRunner

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    committed = threading.Event()

    def commit(progress) -> str:  # as the import's wait for its child once the commit is under way
        assert progress.hold(import_child.WRITING)
        assert committed.wait(30)
        return "done"

    runner = TaskRunner(None, parent)
    handle = runner.run(commit, title="导入", with_session=False)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in parent.findChildren(QProgressDialog)), timeout=10000)
    (dialog,) = parent.findChildren(QProgressDialog)
    qtbot.waitUntil(lambda: dialog.labelText() == import_child.WRITING)
    assert not [b for b in dialog.findChildren(QPushButton) if b.isVisible()]  # no 取消 button to click
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # nor does Esc cancel
    handle.progress.cancel()
    assert not handle.progress.cancelled
    committed.set()
    assert handle.wait(30000) and handle.error is None and handle.result == "done"
    # 取消 pressed before the child asked to commit: the hold is refused and the work is cancelled
    pressed, holds = threading.Event(), []

    def late(progress) -> None:
        assert pressed.wait(30)
        holds.append(progress.hold(import_child.WRITING))
        progress.check()

    handle = runner.run(late, title="导入", with_session=False, show_progress=False)
    handle.cancel()
    pressed.set()
    assert handle.wait(30000) and holds == [False] and isinstance(handle.error, Cancelled)

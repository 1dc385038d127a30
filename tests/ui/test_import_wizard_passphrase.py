"""The import wizard asks for the passphrase of a package's AES zip of 身份证号 and phones (issue 16:
they travel only encrypted): the field shows only for such a package, a wrong passphrase is said on
the files page before any preview, the right one brings the identifiers back (pytest-qt, real keys)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from _query import query
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWizard

from app.importers.package import holds_identifiers, passphrase_problem
from app.storage import Database
from app.ui.import_wizard import ImportWizard

PASS = "kangping-2020-口令"


def _ids(db_path: Path) -> list[tuple]:
    return query(db_path, """SELECT p.uuid, p.id_number, p.phone FROM persons p
        JOIN households h ON h.id = p.household_id JOIN periods m ON m.id = h.period_id
        JOIN units v ON v.id = h.village_id JOIN units t ON t.id = v.parent_id
        WHERE m.month = '2020-03' AND t.name = '张强镇' ORDER BY p.uuid""")


@pytest.fixture
def packages(demo_db_path, tmp_path):
    """张强镇's package to the county, once with its identifiers encrypted and once without."""
    from app.services.export import export_package

    with Database(demo_db_path) as d:
        secret = export_package(d, "2020-03", "张强镇", tmp_path / "secret", draft=True, recipient="county",
                                passphrase=PASS)
        plain = export_package(d, "2020-03", "张强镇", tmp_path / "plain", draft=True, recipient="county")
    return secret, plain


def _next(wizard: QWizard) -> None:
    QTest.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def test_wrong_passphrase_is_said_then_the_right_one_restores_the_identifiers(qtbot, demo_db_path, packages):
    secret, plain = packages
    assert holds_identifiers(secret["zip"]) and holds_identifiers(secret["folder"])
    assert not holds_identifiers(plain["zip"])
    assert passphrase_problem(secret["zip"], PASS) is None and "口令不对" in passphrase_problem(secret["zip"], "x" * 9)
    before = _ids(demo_db_path)
    assert any(i for _u, i, _p in before)
    con = sqlite3.connect(demo_db_path)  # this register lost them (a fresh copy, say)
    con.execute("UPDATE persons SET id_number = NULL, phone = NULL")
    con.commit()
    con.close()

    db = Database(demo_db_path)
    try:
        wizard = ImportWizard(db, "2020-03", before_write=lambda _plan: None)
        qtbot.addWidget(wizard)
        wizard.show()
        page = wizard.files_page
        page.add_paths([plain["zip"]])
        assert not page.passphrase.isVisible()  # nothing encrypted chosen: no field
        page.files.clear()
        page.add_paths([secret["zip"]])
        assert page.passphrase.isVisible()
        page.passphrase.setFocus()
        QTest.keyClicks(page.passphrase, "kangping-2019")
        _next(wizard)
        assert wizard.currentPage() is page  # not on to the preview
        assert "口令不对" in page.passphrase_error.text() and "张强镇" in page.passphrase_error.text()
        assert page.passphrase.hasSelectedText()  # ready to be typed over
        QTest.keyClicks(page.passphrase, "short")  # typing over it clears the message
        assert page.passphrase_error.text() == ""
        _next(wizard)
        assert wizard.currentPage() is page and "至少8个字符" in page.passphrase_error.text()
        QTest.keyClick(page.passphrase, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(page.passphrase, "kangping-2020-")
        event = QInputMethodEvent()  # Chinese arrives from the input method as a commit string
        event.setCommitString("口令")
        QApplication.sendEvent(page.passphrase, event)
        assert page.passphrase.text() == PASS
        _next(wizard)
        assert wizard.currentPage() is wizard.preview_page
        assert wizard.handle.wait(120000)
        qtbot.waitUntil(lambda: wizard.plan is not None, timeout=10000)
        assert not wizard.plan.errors, [str(f) for f in wizard.plan.errors]
        preview = wizard.preview_page
        if wizard.plan.needs_replace:  # the identifiers differ from what this register holds
            preview.replace.setFocus()
            QTest.keyClick(preview.replace, Qt.Key.Key_Space)
        assert preview.isComplete()
        _next(wizard)
        assert wizard.handle.wait(120000)
        qtbot.waitUntil(lambda: wizard.result is not None, timeout=10000)
        assert "导入完成" in wizard.done_page.label.text()
    finally:
        db.close()
    assert _ids(demo_db_path) == before

"""The export dialog: what will be included, a draft export off the GUI thread, refusal shown."""

from __future__ import annotations

from pathlib import Path

import _export_register as R
import pytest

from app.storage import Database
from app.ui.dialogs import RecordingDialogs


@pytest.fixture
def clean_db(tmp_path):
    path = tmp_path / "clean.db"
    with Database(path, create=True) as db:
        R.build(db)
    db = Database(path)
    yield db
    db.close()


def test_preview_and_draft_export(qtbot, clean_db, tmp_path):
    from app.ui.export_dialog import ExportDialog

    rec = RecordingDialogs()
    dlg = ExportDialog(clean_db, "2020-03", dialogs=rec)
    dlg.open_folder = False
    qtbot.addWidget(dlg)
    assert dlg.month.currentData() == "2020-03" and dlg.unit.currentText() == "康平县"
    text = dlg.contents.text()
    assert "康平县2020年3月挂图作战月报" in text and "5户11人" in text and "附件1 帮扶情况调度表.xlsx" in text
    dlg.unit.setCurrentIndex(dlg.unit.findText("康平县/暖泉镇"))
    dlg.draft.setChecked(True)
    assert "暖泉镇2020年3月挂图作战月报-草稿" in dlg.contents.text()
    dlg.folder.setText(str(tmp_path / "out"))
    handle = dlg.start()
    assert handle is not None and handle.wait(120000)
    assert handle.error is None
    folder = Path(dlg.result["folder"])
    assert folder.name == "暖泉镇2020年3月挂图作战月报-草稿" and (folder / "manifest.json").is_file()
    assert rec.shown and rec.shown[-1][0] == "info" and str(folder) in rec.shown[-1][2]


def test_refusal_is_shown_and_nothing_written(qtbot, demo_db_path, tmp_path):
    from app.ui.export_dialog import ExportDialog

    db = Database(demo_db_path)
    try:
        rec = RecordingDialogs()
        dlg = ExportDialog(db, None, dialogs=rec)
        qtbot.addWidget(dlg)
        dlg.unit.setCurrentIndex(dlg.unit.findText("康平县"))
        out = tmp_path / "out"
        dlg.folder.setText(str(out))
        handle = dlg.start()
        assert handle.wait(120000)
        kind, _, text = rec.shown[-1]
        assert kind == "error" and "不能导出正式月报" in text and "[H-" in text
        assert not out.exists() or not any(out.iterdir())
        assert dlg.export_button.isEnabled()
    finally:
        db.close()


def test_cancel_from_the_progress(qtbot, clean_db, tmp_path):
    from app.ui.export_dialog import ExportDialog

    rec = RecordingDialogs()
    dlg = ExportDialog(clean_db, "2020-03", dialogs=rec)
    qtbot.addWidget(dlg)
    out = tmp_path / "out"
    dlg.folder.setText(str(out))
    handle = dlg.start()
    handle.cancel()  # what 取消 on the progress dialog does
    assert handle.wait(120000)
    assert rec.shown[-1][0] == "info" and "已取消" in rec.shown[-1][2]
    assert not out.exists() or not any(out.iterdir())
    with clean_db.session() as s:
        from app.services.periods import get_period

        assert not get_period(s, "2020-03").locked


def test_recipient_chosen_in_the_dialog(qtbot, clean_db, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.ui.export_dialog import ExportDialog

    rec = RecordingDialogs()
    dlg = ExportDialog(clean_db, "2020-03", dialogs=rec)
    dlg.open_folder = False
    qtbot.addWidget(dlg)
    dlg.show()
    band_b = "附件4（5000-5760元）精准脱贫增收挂图作战明细表.xlsx"
    assert "报送市扶贫办" in dlg.contents.text()  # a county's default: the level above
    dlg.recipient.setFocus()
    QTest.keyClick(dlg.recipient, Qt.Key.Key_Down)  # 县扶贫办: everything travels
    assert dlg.recipient.currentData() == "county"
    assert "报送县扶贫办" in dlg.contents.text() and "本级留存" not in dlg.contents.text()
    QTest.keyClick(dlg.recipient, Qt.Key.Key_Down)  # 市扶贫办: band B and the register stay here
    text = dlg.contents.text()
    assert "本级留存" in text and text.index(band_b) > text.index("本级留存")
    dlg.draft.setChecked(True)
    dlg.folder.setText(str(tmp_path / "out"))
    handle = dlg.start()
    assert handle is not None and handle.wait(120000) and handle.error is None
    kept = Path(dlg.result["kept"])
    assert kept.is_dir() and (kept / "register.json").is_file() and "本级留存" in rec.shown[-1][2]


def test_passphrase_in_the_dialog_encrypts_the_identifiers(qtbot, clean_db, tmp_path):
    from PySide6.QtTest import QTest

    from app.ui.export_dialog import ExportDialog

    rec = RecordingDialogs()
    dlg = ExportDialog(clean_db, "2020-03", dialogs=rec)
    dlg.open_folder = False
    qtbot.addWidget(dlg)
    dlg.recipient.setCurrentIndex(dlg.recipient.findData("county"))
    dlg.draft.setChecked(True)
    dlg.folder.setText(str(tmp_path / "out"))
    QTest.keyClicks(dlg.passphrase, "short")
    assert dlg.start() is None and rec.shown[-1][0] == "warn"
    dlg.passphrase.clear()
    QTest.keyClicks(dlg.passphrase, "kangping-2020")
    handle = dlg.start()
    assert handle is not None and handle.wait(120000) and handle.error is None
    assert (Path(dlg.result["folder"]) / "identifiers-aes.zip").is_file()

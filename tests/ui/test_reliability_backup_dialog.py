"""The backup/restore dialog and the start-up restore offer, with real widgets and real files."""

from __future__ import annotations

import sqlite3

import pytest

from app.models import Unit
from app.services import backup as bk
from app.storage import Database
from app.ui.backup_dialog import BackupDialog, start_daily_backups, start_up
from app.ui.dialogs import RecordingDialogs


@pytest.fixture(autouse=True)
def backups_root(tmp_path, monkeypatch):
    monkeypatch.setenv(bk.BACKUP_DIR_ENV, str(tmp_path / "backups"))
    monkeypatch.setenv("GUATU_LOG_DIR", str(tmp_path / "log"))


def _units(path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("select name from units order by id")]
    finally:
        con.close()


def _add(db_path, name: str) -> None:
    with Database(db_path) as db, db.session() as s:
        s.add(Unit(name=name, level="county"))


def test_dialog_lists_backups_backs_up_now_and_restores_the_selected_one(qtbot, db_path):
    _add(db_path, "康平县")
    dialogs = RecordingDialogs(confirm=True)
    dialog = BackupDialog(db_path, dialogs)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1 and dialog.selected() is None  # （还没有备份）
    assert not dialog.restore_button.isEnabled()
    dialog.backup_button.click()
    assert dialog.list.count() == 1 and dialog.selected() is not None
    assert "手动" in dialog.list.item(0).text()
    _add(db_path, "后加的县")
    dialog.restore_button.click()
    assert _units(db_path) == ["康平县"]
    assert [kind for kind, *_ in dialogs.shown] == ["confirm", "info"]
    assert "恢复前的数据库已另存为" in dialogs.shown[-1][2]
    assert dialog.list.count() == 2  # the pre-restore backup is listed too
    assert "恢复前" in dialog.list.item(0).text()


def test_restore_is_refused_with_a_message_while_the_register_is_open(qtbot, db_path):
    _add(db_path, "康平县")
    dialogs = RecordingDialogs(confirm=True)
    dialog = BackupDialog(db_path, dialogs)
    qtbot.addWidget(dialog)
    dialog.backup_now()
    with Database(db_path):
        assert dialog.restore_selected() is False
    assert dialogs.shown[-1][0] == "error" and "正被另一个" in dialogs.shown[-1][2]


def test_cancelled_restore_changes_nothing(qtbot, db_path):
    _add(db_path, "康平县")
    dialog = BackupDialog(db_path, RecordingDialogs(confirm=False))
    qtbot.addWidget(dialog)
    dialog.backup_now()
    _add(db_path, "后加的县")
    assert dialog.restore_selected() is False
    assert _units(db_path) == ["康平县", "后加的县"]


def test_start_up_on_a_damaged_register_offers_and_restores_the_newest_good_backup(qtbot, db_path):
    _add(db_path, "康平县")
    assert start_up(db_path, RecordingDialogs())  # healthy: makes the start backup, no dialog
    assert len(bk.list_backups(bk.backups_dir(db_path))) == 1
    data = bytearray(db_path.read_bytes())
    for off in range(4096, len(data), 4096):
        data[off:off + 64] = b"\xa5" * 64
    db_path.write_bytes(bytes(data))
    dialogs = RecordingDialogs(choice=0)  # 恢复该备份
    assert start_up(db_path, dialogs)
    kind, title, text = dialogs.shown[0]
    assert (kind, title) == ("choose", "数据库已损坏") and "可以恢复最近的完好备份" in text
    assert _units(db_path) == ["康平县"]
    assert list(db_path.parent.glob("register.damaged-*.db"))  # kept aside, never deleted
    quit_dialogs = RecordingDialogs(choice=2)
    db_path.write_bytes(bytes(data))
    assert start_up(db_path, quit_dialogs) is False


def test_daily_backup_timer_makes_the_backup_when_due(qtbot, db_path):
    owner = BackupDialog(db_path, RecordingDialogs())
    qtbot.addWidget(owner)
    timer = start_daily_backups(owner, db_path, interval_ms=10)
    qtbot.waitUntil(lambda: len(bk.list_backups(bk.backups_dir(db_path))) == 1, timeout=5000)
    timer.stop()
    assert bk.list_backups(bk.backups_dir(db_path))[0].reason == "daily"


def test_start_up_while_another_copy_holds_a_damaged_register_leaves_it_to_the_open_dialog(qtbot, db_path):
    _add(db_path, "康平县")
    with Database(db_path):
        data = bytearray(db_path.read_bytes())
        for off in range(4096, len(data), 4096):
            data[off:off + 64] = b"\xa5" * 64
        db_path.write_bytes(bytes(data))
        dialogs = RecordingDialogs(choice=0)
        assert start_up(db_path, dialogs) is True
        assert dialogs.shown == [] and db_path.exists()  # not moved from under the other copy

"""Backups in the GUI: the backup/restore dialog, the start-up check with its restore offer, and the
daily backup timer. All work is done by ``app.services.backup``; this module only asks and shows.

Wiring (app/ui/app.py, main window):
- before opening the register: ``if not start_up(db_path, dialogs): return 2``
- after the main window is up: ``start_daily_backups(window, db_path)``
- menu 文件 → 备份与恢复…: ``BackupDialog(db_path, dialogs, window, on_restore=…).exec()``, where
  ``on_restore(backup_path)`` closes the window's Database, calls ``restore_backup`` and reopens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import backup as bk
from app.services.errors import GuatuError
from app.storage import DatabaseInUse
from app.ui.dialogs import Dialogs
from app.ui.widgets import plain_label

log = logging.getLogger("guatu.ui.backup")
DAILY_CHECK_MS = 60 * 60 * 1000  # look once an hour whether the daily backup is due


def restore_backup(db_path: Path, backup_path: Path, dialogs: Dialogs, parent: QWidget | None = None) -> bool:
    """Restore after the clerk confirmed; every refusal is one clear message. True when restored."""
    try:
        before = bk.restore(db_path, backup_path)
    except DatabaseInUse as e:
        dialogs.error(parent, "无法恢复", f"{e}\n请先关闭其他正在使用该数据库的挂图作战窗口。")
        return False
    except GuatuError as e:
        dialogs.error(parent, "无法恢复", e.message)
        return False
    except OSError as e:
        from app.services.faults import describe

        dialogs.error(parent, "无法恢复", f"恢复失败：{describe(e) or e}。原数据库未改变。")
        return False
    where = f"\n恢复前的数据库已另存为：{before}" if before else ""
    dialogs.info(parent, "已恢复", f"已从备份恢复：{backup_path.name}{where}")
    return True


class BackupDialog(QDialog):
    """The list of backups of one register (newest first): back up now, restore the selected one."""

    def __init__(self, db_path: Path, dialogs: Dialogs, parent: QWidget | None = None, *,
                 on_restore: Callable[[Path], bool] | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.dialogs = dialogs
        self.on_restore = on_restore or (lambda p: restore_backup(self.db_path, p, self.dialogs, self))
        self.setWindowTitle("备份与恢复")
        self.resize(560, 420)
        self.folder = bk.backups_dir(self.db_path)
        self.info = plain_label(
            f"数据库：{self.db_path}\n备份文件夹：{self.folder}\n"
            "程序在启动时、每天、导入前、新建月份前和正式报送前自动备份；旧备份按日、周、月保留。"
        )
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QListWidget()
        self.backup_button = QPushButton("立即备份")
        self.restore_button = QPushButton("恢复所选备份…")
        self.folder_button = QPushButton("打开备份文件夹")
        buttons = QHBoxLayout()
        for b in (self.backup_button, self.restore_button, self.folder_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self.open_folder)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for b in bk.list_backups(self.folder):
            size = b.path.stat().st_size / 1024 / 1024
            item = QListWidgetItem(f"{b.label}    {size:.1f} MB")
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            item.setToolTip(str(b.path))
            self.list.addItem(item)
        if self.list.count() == 0:
            self.list.addItem(QListWidgetItem("（还没有备份）"))
        self.list.setCurrentRow(0)
        self._update_buttons()

    def selected(self) -> Path | None:
        item = self.list.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item else None
        return Path(value) if value else None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def backup_now(self) -> Path | None:
        try:
            out = bk.backup(self.db_path, "manual")
        except GuatuError as e:
            self.dialogs.error(self, "备份失败", e.message)
            return None
        self.reload()
        return out

    def restore_selected(self) -> bool:
        path = self.selected()
        if path is None:
            return False
        label = self.list.currentItem().text().split("    ")[0]
        if not self.dialogs.confirm(
            self, "恢复备份",
            f"用备份“{label}”替换当前数据库？\n\n恢复前会先自动备份当前数据库，恢复后可以再恢复回来。",
        ):
            return False
        done = bool(self.on_restore(path))
        self.reload()
        return done

    def open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def start_up(db_path: Path, dialogs: Dialogs, parent: QWidget | None = None) -> bool:
    """The start-up checks with their dialogs; False when the app must not go on."""
    from app.startup import StartupError, startup_checks

    try:
        report = startup_checks(db_path)
    except StartupError as e:
        dialogs.error(parent, "无法启动", e.message)
        return False
    except DatabaseInUse:
        return True  # damaged but held by another copy: opening the register says so (read-only offer)
    for w in report.warnings:
        dialogs.warn(parent, "启动备份失败", f"{w}\n可以继续工作，但请尽快腾出磁盘空间。")
    check = report.check
    if check is None or check.ok:
        return True
    if check.newest_good is None:
        dialogs.error(parent, "数据库已损坏", check.message + "\n将新建一个空数据库；损坏的文件已保留，请联系技术支持。")
        return True
    answer = dialogs.choose(parent, "数据库已损坏", check.message, ["恢复该备份", "从备份列表中选择…", "退出"])
    if answer == 0:
        return restore_backup(Path(db_path), check.newest_good.path, dialogs, parent)
    if answer == 1:
        dialog = BackupDialog(Path(db_path), dialogs, parent)
        dialog.exec()
        return Path(db_path).exists()
    return False


def start_daily_backups(owner: QObject, db_path: Path, interval_ms: int = DAILY_CHECK_MS) -> QTimer:
    """While the app runs, make the daily backup when due (checked hourly); failures only go to the log."""

    def tick() -> None:
        try:
            made = bk.backup_if_due(db_path)
            if made:
                log.info("daily backup %s", made)
        except (GuatuError, OSError) as e:
            log.warning("daily backup failed: %s", getattr(e, "message", e))

    timer = QTimer(owner)
    timer.setInterval(interval_ms)
    timer.timeout.connect(tick)
    timer.start()
    return timer

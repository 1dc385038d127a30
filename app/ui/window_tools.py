"""What the main window opens beside the register: the tool dialogs of the 文件 and 工具 menus
(``open_dialog(parent, db, month)`` each), backup and restore, settings, the 核实说明 of a warning."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from app.rules.findings import Finding
from app.services.errors import GuatuError
from app.storage import Database
from app.ui import (
    analysis_view,
    cards_dialog,
    counts_view,
    export_dialog,
    import_wizard,
    ledgers_view,
    new_month_dialog,
    projects_view,
    records_view,
    wallchart_dialog,
)

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

# The tool dialogs by the key of their menu entry (app.ui.actions.TOOL_ACTIONS); 备份/恢复 is
# show_backups below.
TOOLS: dict[str, Callable] = {
    "import": import_wizard.open_dialog,
    "export": export_dialog.open_dialog,
    "new_month": new_month_dialog.open_dialog,
    "wallchart": wallchart_dialog.open_dialog,
    "cards": cards_dialog.open_dialog,
    "counts": counts_view.open_dialog,
    "projects": projects_view.open_dialog,
    "records": records_view.open_dialog,
    "ledgers": ledgers_view.open_dialog,
    "analysis": analysis_view.open_dialog,
}


def open_tool(window: MainWindow, key: str) -> None:
    """Open the tool dialog of menu entry ``key``; afterwards the months and the register are read again."""
    if key == "backup":
        show_backups(window)
        return
    store = window.store
    current = store.period.month if store.period else None
    TOOLS[key](window, store.db, current)
    # a new month, an import or a lock may have changed the register; after 新建月份 show the newest
    window.load_periods(None if key == "new_month" else current)


def show_backups(window: MainWindow) -> None:
    """文件 › 备份/恢复…; a restore closes the register, puts the backup in place and reopens it."""
    from app.ui.backup_dialog import BackupDialog, restore_backup

    if window.store.db.is_server:
        window.dialogs.info(window, "备份/恢复", "服务器上的数据库由服务器每天自动备份；恢复请在服务器上用 "
                            "guatu server restore（见 docs/server.md）。")
        return
    path = window.store.db.path

    def on_restore(backup_path) -> bool:
        if window.check_handle is not None:
            window.check_handle.cancel()
            window.check_handle.wait(5000)
        window.editor.wait_idle()  # the edits on their way are written before the file is replaced
        window.store.db.close()
        try:
            return restore_backup(path, backup_path, window.dialogs, window)
        finally:
            window.reopen(Database(path))

    BackupDialog(path, window.dialogs, window, on_restore=on_restore).exec()


def show_settings(window: MainWindow) -> None:
    from app.ui.settings_dialog import SettingsDialog

    SettingsDialog(window.store, window.dialogs, window).exec()


def acknowledge(window: MainWindow, f: Finding, text: str | None = None) -> None:
    """A warning acknowledged with a typed 核实说明 (stored, exported); errors must be fixed.
    ``text`` typed in the problems dock already; else asked for in a dialog."""
    if f.code == "A-01" and f.field == "reason" and f.target:
        fill_adjustment_reason(window, f)
        return
    if f.record is not None:  # 督战与销号 rows are dealt with in their own window (进展、销号)
        show_ledger_row(window, f)
        return
    if f.is_error:
        window.dialogs.info(window, "核实说明", "错误必须改正；只有“提示”可以填写核实说明。")
        return
    if text is None:
        text = window.dialogs.ask_text(window, "核实说明", f"{f.code} {f.message}\n\n请填写核实情况：",
                                       f.note or window.store.suggested_note(f) or "")
    if not text or not text.strip():
        return
    try:
        window.store.add_note(f, text)
    except GuatuError as e:
        window.dialogs.warn(window, "核实说明", e.message)
        return
    hid = window.store.household_id(f.household) if f.household else None
    if hid is not None:
        window.recheck(hid)
    else:  # a count or project finding: its note shows after the month's check
        window.start_check()


def fill_adjustment_reason(window: MainWindow, f: Finding) -> bool:
    """A-01 from the problems dock: the 动态调整 record's reason typed at once (closes the finding)."""
    from app.services import adjustments
    from app.services.operations import SetAdjustmentDetails

    reason = window.dialogs.ask_text(window, "动态调整原因", f"{f.message}\n\n请填写调整原因：", "")
    if not reason or not reason.strip():
        return False
    try:
        window.store.write(SetAdjustmentDetails(adjustments.SetDetails(f.target, reason=reason)))
    except GuatuError as e:
        window.dialogs.warn(window, "动态调整", e.message)
        return False
    window.start_check()
    return True


def show_counts_at(window: MainWindow, f: Finding):
    """附件1/附件2 in a window of their own, the cursor on the finding's row and column."""
    from PySide6.QtWidgets import QDialog, QVBoxLayout

    from app.services import count_sheet as sheets
    from app.ui.counts_view import CountsView

    store = window.store
    with store.db.read_session() as s:
        unit_id = sheets.default_unit_id(s)
    if unit_id is None or store.period is None:
        return None
    dialog = QDialog(window)
    dialog.setWindowTitle("月报表（附件1/附件2/附件3）")
    view = CountsView(store.db, store.period.month, unit_id, dialog, dialogs=window.dialogs, write=store.write)
    QVBoxLayout(dialog).addWidget(view)
    dialog.resize(min(1400, window.width()), min(850, window.height()))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda _r: window.start_check())  # notes typed there
    view.person_chosen.connect(lambda pid: (dialog.close(), window.go_to_person(pid)))
    dialog.show()
    view.go_to_finding(f)
    window.counts_dialog = dialog
    return view


def show_ledger_row(window: MainWindow, f: Finding):
    """工具 › 督战与销号, the cursor on the ledger row the finding is on (its ``record``)."""
    month = window.store.period.month if window.store.period else None
    ledgers_view.open_dialog(window, window.store.db, month, at=f)
    window.start_check()  # rows closed out or corrected there

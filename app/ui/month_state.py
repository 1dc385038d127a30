"""The month's state in the window: the banner beside the month selector, the bar over a month sent
as final, refusing edits there with the reason, and 重新打开本月… (reason required, audited — the same
service as ``guatu reopen``)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.services.browse import PeriodInfo
from app.services.errors import GuatuError, month_label

REOPEN = "重新打开本月…"


def sent_on(period: PeriodInfo) -> str:
    at = period.locked_at
    return f"{at.month}月{at.day}日" if at else ""


def banner(period: PeriodInfo, today: dt.date | None = None) -> tuple[str, str]:
    """(text, colour) beside the month selector: days to the due date of the month shown, or
    已报送 with its date once sent."""
    if period.state == "locked":
        when = sent_on(period)
        return f"  已报送{f'（{when}）' if when else ''}  ", "#1e7e34"
    days = period.days_left(today)
    if days >= 0:
        return f"  填报中 · 还剩{days}天（{period.due.month}月{period.due.day}日前报送）  ", "#2c3e50"
    return f"  填报中 · 已逾期{-days}天（应于{period.due.month}月{period.due.day}日前报送）  ", "#c0392b"


def refusal(period: PeriodInfo) -> str:
    when = sent_on(period)
    return (f"{month_label(period.month)}已{f'于{when}' if when else ''}报送（正式导出后锁定），不能修改。"
            "如需更正，请重新打开本月：须说明原因，原因记入操作日志。")


class LockBar(QFrame):
    """A one-line bar over the register while the month shown is sent as final."""

    def __init__(self, on_reopen, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lock_bar")
        self.setStyleSheet("#lock_bar{background:#e8f4ea;border:1px solid #9fcdaa;}")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 2)
        self.text = QLabel("")
        self.button = QPushButton(REOPEN)
        self.button.clicked.connect(on_reopen)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.button)
        self.setVisible(False)

    def show_for(self, period: PeriodInfo | None, read_only: bool) -> None:
        locked = period is not None and period.state == "locked"
        self.setVisible(locked)
        if locked:
            self.text.setText(refusal(period))
            self.button.setVisible(not read_only)


_EDIT_KEYS = {Qt.Key.Key_F2, Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Insert}
_INPUTS = (QLineEdit, QComboBox, QCheckBox, QAbstractSpinBox, QAbstractItemView, QPushButton)


class LockedEditGuard(QObject):
    """Catches an edit attempt (typing, F2, Delete, a double-click; a click on a panel field) while
    the month shown is sent as final, and lets the window say why and offer 重新打开本月…."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def watch(self, *widgets: QWidget) -> None:
        for w in widgets:
            w.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        store = self.window.store
        if not store.locked or store.read_only:
            return False
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            key = event.key()
            typed = event.text() and event.text().isprintable() and not (
                event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
            if typed or key in _EDIT_KEYS:
                self.window.refused_edit()
                return True
        elif kind == QEvent.Type.MouseButtonDblClick and isinstance(obj, QWidget) and not isinstance(obj, QLabel):
            self.window.refused_edit()
            return True
        elif kind == QEvent.Type.MouseButtonPress and obj is self.window.panel:
            child = obj.childAt(event.position().toPoint())
            while child is not None and child is not obj and not isinstance(child, _INPUTS):
                child = child.parentWidget()
            if child is not None and child is not obj:
                self.window.refused_edit()
                return True
        return False


def reopen(window) -> bool:
    """Ask for the reason and reopen the month shown (audited); True when it is open now."""
    store, dialogs = window.store, window.dialogs
    period = store.period
    if period is None or period.state != "locked" or store.read_only:
        return False
    reason = dialogs.ask_text(window, "重新打开本月",
                              f"重新打开{month_label(period.month)}（已报送）以便更正。\n"
                              "请说明原因（必填，记入操作日志；更正后需重新报送）：")
    if reason is None:
        return False
    if not reason.strip():
        dialogs.warn(window, "重新打开本月", "必须说明原因，月份未重新打开。")
        return False
    try:
        store.reopen_month(reason)
    except GuatuError as e:
        dialogs.error(window, "重新打开本月", e.message)
        return False
    window.load_periods(period.month)
    window.show_household(window.household_id)  # the same household, now editable
    window.statusBar().showMessage(f"{month_label(period.month)}已重新打开，可以修改；原因已记入操作日志。", 10000)
    return True

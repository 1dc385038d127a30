"""「别人已修改」: an edit refused because another clerk changed the row since the window showed it.

Says who and when, shows the row's current values (the edited field first, in bold) beside what the
clerk typed, and lets the clerk re-apply the edit on the current row (Alt+R) or drop it (Enter or
Esc: the other clerk's values stay, nothing is overwritten without a decision).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.services.concurrency import StaleEdit
from app.services.search import mask_id


def label_of(code: str | None) -> str:
    if not code:
        return ""
    return domain.FIELD_NAMES.get(code, domain.ASSISTANCE_NAMES.get(code, code))


def shown(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "；".join(shown(v) for v in value)
    return domain.display(str(value))


class ConflictDialog(QDialog):
    def __init__(self, error: StaleEdit, mine: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("别人已修改")
        self.error = error
        layout = QVBoxLayout(self)
        self.message = QLabel(error.message)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        if error.field:
            self.mine = QLabel(f"您的修改：{label_of(error.field)} 改为 {shown(mine)}")
            self.mine.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(self.mine)
        layout.addWidget(QLabel("现在的内容："))
        order = sorted(error.values, key=lambda k: k != error.field)
        self.table = QTableWidget(len(order), 2, self)
        self.table.setHorizontalHeaderLabels(["项目", "现在的内容"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        bold = QFont()
        bold.setBold(True)
        for r, code in enumerate(order):
            value = error.values[code]
            text_value = mask_id(value) if code == "id_number" and value else shown(value)  # as the grid shows it
            for c, text in enumerate((label_of(code), text_value)):
                item = QTableWidgetItem(text)
                if code == error.field:
                    item.setFont(bold)
                self.table.setItem(r, c, item)
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.reapply = QPushButton("重新应用我的修改(&R)")
        self.drop = QPushButton("放弃我的修改(&D)")
        self.reapply.setAutoDefault(False)
        self.drop.setDefault(True)
        self.reapply.clicked.connect(self.accept)
        self.drop.clicked.connect(self.reject)
        buttons.addWidget(self.reapply)
        buttons.addWidget(self.drop)
        layout.addLayout(buttons)
        self.resize(460, 380)
        self.drop.setFocus()


def ask(parent: QWidget | None, error: StaleEdit, mine: Any) -> bool:
    """True: re-apply the clerk's edit on the current row; False: drop it."""
    return ConflictDialog(error, mine, parent).exec() == QDialog.DialogCode.Accepted

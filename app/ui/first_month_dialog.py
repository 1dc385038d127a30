"""新建第一个月份…: a new register's first, empty data month (start from scratch, nothing to import).

Later months come from 工具 › 新建月份… (结转), so the window offers this only while there is no month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.kernel.month import due_date
from app.services.errors import GuatuError, month_label
from app.ui.dialogs import Dialogs
from app.ui.widgets import ok_cancel, plain_label

if TYPE_CHECKING:
    from app.ui.store import Store

TITLE = "新建第一个月份"


def previous_calendar_month(today: dt.date | None = None) -> tuple[int, int]:
    """The month a clerk fills in now: the one before today's (its report is due on the 5th)."""
    today = today or dt.date.today()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


class FirstMonthDialog(QDialog):
    """Year and month of the first data month; 新建 opens it (one transaction) or shows why not."""

    def __init__(self, store: Store, dialogs: Dialogs | None = None, parent: QWidget | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self.store, self.dialogs = store, dialogs or Dialogs()
        self.created: str | None = None
        self.setWindowTitle(TITLE)
        year, month = previous_calendar_month(today)
        self.year = QSpinBox()
        self.year.setRange(2000, year + 1)
        self.year.setValue(year)
        self.year.setSuffix(" 年")
        self.month_box = QComboBox()
        for m in range(1, 13):
            self.month_box.addItem(f"{m}月", m)
        self.month_box.setCurrentIndex(month - 1)
        self.preview = plain_label()
        self.year.valueChanged.connect(self._preview)
        self.month_box.currentIndexChanged.connect(self._preview)
        form = QFormLayout()
        form.addRow("年份：", self.year)
        form.addRow("月份：", self.month_box)
        form.addRow("报送：", self.preview)
        note = QLabel("台账从这个月开始（空白，在左侧建好乡镇、村后逐户录入）。以后每个月用"
                      "“工具 › 新建月份…”从上个月结转。")
        note.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(ok_cancel(self, "新建", self.accept))
        self.setMinimumWidth(380)
        self._preview()

    def month(self) -> str:
        return f"{self.year.value():04d}-{self.month_box.currentData():02d}"

    def _preview(self) -> None:
        due = due_date(self.month())
        self.preview.setText(f"{month_label(self.month())} · {due.month}月{due.day}日前报送")

    def accept(self) -> None:
        from app.services.operations import OpenFirstMonth

        month = self.month()
        try:
            self.store.write(OpenFirstMonth(month))
        except GuatuError as e:
            self.dialogs.warn(self, TITLE, e.message)
            return
        self.created = month
        super().accept()


def open_first_month(parent: QWidget, store: Store, dialogs: Dialogs) -> str | None:
    """The month opened, or None when cancelled."""
    dialog = FirstMonthDialog(store, dialogs, parent)
    dialog.exec()
    return dialog.created


def add_button(toolbar: QToolBar, after: QWidget, slot: Callable[[], None]) -> QAction:
    """新建第一个月份… in the toolbar's period area, right after ``after``; the returned action shows
    or hides it (shown while the register has no month)."""
    button = QPushButton(f"{TITLE}…")
    button.setToolTip("数据库中还没有月份：新建第一个数据月份，从零开始建台账（有数据包时用“文件 › 导入…”）")
    try:
        import qtawesome as qta

        button.setIcon(qta.icon("fa5s.calendar-plus", color="#34495e"))
    except Exception:  # decoration only
        pass
    button.clicked.connect(lambda _=False: slot())
    acts = toolbar.actions()
    index = next((i for i, a in enumerate(acts) if toolbar.widgetForAction(a) is after), len(acts) - 1)
    if index + 1 < len(acts):
        return toolbar.insertWidget(acts[index + 1], button)
    return toolbar.addWidget(button)

"""The problems dock: every finding of the selected unit, filterable by code and severity.

Double-click or Enter on a finding takes the cursor to its field (a member's cell, a household-panel
field, a count of 附件1/附件2, a row of the 督战与销号 ledgers); a warning's 核实说明 is typed in place
in its last column, starting from the note the month suggests (M-07: the net 动态调整).
"""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.rules.findings import Finding
from app.ui.widgets import plain_label, plain_tip

R = Qt.ItemDataRole
HEADERS = ("级别", "代码", "单位", "栏目", "说明", "核实说明")
Index = QModelIndex | QPersistentModelIndex
FindingRole = R.UserRole + 10
NOTE_COL = 5


def field_label(f: Finding) -> str:
    """The 栏目 of a finding as the forms name it: register fields, 附件1/附件2 counts, 附件3 columns."""
    from app.rules.counts import COUNT_NAMES
    from app.ui.projects_model import COLUMNS as PROJECT_COLUMNS

    code = f.field or ""
    if not code:
        return ""
    if code in domain.FIELD_NAMES:
        return domain.FIELD_NAMES[code]
    if code in COUNT_NAMES:
        return COUNT_NAMES[code]
    project = next((c.label for c in PROJECT_COLUMNS if c.code == code), None)
    if project:
        return project.replace("\n", "")
    from app.ui.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

    column = next((c.header for c in (*MEMBER_COLUMNS, *HOUSEHOLD_COLUMNS) if c.code == code), None)
    return column or ""


def _order(f: Finding) -> tuple:
    """Errors first, then by code and unit."""
    return (f.severity != "E", f.code, f.unit or "")


class FindingsModel(QAbstractTableModel):
    """The findings on show, errors first."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Finding] = []

    def set_rows(self, rows: list[Finding]) -> None:
        self.beginResetModel()
        self.rows = sorted(rows, key=_order)
        self.endResetModel()

    def update_rows(self, added: list[Finding], removed: list[Finding]) -> None:
        """Rows taken out and put in one by one (the view keeps its scroll, selection and editor)."""
        for f in removed:
            if f in self.rows:
                row = self.rows.index(f)
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.endRemoveRows()
        for f in added:
            row = bisect.bisect_right([_order(r) for r in self.rows], _order(f))
            self.beginInsertRows(QModelIndex(), row, row)
            self.rows.insert(row, f)
            self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole) -> Any:
        if role == R.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = R.DisplayRole) -> Any:
        if not index.isValid():
            return None
        f = self.rows[index.row()]
        if role == FindingRole:
            return f
        if role == R.DisplayRole:
            return (
                "错误" if f.is_error else "提示", f.code, f.unit or "",
                field_label(f), f.message, f.note or "",
            )[index.column()]
        if role == R.EditRole and index.column() == NOTE_COL:  # what the in-place editor starts from
            return f.note or (self.suggest(f) if self.suggest is not None else None) or ""
        if role == R.ToolTipRole and index.column() == 4:
            return plain_tip(f.message)
        if role == R.ToolTipRole and index.column() == NOTE_COL and f.record is not None:
            return "双击或按回车到“督战与销号”中该行处理"
        if role == R.ToolTipRole and index.column() == NOTE_COL and not f.is_error:
            return "双击或按 F2 在此填写核实说明（随报表导出）"
        if role == R.ForegroundRole and index.column() == 0:
            return QBrush(QColor("#c0392b" if f.is_error else "#b9770e"))
        return None


    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        f = self.rows[index.row()] if index.isValid() else None
        if f is not None and index.column() == NOTE_COL and not f.is_error and f.record is None \
                and self.on_note is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    on_note = None  # (finding, text) → bool: the window stores a 核实说明 typed in place
    # finding → the 核实说明 offered before one is typed (an M-07 total change: the month's 动态调整),
    # the same as the dialog's and the counts view's (Store.suggested_note)
    suggest = None

    def setData(self, index: Index, value: Any, role: int = R.EditRole) -> bool:  # noqa: N802 - Qt API
        if role != R.EditRole or index.column() != NOTE_COL or self.on_note is None:
            return False
        f = self.rows[index.row()]
        text = str(value or "").strip()
        if text == (f.note or "") or not self.on_note(f, text):
            return False
        return True


class FindingsFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.code: str | None = None
        self.severity: str | None = None

    def set(self, code: str | None, severity: str | None) -> None:
        begin = getattr(self, "beginFilterChange", None)  # Qt 6.9+; invalidateFilter before
        if begin is not None:
            begin()
            self.code, self.severity = code, severity
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.code, self.severity = code, severity
            self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        f = self.sourceModel().rows[row]
        return (self.code is None or f.code == self.code) and (self.severity is None or f.severity == self.severity)


class ProblemsDock(QDockWidget):
    """``jump(finding)`` on double-click or Enter; ``acknowledge(finding)`` for a 核实说明 in a dialog;
    ``explain(finding, text)`` for one typed in place."""

    jump = Signal(object)
    acknowledge = Signal(object)
    explain = Signal(object, str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("问题清单", parent)
        self.setObjectName("problems")
        self.remembered_height = 150  # the height the clerk gave it (per screen size, app.ui.layout)
        self.collapsed = False
        self.setTitleBarWidget(QWidget())  # the bar below carries the title: one line when empty
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.model = FindingsModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(4, 2, 4, 2)
        bar = QHBoxLayout()
        self.severity = QComboBox()
        for label, value in (("全部级别", None), ("只看错误", "E"), ("只看提示", "W")):
            self.severity.addItem(label, value)
        self.code = QComboBox()
        self.code.addItem("全部规则", None)
        self.summary = plain_label()
        self.ack = QPushButton("填写核实说明…")
        self.ack.setToolTip("对所选“提示”填写核实说明（随报表导出）")
        title = QLabel("问题清单")
        title.setStyleSheet("font-weight:bold;")
        bar.addWidget(title)
        bar.addSpacing(12)
        self.filter_label = QLabel("筛选：")
        bar.addWidget(self.filter_label)
        bar.addWidget(self.severity)
        bar.addWidget(self.code)
        bar.addStretch(1)
        bar.addWidget(self.summary)
        bar.addWidget(self.ack)
        lay.addLayout(bar)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)  # only 核实说明 of a W
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        for i, w in enumerate((44, 48, 170, 130, 0, 160)):
            if w:
                self.view.setColumnWidth(i, w)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.view)
        self.setWidget(body)
        self.severity.currentIndexChanged.connect(self._filter)
        self.code.currentIndexChanged.connect(self._filter)
        self.view.doubleClicked.connect(self._jump)
        self.view.installEventFilter(self)
        self.ack.clicked.connect(self._ack)
        self.model.on_note = self._note_typed

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Enter on a finding does what a double-click does (unless a 核实说明 is being typed)."""
        if obj is self.view and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self.view.state() != QAbstractItemView.State.EditingState:
            index = self.view.currentIndex()
            if index.isValid():
                self._jump(index)
                return True
        return False

    def _note_typed(self, f: Finding, text: str) -> bool:
        if not text:
            return False
        self.explain.emit(f, text)
        return True

    def set_rows(self, rows: list[Finding]) -> None:
        self.model.set_rows(rows)
        self._refresh_codes()
        self.collapse(not rows)

    def update_rows(self, added: list[Finding], removed: list[Finding]) -> None:
        """An operation's findings that appeared and went away: those rows only, no reset."""
        self.model.update_rows(added, removed)
        if {f.code for f in self.model.rows} != {self.code.itemData(i) for i in range(1, self.code.count())}:
            self._refresh_codes()
        else:
            e, w = self.counts()
            self.summary.setText(f"错误 {e} · 提示 {w}" if e or w else "所选单位没有问题")
        self.collapse(not self.model.rows)

    def collapse(self, empty: bool) -> None:
        """Empty: one line (title, 没有问题); with findings: the height remembered."""
        if empty == self.collapsed:
            return
        self.collapsed = empty
        self.view.setVisible(not empty)
        for w in (self.filter_label, self.severity, self.code, self.ack):
            w.setVisible(not empty)
        window = self.parentWidget()
        if empty:
            self.setMaximumHeight(self.widget().layout().itemAt(0).sizeHint().height() + 8)
        else:
            self.setMaximumHeight(16777215)
            if hasattr(window, "resizeDocks"):
                window.resizeDocks([self], [self.remembered_height], Qt.Orientation.Vertical)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if not self.collapsed and self.isVisible() and event.size().height() > 80:
            self.remembered_height = event.size().height()

    def counts(self) -> tuple[int, int]:
        e = sum(1 for f in self.model.rows if f.is_error)
        return e, len(self.model.rows) - e

    def _refresh_codes(self) -> None:
        current = self.code.currentData()
        codes = sorted({f.code for f in self.model.rows})
        self.code.blockSignals(True)
        self.code.clear()
        self.code.addItem("全部规则", None)
        for c in codes:
            self.code.addItem(c, c)
        i = self.code.findData(current)
        self.code.setCurrentIndex(max(i, 0))
        self.code.blockSignals(False)
        self._filter()
        e, w = self.counts()
        self.summary.setText(f"错误 {e} · 提示 {w}" if e or w else "所选单位没有问题")

    def _filter(self) -> None:
        self.proxy.set(self.code.currentData(), self.severity.currentData())

    def codes_shown(self) -> list[str]:
        return [self.proxy.index(r, 1).data() for r in range(self.proxy.rowCount())]

    def _jump(self, index: QModelIndex) -> None:
        self.jump.emit(index.data(FindingRole))

    def _ack(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.acknowledge.emit(index.data(FindingRole))

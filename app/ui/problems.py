"""The problems dock: every finding of the selected unit, filterable by code and severity.

Double-click jumps to the cell; a warning can be acknowledged with a typed 核实说明.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
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


class FindingsModel(QAbstractTableModel):
    """The findings on show, errors first."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Finding] = []

    def set_rows(self, rows: list[Finding]) -> None:
        self.beginResetModel()
        self.rows = sorted(rows, key=lambda f: (f.severity != "E", f.code, f.unit or ""))
        self.endResetModel()

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
                domain.FIELD_NAMES.get(f.field or "", f.field or ""), f.message, f.note or "",
            )[index.column()]
        if role == R.ToolTipRole and index.column() == 4:
            return plain_tip(f.message)
        if role == R.ForegroundRole and index.column() == 0:
            return QBrush(QColor("#c0392b" if f.is_error else "#b9770e"))
        return None


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
    """``jump(finding)`` on double-click; ``acknowledge(finding)`` for a 核实说明."""

    jump = Signal(object)
    acknowledge = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("问题清单", parent)
        self.setObjectName("problems")
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
        bar.addWidget(QLabel("筛选："))
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
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        for i, w in enumerate((44, 48, 170, 90, 0, 160)):
            if w:
                self.view.setColumnWidth(i, w)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.view)
        self.setWidget(body)
        self.severity.currentIndexChanged.connect(self._filter)
        self.code.currentIndexChanged.connect(self._filter)
        self.view.doubleClicked.connect(self._jump)
        self.ack.clicked.connect(self._ack)

    def set_rows(self, rows: list[Finding]) -> None:
        self.model.set_rows(rows)
        self._refresh_codes()

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
        self.summary.setText(f"错误 {e} · 提示 {w}")

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

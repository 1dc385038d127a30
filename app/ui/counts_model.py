"""The table model of the counts view and its drill-down dialog (see ``app.ui.counts_view``).

``CountsModel`` shows the form's header tree as its first rows (the view spans them as printed),
then the data rows of a ``CountSheet``: last month's value on a second line, findings as tints and
tooltips, total rows bold, hand-typed cells italic and editable where the register keeps no households.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.forms.table import HeaderNode, header_grid, leaves
from app.rules.findings import Finding
from app.services import count_sheet as sheets
from app.ui.widgets import plain_label, plain_tip

R = Qt.ItemDataRole
CodeRole = R.UserRole + 1
FindingsRole = R.UserRole + 3
HEADER_BG = QColor("#eef1f5")
TOTAL_BG = QColor("#f6f6f6")
ERROR_BG = QColor("#f8c9c4")
WARN_BG = QColor("#fbe3b0")
Index = QModelIndex | QPersistentModelIndex
NUMERIC = ("count", "number")
TOTALS = ("county_total", "township_total")


class CountsModel(QAbstractTableModel):
    """Header rows (the form's header tree) followed by the data rows of a ``CountSheet``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sheet: sheets.CountSheet | None = None
        self.columns: list[HeaderNode] = []
        self.header_rows = 0
        self.header_cells: list = []
        self.show_previous = True
        self._grid: dict[tuple[int, int], str] = {}
        self.edit_cell = None  # callable(row, code, value) -> bool, set by the view

    def load(self, sheet: sheets.CountSheet, header: list[HeaderNode]) -> None:
        self.beginResetModel()
        self.sheet = sheet
        self.columns = leaves(header)
        self.header_rows, self.header_cells = header_grid(header)
        self._grid = {(c.row, c.col): c.label for c in self.header_cells}
        self.endResetModel()

    def set_show_previous(self, on: bool) -> None:
        self.show_previous = on
        if self.rowCount():
            self.dataChanged.emit(self.index(self.header_rows, 0),
                                  self.index(self.rowCount() - 1, self.columnCount() - 1), [R.DisplayRole])

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.sheet is None else self.header_rows + len(self.sheet.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsEditable if self.is_hand_cell(index) else base

    def is_hand_cell(self, index: Index) -> bool:
        """A count of a village row that the register does not keep: typed by hand (附件1)."""
        cell = self.cell(index)
        s = self.sheet
        if cell is None or s is None or s.form != 1 or s.locked or not self.is_count(index):
            return False
        r = s.rows[cell[0]]
        return r.kind == "unit" and not r.has_households

    def setData(self, index: Index, value: Any, role: int = R.EditRole) -> bool:
        if role != R.EditRole or not self.is_hand_cell(index) or self.edit_cell is None:
            return False
        row, code = self.cell(index)  # type: ignore[misc]
        return bool(self.edit_cell(row, code, value))

    def cell(self, index: Index) -> tuple[int, str] | None:
        """(data row, column code) of a data cell, None for the header rows."""
        if not index.isValid() or index.row() < self.header_rows:
            return None
        return index.row() - self.header_rows, self.columns[index.column()].code or ""

    def is_count(self, index: Index) -> bool:
        return self.columns[index.column()].kind == "count" and self.cell(index) is not None

    def data(self, index: Index, role: int = R.DisplayRole) -> Any:
        if not index.isValid() or self.sheet is None:
            return None
        if index.row() < self.header_rows:
            return self._header_data(index, role)
        row, code = index.row() - self.header_rows, self.columns[index.column()].code or ""
        s = self.sheet
        kind = s.rows[row].kind
        found = s.cell_findings.get((row, code), [])
        if role == R.DisplayRole:
            text = _text(s.value(row, code))
            if self.show_previous and self.columns[index.column()].kind in NUMERIC and s.previous[row] is not None:
                text += f"\n上月 {_text(s.previous_value(row, code))}"
            return text
        if role == R.EditRole:
            return _text(s.rows[row].typed.get(code))
        if role == R.FontRole:
            font = QFont()
            font.setBold(kind in TOTALS)
            font.setItalic(s.typed(row, code))
            return font
        if role == R.BackgroundRole:
            if any(f.is_error for f in found):
                return QBrush(ERROR_BG)
            if found:
                return QBrush(WARN_BG)
            return QBrush(TOTAL_BG) if kind in TOTALS else None
        if role == R.TextAlignmentRole:
            if self.columns[index.column()].kind in ("count", "seq", "number"):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == R.ToolTipRole:
            return plain_tip(self._tip(row, code, found)) if self.columns[index.column()].kind in NUMERIC else None
        if role == CodeRole:
            return code
        if role == FindingsRole:
            return found
        return None

    def _header_data(self, index: Index, role: int) -> Any:
        if role == R.DisplayRole:
            return self._grid.get((index.row(), index.column()), "")
        if role == R.BackgroundRole:
            return QBrush(HEADER_BG)
        if role == R.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == R.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _tip(self, row: int, code: str, found: list[Finding]) -> str:
        s = self.sheet
        assert s is not None
        lines = []
        if s.form == 3:
            pass
        elif s.rows[row].kind != "unit":
            lines.append("合计行：由下面各行相加，不能手填。")
        elif s.form == 1 and not s.rows[row].has_households:
            lines.append(f"本村不在台账中，人数手工填报（双击修改）：{_text(s.rows[row].typed.get(code)) or '未填'}")
        elif s.typed(row, code):
            lines.append(f"手工填报：{s.value(row, code)}人；台账统计为 {s.derived_value(row, code)} 人。")
        else:
            lines.append("由台账统计；点击查看名单。")
        if s.previous_month:
            prev = s.previous_value(row, code)
            lines.append(f"上月（{s.previous_month}）：{'—' if prev is None else prev}")
        lines += [f"{f.code} {'错误' if f.is_error else '提示'}：{f.message}" for f in found]
        lines += [f"核实说明：{f.note}" for f in found if f.note]
        return "\n".join(lines)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class DrillDownDialog(QDialog):
    """The persons behind one count (姓名、与户主关系、年龄、村、本年累计人均收入); double-click, Enter
    or 转到此人 emits ``person_chosen(person uuid)`` (the main window shows that person)."""

    person_chosen = Signal(str)

    COLUMNS = ("姓名", "与户主关系", "年龄", "乡镇/村", "本年累计人均纯收入(元)")

    def __init__(self, title: str, persons: list[dict], note: str = "", parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 420)
        lay = QVBoxLayout(self)
        self.label = plain_label(f"{title}\n{note}".strip())
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        self.table = QTableWidget(len(persons), len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, p in enumerate(persons):
            income = p.get("ytd_income")
            values = (p["name"], p.get("relation") or "", "" if p.get("age") is None else str(p["age"]), p["unit"],
                      "未填" if income is None else f"{income:g}")
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(R.UserRole, p["person"])
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        lay.addWidget(self.table)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.cellDoubleClicked.connect(lambda r, _c: self.choose(r))
        self.table.installEventFilter(self)
        if persons:
            self.table.setCurrentCell(0, 0)
        buttons = QHBoxLayout()
        self.go = QPushButton("转到此人")
        self.go.setToolTip("在主窗口中显示此人所在的户（也可双击或按回车）")
        self.go.clicked.connect(lambda: self.choose(self.table.currentRow()))
        self.go.setEnabled(bool(persons))
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.go)
        buttons.addWidget(close)
        lay.addLayout(buttons)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if obj is self.table and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.choose(self.table.currentRow())
            return True
        return False

    def choose(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.person_chosen.emit(str(item.data(R.UserRole)))



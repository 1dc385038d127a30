"""Model and editors of the 附件3 project table (see ``app.ui.projects_view``).

``ProjectsModel`` shows the rows of a 附件3 ``CountSheet`` (county total, township totals, projects):
totals bold on grey and read-only, 拨付进度 computed, P-rule findings as red (E) / amber (W) tints
with code and message tooltips. Accepted edits go to the view's ``commit`` (services, one session).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
)
from PySide6.QtGui import QBrush, QFont, QRegularExpressionValidator
from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QSpinBox, QStyledItemDelegate, QWidget

from app.domain import FUND_SOURCES, PROJECT_STAGES
from app.services import count_sheet as sheets
from app.ui.counts_model import ERROR_BG, TOTAL_BG, WARN_BG
from app.ui.delegates import ChoiceCombo, first_fill
from app.ui.widgets import plain_tip

R = Qt.ItemDataRole
Index = QModelIndex | QPersistentModelIndex
UuidRole = R.UserRole + 1
FindingsRole = R.UserRole + 3
TOTALS = ("county_total", "township_total")
DATE_RE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?\s*$")
MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")


@dataclass(frozen=True)
class Col:
    code: str
    label: str
    kind: str  # ro, text, fund, stage, amount, month, date, int
    width: int


COLUMNS = (
    Col("seq", "序号", "ro", 44), Col("township", "乡镇", "ro", 90), Col("name", "项目名称", "text", 190),
    Col("content", "建设内容及规模", "text", 200), Col("fund_source", "资金来源", "fund", 130),
    Col("planned", "计划投资\n（万元）", "amount", 90), Col("received", "已到位资金\n（万元）", "amount", 90),
    Col("disbursed", "已拨付资金\n（万元）", "amount", 90), Col("progress", "拨付进度\n（%）", "ro", 70),
    Col("stage", "实施进度", "stage", 76), Col("planned_start", "计划开工\n（年-月）", "month", 80),
    Col("started_on", "开工时间", "date", 96), Col("completed_on", "完工时间", "date", 96),
    Col("households", "带动户数", "int", 70), Col("persons", "带动人数", "int", 70),
    Col("remark", "备注", "text", 140),
)
CODES = tuple(c.code for c in COLUMNS)


def amount_text(v: Any) -> str:
    """万元 with at least 2 and at most 4 decimals: 355.00, 31.33, 1.2345."""
    if v is None or v == "":
        return ""
    s = f"{float(v):.4f}"
    while s.endswith("0") and len(s.split(".")[1]) > 2:
        s = s[:-1]
    return s


def parse_date(text: Any) -> str | None:
    """``2020-03-05`` (also 2020.3.5, 2020/3/5, 2020年3月5日) as ISO text; blank is None."""
    t = str(text or "").strip()
    if not t:
        return None
    m = DATE_RE.match(t)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    raise ValueError(f"日期“{t}”不对，请按 YYYY-MM-DD 填写，例如 2020-03-05。")


def parse_month(text: Any) -> str | None:
    t = str(text or "").strip()
    if not t:
        return None
    m = MONTH_RE.match(t)
    if m and 1 <= int(m[2]) <= 12:
        return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise ValueError(f"计划开工月份“{t}”不对，请按 YYYY-MM 填写，例如 2020-04。")


class ProjectsModel(QAbstractTableModel):
    """The rows of a 附件3 ``CountSheet``; project cells editable unless the month is locked."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sheet: sheets.CountSheet | None = None
        self.planned_start: dict[str, str | None] = {}
        self.commit = None  # callable(uuid, code, value) -> bool, set by the view

    @property
    def rows(self) -> list:
        return self.sheet.rows if self.sheet is not None else []

    def load(self, sheet: sheets.CountSheet, planned_start: dict[str, str | None]) -> None:
        """Refresh in place when the same rows come back (after an edit), else reset."""
        same = self.sheet is not None and [(r.kind, r.record) for r in self.rows] == [
            (r.kind, r.record) for r in sheet.rows] and self.sheet.locked == sheet.locked
        if same:
            self.sheet, self.planned_start = sheet, planned_start
            if self.rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.sheet, self.planned_start = sheet, planned_start
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.sheet, self.planned_start = None, {}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == R.DisplayRole:
            return COLUMNS[section].label
        return None

    def uuid(self, row: int) -> str | None:
        return self.rows[row].record if 0 <= row < len(self.rows) else None

    def row_of(self, uuid: str) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.record == uuid), None)

    def findings(self, index: Index) -> list:
        if self.sheet is None:
            return []
        return self.sheet.cell_findings.get((index.row(), COLUMNS[index.column()].code), [])

    def value(self, row: int, code: str) -> Any:
        r = self.rows[row]
        if code == "planned_start":
            return self.planned_start.get(r.record) if r.record else None
        if code == "name" and r.kind == "county_total":
            return None
        return r.values.get(code)

    def data(self, index: Index, role: int = R.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), COLUMNS[index.column()]
        r = self.rows[row]
        v = self.value(row, col.code)
        if role == R.DisplayRole:
            if col.kind == "amount":
                return amount_text(v)
            if col.code == "progress":
                return "" if v is None else f"{float(v):.1f}"
            return "" if v is None else str(v)
        if role == R.EditRole:
            return v
        if role == UuidRole:
            return r.record
        if role == FindingsRole:
            return self.findings(index)
        if role == R.TextAlignmentRole and (col.kind in ("amount", "int") or col.code in ("progress", "seq")):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == R.FontRole and r.kind in TOTALS:
            f = QFont()
            f.setBold(True)
            return f
        if role == R.BackgroundRole:
            found = self.findings(index)
            if found:
                return QBrush(ERROR_BG if any(f.is_error for f in found) else WARN_BG)
            if r.kind in TOTALS:
                return QBrush(TOTAL_BG)
        if role == R.ToolTipRole:
            tips = [f"{f.code} {'错误' if f.is_error else '提示'}：{f.message}" for f in self.findings(index)]
            if col.code == "progress":
                tips.append("拨付进度 = 已拨付资金 ÷ 计划投资 × 100（自动计算，不能填写）")
            elif r.kind in TOTALS and col.kind != "ro":
                tips.append("合计行由系统计算，不能填写")
            return plain_tip("\n".join(tips)) or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        sheet = self.sheet
        if (sheet is not None and not sheet.locked and COLUMNS[index.column()].kind != "ro"
                and self.rows[index.row()].record):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value: Any, role: int = R.EditRole) -> bool:
        if role != R.EditRole or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable) or self.commit is None:
            return False
        uuid = self.uuid(index.row())
        assert uuid is not None
        return bool(self.commit(uuid, COLUMNS[index.column()].code, value))


class ProjectDelegate(QStyledItemDelegate):
    """Combo boxes for the closed lists, 万元 spin boxes (4 decimals), whole-number spin boxes, dates."""

    def createEditor(self, parent: QWidget, option, index: Index) -> QWidget:
        kind = COLUMNS[index.column()].kind
        if kind == "fund":
            return ChoiceCombo(FUND_SOURCES, parent)
        if kind == "stage":
            return ChoiceCombo(PROJECT_STAGES, parent, allow_blank=False)
        if kind == "amount":
            box = QDoubleSpinBox(parent)
            box.setDecimals(4)
            box.setRange(0, 99_999_999)
            box.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
            return box
        if kind == "int":
            box = QSpinBox(parent)
            box.setRange(0, 9_999_999)
            box.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
            return box
        if kind in ("date", "month"):
            edit = QLineEdit(parent)
            edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9年月日./\- ]{0,12}"), edit))
            edit.setPlaceholderText("YYYY-MM-DD" if kind == "date" else "YYYY-MM")
            return edit
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not first_fill(editor):
            return
        value = index.data(R.EditRole)
        if isinstance(editor, ChoiceCombo):
            editor.set_value(value)
        elif isinstance(editor, (QDoubleSpinBox, QSpinBox)):
            editor.setValue(value or 0)
            editor.selectAll()
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index: Index) -> None:
        if isinstance(editor, ChoiceCombo):
            model.setData(index, editor.value(), R.EditRole)
        elif isinstance(editor, QDoubleSpinBox):
            editor.interpretText()
            model.setData(index, round(editor.value(), 4), R.EditRole)
        elif isinstance(editor, QSpinBox):
            editor.interpretText()
            model.setData(index, editor.value(), R.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), R.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(self, editor: QWidget, option, index: Index) -> None:
        rect = option.rect
        if isinstance(editor, ChoiceCombo):
            rect = rect.adjusted(0, 0, max(0, 150 - rect.width()), 0)
        editor.setGeometry(rect)

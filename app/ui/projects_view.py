"""The 附件3 fund-project register as an editable table (forms.md §3).

Rows as exported (county total, then per township its total row and its projects); totals and
拨付进度 are computed and read-only. Every accepted edit is one ``db.session()`` through
``app.services.projects`` (audited, refused on a locked month); the sheet, its P-rule findings
(red E / amber W tints with code and message in the tooltip) and the totals come from
``app.services.count_sheet``. The UI never runs SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain import FUND_SOURCES, PROJECT_STAGES
from app.services import count_sheet as sheets
from app.services import projects
from app.services.errors import GuatuError
from app.services.periods import get_period
from app.services.units import find_unit
from app.ui.counts_model import ERROR_BG, TOTAL_BG, WARN_BG
from app.ui.delegates import ChoiceCombo

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
        import datetime as dt

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
            return "\n".join(tips) or None
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


class ProjectsView(QWidget):
    """附件3 projects of one unit (county: every township; township or village: that township)."""

    changed = Signal()  # a project was edited, added or deleted

    def __init__(self, db, period_month: str | None, unit_id: int, parent=None, dialogs=None):
        super().__init__(parent)
        from app.ui.dialogs import Dialogs

        self.db, self.period_month, self.unit_id = db, period_month, unit_id
        self.dialogs = dialogs or Dialogs()
        self.month: str | None = None  # the month shown (period_month, or the latest when None)
        self.model = ProjectsModel(self)
        self.model.commit = self.commit
        self._build()
        self.reload()

    def _build(self) -> None:
        self.title = QLabel()
        font = QFont()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lock_note = QLabel()
        self.lock_note.setWordWrap(True)
        self.lock_note.setStyleSheet("background:#fdecea;color:#a61b1b;padding:6px;border:1px solid #e6a19a;")
        self.add_button = QPushButton("新增项目")
        self.add_button.clicked.connect(self.add_project)
        self.delete_button = QPushButton("删除项目")
        self.delete_button.clicked.connect(self.delete_project)
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.add_button)
        top.addWidget(self.delete_button)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(ProjectDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        for i, c in enumerate(COLUMNS):
            self.table.setColumnWidth(i, c.width)
        self.table.selectionModel().currentRowChanged.connect(self._update_buttons)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.lock_note)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)

    # --- loading
    def set_context(self, period_month: str | None, unit_id: int) -> None:
        """Show another month or unit (the main window calls this when its selection changes)."""
        self.period_month, self.unit_id = period_month, unit_id
        self.model.clear()  # a new context always resets the table
        self.reload()

    def reload(self) -> bool:
        keep = self._current_key()
        try:
            with self.db.session() as s:
                sheet = sheets.count_sheet(s, self.period_month, self.unit_id, 3)
                period = get_period(s, sheet.month)
                starts = {r.record: projects.get_project(s, period, r.record).planned_start
                          for r in sheet.rows if r.record}
        except GuatuError as e:
            self.dialogs.error(self, "资金项目", e.message)
            return False
        self.month = sheet.month
        self.model.load(sheet, starts)
        self.table.resizeRowsToContents()
        y, m = int(sheet.month[:4]), int(sheet.month[5:7])
        self.title.setText(f"{sheet.unit_name}资金项目落实进度调度表（附件3） · {y}年{m}月 · {sheet.state}")
        self.lock_note.setText(f"{y}年{m}月已报送（已锁定），本表只能查看，不能修改。如需更正，请先重新打开该月份"
                               "（guatu reopen --reason …，原因记入操作日志）。")
        self.lock_note.setVisible(sheet.locked)
        n = sum(1 for r in sheet.rows if r.record)
        errors = sum(1 for f in sheet.findings if f.is_error)
        self.summary.setText(f"共{n}个项目；错误{errors}条、提示{len(sheet.findings) - errors}条"
                             "（红色为错误，黄色为提示，鼠标停在单元格上可看说明）" if sheet.findings
                             else f"共{n}个项目；没有发现问题。")
        self._restore(keep)
        self._update_buttons()
        return True

    def _current_key(self) -> tuple | None:
        i = self.table.currentIndex()
        if not i.isValid() or i.row() >= len(self.model.rows):
            return None
        r = self.model.rows[i.row()]
        return (r.record or (r.kind, r.values.get("township")), i.column())

    def _restore(self, key: tuple | None) -> None:
        if key is None:
            return
        ident, col = key
        for i, r in enumerate(self.model.rows):
            if (r.record or (r.kind, r.values.get("township"))) == ident:
                self.table.setCurrentIndex(self.model.index(i, col))
                return

    def _update_buttons(self, *_args) -> None:
        locked = self.model.sheet is None or self.model.sheet.locked
        self.add_button.setEnabled(not locked)
        self.delete_button.setEnabled(not locked and self.model.uuid(self.table.currentIndex().row()) is not None)

    # --- editing, one session per accepted edit
    def commit(self, uuid: str, code: str, value: Any) -> bool:
        """Store one cell through ``projects.update_project``; a refused value shows why and keeps the old one."""
        try:
            if code in ("started_on", "completed_on"):
                value = parse_date(value)
            elif code == "planned_start":
                value = parse_month(value)
            elif code == "name":
                value = str(value or "").strip()
                if not value:
                    raise ValueError("项目名称不能为空。")
            elif code in ("content", "remark"):
                value = str(value or "").strip() or None
            with self.db.session() as s:
                changed = projects.update_project(s, get_period(s, self.month), uuid, **{code: value})
        except ValueError as e:
            self.dialogs.error(self, "资金项目", str(e))
            return False
        except GuatuError as e:
            self.dialogs.error(self, "资金项目", e.message)
            return False
        if changed:
            self.reload()
            self.changed.emit()
        return True

    def _township_path(self) -> str | None:
        """The township a new project goes to: the current row's, the only one, or the one chosen."""
        rows = self.model.rows
        i = self.table.currentIndex().row()
        towns = [(r.values.get("county"), r.values["township"]) for r in rows if r.kind == "township_total"]
        if 0 <= i < len(rows) and rows[i].kind != "county_total":
            pick = (rows[i].values.get("county"), rows[i].values["township"])
        elif len(towns) == 1:
            pick = towns[0]
        elif towns:
            k = self.dialogs.choose(self, "新增项目", "新项目属于哪个乡镇？", [t for _c, t in towns])
            if k < 0:
                return None
            pick = towns[k]
        else:
            self.dialogs.error(self, "新增项目", "没有乡镇，不能新增项目。")
            return None
        county, town = pick
        return f"{county}/{town}" if county else town

    def add_project(self) -> str | None:
        """A new project (named 新项目, 未开工) in the chosen township; its name cell opens for editing."""
        path = self._township_path()
        if path is None:
            return None
        try:
            with self.db.session() as s:
                township = find_unit(s, path)
                uuid = projects.add_project(s, get_period(s, self.month), township, name="新项目", stage="未开工").uuid
        except GuatuError as e:
            self.dialogs.error(self, "新增项目", e.message)
            return None
        self.reload()
        row = self.model.row_of(uuid)
        if row is not None:
            index = self.model.index(row, CODES.index("name"))
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
            self.table.edit(index)
        self.changed.emit()
        return uuid

    def delete_project(self) -> bool:
        row = self.table.currentIndex().row()
        uuid = self.model.uuid(row)
        if uuid is None:
            self.dialogs.warn(self, "删除项目", "请先选中要删除的项目（合计行不能删除）。")
            return False
        name = self.model.value(row, "name") or "未命名项目"
        if not self.dialogs.confirm(self, "删除项目", f"确定删除项目“{name}”吗？删除记入操作日志。"):
            return False
        try:
            with self.db.session() as s:
                projects.delete_project(s, get_period(s, self.month), uuid)
        except GuatuError as e:
            self.dialogs.error(self, "删除项目", e.message)
            return False
        self.reload()
        self.changed.emit()
        return True


def open_dialog(parent, db, period_month: str | None) -> QDialog | None:
    """The main window's 工具 › 资金项目: the office unit's 附件3 projects in a window of their own."""
    from app.ui.dialogs import Dialogs

    dialogs = getattr(parent, "dialogs", None) or Dialogs()
    with db.session() as s:
        unit_id = sheets.default_unit_id(s)
    if unit_id is None:
        dialogs.info(parent, "资金项目", "还没有单位，请先导入或新建台账。")
        return None
    dlg = QDialog(parent)
    dlg.setWindowTitle("资金项目（附件3）")
    lay = QVBoxLayout(dlg)
    lay.addWidget(ProjectsView(db, period_month, unit_id, dlg, dialogs=dialogs))
    dlg.resize(1500, 700)
    dlg.exec()
    return dlg

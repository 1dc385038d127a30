"""The 附件3 fund-project register as an editable table (forms.md §3).

Rows as exported (county total, then per township its total row and its projects); totals and
拨付进度 are computed and read-only. Every accepted edit is one request of
``app.services.operations`` (one transaction) over ``app.services.projects`` (audited, refused on
a locked month); the sheet, its P-rule findings
(red E / amber W tints with code and message in the tooltip) and the totals come from
``app.services.count_sheet``. The UI never runs SQL. Model and editors: ``app.ui.projects_model``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.kernel.month import Month
from app.services import count_sheet as sheets
from app.services import operations as ops
from app.services import projects
from app.services.errors import GuatuError
from app.services.periods import get_period
from app.ui.projects_model import (
    CODES,
    COLUMNS,
    ProjectDelegate,
    ProjectsModel,
    parse_date,
    parse_month,
)
from app.ui.widgets import plain_label, title_label
from app.ui.writer import write_for


class ProjectsView(QWidget):
    """附件3 projects of one unit (county: every township; township or village: that township)."""

    changed = Signal()  # a project was edited, added or deleted

    def __init__(self, db, period_month: str | None, unit_id: int, parent=None, dialogs=None, write=None):
        super().__init__(parent)
        from app.ui.dialogs import Dialogs
        self.db, self.period_month, self.unit_id = db, period_month, unit_id
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        self.dialogs = dialogs or Dialogs()
        self.month: str | None = None  # the month shown (period_month, or the latest when None)
        self.model = ProjectsModel(self)
        self.model.commit = self.commit
        self._build()
        self.reload()

    def _build(self) -> None:
        self.title = title_label()
        self.lock_note = plain_label()
        self.lock_note.setWordWrap(True)
        self.lock_note.setStyleSheet("background:#fdecea;color:#a61b1b;padding:6px;border:1px solid #e6a19a;")
        self.add_button = QPushButton("新增项目")
        self.add_button.clicked.connect(self.add_project)
        self.delete_button = QPushButton("删除项目")
        self.delete_button.clicked.connect(self.delete_project)
        self.summary = plain_label()
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
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setMinimumHeight(header.fontMetrics().height() * 2 + 14)  # two-line labels stay whole
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
            with self.db.read_session() as s:
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
        month = Month.parse(sheet.month).short
        self.title.setText(f"{sheet.unit_name}资金项目落实进度调度表（附件3） · {month} · {sheet.state}")
        self.lock_note.setText(f"{month}已报送（已锁定），本表只能查看，不能修改。如需更正，请先重新打开该月份"
                               "（主窗口“工具 › 重新打开本月…”，原因记入操作日志）。")
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
            changed = self.write(ops.EditProject(self.month, uuid, {code: value})).value
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
            uuid = self.write(ops.AddProject(self.month, path, {"name": "新项目", "stage": "未开工"})).value
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
            self.write(ops.DeleteProject(self.month, uuid))
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
    with db.read_session() as s:
        unit_id = sheets.default_unit_id(s)
    if unit_id is None:
        dialogs.info(parent, "资金项目", "还没有单位，请先导入或新建台账。")
        return None
    dlg = QDialog(parent)
    dlg.setWindowTitle("资金项目（附件3）")
    lay = QVBoxLayout(dlg)
    lay.addWidget(ProjectsView(db, period_month, unit_id, dlg, dialogs=dialogs, write=write_for(parent, db)))
    dlg.resize(1500, 700)
    dlg.exec()
    return dlg

"""督战与销号: the year's two lists, the problems ledger and 挂牌督战 as grids (supervision.md §1–3).

Grids keep the register's keyboard contract (typing or F2 edits, Enter commits and moves down, Tab
moves right); filters 逾期 / 本月到期 / 未销号 and by 责任单位; overdue rows are tinted red, rows due
this month amber. 对表销号 (Ctrl+K) asks for the date, 销号依据 and evidence files; Ctrl+Z/Ctrl+Y
undo and redo an edit by its inverse request. Every change is
one typed request (``app.services.ledger_ops``) on the window's write worker: the window never runs SQL. The status line of the main
window shows the open/overdue counts and the days left to the 20th.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.kernel.ledgers import (
    PROBLEM_SOURCES,
    PROBLEM_STATES,
    REASON_COLUMNS,
    TASK_STATES,
    cn_date,
    month_key,
)
from app.rules.codes import RULES
from app.rules.findings import Finding
from app.services import ledger_ops as ops
from app.services import ledgers as L
from app.services import supervision as S
from app.services.concurrency import StaleEdit, replayed
from app.services.errors import GuatuError
from app.services.ledger_status import ledger_counts
from app.services.operations import Outcome
from app.ui.remote_changes import ViewFollower
from app.ui.writer import write_for

LEDGER_KINDS = frozenset({"list", "task", "task_unit", "problem", "target"})  # ``Changed.records`` kinds shown here

OVERDUE_BG = QColor("#f9d6d5")
DUE_BG = QColor("#fdebd0")
CLOSED_FG = QColor("#7f8c8d")


@dataclass(frozen=True)
class Col:
    header: str
    get: Callable[[Any], Any]
    field: str | None = None  # editable through the service when set
    width: int = 90
    choices: tuple[str, ...] = ()
    edit: Callable[[Any], Any] | None = None  # what the editor starts from, when not what is shown


def _d(d: dt.date | None) -> str:
    return cn_date(d) if d else ""


def _mark(line) -> str:
    marks = (["逾期"] if line.overdue else []) + (["本月到期"] if getattr(line, "due_this_month", False) else [])
    return " ".join(marks + list(line.codes))


TASK_COLUMNS = (
    Col("序号", lambda ln: ln.seq or "", None, 44),
    Col("方面", lambda ln: ln.heading or "", "heading", 110),
    Col("指标", lambda ln: ln.target or "", "target", 220),
    Col("工作措施", lambda ln: ln.measures or "", "measures", 260),
    Col("完成时限", lambda ln: ln.deadline_text, "deadline", 110),
    Col("责任领导", lambda ln: ln.leaders or "", "leaders", 90),
    Col("责任单位", lambda ln: ln.unit, "units", 90, edit=lambda ln: ln.units_text or ""),
    Col("责任人", lambda ln: ln.persons or "", "persons", 100),
    Col("状态", lambda ln: ln.status, "status", 70, TASK_STATES),
    Col("月度进展", lambda ln: ln.progress or "", "progress", 200),  # typing records this month's
    Col("销号日期", lambda ln: _d(ln.closed_on), None, 100),
    Col("销号依据", lambda ln: "；".join(filter(None, [ln.closed_basis, *ln.evidence_files])), None, 160),
    Col("登记日期", lambda ln: _d(ln.created_on), None, 100),
    Col("提示", _mark, None, 110),
)
PROBLEM_COLUMNS = (
    Col("序号", lambda ln: ln.seq, None, 44),
    Col("来源", lambda ln: ln.source or "", "source", 80, PROBLEM_SOURCES),
    Col("问题描述", lambda ln: ln.description or "", "description", 240),
    Col("涉及", lambda ln: ln.unit or ln.task or "", None, 120),
    Col("整改措施", lambda ln: ln.measures or "", "measures", 220),
    Col("责任单位", lambda ln: ln.resp_unit or "", "resp_unit", 90),
    Col("责任人", lambda ln: ln.resp_person or "", "resp_person", 80),
    Col("整改时限", lambda ln: ln.deadline.isoformat() if ln.deadline else "", "deadline", 100),
    Col("状态", lambda ln: ln.status, "status", 70, PROBLEM_STATES),
    Col("销号日期", lambda ln: _d(ln.closed_on), None, 100),
    Col("销号依据", lambda ln: "；".join(filter(None, [ln.closed_basis, *ln.evidence_files])), None, 160),
    Col("登记日期", lambda ln: _d(ln.opened_on), None, 100),
    Col("提示", _mark, None, 110),
)
TARGET_COLUMNS = (
    Col("督战县", lambda ln: ln.county or "", None, 90),
    Col("督战对象", lambda ln: ln.name, None, 200),
    Col("挂牌原因", lambda ln: REASON_COLUMNS.get(ln.reason, ln.reason), None, 200),
    Col("人数/发生率", lambda ln: ln.figure or "", "figure", 90),
    Col("领导", lambda ln: ln.leaders or "", "leaders", 120),
    Col("督战小分队部门牵头人", lambda ln: ln.team_lead or "", "team_lead", 150),
    Col("本月督战台账", lambda ln: ln.entry_text, "entry", 260),
    Col("提示", lambda ln: " ".join(ln.codes), None, 80),
)


class LedgerModel(QAbstractTableModel):
    """Rows of view-model lines; ``commit(line, field, text)`` performs the edit and returns success."""

    def __init__(self, columns: tuple[Col, ...], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.lines: list[Any] = []
        self.commit: Callable[[Any, str, str], bool] = lambda line, field, text: False
        self.editable = True

    def set_lines(self, lines: list[Any]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section].header
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and self.columns[index.column()].field:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line, col = self.lines[index.row()], self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            v = col.edit(line) if role == Qt.ItemDataRole.EditRole and col.edit else col.get(line)
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col.header == "提示":  # what each D-code means
                return "\n".join(f"{c} {RULES[c][1]}" for c in getattr(line, "codes", ()) if c in RULES) or None
            v = col.get(line)
            return str(v) if v else None
        if role == Qt.ItemDataRole.BackgroundRole:
            if getattr(line, "overdue", False):
                return QBrush(OVERDUE_BG)
            if getattr(line, "due_this_month", False):
                return QBrush(DUE_BG)
        if role == Qt.ItemDataRole.ForegroundRole and getattr(line, "status", "") == "已销号":
            return QBrush(CLOSED_FG)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        col = self.columns[index.column()]
        line = self.lines[index.row()]
        text = "" if value is None else str(value).strip()
        if col.field is None or text == str((col.edit or col.get)(line) or ""):
            return False
        return self.commit(line, col.field, text)


class LedgerGrid(QTableView):
    """The register's keyboard contract: typing or F2 edits, Enter commits and moves down, Tab right."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def setModel(self, model) -> None:
        super().setModel(model)
        for i, col in enumerate(model.columns):
            self.setColumnWidth(i, col.width)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self._move_down(self.currentIndex())
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor, hint) -> None:
        cur = QPersistentModelIndex(self.currentIndex())
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move_down(QModelIndex(cur))

    def _move_down(self, cur: QModelIndex) -> None:
        model = self.model()
        if model is None or not cur.isValid() or model.rowCount() == 0:
            return
        self.setCurrentIndex(model.index(min(cur.row() + 1, model.rowCount() - 1), cur.column()))


class CloseOutDialog(QDialog):
    """对表销号: date, 销号依据 and the evidence files (their names are kept with the row)."""

    def __init__(self, what: str, today: dt.date, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"对表销号 — {what}")
        form = QFormLayout(self)
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.basis = QLineEdit()
        self.basis.setPlaceholderText("如：经对表检查已完成，见验收报告")
        self.files = QListWidget()
        add = QPushButton("添加佐证材料…")
        add.clicked.connect(self._add_files)
        form.addRow("销号日期", self.date)
        form.addRow("销号依据", self.basis)
        form.addRow("佐证材料", self.files)
        form.addRow("", add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _add_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "佐证材料")
        for n in names:
            self.files.addItem(Path(n).name)

    def values(self) -> tuple[dt.date, str, tuple[str, ...]]:
        d = self.date.date()
        return (dt.date(d.year(), d.month(), d.day()), self.basis.text().strip(),
                tuple(self.files.item(i).text() for i in range(self.files.count())))


@dataclass(frozen=True)
class TargetRowView:
    """A 督战对象 as the grid shows it, with this month's 台账 text."""

    uuid: str
    county: str | None
    name: str
    reason: str
    figure: str | None
    leaders: str | None
    team_lead: str | None
    entry_text: str
    codes: tuple[str, ...]
    overdue: bool = False


class LedgerCommand(QUndoCommand):
    """An edit that ran (its request and what it returned): undo runs the request's inverse, redo the
    inverse of that; the first redo is skipped (the edit was already made)."""

    def __init__(self, view: LedgersView, text: str, request: Any, value: Any):
        super().__init__(text)
        self.view, self.request, self.value = view, request, value
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._swap()

    def undo(self) -> None:
        self._swap()

    def _swap(self) -> None:
        back = self.request.inverse(self.value)
        out = self.view._run(replayed(back))  # refused once another clerk changed the row since
        if out is not None:
            self.request, self.value = back, out.value


class LedgersView(QWidget):
    """The tabs 部门清单 · 乡镇清单 · 问题整改台账 · 挂牌督战 of one year."""

    FILTERS = ("全部", "逾期", "本月到期", "未销号")

    def __init__(self, db, year: int, parent=None, dialogs=None, today: dt.date | None = None,
                 read_only: bool = False, write: Callable[[Any], Outcome] | None = None):
        super().__init__(parent)
        from app.ui.dialogs import Dialogs

        self.db, self.year = db, year
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        self.dialogs = dialogs or Dialogs()
        self.today = today or dt.date.today()
        self.read_only = read_only
        self.undo_stack = QUndoStack(self)
        # File choosers (a test replaces them): a list to import, where to export.
        self.ask_open_file: Callable[[], str | None] = lambda: QFileDialog.getOpenFileName(
            self, "导入责任清单", "", "责任清单 (*.docx *.xlsx)")[0] or None
        self.ask_save_file: Callable[[str], str | None] = lambda name: QFileDialog.getSaveFileName(
            self, "导出", name, "Excel (*.xlsx);;PDF (*.pdf)")[0] or None
        # How 对表销号 asks for date, basis and files; a test replaces it.
        self.ask_close_out: Callable[[str], tuple[dt.date, str, tuple[str, ...]] | None] = self._ask_close_out
        self._build()
        self.reload()
        self._follow_others()

    # -- other clerks' changes (a register on the server, or a CLI run beside the window)
    def _follow_others(self) -> None:
        """Another register's change to a list, task, problem or 督战对象 reads the year again."""
        self.follower = ViewFollower(
            self, self.db, wants=lambda r: any(kind in LEDGER_KINDS for kind, _u in r.records),
            reload=self._reload_keep,
            busy=lambda: any(g.state() == QAbstractItemView.State.EditingState for g in self.grids.values()))

    # -- layout
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.filter = QComboBox()
        self.filter.addItems(self.FILTERS)
        self.filter.setToolTip("筛选：逾期、本月到期、未销号")
        self.unit_filter = QComboBox()
        self.unit_filter.setMinimumWidth(140)
        self.unit_filter.setToolTip("按责任单位筛选")
        self.close_btn = QPushButton("对表销号…（Ctrl+K）")
        self.close_btn.clicked.connect(self.close_out_current)
        self.summary = QLabel("")
        bar.addWidget(QLabel(f"{self.year}年  筛选："))
        bar.addWidget(self.filter)
        bar.addWidget(QLabel("责任单位："))
        bar.addWidget(self.unit_filter)
        bar.addWidget(self.close_btn)
        self.add_btn = QPushButton("新增（Insert）")
        self.add_btn.clicked.connect(self.add_row)
        self.import_btn = QPushButton("导入清单…")
        self.import_btn.clicked.connect(self.import_list)
        self.export_btn = QPushButton("导出…")
        self.export_btn.clicked.connect(self.export_current)
        self.propose_btn = QPushButton("提出督战对象…")
        self.propose_btn.clicked.connect(self.propose_targets)
        for b in (self.add_btn, self.import_btn, self.export_btn, self.propose_btn):
            bar.addWidget(b)
        bar.addStretch(1)
        lay.addLayout(bar)
        lay.addWidget(self.summary)  # its own line: the bar fits a 1366-pixel screen
        self.tabs = QTabWidget()
        self.models: dict[str, LedgerModel] = {}
        self.grids: dict[str, LedgerGrid] = {}
        for key, title, cols in (("departments", "部门清单", TASK_COLUMNS), ("townships", "乡镇清单", TASK_COLUMNS),
                                 ("problems", "问题整改台账", PROBLEM_COLUMNS), ("targets", "挂牌督战", TARGET_COLUMNS)):
            model = LedgerModel(cols, self)
            model.editable = not self.read_only
            model.commit = lambda line, field, text, k=key: self.commit(k, line, field, text)
            grid = LedgerGrid()
            grid.setModel(model)
            self.models[key], self.grids[key] = model, grid
            self.tabs.addTab(grid, title)
        lay.addWidget(self.tabs)
        self.filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.unit_filter.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        QShortcut(QKeySequence("Ctrl+K"), self, activated=self.close_out_current)
        QShortcut(QKeySequence("Insert"), self, activated=self.add_row)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo_stack.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self, activated=self.undo_stack.redo)
        for i in range(4):  # Alt+1 … Alt+4 switch tabs
            QShortcut(QKeySequence(f"Alt+{i + 1}"), self, activated=lambda i=i: self.tabs.setCurrentIndex(i))

    # -- data
    def reload(self) -> None:
        with self.db.read_session() as s:
            views = {v.kind: list(v.lines) for v in L.list_views(s, self.year, self.today)}
            problems = L.problem_lines(s, self.year, self.today)
            targets = S.target_lines(s, self.year, self.today)
            entries = self._entries(s)
            self.counts = ledger_counts(s, self.year, self.today)
        self.all = {"departments": views.get("departments", []), "townships": views.get("townships", []),
                    "problems": problems,
                    "targets": [TargetRowView(t.uuid, t.county, t.name, t.reason, t.figure, t.leaders, t.team_lead,
                                              entries.get(t.uuid, ""), t.codes, "D-09" in t.codes)
                                for t in targets]}
        self.summary.setText(self.counts.text())
        self._tab_changed()

    def _entries(self, s) -> dict[str, str]:
        month = month_key(self.today)
        out = {}
        for t in S.target_entries(s, self.year, month):
            out[t[0]] = t[1]
        return out

    def current_key(self) -> str:
        return ("departments", "townships", "problems", "targets")[self.tabs.currentIndex()]

    def _tab_changed(self) -> None:
        key = self.current_key()
        units = sorted({getattr(ln, "unit", None) or getattr(ln, "resp_unit", None) or "" for ln in self.all[key]} - {""})
        self.unit_filter.blockSignals(True)
        keep = self.unit_filter.currentText()
        self.unit_filter.clear()
        self.unit_filter.addItems(["全部", *units])
        self.unit_filter.setCurrentIndex(max(0, self.unit_filter.findText(keep)))
        self.unit_filter.blockSignals(False)
        self.close_btn.setEnabled(key in ("departments", "townships", "problems") and not self.read_only)
        self.add_btn.setEnabled(key != "targets" and not self.read_only)
        self.import_btn.setEnabled(key in ("departments", "townships") and not self.read_only)
        self.propose_btn.setEnabled(key == "targets" and not self.read_only)
        self.apply_filter()

    def apply_filter(self) -> None:
        for key, model in self.models.items():
            lines = self.all.get(key, [])
            which = self.filter.currentText()
            if which == "逾期":
                lines = [ln for ln in lines if getattr(ln, "overdue", False)]
            elif which == "本月到期":
                lines = [ln for ln in lines if getattr(ln, "due_this_month", False)]
            elif which == "未销号":
                lines = [ln for ln in lines if getattr(ln, "status", "") != "已销号"]
            unit = self.unit_filter.currentText()
            if key == self.current_key() and unit and unit != "全部":
                lines = [ln for ln in lines if (getattr(ln, "unit", None) or getattr(ln, "resp_unit", None)) == unit]
            model.set_lines(lines)

    def go_to_record(self, f: Finding) -> bool:
        """The tab and row of a finding's ``record`` (a task's row of the finding's 责任单位 first),
        the cursor on the finding's column; the filters are cleared so the row is shown."""
        if f.record is None:
            return False
        kind, uuid = f.record
        keys = {"task": ("departments", "townships"), "problem": ("problems",), "target": ("targets",)}.get(kind, ())
        for w in (self.filter, self.unit_filter):
            w.blockSignals(True)
            w.setCurrentIndex(0)
            w.blockSignals(False)
        self.apply_filter()
        for key in keys:
            lines = self.models[key].lines
            hits = [i for i, ln in enumerate(lines) if (ln.task_uuid if kind == "task" else ln.uuid) == uuid]
            if not hits:
                continue
            row = next((i for i in hits if f.unit and getattr(lines[i], "unit", None) == f.unit), hits[0])
            cols = self.models[key].columns
            col = next((i for i, c in enumerate(cols) if c.field and c.field == f.field), None)
            if col is None:
                col = next((i for i, c in enumerate(cols) if f.field == "closed" and c.header == "销号日期"),
                           len(cols) - 1)
            self.tabs.setCurrentIndex(("departments", "townships", "problems", "targets").index(key))
            grid = self.grids[key]
            grid.setCurrentIndex(self.models[key].index(row, col))
            grid.scrollTo(grid.currentIndex())
            grid.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        return False

    # -- edits (each one typed request, run on the window's write worker)
    def _run(self, request: Any) -> Outcome | None:
        try:
            out = self.write(request)
        except StaleEdit as e:  # another clerk changed the row the grid showed: named, re-applied or dropped
            self._reload_keep()
            edit = getattr(request, "edit", None)
            if edit is None or not self.dialogs.stale(self, e, getattr(edit, "value", None)):
                return None
            return self._run(dataclasses.replace(request, edit=dataclasses.replace(edit, base_version=e.version)))
        except GuatuError as e:
            self.dialogs.error(self, "督战与销号", e.message)
            return None
        QTimer.singleShot(0, self._reload_keep)
        return out

    def _reload_keep(self) -> None:
        grid = self.grids[self.current_key()]
        cur = grid.currentIndex()
        row, col = cur.row(), cur.column()
        self.reload()
        model = self.models[self.current_key()]
        if row >= 0 and model.rowCount():
            grid.setCurrentIndex(model.index(min(row, model.rowCount() - 1), max(col, 0)))

    def _apply(self, text: str, request: Any) -> bool:
        """Make an edit now; when its request has an inverse, push it so Ctrl+Z takes it back."""
        out = self._run(request)
        if out is None:
            return False
        if hasattr(request, "inverse"):
            self.undo_stack.push(LedgerCommand(self, text, request, out.value))
        return True

    def commit(self, key: str, line, field: str, text: str) -> bool:
        today = self.today
        if key in ("departments", "townships"):
            if field == "status":
                if text == "已销号":
                    return self.close_out(key, line)
                return self._apply(f"状态：{text}", ops.SetTaskStatus(L.SetTaskStatus(line.task_uuid, line.unit, text, today)))
            if field == "progress":  # this month's entry
                return self._apply("月度进展", ops.RecordProgress(L.RecordProgress(
                    line.task_uuid, line.unit, month_key(today), text, None, today)))
            return self._apply(f"修改{field}", ops.EditTask(L.UpdateTask(line.task_uuid, field, text, today,
                                                                        base_version=line.version)))
        if key == "problems":
            if field == "status" and text == "已销号":
                return self.close_out(key, line)
            return self._apply(f"修改{field}", ops.EditProblem(L.UpdateProblem(line.uuid, field, text, today,
                                                                           base_version=line.version)))
        if field == "entry":
            return self._apply("督战台账", ops.RecordSupervision(S.RecordSupervision(
                line.uuid, month_key(today), text, entered_on=today)))
        return self._apply(f"修改{field}", ops.EditTarget(S.UpdateTarget(line.uuid, field, text, today)))

    def _ask_close_out(self, what: str):
        dlg = CloseOutDialog(what, self.today, self)
        return dlg.values() if dlg.exec() == QDialog.DialogCode.Accepted else None

    def close_out_current(self) -> None:
        key = self.current_key()
        index = self.grids[key].currentIndex()
        if self.read_only or key == "targets" or not index.isValid():
            return
        self.close_out(key, self.models[key].lines[index.row()])

    def close_out(self, key: str, line) -> bool:
        what = (f"{line.seq or ''} {line.unit}" if key != "problems" else (line.description or ""))[:30]
        got = self.ask_close_out(what)
        if got is None:
            return False
        on, basis, files = got
        if key == "problems":
            return self._apply("销号", ops.CloseOutProblem(L.CloseOutProblem(line.uuid, on, basis, files, self.today)))
        return self._apply("对表销号", ops.CloseOutTask(L.CloseOutTask(line.task_uuid, line.unit, on, basis, files,
                                                                       self.today)))


    # -- rows, files, candidates
    def add_row(self) -> None:
        """Insert: a new task at the end of the list, or a new problem; its cells are then typed in."""
        key = self.current_key()
        if self.read_only or key == "targets":
            return
        if key == "problems":
            ok = self._run(ops.AddProblem(L.AddProblem(self.year, None, None, today=self.today)))
        else:
            ok = self._run(ops.AddTask(L.AddTask(self.year, key, "", today=self.today)))
        if ok is not None:
            self.filter.setCurrentText("全部")
            QTimer.singleShot(0, self._go_last)

    def _go_last(self) -> None:
        grid, model = self.grids[self.current_key()], self.models[self.current_key()]
        if model.rowCount():
            grid.setFocus()
            grid.setCurrentIndex(model.index(model.rowCount() - 1, 2))

    def import_list(self) -> None:
        key = self.current_key()
        if self.read_only or key not in ("departments", "townships"):
            return
        path = self.ask_open_file()
        if not path:
            return
        replace = bool(self.all.get(key))
        if replace and not self.dialogs.confirm(self, "导入责任清单", "本年度这张清单已有任务，用文件中的任务替换吗？"):
            return
        out = self._run(ops.ImportList(L.ImportList(Path(path), self.year, key, replace, False, self.today)))
        if out is not None:
            r = out.value
            lines = [f"已导入{r.tasks}项任务（{r.task_units}个责任单位行）。"]
            lines += [f"未能归入：{u}" for u in r.unplaced[:20]] + list(r.unread_deadlines[:20])
            self.dialogs.info(self, "导入责任清单", "\n".join(lines))

    def export_current(self) -> None:
        key = self.current_key()
        name = {"departments": "部门清单", "townships": "乡镇清单", "problems": "问题整改台账",
                "targets": "挂牌督战表"}[key]
        path = self.ask_save_file(f"{name}.xlsx")
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in (".xlsx", ".pdf"):
            out = out.with_suffix(".xlsx")
        if self._run(ops.ExportLedger(key, self.year, out, self.today)) is not None:
            self.dialogs.info(self, "导出", f"已导出：{out}")

    def propose_targets(self) -> None:
        """The register's candidates by the default thresholds; the clerk confirms them as 督战对象."""
        from app.services.periods import latest_period

        with self.db.read_session() as s:
            period = latest_period(s)
            thresholds = S.office_thresholds(s)
            found = [c for c in S.candidates(s, period, thresholds) if not c.listed] if period is not None else []
        if not found:
            self.dialogs.info(self, "挂牌督战", f"按本单位挂牌标准（县>{thresholds.county_over}人、乡镇≥"
                              f"{thresholds.township_at_least}人、村贫困发生率>{thresholds.village_incidence_over:g}%）"
                              "没有新的候选督战对象。")
            return
        text = "\n".join(f"{c.path}：{c.figure}（{REASON_COLUMNS[c.reason]}）" for c in found)
        if self.dialogs.confirm(self, "挂牌督战", f"以下单位达到挂牌标准，确认挂牌督战吗？\n{text}"):
            self._run(ops.ConfirmCandidates(S.ConfirmCandidates(period.month, (), thresholds, self.today)))


def year_of(db, period_month: str | None) -> int:
    if period_month:
        return int(period_month[:4])
    from app.services.periods import latest_period

    with db.read_session() as s:
        p = latest_period(s)
    return p.year if p is not None else dt.date.today().year


def status_counts(db, period_month: str | None, today: dt.date | None = None):
    with db.read_session() as s:
        return ledger_counts(s, year_of(db, period_month), today or dt.date.today())


def status_text(db, period_month: str | None, today: dt.date | None = None) -> str:
    return status_counts(db, period_month, today).text()


def refresh_status(window) -> None:
    """The main window's status line: open/overdue counts and the days left to the 20th."""
    label = getattr(window, "ledgers_label", None)
    if label is None:
        label = QLabel("")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        label.setMinimumWidth(120)
        window.ledgers_label = label
        window.statusBar().addPermanentWidget(label, 1)
    store = window.store
    try:
        counts = status_counts(store.db, store.period.month if store.period else None)
    except Exception:  # the status line is decoration: never break the window for it
        label.setText("")
        return
    label.setText(counts.short())
    label.setToolTip(counts.text())


def open_dialog(parent, db, period_month: str | None, at: Finding | None = None) -> QDialog:
    """工具 › 督战与销号: the year's ledgers in a window of their own; ``at``: a finding on a ledger
    row (from the problems dock), whose row gets the cursor."""
    from app.ui.dialogs import Dialogs

    dialogs = getattr(parent, "dialogs", None) or Dialogs()
    read_only = bool(getattr(getattr(parent, "store", None), "read_only", False))
    dlg = QDialog(parent)
    year = year_of(db, period_month)
    dlg.setWindowTitle(f"督战与销号 — {year}年")
    lay = QVBoxLayout(dlg)
    lay.setContentsMargins(4, 4, 4, 4)
    view = LedgersView(db, year, dlg, dialogs=dialogs, read_only=read_only, write=write_for(parent, db))
    lay.addWidget(view)
    dlg.view = view
    dlg.resize(1340, 700)
    if at is not None:
        QTimer.singleShot(0, lambda: (dlg.activateWindow(), view.go_to_record(at)))  # once shown: the grid takes the focus
    dlg.exec()
    if parent is not None and hasattr(parent, "statusBar"):
        refresh_status(parent)
    return dlg

"""The counts view: 附件1/附件2 laid out as the official forms, with drill-down and last month's values.

The header tree of ``app.forms.layouts`` is drawn as the first rows of the table (spans as printed);
total rows are bold; a hand-typed cell is italic. A click on a count cell lists the persons behind it;
each cell shows last month's value on a second line (and in its tooltip); M-07 and the other count
findings tint their cells and are listed below the table, where a verification note can be kept.
The view calls services only (``app.services.count_sheet``), one session per action.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.forms.layouts import layout
from app.kernel.month import Month
from app.services import count_sheet as sheets
from app.services import operations as ops
from app.services.concurrency import StaleEdit
from app.services.errors import GuatuError
from app.ui.counts_model import ERROR_BG, WARN_BG, CountsModel, DrillDownDialog
from app.ui.remote_changes import ViewFollower
from app.ui.widgets import plain_label, title_label
from app.ui.writer import write_for

R = Qt.ItemDataRole
FORMS = {1: "附件1（5000元以下）", 2: "附件2（5000-5760元）", 3: "附件3（资金项目）"}


class CountsView(QWidget):
    """附件1/附件2 of one unit and month; ``db`` is an open ``Database``."""

    changed = Signal()  # a verification note was saved
    person_chosen = Signal(str)  # (uuid) a person picked in a drill-down list: the main window shows them

    def __init__(self, db, period_month: str | None, unit_id: int, parent=None, dialogs=None, write=None):
        super().__init__(parent)
        from app.ui.dialogs import Dialogs
        self.db, self.period_month, self.unit_id = db, period_month, unit_id
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        self.dialogs = dialogs or Dialogs()
        self.form = 1
        self.drilldown: DrillDownDialog | None = None
        self.model = CountsModel(self)
        self.model.edit_cell = self.edit_cell
        self._build()
        self.reload()
        # another register's change to the register or a typed count: the sheet is read again
        self.follower = ViewFollower(
            self, db, wants=lambda r: bool(r.households or r.persons or r.count_rows or r.periods or r.units
                                           or r.structural),
            reload=self.reload, busy=lambda: self.table.state() == QAbstractItemView.State.EditingState)

    # --- layout
    def _build(self) -> None:
        top = QHBoxLayout()
        self.form_box = QComboBox()
        for f, label in FORMS.items():
            self.form_box.addItem(label, f)
        self.form_box.currentIndexChanged.connect(self._form_changed)
        self.previous_box = QCheckBox("显示上月数")
        self.previous_box.setChecked(True)
        self.previous_box.toggled.connect(self._toggle_previous)
        self.state_label = plain_label()
        top.addWidget(self.form_box)
        top.addWidget(self.previous_box)
        top.addStretch(1)
        top.addWidget(self.state_label)
        self.title = title_label()
        self.title.setWordWrap(True)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().hide()
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.clicked.connect(self.open_drilldown)

        self.findings_list = QListWidget()
        self.findings_list.currentItemChanged.connect(self._finding_selected)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText("核实说明：例如“本月有3户迁出，总人数减少属实”")
        self.note_edit.setMaximumHeight(70)
        self.save_note_button = QPushButton("保存核实说明")
        self.save_note_button.clicked.connect(self.save_note)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        self.findings_label = plain_label("提示与核实说明")
        bl.addWidget(self.findings_label)
        bl.addWidget(self.findings_list)
        row = QHBoxLayout()
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.save_note_button)
        bl.addLayout(row)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.title)
        lay.addWidget(split, 1)

    # --- loading
    def set_context(self, period_month: str | None, unit_id: int) -> None:
        """Show another month or unit (the main window calls this when its selection changes)."""
        self.period_month, self.unit_id = period_month, unit_id
        self.reload()

    def reload(self) -> None:
        from app.forms.layouts import scope_word

        try:
            with self.db.read_session() as s:
                sheet = sheets.count_sheet(s, self.period_month, self.unit_id, self.form)
                scope = sheets.unit_scope(s, self.unit_id)
        except GuatuError as e:
            self.dialogs.error(self, "人数表", e.message)
            return
        lay = layout(self.form)
        header = lay.header()
        self.model.load(sheet, header)
        self.table.clearSpans()
        for c in self.model.header_cells:
            if c.rowspan > 1 or c.colspan > 1:
                self.table.setSpan(c.row, c.col, c.rowspan, c.colspan)
        for i, node in enumerate(self.model.columns):
            self.table.setColumnWidth(i, int(node.width * 7 + 16))
        self.table.resizeRowsToContents()
        n = sheet.rows[0].values.get("total") if sheet.rows else 0
        month = Month.parse(sheet.month)
        self.title.setText(lay.title(scope=scope_word(*scope), year=month.year, n=n))
        self.state_label.setText(f"{month.label} · {sheet.state}")
        self._fill_findings(sheet)

    def _fill_findings(self, sheet: sheets.CountSheet) -> None:
        self.findings_list.clear()
        for f in sheet.findings:
            text = f"{f.code} {'错误' if f.is_error else '提示'}  {f.unit or ''}：{f.message}"
            if f.note:
                text += f"\n    核实说明：{f.note}"
            item = QListWidgetItem(text)
            item.setData(R.UserRole, f)
            item.setBackground(QBrush(ERROR_BG if f.is_error else WARN_BG))
            self.findings_list.addItem(item)
        self.findings_label.setText(f"提示与核实说明（{len(sheet.findings)}条）" if sheet.findings else "本表没有提示。")
        self.note_edit.setEnabled(bool(sheet.findings) and not sheet.locked)
        self.save_note_button.setEnabled(bool(sheet.findings) and not sheet.locked)

    def _form_changed(self, _i: int) -> None:
        self.form = int(self.form_box.currentData())
        self.reload()

    def _toggle_previous(self, on: bool) -> None:
        self.model.set_show_previous(on)
        self.table.resizeRowsToContents()

    # --- a finding from the main window's problems dock
    def go_to_finding(self, f) -> bool:
        """Show the form that has ``f`` and put the cursor on its row (its unit) and column."""
        key = (f.code, f.unit, f.field, f.message)
        for form in (self.form, *(x for x in (1, 2) if x != self.form)):
            if form != self.form:
                self.form_box.setCurrentIndex(self.form_box.findData(form))  # reloads
            sheet = self.model.sheet
            if sheet is None or not any((g.code, g.unit, g.field, g.message) == key for g in sheet.findings):
                continue
            rows = [i for i, r in enumerate(sheet.rows) if r.unit == f.unit]
            rows.sort(key=lambda i: sheet.rows[i].kind != "unit")
            col = next((i for i, n in enumerate(self.model.columns) if n.code == f.field), 0)
            if rows:
                index = self.model.index(self.model.header_rows + rows[0], col)
                self.table.setCurrentIndex(index)
                self.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            self.table.setFocus()
            for i in range(self.findings_list.count()):
                g = self.findings_list.item(i).data(R.UserRole)
                if (g.code, g.unit, g.field, g.message) == key:
                    self.findings_list.setCurrentRow(i)
            return True
        return False

    # --- drill-down
    def open_drilldown(self, index: QModelIndex) -> DrillDownDialog | None:
        """A dialog listing the register persons behind the clicked count (None for other cells)."""
        cell = self.model.cell(index)
        sheet = self.model.sheet
        if cell is None or sheet is None or sheet.form == 3 or not self.model.is_count(index):
            return None
        if self.model.is_hand_cell(index):
            return None  # typed by hand: nothing in the register behind it; a double click edits it
        row, code = cell
        r = sheet.rows[row]
        with self.db.read_session() as s:
            persons = sheets.cell_persons(s, self.period_month, self.unit_id, self.form, r, code)
        label = next(n.label for n in self.model.columns if n.code == code)
        where = r.unit if r.kind == "unit" else f"{r.unit}（合计）"
        note = ""
        if r.kind == "unit" and sheet.typed(row, code):
            note = f"本栏为手工填报的 {sheet.value(row, code)} 人；下面是台账中的 {len(persons)} 人。"
        elif r.kind == "unit" and sheet.typed_any(row):
            note = "本行有手工填报的栏目；下面是台账中的人员。"
        self.drilldown = DrillDownDialog(f"{where} · {label}：{len(persons)}人", persons, note, self)
        self.drilldown.person_chosen.connect(self.person_chosen)
        self.drilldown.show()
        return self.drilldown

    # --- hand-typed counts
    def edit_cell(self, row: int, code: str, value: Any) -> bool:
        """Type a count of a village not kept in the register (blank: not typed); one session."""
        text = str(value).strip() if value is not None else ""
        if text and not text.isdigit():
            self.dialogs.error(self, "手工填报", f"人数必须是不小于0的整数，不能是“{text}”。")
            return False
        sheet = self.model.sheet
        assert sheet is not None
        request = ops.SetHandCount(self.period_month, sheet.rows[row], self.form, code,
                                   int(text) if text else None, base_version=sheet.version(row))
        try:
            self.write(request)
        except StaleEdit as e:  # another clerk typed this row meanwhile: theirs shown, ours re-applied or dropped
            self.reload()
            if not self.dialogs.stale(self, e, request.value):
                return False
            try:
                self.write(dataclasses.replace(request, base_version=e.version))
            except GuatuError as again:
                self.dialogs.error(self, "手工填报", again.message)
                self.reload()
                return False
        except GuatuError as e:
            self.dialogs.error(self, "手工填报", e.message)
            return False
        self.reload()
        self.changed.emit()
        return True

    # --- verification notes
    def _finding_selected(self, item: QListWidgetItem | None, _prev=None) -> None:
        f = item.data(R.UserRole) if item is not None else None
        text = ""
        if f is not None:
            text = f.note or ""
            if not text:  # an M-07 total change: offer the month's 动态调整 as the note
                from app.services.adjustments import suggested_note

                with self.db.read_session() as s:
                    text = suggested_note(s, self.period_month, f) or ""
        self.note_edit.setPlainText(text)

    def save_note(self) -> bool:
        item = self.findings_list.currentItem()
        if item is None:
            self.dialogs.warn(self, "核实说明", "请先在上面的列表中选一条提示。")
            return False
        try:
            self.write(ops.SaveCountNote(self.period_month, item.data(R.UserRole),
                                                   self.note_edit.toPlainText()))
        except GuatuError as e:
            self.dialogs.error(self, "核实说明", e.message)
            return False
        row = self.findings_list.currentRow()
        self.reload()
        self.findings_list.setCurrentRow(row)
        self.changed.emit()
        return True


def open_dialog(parent, db, period_month: str | None) -> QDialog | None:
    """The main window's 工具 › 月报表: the counts of the office's unit in a window of their own."""
    with db.read_session() as s:
        unit_id = sheets.default_unit_id(s)
    if unit_id is None:
        from app.ui.dialogs import Dialogs

        getattr(parent, "dialogs", Dialogs()).info(parent, "月报表", "还没有单位，请先导入或新建台账。")
        return None
    dlg = QDialog(parent)
    dlg.setWindowTitle("月报表（附件1/附件2/附件3）")
    lay = QVBoxLayout(dlg)
    view = CountsView(db, period_month, unit_id, dlg, dialogs=getattr(parent, "dialogs", None),
                      write=write_for(parent, db))
    lay.addWidget(view)
    go_to_person = getattr(parent, "go_to_person", None)
    if go_to_person is not None:  # a person picked in a drill-down list: back to the register, there
        from PySide6.QtCore import QTimer

        # after the dialog is closed and the window has read the register again
        view.person_chosen.connect(lambda pid: (dlg.accept(), QTimer.singleShot(0, lambda: go_to_person(pid))))
    dlg.resize(min(1400, parent.width()) if parent else 1400, min(850, parent.height()) if parent else 850)
    dlg.exec()
    return dlg

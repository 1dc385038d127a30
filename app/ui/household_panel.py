"""The household panel: household-level fields of 附件4 and §5, edited in place, committed at once.

Head and size are derived (shown, not typed); measures and income items are small tables with live
合计/人均; every change goes to the editor as one undoable operation. The fields are in three
sections (tabs) that scroll within themselves, so the panel fits a 1366×768 screen; a section with
a finding is marked, and ``reveal(field)`` brings a field into view and focuses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.kernel.derive import per_capita
from app.rules.findings import Finding
from app.services.browse import HouseholdDetail
from app.ui.delegates import BAD_STYLE, ChoiceCombo, first_fill, phone_edit
from app.ui.models import findings_tip
from app.ui.widgets import plain_label, plain_tip

WARN_STYLE = "background:#fbe3b0;"
BAND_LABELS = {"A": "A（5000元以下）", "B": "B（5000-5760元）"}
GRADE_LABELS = {"A": "A级", "B": "B级", "C": "C级（危房）", "D": "D级（危房）"}


class LinesDelegate(QStyledItemDelegate):
    """The measures and income lines: the category is a closed list typed like the member grid's
    (exact, prefix or pinyin initials; a text that names no category is not stored); an editor
    opened by typing starts empty, so that what is typed replaces the cell."""

    def __init__(self, categories: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.categories = categories

    def createEditor(self, parent: QWidget, option, index) -> QWidget:
        if index.column() == 0:
            return ChoiceCombo(self.categories, parent, allow_blank=False)
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index) -> None:
        if not first_fill(editor):
            return
        replacing = getattr(self.parent(), "replacing", False)
        if isinstance(editor, ChoiceCombo):
            editor.set_value(index.data(Qt.ItemDataRole.EditRole))
            if replacing:
                editor.setEditText("")
        elif replacing and isinstance(editor, QLineEdit):
            editor.clear()
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model, index) -> None:
        if not isinstance(editor, ChoiceCombo):
            super().setModelData(editor, model, index)
            return
        done = editor.resolve()
        if done.ok and done.value:
            model.setData(index, done.value, Qt.ItemDataRole.EditRole)
        elif done.message:
            view = self.parent()
            QToolTip.showText(view.viewport().mapToGlobal(view.visualRect(index).bottomLeft()),
                              plain_tip(done.message + "，未保存。"), view)


class LinesTable(QTableWidget):
    """Measures or income lines: Tab walks the cells and, after the last one, leaves the table
    (Shift+Tab from the first), so the whole panel is walked with Tab."""

    TRIGGERS = (QTableWidget.EditTrigger.AnyKeyPressed | QTableWidget.EditTrigger.DoubleClicked
                | QTableWidget.EditTrigger.EditKeyPressed)

    def __init__(self, categories: tuple[str, ...], columns: int, parent: QWidget | None = None):
        super().__init__(0, columns, parent)
        self.setItemDelegate(LinesDelegate(categories, self))
        self.setEditTriggers(self.TRIGGERS)
        self.replacing = False

    def keyPressEvent(self, event) -> None:
        text = event.text()
        self.replacing = self.state() != QAbstractItemView.State.EditingState and bool(text) and text.isprintable()
        try:
            super().keyPressEvent(event)
        finally:
            self.replacing = False

    def focusNextPrevChild(self, next: bool) -> bool:
        if self.state() == QAbstractItemView.State.EditingState:
            return super().focusNextPrevChild(next)
        r, c = self.currentRow(), self.currentColumn()
        last = (self.rowCount() - 1, self.columnCount() - 1)
        if self.rowCount() == 0 or (next and (r, c) == last) or (not next and (r, c) in ((0, 0), (-1, -1))):
            return QWidget.focusNextPrevChild(self, next)
        return super().focusNextPrevChild(next)


class HouseholdPanel(QWidget):
    """``on_field(field, old, new)`` and ``on_lines(kind, old, new)`` carry edits to the editor."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.detail: HouseholdDetail | None = None
        self.on_field: Callable[[str, Any, Any], None] | None = None
        self.on_lines: Callable[[str, list, list], None] | None = None
        self._loading = False
        self._widgets: dict[str, QWidget] = {}
        self._inputs: list[QWidget] = []  # what is enabled/disabled with the month's editability
        self._editable: bool | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.title = plain_label("未选择户")
        self.title.setStyleSheet("font-size:15px;font-weight:bold;")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        outer.addWidget(self.sections, 1)
        self.scrolls: list[QScrollArea] = []
        lay = self._section("基本情况")

        basic = QGroupBox("基本情况")
        form = QFormLayout(basic)
        self.head = plain_label()
        self.size = plain_label()
        form.addRow("户主", self.head)
        form.addRow("户主电话", self._line("head_phone", phone_edit()))
        form.addRow("家庭人口数", self.size)
        form.addRow("类别", self._combo("band", domain.BANDS, BAND_LABELS, blank=False))
        form.addRow("上年人均纯收入", self._line("prior_income", QLineEdit(), "元"))
        form.addRow("致贫原因", self._choice("cause", domain.CAUSES))
        form.addRow("本年累计人均", self._line("ytd_income", QLineEdit(), "元，截至本月底"))
        form.addRow("预计达5000元", self._line("expected_month", QLineEdit(), "如 2020.09"))
        lay.addWidget(basic)

        helper = QGroupBox("帮扶责任人")
        hf = QFormLayout(helper)
        hf.addRow("姓名", self._line("helper_name", QLineEdit()))
        hf.addRow("单位", self._line("helper_unit", QLineEdit()))
        hf.addRow("电话", self._line("helper_phone", phone_edit()))
        lay.addWidget(helper)
        lay.addStretch(1)

        lay = self._section("措施与收入")
        box, self.measures = self._table(("类别", "措施"), "measures", "主要脱贫措施")
        lay.addWidget(box)
        box, self.income = self._table(("类别", "项目", "金额(元)"), "income", "家庭收入情况（预估）")
        self.income_sum = plain_label()
        box.layout().addWidget(self.income_sum)
        lay.addWidget(box)
        lay.addStretch(1)

        lay = self._section("销号与住房")
        state = QGroupBox("销号、红黄绿与住房")
        grid = QGridLayout(state)
        self.closed = QCheckBox("已销号")
        self.closed_on = QDateEdit()
        self.closed_on.setCalendarPopup(True)
        self.closed_on.setDisplayFormat("yyyy年M月d日")
        self.closed.toggled.connect(self._closed_toggled)
        self.closed_on.dateChanged.connect(self._closed_date)
        grid.addWidget(self.closed, 0, 0)
        grid.addWidget(self.closed_on, 0, 1, 1, 3)
        grid.addWidget(QLabel("返贫风险"), 1, 0)
        grid.addWidget(QLabel("风险原因"), 2, 0, Qt.AlignmentFlag.AlignTop)
        risk_labels = {k: f"{v}色" for k, v in domain.RISK_COLOUR_NAMES.items()}
        grid.addWidget(self._combo("risk_colour", ("red", "yellow", "green"), risk_labels, blank=False), 1, 1, 1, 3)
        self.reasons: dict[str, QCheckBox] = {}
        for i, reason in enumerate(domain.RISK_REASONS):
            box = QCheckBox(reason.replace("因收入来源不稳定或不可持续", "因收入来源不稳定"))
            box.setToolTip(reason)
            box.toggled.connect(self._reasons_changed)
            self.reasons[reason] = box
            grid.addWidget(box, 2 + i // 2, 1 + (i % 2) * 2, 1, 2)
        grid.addWidget(QLabel("危房等级"), 6, 0)
        grid.addWidget(self._combo("housing_grade", domain.HOUSING_GRADES, GRADE_LABELS), 6, 1, 1, 2)
        self.renovated = QCheckBox("已改造")
        self.renovated.toggled.connect(lambda v: self._emit("housing_renovated", v))
        self._widgets["housing_renovated"] = self.renovated
        grid.addWidget(self.renovated, 6, 3)
        lay.addWidget(state)
        lay.addStretch(1)
        self.setEnabled(False)
        self._section_titles = [self.sections.tabText(i) for i in range(self.sections.count())]

    # -- building ------------------------------------------------------------------------------
    def _section(self, title: str) -> QVBoxLayout:
        """A tab whose fields scroll within it."""
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(2, 4, 2, 4)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.addTab(scroll, title)
        self.scrolls.append(scroll)
        return lay

    def fields(self) -> list[QWidget]:
        """Every field that takes Tab, across all sections in their focus order, on the page shown or
        not (Qt's own Tab skips the pages not shown, so a section's last field would leave the panel)."""
        out: list[QWidget] = []
        w = self.nextInFocusChain()
        while w is not None and w is not self:
            i = self.section_of(w)
            if (i >= 0 and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                    and w.isEnabled() and w.isVisibleTo(self.scrolls[i])
                    and not any(o.isAncestorOf(w) or w.isAncestorOf(o) for o in out)):
                out.append(w)  # an editable combo's line edit, a date edit's: the field itself only
            w = w.nextInFocusChain()
        return out

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab walks the fields of all sections: past a section's last field the next section is shown
        and its first field focused; after the panel's last field Tab comes back to its first (Shift+Tab
        the other way). Like the member grid, the panel keeps Tab: F6 leaves it, so a Tab too many never
        lands in the problems list, where Enter would take the window to another household."""
        fields = self.fields()
        focus = QApplication.focusWidget()
        here = -1
        for i, w in enumerate(fields):
            if focus is not None and (w is focus or w.isAncestorOf(focus)):
                here = i
                break
        if here < 0:
            return super().focusNextPrevChild(next)
        next_i = (here + (1 if next else -1)) % len(fields)  # round again, as the member grid keeps Tab
        self.focus_field(fields[next_i], Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True

    def focus_field(self, widget: QWidget, reason: Qt.FocusReason = Qt.FocusReason.OtherFocusReason) -> None:
        """A field focused on whatever section it is: that section shown, the field scrolled into view.
        While the focus is still on a field of the section shown the switch may not take (seen with
        Shift+Tab from the first field round to the last): it is made again once the field has the focus."""
        i = self.section_of(widget)
        if i >= 0:
            self.sections.setCurrentIndex(i)
        widget.setFocus(reason)
        if i >= 0:
            if self.sections.currentIndex() != i:
                self.sections.setCurrentIndex(i)
            self.scrolls[i].ensureWidgetVisible(widget, 20, 20)
        if isinstance(widget, QTableWidget) and widget.rowCount() and not widget.currentIndex().isValid():
            last = reason == Qt.FocusReason.BacktabFocusReason
            widget.setCurrentCell(widget.rowCount() - 1 if last else 0, widget.columnCount() - 1 if last else 0)

    def section_of(self, widget: QWidget) -> int:
        for i, scroll in enumerate(self.scrolls):
            if scroll.widget().isAncestorOf(widget):
                return i
        return -1

    def reveal(self, field: str | None) -> QWidget | None:
        """The field's section shown, the field scrolled into view and focused; None when the panel
        has no such field."""
        widget = self.field_widget(field)
        if widget is None:
            return None
        self.focus_field(widget)
        return widget

    def _line(self, field: str, edit: QLineEdit, hint: str = "") -> QLineEdit:
        if hint:
            edit.setPlaceholderText(hint)
        edit.editingFinished.connect(lambda: self._emit(field, edit.text()))
        self._widgets[field] = edit
        return edit

    @staticmethod
    def _narrow(combo: ChoiceCombo) -> None:
        """A long closed-list text (致贫原因 with its hint) must not widen the panel past the screen."""
        combo.setSizeAdjustPolicy(ChoiceCombo.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(6)

    def _choice(self, field: str, choices: tuple[str, ...]) -> ChoiceCombo:
        combo = ChoiceCombo(choices)
        self._narrow(combo)
        def commit() -> None:
            done = combo.resolve()
            if done.ok:
                self._emit(field, done.value)
                if self.detail is not None and not self._loading:
                    combo.set_value(self.detail.values.get(field))
            else:  # not a value of the list: not stored, the stored value shown again
                QToolTip.showText(combo.mapToGlobal(combo.rect().bottomLeft()), plain_tip(done.message + "，未保存。"),
                                  combo)
                combo.set_value(self.detail.values.get(field) if self.detail else None)

        combo.activated.connect(lambda _i: commit())
        combo.lineEdit().editingFinished.connect(commit)
        self._widgets[field] = combo
        return combo

    def _combo(self, field: str, values: tuple[str, ...], labels: dict[str, str], blank: bool = True) -> ChoiceCombo:
        combo = ChoiceCombo((), allow_blank=blank)
        combo.setEditable(False)
        self._narrow(combo)
        for v in values:
            combo.addItem(labels.get(v, v), v)
        combo.activated.connect(lambda _i: self._emit(field, combo.currentData()))
        self._widgets[field] = combo
        return combo

    def _table(self, headers: tuple[str, ...], kind: str, title: str) -> tuple[QGroupBox, QTableWidget]:
        box = QGroupBox(title)
        v = QVBoxLayout(box)
        categories = domain.MEASURE_CATEGORIES if kind == "measures" else domain.INCOME_CATEGORIES
        table = LinesTable(categories, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setDefaultSectionSize(24)
        table.setColumnWidth(0, 124)
        table.setMinimumHeight(90)
        table.itemChanged.connect(lambda _item: self._lines_changed(kind))
        buttons = QHBoxLayout()
        add, remove = QPushButton("添加一行"), QPushButton("删除所选行")
        add.clicked.connect(lambda: self._add_line(kind))
        remove.clicked.connect(lambda: self._remove_line(kind))
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        v.addWidget(table)
        v.addLayout(buttons)
        self._widgets[kind] = table
        self._inputs += [add, remove]
        return box, table

    # -- loading -------------------------------------------------------------------------------
    def load(self, detail: HouseholdDetail | None, editable: bool) -> None:
        self._loading = True
        try:
            self.detail = detail
            self.setEnabled(detail is not None)
            if detail is None:
                self.title.setText("未选择户")
                return
            if editable != self._editable:
                self._editable = editable
                for w in [*self._widgets.values(), *self._inputs, self.closed, *self.reasons.values()]:
                    if isinstance(w, QTableWidget):
                        w.setEditTriggers(LinesTable.TRIGGERS if editable else QTableWidget.EditTrigger.NoEditTriggers)
                    else:
                        w.setEnabled(editable)
            v = detail.values
            self.title.setText(f"{detail.unit} · {detail.head_name or '（未填户主）'}户")
            self.head.setText(detail.head_name or "（成员表中未设户主）")
            self.size.setText(f"{detail.size}人（按成员自动计算）")
            for field in ("head_phone", "helper_name", "helper_unit", "helper_phone", "expected_month"):
                self._widgets[field].setText(v.get(field) or "")
            for field in ("prior_income", "ytd_income"):
                x = v.get(field)
                self._widgets[field].setText("" if x is None else f"{x:g}")
            for field in ("cause", "band", "risk_colour", "housing_grade"):
                self._widgets[field].set_value(v.get(field))
            self.renovated.setChecked(bool(v.get("housing_renovated")))
            self.closed.setChecked(bool(v.get("closed_out")))
            on = v.get("closed_out_on")
            self.closed_on.setDate(QDate(on.year, on.month, on.day) if on else QDate.currentDate())
            self.closed_on.setEnabled(editable and bool(v.get("closed_out")))
            reasons = set((v.get("risk_reasons") or "").split("、"))
            for r, box in self.reasons.items():
                box.setChecked(r in reasons)
                box.setEnabled(editable and v.get("risk_colour") != "green")
            self._fill(self.measures, [(c, t) for c, t in detail.measures], domain.MEASURE_CATEGORIES)
            self._fill(self.income, [(c, lab or "", f"{a:g}") for c, lab, a in detail.income_items],
                       domain.INCOME_CATEGORIES)
            self._update_sum()
        finally:
            self._loading = False

    def _fill(self, table: QTableWidget, rows: list[tuple], categories: tuple[str, ...]) -> None:
        shown = [tuple((table.item(r, c).text() if table.item(r, c) else "") for c in range(table.columnCount()))
                 for r in range(table.rowCount())]
        if shown == [tuple("" if v is None else str(v) for v in row) for row in rows]:
            return  # what the clerk just typed, as stored: the open editor and the cursor stay
        focus = QApplication.focusWidget()
        had_focus = focus is not None and (focus is table or table.isAncestorOf(focus))
        r, c = table.currentRow(), table.currentColumn()
        table.blockSignals(True)
        table.setRowCount(0)
        for row in rows:
            self._append(table, row, categories)
        table.blockSignals(False)
        if had_focus:
            table.setFocus()
            if table.rowCount():
                table.setCurrentCell(min(max(r, 0), table.rowCount() - 1), max(c, 0))

    def _append(self, table: QTableWidget, row: tuple, categories: tuple[str, ...]) -> None:
        r = table.rowCount()
        table.insertRow(r)
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))

    def lines(self, kind: str) -> list[tuple]:
        table = self.measures if kind == "measures" else self.income
        out = []
        for r in range(table.rowCount()):
            cells = [(table.item(r, c).text() if table.item(r, c) else "") for c in range(table.columnCount())]
            out.append((cells[0] or None, *cells[1:]))
        return out

    # -- edits ---------------------------------------------------------------------------------
    def _emit(self, field: str, new: Any) -> None:
        if self._loading or self.detail is None or self.on_field is None:
            return
        old = self.detail.values.get(field)
        if isinstance(new, str) and new.strip() == "" and old is None:
            return
        if new == old or (old is not None and isinstance(old, float) and str(new) == f"{old:g}"):
            return
        self.on_field(field, old, new)

    def _closed_toggled(self, on: bool) -> None:
        self.closed_on.setEnabled(on)
        self._emit("closed_out", on)

    def _closed_date(self, date: QDate) -> None:
        if self.closed.isChecked():
            self._emit("closed_out_on", dt.date(date.year(), date.month(), date.day()))

    def _reasons_changed(self) -> None:
        text = "、".join(r for r, box in self.reasons.items() if box.isChecked()) or None
        self._emit("risk_reasons", text)

    def _lines_changed(self, kind: str) -> None:
        if kind == "income":
            self._update_sum()
        if self._loading or self.detail is None or self.on_lines is None:
            return
        old = self.detail.measures if kind == "measures" else self.detail.income_items
        new = self.lines(kind)
        if kind == "measures" and [n for n in new if n[1].strip()] == list(old):
            return
        if kind == "income":  # a line still being typed (no label, no amount) waits
            new = [n for n in new if n[1].strip() or n[2].strip()]
            if new == [(c, lab or "", f"{a:g}") for c, lab, a in old]:
                return
        self.on_lines(kind, list(old), new)

    def _add_line(self, kind: str) -> None:
        """A new line, the cursor in its category (typed like a closed-list cell: 工资 → 工资性收入)."""
        table = self.measures if kind == "measures" else self.income
        table.blockSignals(True)
        self._append(table, ("产业带动", "") if kind == "measures" else ("种植业", "", ""), ())
        table.blockSignals(False)
        table.setFocus()
        table.setCurrentCell(table.rowCount() - 1, 0)

    def _remove_line(self, kind: str) -> None:
        table = self.measures if kind == "measures" else self.income
        rows = sorted({i.row() for i in table.selectedIndexes()} | {table.currentRow()} - {-1}, reverse=True)
        for r in rows:
            table.removeRow(r)
        if rows:
            self._lines_changed(kind)

    def _update_sum(self) -> None:
        total = 0.0
        for _c, _lab, amount in self.lines("income"):
            try:
                total += float(amount or 0)
            except ValueError:
                pass
        size = self.detail.size if self.detail else 0
        self.income_sum.setText(f"合计 {total:g} 元，人均 {per_capita(total, size)} 元（{size}人）")

    FINDING_FIELDS = {"head_contact": "head_phone", "helper_contact": "helper_phone", "income_items": "income"}

    def field_widget(self, field: str | None) -> QWidget | None:
        """The input of a household-level field (a finding's ``field``), None when the panel has none."""
        if not field:
            return None
        return self._widgets.get(self.FINDING_FIELDS.get(field, field))

    # -- findings ------------------------------------------------------------------------------
    def set_findings(self, findings: list[Finding]) -> None:
        """Tint household-level fields with their findings (E red, W amber), code and message as tooltip."""
        by_field: dict[str, list[Finding]] = {}
        for f in findings:
            if not f.person and f.field:
                key = self.FINDING_FIELDS.get(f.field, f.field)
                by_field.setdefault(key, []).append(f)
        marks: dict[int, str] = {}
        for field, w in self._widgets.items():
            found = by_field.get(field, [])
            style = BAD_STYLE if any(f.is_error for f in found) else WARN_STYLE if found else ""
            sheet = f"{type(w).__name__}{{{style}}}" if style else ""
            if w.styleSheet() != sheet:  # a new style sheet re-polishes the widget: only when it changes
                w.setStyleSheet(sheet)
            tip = findings_tip(found)
            if w.toolTip() != tip:
                w.setToolTip(tip)
            if found:
                i = self.section_of(w)
                marks[i] = "E" if any(f.is_error for f in found) or marks.get(i) == "E" else "W"
        bar = self.sections.tabBar()
        for i, title in enumerate(self._section_titles):
            mark = marks.get(i)
            self.sections.setTabText(i, f"{title} ●" if mark else title)
            bar.setTabTextColor(i, QColor("#c0392b" if mark == "E" else "#b9770e" if mark else "#000000"))

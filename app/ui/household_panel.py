"""The household panel: household-level fields of 附件4 and §5, edited in place, committed at once.

Head and size are derived (shown, not typed); measures and income items are small tables with live
合计/人均; every change goes to the editor as one undoable operation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import domain
from app.kernel.derive import per_capita
from app.rules.findings import Finding
from app.services.browse import HouseholdDetail
from app.ui.delegates import BAD_STYLE, ChoiceCombo, phone_edit
from app.ui.models import findings_tip
from app.ui.widgets import plain_label

WARN_STYLE = "background:#fbe3b0;"
BAND_LABELS = {"A": "A（5000元以下）", "B": "B（5000-5760元）"}
GRADE_LABELS = {"A": "A级", "B": "B级", "C": "C级（危房）", "D": "D级（危房）"}


class HouseholdPanel(QWidget):
    """``on_field(field, old, new)`` and ``on_lines(kind, old, new)`` carry edits to the editor."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.detail: HouseholdDetail | None = None
        self.on_field: Callable[[str, Any, Any], None] | None = None
        self.on_lines: Callable[[str, list, list], None] | None = None
        self._loading = False
        self._widgets: dict[str, QWidget] = {}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = plain_label("未选择户")
        self.title.setStyleSheet("font-size:15px;font-weight:bold;")
        lay.addWidget(self.title)

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

        box, self.measures = self._table(("类别", "措施"), "measures", "主要脱贫措施")
        lay.addWidget(box)
        box, self.income = self._table(("类别", "项目", "金额(元)"), "income", "家庭收入情况（预估）")
        self.income_sum = plain_label()
        box.layout().addWidget(self.income_sum)
        lay.addWidget(box)

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

    # -- building ------------------------------------------------------------------------------
    def _line(self, field: str, edit: QLineEdit, hint: str = "") -> QLineEdit:
        if hint:
            edit.setPlaceholderText(hint)
        edit.editingFinished.connect(lambda: self._emit(field, edit.text()))
        self._widgets[field] = edit
        return edit

    def _choice(self, field: str, choices: tuple[str, ...]) -> ChoiceCombo:
        combo = ChoiceCombo(choices)
        combo.activated.connect(lambda _i: self._emit(field, combo.value()))
        combo.lineEdit().editingFinished.connect(lambda: self._emit(field, combo.value()))
        self._widgets[field] = combo
        return combo

    def _combo(self, field: str, values: tuple[str, ...], labels: dict[str, str], blank: bool = True) -> ChoiceCombo:
        combo = ChoiceCombo((), allow_blank=blank)
        combo.setEditable(False)
        for v in values:
            combo.addItem(labels.get(v, v), v)
        combo.activated.connect(lambda _i: self._emit(field, combo.currentData()))
        self._widgets[field] = combo
        return combo

    def _table(self, headers: tuple[str, ...], kind: str, title: str) -> tuple[QGroupBox, QTableWidget]:
        box = QGroupBox(title)
        v = QVBoxLayout(box)
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.horizontalHeader().setSectionResizeMode(1 if kind == "measures" else 1, QHeaderView.ResizeMode.Stretch)
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
            for w in self.findChildren(QWidget):
                if isinstance(w, (QLineEdit, QCheckBox, QDateEdit, QPushButton, QTableWidget, ChoiceCombo)):
                    w.setEnabled(editable) if not isinstance(w, QTableWidget) else w.setEditTriggers(
                        QTableWidget.EditTrigger.AllEditTriggers if editable else QTableWidget.EditTrigger.NoEditTriggers)
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
        table.blockSignals(True)
        table.setRowCount(0)
        for row in rows:
            self._append(table, row, categories)
        table.blockSignals(False)

    def _append(self, table: QTableWidget, row: tuple, categories: tuple[str, ...]) -> None:
        r = table.rowCount()
        table.insertRow(r)
        combo = ChoiceCombo(categories, allow_blank=False)
        combo.set_value(row[0])
        combo.activated.connect(lambda _i, t=table: self._lines_changed("measures" if t is self.measures else "income"))
        table.setCellWidget(r, 0, combo)
        for c, value in enumerate(row[1:], start=1):
            table.setItem(r, c, QTableWidgetItem(str(value)))

    def lines(self, kind: str) -> list[tuple]:
        table = self.measures if kind == "measures" else self.income
        out = []
        for r in range(table.rowCount()):
            combo = table.cellWidget(r, 0)
            cells = [(table.item(r, c).text() if table.item(r, c) else "") for c in range(1, table.columnCount())]
            out.append((combo.value() if combo else None, *cells))
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
        if kind == "measures":
            self._append(self.measures, ("产业带动", ""), domain.MEASURE_CATEGORIES)
            self.measures.editItem(self.measures.item(self.measures.rowCount() - 1, 1))
        else:
            self._append(self.income, ("种植业", "", ""), domain.INCOME_CATEGORIES)
            self.income.editItem(self.income.item(self.income.rowCount() - 1, 2))

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

    # -- findings ------------------------------------------------------------------------------
    def set_findings(self, findings: list[Finding]) -> None:
        """Tint household-level fields with their findings (E red, W amber), code and message as tooltip."""
        by_field: dict[str, list[Finding]] = {}
        for f in findings:
            if not f.person and f.field:
                key = {"head_contact": "head_phone", "helper_contact": "helper_phone"}.get(f.field, f.field)
                by_field.setdefault(key, []).append(f)
        for field, w in self._widgets.items():
            found = by_field.get(field, [])
            style = BAD_STYLE if any(f.is_error for f in found) else WARN_STYLE if found else ""
            w.setStyleSheet(f"{type(w).__name__}{{{style}}}" if style else "")
            w.setToolTip(findings_tip(found))

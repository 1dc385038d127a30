"""监测户 tab (household-records.md §3): the month's monitored households, and an editor beside them.

Keyboard first, no dialog: Up/Down in the list loads a household into the form (a proposed 红
household loads as a new 脱贫不稳定户 of that household), Enter goes to the form, Ctrl+N starts a new
one. In the form Tab walks 村 · 户主 · 监测类型 (1/2/3) · 红黄绿 (1 红, 2 黄, 3 绿) · the risk reasons
(Space) · 纳入日期 · a new measure (date, text) · 复核日期 · 风险消除 (date, basis); Ctrl+Enter saves
through one typed request (``record_ops.SaveMonitored``) on the window's write worker. A refusal is
shown in the status line and the focus stays where it was.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import MONITOR_KINDS, RISK_COLOUR_NAMES, RISK_REASONS
from app.kernel.month import Month
from app.services import monitoring
from app.services.errors import GuatuError
from app.services.record_ops import SaveMonitored
from app.services.units import period_and_unit as resolve
from app.ui.writer import write_for

COLUMNS = ("乡镇/村", "户主", "监测类型", "红黄绿", "状态", "纳入日期", "风险原因", "帮扶措施")
COLOURS = ("red", "yellow", "green")  # keys 1, 2, 3
COLOUR_CODES = {v: k for k, v in RISK_COLOUR_NAMES.items()}


class MonitoredView(QWidget):
    def __init__(self, db, period_month: str, dialogs=None, parent=None, write=None):
        super().__init__(parent)
        self.db, self.dialogs = db, dialogs
        self.write = write or write_for(None, db)
        with db.read_session() as s:
            period, unit = resolve(s, period_month, None)
            from app.models.units import unit_path, villages_under

            self.villages = [unit_path(v) for v in villages_under(s, unit)]
        self.month = period.month
        m = Month.parse(self.month)
        self.today = min(max(dt.date.today(), m.first_day), m.last_day)
        self.rows: list[dict] = []
        self.editing: str | None = None  # the monitored household's UUID, None for a new one
        self.household: str | None = None  # the registered household a proposal names

        lay = QHBoxLayout(self)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.currentCellChanged.connect(lambda row, *_: self.load(row))
        lay.addWidget(self.table, 3)

        right = QVBoxLayout()
        form = QFormLayout()
        self.village = QComboBox()
        self.village.setEditable(True)
        self.village.addItems(self.villages)
        comp = QCompleter(self.villages, self.village)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        self.village.setCompleter(comp)
        form.addRow("所在村", self.village)
        self.head = QLineEdit()
        form.addRow("户主", self.head)
        self.kind = QComboBox()
        self.kind.addItems(MONITOR_KINDS)
        form.addRow("监测类型（1/2/3）", self.kind)
        self.colour = QComboBox()
        self.colour.addItems([RISK_COLOUR_NAMES[c] for c in COLOURS])
        form.addRow("红黄绿（1红 2黄 3绿）", self.colour)
        for box in (self.kind, self.colour):
            box.installEventFilter(self)
        grid = QWidget()
        g = QGridLayout(grid)
        g.setContentsMargins(0, 0, 0, 0)
        self.reasons = {r: QCheckBox(r) for r in RISK_REASONS}
        for i, box in enumerate(self.reasons.values()):
            g.addWidget(box, i // 3, i % 3)
        form.addRow("风险原因", grid)
        self.started = _date_edit()
        form.addRow("纳入监测日期", self.started)
        self.measure_on = _date_edit()
        self.measure = QLineEdit()
        self.measure.setPlaceholderText("本次新增的帮扶措施（可空）")
        form.addRow("新增措施", _pair(self.measure_on, self.measure))
        self.measures = QLabel("")
        self.measures.setWordWrap(True)
        form.addRow("已有措施", self.measures)
        self.reviewed = _date_edit()
        form.addRow("复核日期", self.reviewed)
        self.cleared = _date_edit()
        self.basis = QLineEdit()
        self.basis.setPlaceholderText("风险消除依据")
        form.addRow("风险消除", _pair(self.cleared, self.basis))
        right.addLayout(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存（Ctrl+Enter）")
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton("新增监测户（Ctrl+N）")
        self.new_button.clicked.connect(lambda: self.new_record())
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.new_button)
        right.addLayout(buttons)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        right.addWidget(self.status)
        right.addStretch(1)
        lay.addLayout(right, 2)

        chain = [self.village, self.head, self.kind, self.colour, *self.reasons.values(), self.started,
                 self.measure_on, self.measure, self.reviewed, self.cleared, self.basis, self.save_button,
                 self.new_button, self.table]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_record,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for seq in ("Return", "Enter"):
            QShortcut(QKeySequence(seq), self.table, activated=self.head.setFocus,
                      context=Qt.ShortcutContext.WidgetShortcut)
        self.reload()
        self.new_record(focus=False)

    def eventFilter(self, obj, event) -> bool:  # 1/2/3 pick without opening the list
        if obj in (self.kind, self.colour) and event.type() == QEvent.Type.KeyPress and event.text() in ("1", "2", "3"):
            obj.setCurrentIndex(int(event.text()) - 1)
            return True
        return super().eventFilter(obj, event)

    # -- the list ------------------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        with self.db.read_session() as s:
            period, unit = resolve(s, self.month, None)
            self.rows = monitoring.listing(s, period, unit)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.rows))
        current = -1
        for r, row in enumerate(self.rows):
            state = "建议纳入监测" if row["proposed"] else row["status"]
            for c, value in enumerate((row["unit"], row["head"], row["kind"], row["colour"], state,
                                       row.get("started_on"), row["reasons"], row.get("measures"))):
                item = QTableWidgetItem(str(value or ""))
                item.setToolTip(item.text())
                self.table.setItem(r, c, item)
            if select is not None and row.get("uuid") == select:
                current = r
        self.table.setCurrentCell(current, 0 if current >= 0 else -1)  # none: the first key picks row 0
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):  # long reasons and measures: the tooltip has them whole
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), 160))

    def load(self, row: int) -> None:
        """The list's row into the form: a monitored household to edit, or a proposal to take in."""
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        self.editing = None if r["proposed"] else r["uuid"]
        self.household = r.get("household")
        self.village.setCurrentText(r["unit"] or "")
        self.head.setText(r["head"] or "")
        self.kind.setCurrentText(r["kind"])
        self.colour.setCurrentText(r["colour"])
        chosen = set((r["reasons"] or "").split("、"))
        for name, box in self.reasons.items():
            box.setChecked(name in chosen)
        self.started.setText(r.get("started_on") or self.today.isoformat())
        self.measure_on.setText(self.today.isoformat())
        self.measure.clear()
        self.measures.setText(r.get("measures") or "—")
        self.reviewed.setText(r.get("reviewed_on") or "")
        self.cleared.setText(r.get("cleared_on") or "")
        self.basis.setText(r.get("cleared_basis") or "")
        self.village.setEnabled(self.editing is None)
        self.status.setText(f"正在修改：{r['head']}" if self.editing else f"纳入监测：{r['head']}（建议）")

    def new_record(self, focus: bool = True) -> None:
        self.editing, self.household = None, None
        self.village.setEnabled(True)
        self.head.clear()
        self.kind.setCurrentIndex(1)  # 边缘易致贫户: the usual new one
        self.colour.setCurrentIndex(1)
        for box in self.reasons.values():
            box.setChecked(False)
        self.started.setText(self.today.isoformat())
        self.measure_on.setText(self.today.isoformat())
        for w in (self.measure, self.reviewed, self.cleared, self.basis):
            w.clear()
        self.measures.setText("—")
        self.table.clearSelection()
        self.status.setText("新增监测户")
        if focus:
            self.village.setFocus()
            self.village.lineEdit().selectAll()

    # -- saving --------------------------------------------------------------------------------------

    def request(self) -> SaveMonitored:
        started = _date(self.started, "纳入监测日期", required=True)
        measure_on = _date(self.measure_on, "措施日期", required=bool(self.measure.text().strip()))
        return SaveMonitored(
            self.editing, self.village.currentText().strip() or None, self.head.text().strip(),
            self.kind.currentText(), COLOUR_CODES[self.colour.currentText()],
            tuple(r for r, box in self.reasons.items() if box.isChecked()), started, self.household,
            (measure_on, self.measure.text().strip()) if self.measure.text().strip() else None,
            _date(self.reviewed, "复核日期"), _date(self.cleared, "风险消除日期"), self.basis.text().strip() or None)

    def save(self) -> bool:
        try:
            req = self.request()
            change = self.write(req).value
        except (GuatuError, ValueError) as e:
            self.status.setText(f"未保存：{getattr(e, 'message', None) or e}")
            return False
        uuid = change.monitored[0]
        notes = "；".join(f.message for f in change.findings)
        was_new = self.editing is None
        self.reload(select=None if was_new else uuid)
        if was_new:
            self.new_record()
            self.village.setCurrentText(req.village or "")
            self.head.setFocus()
        else:
            self.load(self.table.currentRow())
        self.status.setText(f"已保存：{req.head_name}" + (f"。提示：{notes}" if notes else ""))
        return True


def _date_edit() -> QLineEdit:
    w = QLineEdit()
    w.setPlaceholderText("YYYY-MM-DD")
    w.setMaximumWidth(110)
    return w


def _pair(a: QWidget, b: QWidget) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(a)
    h.addWidget(b, 1)
    return w


def _date(w: QLineEdit, label: str, required: bool = False) -> dt.date | None:
    text = w.text().strip()
    if not text:
        if required:
            raise ValueError(f"请填写{label}（YYYY-MM-DD）。")
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}应为 YYYY-MM-DD，现为“{text}”。") from None

"""工具 › 入户走访与动态调整: the household records of a month (household-records.md §1–3).

Four tabs: 入户走访 (a visit typed from the paper form by keyboard alone — the household by its
head's name, Tab through 五问/四讲/三看 with Space, 1/2/3 for 满意度, Ctrl+Enter saves and starts
the next one), 动态调整 (the month's records; type the reason in the table to close A-01; export
the 名单), 监测户 (the month's list with the 红 households proposed, and its editor: ``monitored_view``)
and 治疗用药 (``treatment_view``). Thin: services do the work; every change (a visit, a record's cell,
an export, which is audited, a monitored household saved) is a typed request on the window's write worker.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.kernel.month import Month
from app.services import adjustments, visits
from app.services.errors import GuatuError
from app.services.operations import SetAdjustmentDetails
from app.services.record_ops import ExportAdjustmentList, RecordVisit
from app.services.units import period_and_unit as resolve
from app.ui.writer import write_for

SATISFACTION_KEYS = {"1": "满意", "2": "基本满意", "3": "不满意"}


class VisitForm(QWidget):
    """One visit, by keyboard: every control in paper-form order, Ctrl+Enter to save."""

    def __init__(self, db, period_month: str, dialogs, parent=None, write=None):
        super().__init__(parent)
        self.db, self.month, self.dialogs = db, period_month, dialogs
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        with db.read_session() as s:
            _period, self.households = visits.household_choices(s, period_month)  # "户主（村）" → uuid
        lay = QFormLayout(self)
        self.household = QComboBox()
        self.household.setEditable(True)
        self.household.addItems(list(self.households))
        self.household.setCurrentIndex(-1)
        comp = QCompleter(list(self.households), self.household)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        comp.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.household.setCompleter(comp)
        lay.addRow("户主（输入姓名）", self.household)
        m = Month.parse(period_month)
        self.date = QDateEdit(QDate(m.year, m.month, min(dt.date.today(), m.last_day).day
                                    if (dt.date.today().year, dt.date.today().month) == (m.year, m.month)
                                    else m.last_day.day))
        self.date.setDisplayFormat("yyyy-MM-dd")
        lay.addRow("走访日期", self.date)
        self.visitor = QLineEdit()
        lay.addRow("走访人", self.visitor)
        self.asks = {c: QCheckBox(visits.ASK_NAMES[c]) for c in visits.ASKS}
        lay.addRow("五问", _row(self.asks.values()))
        self.talks = {c: QCheckBox(visits.TALK_NAMES[c]) for c in visits.TALKS}
        lay.addRow("四讲", _row(self.talks.values()))
        self.looks: dict[str, tuple[QCheckBox, QLineEdit]] = {}
        grid = QWidget()
        g = QGridLayout(grid)
        g.setContentsMargins(0, 0, 0, 0)
        for i, c in enumerate(visits.LOOKS):
            box, note = QCheckBox(f"{visits.LOOK_NAMES[c]}有问题"), QLineEdit()
            note.setPlaceholderText("情况说明")
            g.addWidget(box, i, 0)
            g.addWidget(note, i, 1)
            self.looks[c] = (box, note)
        lay.addRow("三看", grid)
        self.problems = QLineEdit()
        self.problems.setPlaceholderText("发现的问题，多个用；分隔（登记到问题台账）")
        lay.addRow("一化解", self.problems)
        self.solved = QCheckBox("当场解决")
        lay.addRow("", self.solved)
        self.satisfaction = QComboBox()
        self.satisfaction.addItems(["", *SATISFACTION_KEYS.values()])
        self.satisfaction.setToolTip("按 1 满意、2 基本满意、3 不满意")
        lay.addRow("满意度（1/2/3）", self.satisfaction)
        self.remark = QLineEdit()
        lay.addRow("备注", self.remark)
        self.save_button = QPushButton("保存并录入下一户（Ctrl+Enter）")
        self.save_button.clicked.connect(self.save)
        lay.addRow(self.save_button)
        self.status = QLabel("")
        lay.addRow(self.status)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.satisfaction.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # 1/2/3 pick the 满意度 without opening the list
        from PySide6.QtCore import QEvent

        if obj is self.satisfaction and event.type() == QEvent.Type.KeyPress and event.text() in SATISFACTION_KEYS:
            self.satisfaction.setCurrentText(SATISFACTION_KEYS[event.text()])
            return True
        return super().eventFilter(obj, event)

    def request(self) -> visits.RecordVisit | None:
        uuid = self.households.get(self.household.currentText().strip())
        if uuid is None:
            text = self.household.currentText().strip()
            hits = [u for k, u in self.households.items() if text and k.startswith(text)]
            uuid = hits[0] if len(hits) == 1 else None
        if uuid is None:
            self.dialogs.warn(self, "入户走访", "请从列表中选择一户（输入户主姓名可查找）。")
            return None
        bad = [c for c, (box, _n) in self.looks.items() if box.isChecked()]
        texts = [t.strip() for t in self.problems.text().replace(";", "；").split("；") if t.strip()]
        problems = tuple(visits.ProblemIn(t, bad[0] if len(bad) == 1 else None, self.solved.isChecked())
                         for t in texts)
        return visits.RecordVisit(
            uuid, self.date.date().toPython(), self.visitor.text().strip(),
            frozenset(c for c, b in self.asks.items() if b.isChecked()), (),
            frozenset(c for c, b in self.talks.items() if b.isChecked()),
            tuple((c, "有问题" if box.isChecked() else "正常", note.text()) for c, (box, note) in self.looks.items()),
            problems, self.satisfaction.currentText() or None, self.remark.text())

    def save(self) -> bool:
        req = self.request()
        if req is None:
            return False
        try:
            ch = self.write(RecordVisit(req)).value
        except GuatuError as e:
            self.dialogs.warn(self, "入户走访", e.message)
            return False
        warn = "；".join(f.message for f in ch.findings)
        self.status.setText(f"已保存{self.household.currentText()}的走访。" + (f"提示：{warn}" if warn else ""))
        self.clear()
        self.saved()
        return True

    def saved(self) -> None:
        """Overridden by the view to refresh its list."""

    def clear(self) -> None:
        """Ready for the next household: the date and the visitor stay."""
        self.household.setCurrentIndex(-1)
        self.household.setEditText("")
        for b in (*self.asks.values(), *self.talks.values(), self.solved):
            b.setChecked(False)
        for box, note in self.looks.values():
            box.setChecked(False)
            note.clear()
        self.problems.clear()
        self.remark.clear()
        self.satisfaction.setCurrentIndex(0)
        self.household.setFocus()


def _row(widgets) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    for x in widgets:
        h.addWidget(x)
    h.addStretch(1)
    return w


ADJ_COLUMNS = ("序号", "乡镇", "村", "户主", "姓名", "身份证号", "调整类型", "生效日期", "原因", "批准文号")
_EDITABLE = {7: "effective_on", 8: "reason", 9: "approval_no"}


class RecordsView(QWidget):
    def __init__(self, db, period_month: str, dialogs, parent=None, write=None):
        super().__init__(parent)
        self.db, self.month, self.dialogs = db, period_month, dialogs
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        # Where the 名单 is exported (a test replaces it): a folder chosen by the clerk.
        self.ask_folder = lambda: QFileDialog.getExistingDirectory(self, "导出到文件夹") or None
        lay = QVBoxLayout(self)
        self.tabs = QTabWidget()
        lay.addWidget(self.tabs)
        # visits
        page = QWidget()
        v = QHBoxLayout(page)
        self.form = VisitForm(db, period_month, dialogs, write=self.write)
        self.form.saved = self.reload_visits
        v.addWidget(self.form, 2)
        right = QVBoxLayout()
        self.satisfaction = QLabel()
        right.addWidget(self.satisfaction)
        self.visit_table = QTableWidget(0, 5)
        self.visit_table.setHorizontalHeaderLabels(["日期", "村", "户主", "走访人", "满意度"])
        self.visit_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        right.addWidget(self.visit_table)
        v.addLayout(right, 3)
        self.tabs.addTab(page, "入户走访")
        # adjustments
        page = QWidget()
        a = QVBoxLayout(page)
        self.adj_summary = QLabel()
        a.addWidget(self.adj_summary)
        self.adj_table = QTableWidget(0, len(ADJ_COLUMNS))
        self.adj_table.setHorizontalHeaderLabels(ADJ_COLUMNS)
        self.adj_table.itemChanged.connect(self._adj_edited)
        a.addWidget(self.adj_table)
        self.export_button = QPushButton("导出动态调整名单（Excel 和 PDF）…")
        self.export_button.clicked.connect(lambda: self.export_adjustments())
        a.addWidget(self.export_button)
        self.tabs.addTab(page, "动态调整")
        # monitored: the list and its editor (``monitored_view``)
        from app.ui.monitored_view import MonitoredView

        self.monitored = MonitoredView(db, period_month, dialogs, write=self.write)
        self.mon_table = self.monitored.table
        self.tabs.addTab(self.monitored, "监测户")
        from app.ui.treatment_view import TreatmentView

        self.treatment = TreatmentView(db, period_month, dialogs, write=self.write)
        self.tabs.addTab(self.treatment, "治疗用药")
        self.reload()

    def reload(self) -> None:
        self.reload_visits()
        self.reload_adjustments()
        self.reload_monitored()

    def reload_visits(self) -> None:
        with self.db.read_session() as s:
            period, unit = resolve(s, self.month, None)
            rows = visits.list_visits(s, unit, period.month)
            sat = visits.satisfaction(s, unit, period.month)
        self.visit_table.setRowCount(len(rows))
        for r, row in enumerate(reversed(rows)):
            for c, key in enumerate(("visited_on", "unit", "head", "visitor", "satisfaction")):
                self.visit_table.setItem(r, c, QTableWidgetItem(str(row[key] or "")))
        self.visit_table.resizeColumnsToContents()
        rate = "—" if sat.rate is None else f"{sat.rate:.1f}%"
        self.satisfaction.setText(f"{sat.unit} 本月走访{sat.visited}户，群众满意度 {rate}（目标 {sat.target:.0f}%）")

    def reload_adjustments(self) -> None:
        with self.db.read_session() as s:
            period, unit = resolve(s, self.month, None)
            self.adj = adjustments.listing(s, period, unit)
        self.adj_table.blockSignals(True)
        self.adj_table.setRowCount(len(self.adj.rows))
        for r, row in enumerate(self.adj.rows):
            values = (row.seq, row.township, row.village, row.head, row.name, row.id_masked, row.kind,
                      row.effective_on, row.reason, row.approval_no)
            for c, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if c not in _EDITABLE:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if row.open and c == 8:
                    item.setToolTip("A-01：请填写调整原因")
                    item.setBackground(Qt.GlobalColor.yellow)
                self.adj_table.setItem(r, c, item)
        self.adj_table.resizeColumnsToContents()
        self.adj_table.horizontalHeader().setStretchLastSection(True)
        self.adj_table.verticalHeader().setVisible(False)
        self.adj_table.blockSignals(False)
        self.adj_summary.setText(self.adj.summary())

    def _adj_edited(self, item: QTableWidgetItem) -> None:
        name = _EDITABLE.get(item.column())
        row = self.adj.rows[item.row()]
        text = item.text().strip()
        try:
            value = dt.date.fromisoformat(text) if name == "effective_on" else text
            self.write(SetAdjustmentDetails(adjustments.SetDetails(row.uuid, **{name: value})))
        except ValueError:
            self.dialogs.warn(self, "动态调整", f"生效日期应为 YYYY-MM-DD，现为“{text}”。")
        except GuatuError as e:
            self.dialogs.warn(self, "动态调整", e.message)
        self.reload_adjustments()

    def export_adjustments(self, folder: str | None = None) -> list[str]:
        folder = folder or self.ask_folder()
        if not folder:
            return []
        try:
            res = self.write(ExportAdjustmentList(adjustments.ExportList(self.month, None, folder))).value
        except GuatuError as e:
            self.dialogs.warn(self, "动态调整", e.message)
            return []
        self.dialogs.info(self, "动态调整", "已导出：\n" + "\n".join(res.files))
        return list(res.files)

    def reload_monitored(self) -> None:
        self.monitored.reload()


def open_dialog(parent, db, period_month: str | None) -> QDialog | None:
    """The main window's 工具 › 入户走访与动态调整."""
    from app.ui.dialogs import Dialogs

    dialogs = getattr(parent, "dialogs", None) or Dialogs()
    with db.read_session() as s:
        try:
            period, _unit = resolve(s, period_month, None)
        except GuatuError as e:
            dialogs.info(parent, "入户走访与动态调整", e.message)
            return None
    dlg = QDialog(parent)
    dlg.setWindowTitle(f"入户走访与动态调整 — {period.month}")
    lay = QVBoxLayout(dlg)
    view = RecordsView(db, period.month, dialogs, dlg, write=write_for(parent, db))
    lay.addWidget(view)
    dlg.resize(1300, 720)
    view.form.household.setFocus()  # the clerk types the head's name at once, as on the paper form
    dlg.exec()
    return dlg

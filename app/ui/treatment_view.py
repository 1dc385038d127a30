"""治疗用药情况 of a household's members, as the village doctor keeps them (household-records.md §4).

The household by its head's name, the member, then the record in the order of the paper table;
个人自付 is derived (总费用 less the four reimbursements). Ctrl+Enter saves, Ctrl+N starts a new
record, Delete in the list removes the selected one. Thin: typed requests (``operations``) run
``app.services.treatment``, which keeps the content out of the audit log.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import treatment, visits
from app.services.errors import GuatuError
from app.services.operations import DeleteTreatmentRecord, SetTreatmentRecord
from app.services.units import period_and_unit as resolve
from app.ui.writer import write_for

AMOUNTS = (("total_cost", "医疗总费用"), ("basic_insurance", "基本医保报销"), ("serious_insurance", "大病保险报销"),
           ("medical_assistance", "医疗救助"), ("other_reimbursement", "其他报销"))
LIST_COLUMNS = ("疾病", "治疗方式", "医疗总费用", "报销合计", "个人自付")


def _money(parent: QWidget) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(0, 9_999_999)
    box.setDecimals(2)
    box.setSuffix(" 元")
    box.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
    return box


class TreatmentView(QWidget):
    def __init__(self, db, period_month: str, dialogs, parent=None, write=None):
        super().__init__(parent)
        self.db, self.dialogs = db, dialogs
        self.write = write or write_for(None, db)  # typed requests: the window's worker, or execute
        with db.read_session() as s:
            period, self.households = visits.household_choices(s, period_month)  # "户主（村）" → uuid
        self.month, self.year = period.month, period.year
        self.records: list = []
        self.editing: str | None = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        form = QFormLayout()
        self.household = QComboBox()
        self.household.setEditable(True)
        self.household.addItems(list(self.households))
        self.household.setCurrentIndex(-1)
        comp = QCompleter(list(self.households), self.household)
        comp.setFilterMode(Qt.MatchFlag.MatchContains)
        self.household.setCompleter(comp)
        self.household.currentTextChanged.connect(self._household_changed)
        form.addRow("户主（输入姓名）", self.household)
        self.household.lineEdit().returnPressed.connect(self._to_member)
        self.member = QComboBox()
        self.member.currentIndexChanged.connect(self.reload)
        form.addRow("成员", self.member)
        self.disease = QLineEdit()
        form.addRow("疾病诊断", self.disease)
        self.hospital = QLineEdit()
        form.addRow("诊治医院", self.hospital)
        self.treatment = QComboBox()
        self.treatment.addItems(["", *treatment.TREATMENTS])
        form.addRow("治疗方式", self.treatment)
        self.doctor = QLineEdit()
        form.addRow("签约医生", self.doctor)
        self.medicines = QLineEdit()
        self.medicines.setPlaceholderText("药名 用法用量，多种用；分隔")
        form.addRow("用药情况", self.medicines)
        self.amounts = {f: _money(self) for f, _label in AMOUNTS}
        for f, label in AMOUNTS:
            self.amounts[f].valueChanged.connect(self._own_share)
            form.addRow(label, self.amounts[f])
        self.own = QLabel("0.00 元")
        form.addRow("个人自付", self.own)
        self.followups = QLineEdit()
        self.followups.setPlaceholderText("日期 随访人 情况，多次用；分隔")
        form.addRow("随访情况", self.followups)
        left.addLayout(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("保存（Ctrl+Enter）")
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton("新建（Ctrl+N）")
        self.new_button.clicked.connect(self.new_record)
        self.delete_button = QPushButton("删除所选（列表中按 Delete）")
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.save_button, self.new_button, self.delete_button):
            buttons.addWidget(b)
        left.addLayout(buttons)
        self.status = QLabel("")
        left.addWidget(self.status)
        left.addStretch(1)
        lay.addLayout(left, 2)
        self.table = QTableWidget(0, len(LIST_COLUMNS))
        self.table.setHorizontalHeaderLabels(LIST_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.currentCellChanged.connect(lambda row, *_: self._load(row))
        lay.addWidget(self.table, 3)
        chain = [self.household, self.member, self.disease, self.hospital, self.treatment, self.doctor,
                 self.medicines, *self.amounts.values(), self.followups, self.save_button, self.new_button,
                 self.delete_button, self.table]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)  # the paper table's order
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.save,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_record,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table, activated=self.delete_selected,
                  context=Qt.ShortcutContext.WidgetShortcut)

    # -- choosing whose records ----------------------------------------------------------------------

    def household_uuid(self) -> str | None:
        """The household typed: its full entry, or the only one whose head's name starts so."""
        text = self.household.currentText().strip()
        if text in self.households:
            return self.households[text]
        hits = [u for k, u in self.households.items() if text and k.startswith(text)]
        return hits[0] if len(hits) == 1 else None

    def _household_changed(self) -> None:
        uuid = self.household_uuid()
        if uuid == getattr(self, "_shown", None):
            return
        self._shown = uuid
        self.member.blockSignals(True)
        self.member.clear()
        uuid = self.household_uuid()
        if uuid is not None:
            with self.db.read_session() as s:
                period, _unit = resolve(s, self.month, None)
                for person, name, health in treatment.members_of(s, period, uuid):
                    self.member.addItem(f"{name}（{health or '健康状况未填'}）", person)
        self.member.blockSignals(False)
        self.reload()

    def _to_member(self) -> None:
        if self.household_uuid() is not None:
            self.member.setFocus()

    def reload(self) -> None:
        uuid, person = self.household_uuid(), self.member.currentData()
        self.records = []
        if uuid is not None and person is not None:
            with self.db.read_session() as s:
                self.records = [(r.uuid, r.disease, r.hospital, r.treatment, r.doctor, r.medicines,
                                 {f: getattr(r, f) or 0.0 for f, _l in AMOUNTS}, r.followups)
                                for r in treatment.of_household(s, uuid, self.year) if r.person_uuid == person]
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.records))
        for row, (_u, disease, _h, kind, _d, _m, amounts, _f) in enumerate(self.records):
            paid = sum(amounts[f] for f, _l in AMOUNTS[1:])
            for col, value in enumerate((disease, kind or "", f"{amounts['total_cost']:.2f}", f"{paid:.2f}",
                                         f"{amounts['total_cost'] - paid:.2f}")):
                self.table.setItem(row, col, QTableWidgetItem(value))
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()
        self.new_record(focus=False)

    # -- the form ------------------------------------------------------------------------------------

    def _own_share(self) -> None:
        v = {f: b.value() for f, b in self.amounts.items()}
        own = v["total_cost"] - sum(v[f] for f, _l in AMOUNTS[1:])
        self.own.setText(f"{own:.2f} 元" + ("（报销超过总费用）" if own < -0.005 else ""))

    def _load(self, row: int) -> None:
        if not 0 <= row < len(self.records):
            return
        uuid, disease, hospital, kind, doctor, medicines, amounts, followups = self.records[row]
        self.editing = uuid
        self.disease.setText(disease)
        self.hospital.setText(hospital or "")
        self.treatment.setCurrentText(kind or "")
        self.doctor.setText(doctor or "")
        self.medicines.setText(medicines or "")
        for f, box in self.amounts.items():
            box.setValue(amounts[f])
        self.followups.setText(followups or "")
        self.status.setText(f"正在修改：{disease}")

    def new_record(self, focus: bool = True) -> None:
        self.editing = None
        for w in (self.disease, self.hospital, self.doctor, self.medicines, self.followups):
            w.clear()
        self.treatment.setCurrentIndex(0)
        for box in self.amounts.values():
            box.setValue(0)
        self.table.clearSelection()
        self.status.setText("")
        if focus and self.member.count():
            self.disease.setFocus()

    def save(self) -> bool:
        uuid, person = self.household_uuid(), self.member.currentData()
        if uuid is None or person is None:
            self.dialogs.warn(self, "治疗用药情况", "请先从列表中选择一户和一名成员。")
            return False

        def text(w: QLineEdit) -> str | None:
            return w.text().strip() or None

        req = treatment.SetTreatment(
            uuid, person, self.year, self.disease.text().strip(), text(self.hospital), None,
            self.treatment.currentText() or None, text(self.doctor), text(self.medicines),
            **{f: box.value() for f, box in self.amounts.items()}, followups=text(self.followups),
            record=self.editing)
        try:
            _rec, found = self.write(SetTreatmentRecord(req)).value
        except GuatuError as e:
            self.dialogs.warn(self, "治疗用药情况", e.message)
            return False
        self.reload()
        warn = "；".join(f.message for f in found)
        self.status.setText("已保存。" + (f"提示：{warn}" if warn else ""))
        return True

    def delete_selected(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(self.records):
            return False
        uuid, disease = self.records[row][0], self.records[row][1]
        if not self.dialogs.confirm(self, "治疗用药情况", f"删除“{disease}”这条记录？"):
            return False
        try:
            self.write(DeleteTreatmentRecord(uuid))
        except GuatuError as e:
            self.dialogs.warn(self, "治疗用药情况", e.message)
            return False
        self.reload()
        self.status.setText("已删除。")
        return True

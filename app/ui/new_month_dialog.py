"""工具 › 新建月份… (结转): open the next month from the chosen one. Across a year it asks for every
household's prior-year per-capita income (H-13 decides the band by it) in a table the clerk fills in,
pastes into from Excel, or imports from a workbook — December's 本年累计 is offered where there is one.
结转 is the ``NewMonth`` request (as ``guatu new-month``), run on the window's write worker with the
progress dialog and its 取消 (which rolls the new month back)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
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

from app.services.errors import GuatuError, month_label
from app.services.operations import NewMonth, Outcome
from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.tasks import Cancelled, TaskDialog
from app.ui.widgets import month_combo, ok_cancel

INCOME_COL = 4
COLUMNS = ("乡镇/村", "户主", "户主身份证号", "12月本年累计人均", "上年度人均纯收入（元）")


def crosses_year(source: str | None, target: str) -> bool:
    return bool(source) and len(target) >= 4 and target[:4].isdigit() and target[:4] != source[:4]


class PriorTable(QTableWidget):
    """One line a household; only the income column is typed. Ctrl+V pastes a column copied from
    Excel downwards from the current line (the last number of each copied line is taken)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.uuids: list[str] = []
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().setDefaultSectionSize(22)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        header = self.horizontalHeader()
        for i, w in enumerate((190, 80, 150, 110)):
            self.setColumnWidth(i, w)
        header.setSectionResizeMode(INCOME_COL, QHeaderView.ResizeMode.Stretch)

    def load(self, rows) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        self.setRowCount(len(rows))
        self.uuids = [r.uuid for r in rows]
        fixed = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        for n, r in enumerate(rows):
            suggested = "" if r.suggested is None else f"{r.suggested:g}"
            for c, text in enumerate((r.unit, r.head, r.id_masked, suggested, suggested)):
                item = QTableWidgetItem(text)
                if c != INCOME_COL:
                    item.setFlags(fixed)
                self.setItem(n, c, item)
        self.blockSignals(False)
        if rows:
            self.setCurrentCell(0, INCOME_COL)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.matches(QKeySequence.StandardKey.Paste) and self.state() != QAbstractItemView.State.EditingState:
            self.paste(QGuiApplication.clipboard().text())
            return
        super().keyPressEvent(event)

    def paste(self, text: str) -> int:
        """Lines of copied cells into the income column from the current line; returns lines pasted."""
        start = max(self.currentRow(), 0)
        n = 0
        for line in text.replace("\r\n", "\n").rstrip("\n").split("\n"):
            if start + n >= self.rowCount():
                break
            cells = [c.strip() for c in line.split("\t") if c.strip()]
            self.item(start + n, INCOME_COL).setText(cells[-1].replace(",", "") if cells else "")
            n += 1
        return n

    def values(self) -> tuple[dict[str, float], list[str]]:
        """uuid → income for the lines filled; the lines whose text is not a number."""
        out: dict[str, float] = {}
        bad: list[str] = []
        for r, uuid in enumerate(self.uuids):
            text = self.item(r, INCOME_COL).text().strip().replace(",", "").rstrip("元")
            if not text:
                continue
            try:
                out[uuid] = float(text)
            except ValueError:
                bad.append(f"第{r + 1}行 {self.item(r, 1).text()}：“{text}”")
        return out, bad

    def set_values(self, values: dict[str, float]) -> int:
        n = 0
        for r, uuid in enumerate(self.uuids):
            if uuid in values:
                self.item(r, INCOME_COL).setText(f"{values[uuid]:g}")
                n += 1
        return n


class NewMonthDialog(TaskDialog):
    """结转: open the next month from the chosen one; crossing a year asks for prior-year incomes."""

    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 dialogs: Dialogs | None = None):
        super().__init__(db, parent, dialogs)
        from sqlalchemy import select

        from app.models import Period
        from app.services.periods import next_month

        self.setWindowTitle("新建月份（结转）")
        with db.read_session() as s:
            months = list(s.scalars(select(Period.month).order_by(Period.month.desc())))
        self.rows = []
        self._rows_of: str | None = None
        self.source = month_combo(((m, None) for m in months), month)
        self.target = QLineEdit(next_month(self.source.currentData()) if months else "")
        self.source.currentIndexChanged.connect(lambda _i: self.target.setText(next_month(self.source.currentData())))
        form = QFormLayout()
        form.addRow("从：", self.source)
        form.addRow("到（如 2021-01）：", self.target)
        note = QLabel("复制户、成员、帮扶措施、收入、每月帮扶情况和资金项目（编号不变）；已销号户保留标记。"
                      "跨年度时按上年度人均纯收入重新确定收入档次，并清空本年累计收入。")
        note.setWordWrap(True)
        self.incomes_box = QGroupBox("跨年度：各户上年度人均纯收入")
        box = QVBoxLayout(self.incomes_box)
        hint = QLabel("逐户填写，或从 Excel 复制一列金额后在第一户处按 Ctrl+V 粘贴，或从工作簿导入"
                      "（有“户主”和“收入”两列即可，按身份证号或村和户主姓名对应）。从12月结转时已填入12月的本年累计人均。")
        hint.setWordWrap(True)
        self.table = PriorTable()
        buttons = QHBoxLayout()
        self.import_button = QPushButton("从工作簿导入…")
        self.template_button = QPushButton("导出填写用工作簿…")
        self.import_button.clicked.connect(lambda: self.import_workbook())
        self.template_button.clicked.connect(lambda: self.write_template())
        self.filled = QLabel("")
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.template_button)
        buttons.addStretch(1)
        buttons.addWidget(self.filled)
        box.addWidget(hint)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        self.table.itemChanged.connect(lambda _i: self._count())
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.incomes_box, 1)
        lay.addWidget(ok_cancel(self, "结转", self.start))
        self.setMinimumWidth(520)
        self.source.currentIndexChanged.connect(lambda _i: self._refresh())
        self.target.textChanged.connect(lambda _t: self._refresh())
        self._refresh()

    def _refresh(self) -> None:
        src, dst = self.source.currentData(), self.target.text().strip()
        crossing = crosses_year(src, dst)
        self.incomes_box.setVisible(crossing)
        if crossing and self._rows_of != src:
            from app.services.prior_incomes import prior_rows

            with self.db.read_session() as s:
                self.rows = prior_rows(s, src)
            self._rows_of = src
            self.table.load(self.rows)
            self._count()
        if crossing:
            self.resize(max(self.width(), 820), max(self.height(), 560))

    def _count(self) -> None:
        values, bad = self.table.values()
        self.filled.setText(f"已填{len(values)}户，共{len(self.table.uuids)}户" + (f"，{len(bad)}行不是数字" if bad else ""))

    def import_workbook(self, path: str | None = None) -> int:
        from app.services.prior_incomes import read_workbook

        if path is None:
            path = QFileDialog.getOpenFileName(self, "从工作簿导入上年度人均纯收入", "", "Excel 工作簿 (*.xlsx)")[0]
        if not path:
            return 0
        try:
            values, unmatched = read_workbook(path, self.rows)
        except GuatuError as e:
            self.dialogs.error(self, "从工作簿导入", e.message)
            return 0
        n = self.table.set_values(values)
        text = f"已填入{n}户。"
        if unmatched:
            text += f"\n以下{len(unmatched)}行没有对应到户（请核对户主姓名或身份证号）：\n  " + "\n  ".join(unmatched[:30])
        self.dialogs.info(self, "从工作簿导入", text)
        return n

    def write_template(self, path: str | None = None) -> None:
        from app.services.prior_incomes import write_template

        if path is None:
            path = QFileDialog.getSaveFileName(self, "导出填写用工作簿", "上年度人均纯收入.xlsx", "Excel 工作簿 (*.xlsx)")[0]
        if path:
            write_template(path, self.rows)

    def start(self) -> None:
        src, dst = self.source.currentData(), self.target.text().strip()
        prior = None
        if crosses_year(src, dst):
            prior, bad = self.table.values()
            if bad:
                self.dialogs.error(self, "新建月份", "上年度人均纯收入应为数字：\n  " + "\n  ".join(bad[:20]))
                return
        self.handle = self.runner.execute(lambda p: NewMonth(src, dst, prior, cancel=p.check), title="结转",
                                          on_result=self._done, on_error=self._failed)

    def _done(self, outcome: Outcome) -> None:
        self.result = result = outcome.value
        text = f"已开启{month_label(result['period'])}：{result['households']}户{result['persons']}人，" \
               f"其中已销号{result['closed_out']}户。"
        if result["hand_counts_to_retype"]:
            text += f"\n手填调度表人数未结转，请重新填写：{'、'.join(result['hand_counts_to_retype'])}"
        if result["left_scope"]:
            text += f"\n上年度人均纯收入超过5760元、不再结转：{'、'.join(result['left_scope'])}"
        self.dialogs.info(self, "新建月份", text)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self.dialogs.info(self, "新建月份", "已取消，未开启新月份。")
            return
        msg = error.message if isinstance(error, GuatuError) else f"{type(error).__name__}: {error}"
        self.dialogs.error(self, "新建月份", msg)


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    NewMonthDialog(db, month, parent).exec()


__all__ = ["NewMonthDialog", "open_dialog"]

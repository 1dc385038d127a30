"""工具 › 月度分析: the month's analysis (一月一分析) as tables beside last month, bars of the shares,
the report draft, and drill-down from a figure to the households behind it (Enter or double-click).
Keyboard: the section list, Tab to the figures, Enter on a figure lists its households below.
The section texts kept and the export (which freezes the month's figures and enters the 反馈单 lines
in the problems ledger) are typed requests (``app.services.record_ops``) on the window's write worker."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.kernel.analysis import Analysis, Line
from app.kernel.analysis_text import SECTION_HEADINGS, report_content
from app.services.analysis import section_edits
from app.services.errors import GuatuError
from app.services.record_ops import (
    ExportAnalysisReport,
    KeepMonthFigures,
    ReserveMonthFigures,
    SaveReportSection,
)
from app.storage import StorageError
from app.ui.writer import write_for

log = logging.getLogger(__name__)

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SECTIONS = ("基本情况", "分乡镇", "致贫原因", "红黄绿预警", "帮扶措施", "收入分布", "动态调整", "风险等级变化",
            "数据问题与异常", "任务与问题", "督战对象", "报告草稿")


class Bars(QWidget):
    """Horizontal bars of a section's figures (count and share), drawn with QPainter."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list[tuple[str, int, str]] = []
        self.setMinimumHeight(120)

    def set_items(self, items: list[tuple[str, int, str]]) -> None:
        self.items = items
        self.setVisible(bool(items))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt)
        if not self.items:
            return
        p = QPainter(self)
        fm = p.fontMetrics()
        label_w = max(fm.horizontalAdvance(lbl) for lbl, _, _ in self.items) + 8
        row = max(14.0, (self.height() - 4) / len(self.items))
        top = max(n for _, n, _ in self.items) or 1
        span = max(10, self.width() - label_w - 110)
        for i, (label, n, share) in enumerate(self.items):
            y = 2 + i * row
            p.setPen(QColor("#000000"))
            p.drawText(QRectF(0, y, label_w - 6, row), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            w = span * n / top
            p.fillRect(QRectF(label_w, y + row * 0.2, w, row * 0.6), QColor("#B22222"))
            p.drawText(QRectF(label_w + w + 4, y, 110, row), Qt.AlignmentFlag.AlignVCenter,
                       f"{n} {share + '%' if share else ''}")
        p.end()


def _num(v: int | None) -> str:
    return "" if v is None else str(v)


def _signed(v: int | None) -> str:
    return "" if v is None else f"{v:+d}"


class AnalysisView(QWidget):
    def __init__(self, db, period_month: str | None, parent=None, write=None, dialogs=None):
        super().__init__(parent)
        from app.ui.dialogs import Dialogs

        self.db = db
        self.dialogs = dialogs or Dialogs()
        self.write = write or write_for(None, db)  # a typed request: the window's worker, or execute
        self.period = period_month
        self.analysis: Analysis | None = None
        self.edits: dict[str, str] = {}
        # Where 导出 writes (a test replaces it): a folder chosen by the clerk.
        self.ask_folder: Callable[[], str | None] = lambda: QFileDialog.getExistingDirectory(self, "导出到文件夹") or None
        self._build()
        self.reload()

    # --- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(QLabel("单位："))
        self.unit_box = QComboBox()
        self.unit_box.setObjectName("analysis_unit")
        head.addWidget(self.unit_box, 1)
        self.title = QLabel()
        self.title.setObjectName("analysis_title")
        head.addWidget(self.title, 3)
        self.export_button = QPushButton("导出报告与反馈单…")
        self.export_button.clicked.connect(lambda: self.export())
        head.addWidget(self.export_button)
        lay.addLayout(head)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.sections = QListWidget()
        self.sections.setObjectName("analysis_sections")
        self.sections.addItems(SECTIONS)
        self.sections.setMaximumWidth(180)
        split.addWidget(self.sections)
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget()
        self.table.setObjectName("analysis_figures")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.activated.connect(self.drill)
        tl.addWidget(self.table, 3)
        self.bars = Bars()
        tl.addWidget(self.bars, 2)
        self.draft_box = QWidget()
        dl = QVBoxLayout(self.draft_box)
        dl.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("部分："))
        self.section_box = QComboBox()
        self.section_box.setObjectName("analysis_section")
        self.section_box.addItems(SECTION_HEADINGS)
        row.addWidget(self.section_box, 1)
        self.save_button = QPushButton("保存本部分")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.save_draft)
        row.addWidget(self.save_button)
        self.revert_button = QPushButton("恢复自动生成")
        self.revert_button.clicked.connect(self.revert_draft)
        row.addWidget(self.revert_button)
        dl.addLayout(row)
        self.draft = QPlainTextEdit()
        self.draft.setObjectName("analysis_draft")
        dl.addWidget(self.draft, 1)
        self.edited_label = QLabel()
        dl.addWidget(self.edited_label)
        tl.addWidget(self.draft_box, 3)
        self.section_box.currentIndexChanged.connect(lambda _i: self.show_draft())
        right.addWidget(top)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        self.drill_label = QLabel("选中一行数字按回车（或双击），列出对应的户。")
        bl.addWidget(self.drill_label)
        self.households = QTableWidget(0, 3)
        self.households.setObjectName("analysis_households")
        self.households.setHorizontalHeaderLabels(["户主", "乡镇/村", "情况"])
        self.households.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.households.horizontalHeader().setStretchLastSection(True)
        bl.addWidget(self.households)
        right.addWidget(bottom)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([150, 1050])
        lay.addWidget(split, 1)
        self.sections.currentRowChanged.connect(self.show_section)
        self.unit_box.activated.connect(lambda _i: self.reload())

    # --- data ----------------------------------------------------------------------------------
    def _fill_units(self, s) -> None:
        from app.services.ledgers import townships
        from app.services.units import default_unit

        if self.unit_box.count():
            return
        root = default_unit(s)
        if root is not None:
            self.unit_box.addItem(root.name, root.name)
        for t in townships(s):
            if root is None or t.name != root.name:
                self.unit_box.addItem(t.name, t.name)

    def reload(self) -> None:
        from app.services.analysis import analyse

        with self.db.read_session() as s:
            self._fill_units(s)
        unit = self.unit_box.currentData()
        tokens = self._reserve(unit)
        computed: dict = {}
        with self.db.read_session() as s:
            self.analysis = analyse(s, self.period, unit, computed=computed)
        if tokens and computed:
            self._keep(unit, tokens, computed)
        a = self.analysis
        self.title.setText(f"{a.title}（{a.due.month}月{a.due.day}日前报送）")
        with self.db.read_session() as s:
            self.edits = section_edits(s, a.period, self.unit_box.currentData())
        self.show_draft()
        row = max(0, self.sections.currentRow())
        self.sections.setCurrentRow(row)
        self.show_section(row)

    def _reserve(self, unit: str | None) -> dict[int, str]:
        """Placeholders for the month figures the analysis is about to compute (a write request), so
        the next analysis reads them kept; none in a read-only window."""
        try:
            return self.write(ReserveMonthFigures(self.period, unit)).value
        except (GuatuError, StorageError):  # a read-only window: the figures are computed each time
            return {}

    def _keep(self, unit: str | None, tokens: dict[int, str], computed: dict) -> None:
        try:
            self.write(KeepMonthFigures(unit, tokens, computed))
        except (GuatuError, StorageError):
            log.warning("month figures not kept", exc_info=True)

    def _rows(self, header: list[str], rows: list[tuple[list[str], str | None]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setRowCount(len(rows))
        for r, (cells, key) in enumerate(rows):
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(KEY_ROLE, key)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if rows:
            self.table.setCurrentCell(0, 0)

    def _lines(self, lines: tuple[Line, ...] | list[Line], bars: bool = True) -> None:
        self._rows(["项目", "本月", "上月", "增减", "占比"],
                   [([ln.label, str(ln.now), _num(ln.before), _signed(ln.change), f"{ln.share}%" if ln.share else ""],
                     ln.key) for ln in lines])
        self.bars.set_items([(ln.label, ln.now, ln.share or "") for ln in lines] if bars else [])

    def show_section(self, row: int) -> None:
        a = self.analysis
        if a is None or row < 0:
            return
        name = SECTIONS[row]
        self.draft_box.setVisible(name == "报告草稿")
        self.table.setVisible(name != "报告草稿")
        self.bars.set_items([])
        if name == "基本情况":
            self._lines([a.households, a.persons, *a.bands, a.closed_month, a.closed_total, a.remaining,
                         a.remaining_persons, a.past_expected], bars=False)
        elif name == "分乡镇":
            self._rows(["乡镇", "户数", "上月户数", "人数", "本月销号", "未销号户", "红", "黄", "绿", "错误", "提示"],
                       [([t.township, str(t.households), _num(t.households_before), str(t.persons), str(t.closed_month),
                          str(t.remaining), str(t.colours.get("red", 0)), str(t.colours.get("yellow", 0)),
                          str(t.colours.get("green", 0)), str(t.findings_e), str(t.findings_w)],
                         f"township:{t.township}") for t in a.townships])
        elif name == "致贫原因":
            self._lines(a.causes)
        elif name == "红黄绿预警":
            self._lines(a.colours)
        elif name == "帮扶措施":
            self._lines(a.measures)
        elif name == "收入分布":
            self._lines(a.income_bins)
        elif name == "动态调整":
            self._rows(["类别", "本月条数", "人数", "上月条数", "明细"],
                       [([x.kind, str(x.records), str(x.persons), _num(x.records_before), "；".join(x.details)], None)
                        for x in a.adjustments])
        elif name == "风险等级变化":
            self._rows(["户主", "乡镇/村", "上月", "本月", "原因"],
                       [([c.head, c.unit, c.before, c.now, c.reasons], None) for c in a.colour_changes])
        elif name == "数据问题与异常":
            self._rows(["规则", "级别", "说明", "本月", "上月"],
                       [([f.code, "错误" if f.severity == "E" else "提示", f.title, str(f.count), _num(f.before)], None)
                        for f in a.findings]
                       + [([an.unit, "M-07", an.message, "核实说明：" + (an.note or "（未填）"), ""], None)
                          for an in a.anomalies])
        elif name == "任务与问题":
            self._rows(["类别", "责任单位", "合计", "本月新增", "未销号", "本月销号", "逾期"],
                       [(["任务", x.unit, str(x.total), str(x.opened_month), str(x.open), str(x.closed_month),
                          str(x.overdue)], None) for x in a.tasks]
                       + [(["问题", x.unit, str(x.total), str(x.opened_month), str(x.open), str(x.closed_month),
                            str(x.overdue)], None) for x in a.problems])
        elif name == "督战对象":
            self._rows(["督战对象", "挂牌原因", "挂牌时人数", "剩余贫困人口", "本月台账", "发现问题", "解决问题"],
                       [([t.name, t.reason, _num(t.listed_persons), _num(t.remaining), "已填" if t.entered else "未填",
                          str(t.found), str(t.solved)], None) for t in a.targets])

    # --- the report draft, edited per section ---------------------------------------------------
    def show_draft(self) -> None:
        if self.analysis is None:
            return
        heading = self.section_box.currentText()
        content = report_content(self.analysis, self.edits)
        section = next(x for x in content.sections if x.heading == heading)
        self.draft.setPlainText("\n".join(section.paragraphs))
        self.edited_label.setText("本部分为修改后的文字（随本月保存，重新生成数字不会覆盖）。" if heading in self.edits
                                  else "本部分为自动生成的文字，可直接修改后保存。")

    def save_draft(self) -> None:
        self._store(self.draft.toPlainText())

    def revert_draft(self) -> None:
        self._store(None)

    def _store(self, text: str | None) -> None:
        try:
            out = self.write(SaveReportSection(self.analysis.period, self.unit_box.currentData(),
                                               self.section_box.currentText(), text))
        except GuatuError as e:
            self.dialogs.warn(self, "月度分析", e.message)
            return
        self.edits = out.value.edits
        self.show_draft()

    def drill(self, index=None) -> None:
        """List the households behind the selected figure."""
        from app.services.analysis import households_behind

        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        key = item.data(KEY_ROLE) if item is not None else None
        if not key or self.analysis is None:
            self.drill_label.setText("这一行没有对应的户。")
            return
        with self.db.read_session() as s:
            refs = households_behind(s, self.analysis.period, self.unit_box.currentData(), key)
        self.drill_label.setText(f"{item.text()}：{len(refs)}户")
        self.households.setRowCount(len(refs))
        for r, ref in enumerate(refs):
            for c, text in enumerate((ref.head, ref.unit, ref.detail)):
                self.households.setItem(r, c, QTableWidgetItem(text))
        self.households.resizeColumnsToContents()

    def export(self, folder: str | None = None) -> list:
        from pathlib import Path

        folder = folder or self.ask_folder()
        if not folder or self.analysis is None:
            return []
        try:
            files = self.write(ExportAnalysisReport(Path(folder), self.analysis.period,
                                                    self.unit_box.currentData())).value
        except GuatuError as e:
            self.dialogs.warn(self, "月度分析", e.message)
            return []
        self.dialogs.info(self, "月度分析", f"已生成{len(files)}个文件：\n{folder}")
        return files


def open_dialog(parent, db, period_month: str | None) -> QDialog:
    """工具 › 月度分析."""
    dlg = QDialog(parent)
    dlg.setWindowTitle("月度分析")
    lay = QVBoxLayout(dlg)
    lay.setContentsMargins(4, 4, 4, 4)
    view = AnalysisView(db, period_month, dlg, write=write_for(parent, db), dialogs=getattr(parent, "dialogs", None))
    if getattr(getattr(parent, "store", None), "read_only", False):  # export and edits write the month's report
        for button in (view.export_button, view.save_button, view.revert_button):
            button.setEnabled(False)
    lay.addWidget(view)
    dlg.view = view
    dlg.resize(1200, 760)
    dlg.exec()
    return dlg

"""工具 › 挂图…: choose month, unit, paper and tiling, see what the chart will show, then write the
PDF off the GUI thread and open it in the system's PDF viewer (the full-size preview). Services only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import wallchart as service
from app.services.errors import GuatuError, month_label
from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.tasks import Cancelled, TaskHandle, TaskRunner

LEVEL_WORDS = {"county": "县级", "township": "乡镇级", "village": "村级"}
PAPERS = ("A0", "A1", "A2", "A3")


def fill_choices(dialog: QDialog, c: dict, month: str | None) -> tuple[QComboBox, QComboBox]:
    """The month and unit combos shared by the wall chart and 明白卡 dialogs."""
    months, units = QComboBox(dialog), QComboBox(dialog)
    for m, state in c["periods"]:
        months.addItem(f"{month_label(m)}（{'已报送' if state == 'locked' else '填报中'}）", m)
    if month is not None and months.findData(month) >= 0:
        months.setCurrentIndex(months.findData(month))
    for uid, path, level in c["units"]:
        units.addItem(f"{path}（{LEVEL_WORDS.get(level, level)}）", uid)
    if c["unit_id"] is not None and units.findData(c["unit_id"]) >= 0:
        units.setCurrentIndex(units.findData(c["unit_id"]))
    return months, units


class WallChartDialog(QDialog):
    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 dialogs: Dialogs | None = None):
        super().__init__(parent)
        self.db, self.dialogs = db, dialogs or Dialogs()
        self.runner = TaskRunner(db, self)
        self.handle: TaskHandle | None = None
        self.result: dict[str, Any] | None = None
        self.open_after = True  # open the PDF when done (tests turn it off)
        self.setWindowTitle("挂图作战图")
        self.setMinimumWidth(560)
        with db.session() as s:
            c = service.choices(s)
        self.export_dir = c["export_dir"] or str(Path.home())
        self.month, self.unit = fill_choices(self, c, month)
        self.paper = QComboBox()
        for p in PAPERS:
            self.paper.addItem(f"{p} 横向", p)
        self.paper.setCurrentIndex(PAPERS.index("A1"))
        self.tile = QComboBox()
        self.tile.addItem("不拼贴（大幅面打印）", None)
        self.tile.addItem("拼贴到 A4 纸", "A4")
        self.tile.addItem("拼贴到 A3 纸", "A3")
        self.out = QLineEdit()
        browse = QPushButton("选择…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.out)
        row.addWidget(browse)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        form.addRow("数据月份", self.month)
        form.addRow("单位", self.unit)
        form.addRow("纸张", self.paper)
        form.addRow("拼贴", self.tile)
        form.addRow("输出文件", row)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.preview)
        self.buttons = QDialogButtonBox()
        self.make_button = self.buttons.addButton("生成并打开", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        self.make_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        for w in (self.month, self.unit, self.paper, self.tile):
            w.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存挂图", self.out.text(), "PDF 文件 (*.pdf)")
        if path:
            self.out.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def refresh(self) -> None:
        """Default file name and what the chart will show, from the aggregates (no drawing)."""
        if self.month.count() == 0 or self.unit.count() == 0:
            self.preview.setText("数据库中还没有月份或单位。")
            self.make_button.setEnabled(False)
            return
        from app.exporters.wallchart_tiles import tile_plan

        month, paper, tile = self.month.currentData(), self.paper.currentData(), self.tile.currentData()
        try:
            with self.db.session() as s:
                chart = service.chart_for(s, month, self.unit.currentData())
        except GuatuError as e:
            self.preview.setText(e.message)
            return
        name = f"{chart.title}-{chart.month}-{paper}{'-拼贴' + tile if tile else ''}.pdf"
        self.out.setText(str(Path(self.out.text()).parent / name) if self.out.text() else
                         str(Path(self.export_dir) / name))
        bad_tile = tile is not None and tile == paper
        self.make_button.setEnabled(not bad_tile)
        if tile and not bad_tile:
            rows, cols, _sheet = tile_plan(paper, tile)
            sheets = f"拼贴为{rows}行×{cols}列共{rows * cols}张{tile}纸，另加1张拼贴索引"
        else:
            sheets = "A3 挂图无需拼贴到 A3，请另选" if bad_tile else f"{paper}横向1张"
        subs = "、".join(f"{u.name}{u.persons}人" for u in chart.by_unit[:12])
        more = f"等{len(chart.by_unit)}个" if len(chart.by_unit) > 12 else ""
        a_h, a_p = chart.band_a
        b_h, b_p = chart.band_b
        self.preview.setText(
            f"<p><b>{chart.title}</b>（{chart.month_label} · {chart.due_label}）</p>"
            f"<p>建档立卡{chart.households}户{chart.persons}人：5000元以下{a_h}户{a_p}人，"
            f"5000–5760元{b_h}户{b_p}人；已销号{chart.closed[0]}户；贫困村{chart.poor_villages}个；"
            f"红/黄/绿 {chart.risk['red']}/{chart.risk['yellow']}/{chart.risk['green']}户；"
            f"帮扶责任人{len(chart.cadres)}名。</p>"
            + (f"<p>分布：{subs}{more}。</p>" if subs else "")
            + (f"<p>户表：{len(chart.household_rows)}户（户主电话隐去中间四位，已销号户加盖“已销号”）。</p>"
               if chart.level == "village" else "")
            + f"<p>纸张：{sheets}。挂图公开张贴：不含健康状况和致贫原因。</p>")

    def start(self) -> TaskHandle | None:
        out = self.out.text().strip()
        if not out:
            self.dialogs.warn(self, "挂图作战图", "请选择输出文件。")
            return None
        month, unit, paper, tile = (self.month.currentData(), self.unit.currentData(), self.paper.currentData(),
                                    self.tile.currentData())

        def work(session, progress):
            return service.write_chart(session, month, unit, paper, tile, out)

        self.make_button.setEnabled(False)
        self.handle = self.runner.run(work, title="生成挂图", on_result=self._done, on_error=self._failed)
        return self.handle

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.make_button.setEnabled(True)
        if self.open_after:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result["out"]))
        else:
            self.dialogs.info(self, "挂图作战图", f"已生成：{result['out']}（{result['pages']}页）")

    def _failed(self, error: BaseException) -> None:
        self.make_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.dialogs.info(self, "挂图作战图", "已取消，未写入文件。")
        elif isinstance(error, GuatuError):
            self.dialogs.error(self, "挂图作战图", error.message)
        elif isinstance(error, OSError):
            self.dialogs.error(self, "挂图作战图", f"写文件失败：{error.strerror or error}")
        else:
            raise error


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    """Entry point of the main window's 工具 › 挂图… (``MainWindow.open_tool``)."""
    WallChartDialog(db, month, parent, getattr(parent, "dialogs", None)).exec()

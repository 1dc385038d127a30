"""工具 › 明白卡…: choose month and unit, see how many cards and sheets, then write the PDF off the
GUI thread (progress, 取消) and open it. A scanned card's QR text typed into the search box finds the
household (``app.services.search``). Services only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
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

from app.services import cards as service
from app.services import wallchart as charts
from app.services.errors import GuatuError
from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.tasks import Cancelled, TaskHandle, TaskRunner
from app.ui.wallchart_dialog import fill_choices


class CardsDialog(QDialog):
    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 dialogs: Dialogs | None = None):
        super().__init__(parent)
        self.db, self.dialogs = db, dialogs or Dialogs()
        self.runner = TaskRunner(db, self)
        self.handle: TaskHandle | None = None
        self.result: dict[str, Any] | None = None
        self.open_after = True
        self.setWindowTitle("明白卡")
        self.setMinimumWidth(520)
        with db.session() as s:
            c = charts.choices(s)
        self.export_dir = c["export_dir"] or str(Path.home())
        self.month, self.unit = fill_choices(self, c, month)
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
        self.month.currentIndexChanged.connect(self.refresh)
        self.unit.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存明白卡", self.out.text(), "PDF 文件 (*.pdf)")
        if path:
            self.out.setText(path if path.lower().endswith(".pdf") else path + ".pdf")

    def refresh(self) -> None:
        if self.month.count() == 0 or self.unit.count() == 0:
            self.preview.setText("数据库中还没有月份或单位。")
            self.make_button.setEnabled(False)
            return
        try:
            with self.db.session() as s:
                chart = charts.chart_for(s, self.month.currentData(), self.unit.currentData())
        except GuatuError as e:
            self.preview.setText(e.message)
            return
        name = f"{chart.unit_path.replace('/', '')}-明白卡-{chart.month}.pdf"
        self.out.setText(str(Path(self.out.text()).parent / name) if self.out.text() else
                         str(Path(self.export_dir) / name))
        n = chart.households
        self.make_button.setEnabled(n > 0)
        self.preview.setText(
            f"<p><b>{chart.unit_path}</b>（{chart.month_label}）：{n}户，每户一张明白卡，"
            f"每张 A4 纸两张卡（中间有裁切线），共{(n + 1) // 2}页。</p>"
            "<p>卡上有：户主（电话隐去中间四位）、家庭成员、主要脱贫措施、家庭收入及合计/人均、帮扶责任人及电话、"
            "预计收入达到5000元以上时间、已销号标记，以及可扫码找到本户档案的二维码。</p>")

    def start(self) -> TaskHandle | None:
        out = self.out.text().strip()
        if not out:
            self.dialogs.warn(self, "明白卡", "请选择输出文件。")
            return None
        month, unit = self.month.currentData(), self.unit.currentData()

        def work(session, progress):
            def step(done: int, total: int) -> None:
                progress.check()
                progress.set(done, total, f"已生成 {done}/{total} 户")

            result = service.write_cards_for(session, month, unit, out, step)
            if progress.cancelled:  # 取消 after the last page: the runner reports it, the file goes
                Path(result["out"]).unlink(missing_ok=True)
            return result

        self.make_button.setEnabled(False)
        self.handle = self.runner.run(work, title="生成明白卡", on_result=self._done, on_error=self._failed)
        return self.handle

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.make_button.setEnabled(True)
        if self.open_after:
            QDesktopServices.openUrl(QUrl.fromLocalFile(result["out"]))
        else:
            self.dialogs.info(self, "明白卡", f"已生成：{result['out']}（{result['cards']}户，{result['pages']}页）")

    def _failed(self, error: BaseException) -> None:
        self.make_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.dialogs.info(self, "明白卡", "已取消，未写入文件。")
        elif isinstance(error, GuatuError):
            self.dialogs.error(self, "明白卡", error.message)
        elif isinstance(error, OSError):
            self.dialogs.error(self, "明白卡", f"写文件失败：{error.strerror or error}")
        else:
            raise error


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    """Entry point of the main window's 工具 › 明白卡… (``MainWindow.open_tool``)."""
    CardsDialog(db, month, parent, getattr(parent, "dialogs", None)).exec()

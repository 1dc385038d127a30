"""What the 工具 › 挂图… and 工具 › 明白卡… dialogs share: month and unit, the output PDF with a
default name, a summary of the chosen unit's chart, writing off the GUI thread (progress, 取消), then
the pages the exporter wrote shown inside the dialog (``app.ui.pdf_preview``) and, on request, the
PDF opened in the system's reader to print. Each dialog adds its own rows, summary and work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services import wallchart as charts
from app.services.errors import GuatuError
from app.storage import Database
from app.ui.dialogs import Dialogs
from app.ui.pdf_preview import PdfPreview, render_pages
from app.ui.tasks import Cancelled, TaskDialog, TaskHandle
from app.ui.widgets import action_buttons, data_combo, esc, month_combo, path_row, pdf_chooser, preview_label

LEVEL_WORDS = {"county": "县级", "township": "乡镇级", "village": "村级"}

Work = Callable[[Any, Any], dict[str, Any]]  # (session, progress) -> result, run by TaskRunner


class PdfToolDialog(TaskDialog):
    """The shared body; subclasses set the titles and fill in ``extra_rows``, ``describe``, ``work``
    and ``done_text``."""

    TITLE = ""  # window title, and title of every message
    SAVE_CAPTION = ""  # of the 选择… file dialog
    TASK_TITLE = ""  # of the progress dialog
    MIN_WIDTH = 520

    def __init__(self, db: Database, month: str | None = None, parent: QWidget | None = None,
                 dialogs: Dialogs | None = None):
        super().__init__(db, parent, dialogs)
        self.open_after = False  # open the PDF in the system's reader when done, besides the preview
        self.setWindowTitle(self.TITLE)
        self.setMinimumWidth(self.MIN_WIDTH)
        with db.read_session() as s:
            c = charts.choices(s)
        self.export_dir = c["export_dir"] or str(Path.home())
        self.month = month_combo(c["periods"], month)
        self.unit = data_combo(((f"{path}（{LEVEL_WORDS.get(level, level)}）", uid) for uid, path, level in c["units"]),
                               c["unit_id"])
        extra = self.extra_rows()
        self.out = QLineEdit()
        out_row, _browse = path_row(self.out, pdf_chooser(self, self.SAVE_CAPTION))
        self.preview = preview_label()
        form = QFormLayout()
        form.addRow("数据月份", self.month)
        form.addRow("单位", self.unit)
        for label, combo in extra:
            form.addRow(label, combo)
        form.addRow("输出文件", out_row)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.preview)
        self.pages = PdfPreview()
        self.pages.setVisible(False)
        box.addWidget(self.pages, 1)
        row = QHBoxLayout()
        self.open_button = QPushButton("用PDF阅读器打开（打印）")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_pdf)
        self.buttons, self.make_button = action_buttons(self, "生成并预览", self.start)
        row.addWidget(self.open_button)
        row.addStretch(1)
        row.addWidget(self.buttons)
        box.addLayout(row)
        for w in (self.month, self.unit, *(combo for _label, combo in extra)):
            w.currentIndexChanged.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ what subclasses fill in
    def extra_rows(self) -> list[tuple[str, QComboBox]]:
        """More choices, shown between 单位 and 输出文件; a change refreshes the preview."""
        return []

    def describe(self, chart: charts.WallChart) -> tuple[str, bool, str]:
        """(default file name, whether 生成 may run, preview rich text) for the chosen unit's chart."""
        raise NotImplementedError

    def work(self, out: str) -> Work:
        """What the background task runs for the current choices, writing ``out``."""
        raise NotImplementedError

    def done_text(self, result: dict[str, Any]) -> str:
        """The message shown when the PDF is written and not opened."""
        raise NotImplementedError

    # ------------------------------------------------------------------ shared
    def refresh(self) -> None:
        """Default file name and what the PDF will show, from the aggregates (no drawing)."""
        if self.month.count() == 0 or self.unit.count() == 0:
            self.preview.setText("数据库中还没有月份或单位。")
            self.make_button.setEnabled(False)
            return
        try:
            with self.db.read_session() as s:
                chart = charts.chart_for(s, self.month.currentData(), self.unit.currentData())
        except GuatuError as e:
            self.preview.setText(esc(e.message))
            return
        name, can_make, text = self.describe(chart)
        self.out.setText(str(Path(self.out.text()).parent / name) if self.out.text() else
                         str(Path(self.export_dir) / name))
        self.make_button.setEnabled(can_make)
        self.preview.setText(text)

    def start(self) -> TaskHandle | None:
        out = self.out.text().strip()
        if not out:
            self.dialogs.warn(self, self.TITLE, "请选择输出文件。")
            return None
        inner = self.work(out)
        width = max(600, min(1200, self.width() - 80))

        def work(session, progress):  # the pages rendered in the worker too (QImage, not QPixmap)
            result = inner(session, progress)
            if Path(result["out"]).exists():
                result["images"], result["total_pages"] = render_pages(result["out"], width)
            return result

        self.make_button.setEnabled(False)
        self.handle = self.runner.run(work, title=self.TASK_TITLE, on_result=self._done, on_error=self._failed)
        return self.handle

    def _done(self, result: dict[str, Any]) -> None:
        self.result = result
        self.make_button.setEnabled(True)
        self.open_button.setEnabled(True)
        if result.get("images"):
            self.pages.show_pages(result["images"], result.get("total_pages", len(result["images"])))
            self.pages.setVisible(True)
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None:
                self.resize(min(screen.width() - 40, max(self.width(), 1000)), screen.height() - 80)
        if self.open_after:
            self.open_pdf()
        self.dialogs.info(self, self.TITLE, self.done_text(result) + "\n预览见本窗口；打印请用“用PDF阅读器打开”。")

    def open_pdf(self) -> None:
        if self.result and self.result.get("out"):
            QDesktopServices.openUrl(QUrl.fromLocalFile(self.result["out"]))

    def _failed(self, error: BaseException) -> None:
        self.make_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.dialogs.info(self, self.TITLE, "已取消，未写入文件。")
        elif isinstance(error, GuatuError):
            self.dialogs.error(self, self.TITLE, error.message)
        elif isinstance(error, OSError):
            self.dialogs.error(self, self.TITLE, f"写文件失败：{error.strerror or error}")
        else:
            raise error

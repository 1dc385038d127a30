"""工具 › 明白卡…: choose month and unit, see how many cards and sheets, then write the PDF off the
GUI thread (progress, 取消) and open it. A scanned card's QR text typed into the search box finds the
household (``app.services.search``). Services only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from app.kernel.views import WallChart
from app.services import cards as service
from app.storage import Database
from app.ui.pdf_dialog import PdfToolDialog, Work
from app.ui.widgets import esc


class CardsDialog(PdfToolDialog):
    TITLE = "明白卡"
    SAVE_CAPTION = "保存明白卡"
    TASK_TITLE = "生成明白卡"
    MIN_WIDTH = 520

    def describe(self, chart: WallChart) -> tuple[str, bool, str]:
        n = chart.households
        return (f"{chart.unit_path.replace('/', '')}-明白卡-{chart.month}.pdf", n > 0,
                f"<p><b>{esc(chart.unit_path)}</b>（{esc(chart.month_label)}）：{n}户，每户一张明白卡，"
                f"每张 A4 纸两张卡（中间有裁切线），共{(n + 1) // 2}页。</p>"
                "<p>卡上有：户主（电话隐去中间四位）、家庭成员、主要脱贫措施、家庭收入及合计/人均、帮扶责任人及电话、"
                "预计收入达到5000元以上时间、已销号标记，以及可扫码找到本户档案的二维码。</p>")

    def work(self, out: str) -> Work:
        month, unit = self.month.currentData(), self.unit.currentData()

        def work(session, progress):
            def step(done: int, total: int) -> None:
                progress.check()
                progress.set(done, total, f"已生成 {done}/{total} 户")

            result = service.write_cards_for(session, month, unit, out, step)
            if progress.cancelled:  # 取消 after the last page: the runner reports it, the file goes
                Path(result["out"]).unlink(missing_ok=True)
            return result

        return work

    def done_text(self, result: dict[str, Any]) -> str:
        return f"已生成：{result['out']}（{result['cards']}户，{result['pages']}页）"


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    """Entry point of the main window's 工具 › 明白卡… (``MainWindow.open_tool``)."""
    CardsDialog(db, month, parent, getattr(parent, "dialogs", None)).exec()

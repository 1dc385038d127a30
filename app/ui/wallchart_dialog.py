"""工具 › 挂图…: choose month, unit, paper and tiling, see what the chart will show, then write the
PDF off the GUI thread and open it in the system's PDF viewer (the full-size preview). Services only."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QWidget

from app.kernel.views import WallChart
from app.services import wallchart as service
from app.storage import Database
from app.ui.pdf_dialog import PdfToolDialog, Work
from app.ui.widgets import esc

PAPERS = ("A0", "A1", "A2", "A3")


class WallChartDialog(PdfToolDialog):
    TITLE = "挂图作战图"
    SAVE_CAPTION = "保存挂图"
    TASK_TITLE = "生成挂图"
    MIN_WIDTH = 560

    def extra_rows(self) -> list[tuple[str, QComboBox]]:
        self.paper = QComboBox()
        for p in PAPERS:
            self.paper.addItem(f"{p} 横向", p)
        self.paper.setCurrentIndex(PAPERS.index("A1"))
        self.tile = QComboBox()
        self.tile.addItem("不拼贴（大幅面打印）", None)
        self.tile.addItem("拼贴到 A4 纸", "A4")
        self.tile.addItem("拼贴到 A3 纸", "A3")
        return [("纸张", self.paper), ("拼贴", self.tile)]

    def describe(self, chart: WallChart) -> tuple[str, bool, str]:
        from app.exporters.wallchart_tiles import tile_plan

        paper, tile = self.paper.currentData(), self.tile.currentData()
        name = f"{chart.title}-{chart.month}-{paper}{'-拼贴' + tile if tile else ''}.pdf"
        bad_tile = tile is not None and tile == paper
        if tile and not bad_tile:
            rows, cols, _sheet = tile_plan(paper, tile)
            sheets = f"拼贴为{rows}行×{cols}列共{rows * cols}张{tile}纸，另加1张拼贴索引"
        else:
            sheets = "A3 挂图无需拼贴到 A3，请另选" if bad_tile else f"{paper}横向1张"
        subs = "、".join(f"{esc(u.name)}{u.persons}人" for u in chart.by_unit[:12])
        more = f"等{len(chart.by_unit)}个" if len(chart.by_unit) > 12 else ""
        a_h, a_p = chart.band_a
        b_h, b_p = chart.band_b
        return name, not bad_tile, (
            f"<p><b>{esc(chart.title)}</b>（{esc(chart.month_label)} · {esc(chart.due_label)}）</p>"
            f"<p>建档立卡{chart.households}户{chart.persons}人：5000元以下{a_h}户{a_p}人，"
            f"5000–5760元{b_h}户{b_p}人；已销号{chart.closed[0]}户；贫困村{chart.poor_villages}个；"
            f"红/黄/绿 {chart.risk['red']}/{chart.risk['yellow']}/{chart.risk['green']}户；"
            f"帮扶责任人{len(chart.cadres)}名。</p>"
            + (f"<p>分布：{subs}{more}。</p>" if subs else "")
            + (f"<p>户表：{len(chart.household_rows)}户（户主电话隐去中间四位，已销号户加盖“已销号”）。</p>"
               if chart.level == "village" else "")
            + f"<p>纸张：{sheets}。挂图公开张贴：不含健康状况和致贫原因。</p>")

    def work(self, out: str) -> Work:
        month, unit, paper, tile = (self.month.currentData(), self.unit.currentData(), self.paper.currentData(),
                                    self.tile.currentData())

        def work(session, progress):
            return service.write_chart(session, month, unit, paper, tile, out)

        return work

    def done_text(self, result: dict[str, Any]) -> str:
        return f"已生成：{result['out']}（{result['pages']}页）"


def open_dialog(parent: QWidget | None, db: Database, month: str | None) -> None:
    """Entry point of the main window's 工具 › 挂图… (``MainWindow.open_tool``)."""
    WallChartDialog(db, month, parent, getattr(parent, "dialogs", None)).exec()

"""The 挂图 and 明白卡 dialogs: preview text, background generation, refusals, cancel (pytest-qt)."""

from __future__ import annotations

import math

from pypdf import PdfReader
from reportlab.lib.pagesizes import A2

from app.ui.cards_dialog import CardsDialog
from app.ui.dialogs import RecordingDialogs
from app.ui.wallchart_dialog import WallChartDialog


def _pick(combo, needle: str) -> None:
    i = next(i for i in range(combo.count()) if needle in combo.itemText(i))
    combo.setCurrentIndex(i)


def test_wallchart_dialog_previews_and_writes(qtbot, demo_db, tmp_path):
    rec = RecordingDialogs()
    dlg = WallChartDialog(demo_db, "2020-03", dialogs=rec)
    qtbot.addWidget(dlg)
    dlg.open_after = False
    assert dlg.month.currentData() == "2020-03"
    assert "康平县2020年脱贫攻坚挂图作战图" in dlg.preview.text()  # the office's unit by default
    _pick(dlg.unit, "（村级）")
    assert "户表" in dlg.preview.text() and "A1横向1张" in dlg.preview.text()
    dlg.paper.setCurrentIndex(dlg.paper.findData("A2"))
    dlg.out.setText(str(tmp_path / "village.pdf"))
    handle = dlg.start()
    assert handle is not None and handle.wait(60000)
    assert dlg.result is not None and dlg.result["pages"] == 1
    page = PdfReader(tmp_path / "village.pdf").pages[0]
    assert abs(float(page.mediabox.width) - A2[1]) < 1
    assert rec.shown and rec.shown[-1][0] == "info"


def test_wallchart_dialog_tiling_choice(qtbot, demo_db):
    dlg = WallChartDialog(demo_db, None, dialogs=RecordingDialogs())
    qtbot.addWidget(dlg)
    dlg.paper.setCurrentIndex(dlg.paper.findData("A1"))
    dlg.tile.setCurrentIndex(dlg.tile.findData("A4"))
    assert "拼贴为3行×5列共15张A4纸" in dlg.preview.text() and dlg.make_button.isEnabled()
    assert dlg.out.text().endswith("-A1-拼贴A4.pdf")
    dlg.paper.setCurrentIndex(dlg.paper.findData("A3"))
    dlg.tile.setCurrentIndex(dlg.tile.findData("A3"))
    assert not dlg.make_button.isEnabled() and "无需拼贴" in dlg.preview.text()


def test_cards_dialog_writes_and_cancels(qtbot, demo_db, tmp_path):
    rec = RecordingDialogs()
    dlg = CardsDialog(demo_db, "2020-03", dialogs=rec)
    qtbot.addWidget(dlg)
    dlg.open_after = False
    _pick(dlg.unit, "（村级）")
    text = dlg.preview.text()
    n = int(text.split("：")[1].split("户")[0])
    assert f"共{math.ceil(n / 2)}页" in text
    dlg.out.setText(str(tmp_path / "cards.pdf"))
    handle = dlg.start()
    assert handle.wait(60000) and dlg.result["cards"] == n
    assert len(PdfReader(tmp_path / "cards.pdf").pages) == math.ceil(n / 2)

    _pick(dlg.unit, "康平县（县级）")  # the whole county: long enough to cancel
    dlg.out.setText(str(tmp_path / "county.pdf"))
    handle = dlg.start()
    handle.cancel()
    assert handle.wait(60000)
    assert rec.shown[-1] == ("info", "明白卡", "已取消，未写入文件。")
    assert not (tmp_path / "county.pdf").exists() and not (tmp_path / "county.pdf.part").exists()

"""The pages the exporter wrote, shown inside the 挂图 and 明白卡 dialogs (PDFium via pypdfium2)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from test_wallchart_dialog import _pick

from app.ui.cards_dialog import CardsDialog
from app.ui.dialogs import RecordingDialogs
from app.ui.pdf_preview import render_pages
from app.ui.wallchart_dialog import WallChartDialog


def _inked(image) -> int:
    """How many of a grid of sample points are not white: a drawn page has text and lines."""
    step = max(1, image.width() // 60)
    return sum(1 for x in range(0, image.width(), step) for y in range(0, image.height(), step)
               if QColor(image.pixel(x, y)).lightness() < 200)


def test_wallchart_pages_are_shown_in_the_dialog(qtbot, demo_db, tmp_path):
    rec = RecordingDialogs()
    dlg = WallChartDialog(demo_db, "2020-03", dialogs=rec)
    qtbot.addWidget(dlg)
    dlg.show()
    _pick(dlg.unit, "（村级）")
    dlg.out.setText(str(tmp_path / "chart.pdf"))
    assert not dlg.pages.isVisible() and not dlg.open_button.isEnabled()
    QTest.mouseClick(dlg.make_button, Qt.MouseButton.LeftButton)  # 生成并预览
    assert dlg.handle.wait(60000)
    assert dlg.pages.isVisible() and len(dlg.pages.pages) == 1 and dlg.pages.total == 1
    pixmap = dlg.pages.pages[0].pixmap()
    assert pixmap.width() >= 600 and pixmap.height() > 300  # A1 landscape: wider than high
    assert pixmap.width() > pixmap.height()
    assert _inked(pixmap.toImage()) > 50
    assert dlg.open_button.isEnabled()


def test_cards_preview_and_the_page_limit(qtbot, demo_db, tmp_path):
    dlg = CardsDialog(demo_db, "2020-03", dialogs=RecordingDialogs())
    qtbot.addWidget(dlg)
    dlg.show()
    _pick(dlg.unit, "（乡镇级）")
    dlg.out.setText(str(tmp_path / "cards.pdf"))
    dlg.start()
    assert dlg.handle.wait(120000)
    pages = dlg.result["pages"]
    assert pages > 8 and dlg.pages.total == pages and len(dlg.pages.pages) == 8  # the first 8 shown
    image = dlg.pages.pages[0].pixmap().toImage()
    assert image.height() > image.width()  # A4 portrait
    assert _inked(image) > 50
    images, total = render_pages(tmp_path / "cards.pdf", width=300, max_pages=2)
    assert total == pages and [i.width() for i in images] == [300, 300]

"""The pages of a written PDF as images inside a dialog (wall charts, 明白卡), so the clerk sees what
will print before printing. Pages are rendered with PDFium (``pypdfium2``: a 4 MB wheel with its own
PDFium, against QtPdf's PySide6-Addons) off the GUI thread into QImages; the widget shows them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

MAX_PAGES = 8  # a preview; the PDF itself has every page


def render_pages(path: str | Path, width: int = 900, max_pages: int = MAX_PAGES) -> tuple[list[QImage], int]:
    """The first ``max_pages`` pages scaled to ``width`` pixels, and the number of pages.
    Safe off the GUI thread (QImage, not QPixmap)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        total = len(pdf)
        images = []
        for i in range(min(total, max_pages)):
            page = pdf[i]
            try:
                page_width = page.get_width() or 1
                bitmap = page.render(scale=width / page_width, rev_byteorder=True)
                try:
                    w, h = bitmap.width, bitmap.height
                    fmt = QImage.Format.Format_RGBA8888 if bitmap.n_channels == 4 else QImage.Format.Format_RGB888
                    image = QImage(bytes(bitmap.buffer), w, h, bitmap.stride, fmt).copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
            images.append(image)
        return images, total
    finally:
        pdf.close()


class PdfPreview(QScrollArea):
    """Pages one under the other, each with its number; scrolls within itself."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.body = QWidget()
        self.lay = QVBoxLayout(self.body)
        self.lay.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.body)
        self.body.setStyleSheet("background:#d5d8dc;")
        self.pages: list[QLabel] = []
        self.total = 0

    def show_pages(self, images: list[QImage], total: int) -> None:
        for label in self.pages:
            label.deleteLater()
        self.pages = []
        while self.lay.count():
            item = self.lay.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.total = total
        for n, image in enumerate(images, start=1):
            caption = QLabel(f"第{n}页，共{total}页")
            caption.setStyleSheet("color:#2c3e50;")
            page = QLabel()
            page.setPixmap(QPixmap.fromImage(image))
            page.setStyleSheet("background:white;border:1px solid #555;")
            self.lay.addWidget(caption, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.lay.addWidget(page, alignment=Qt.AlignmentFlag.AlignHCenter)
            self.pages.append(page)
        if total > len(images):
            more = QLabel(f"预览只显示前{len(images)}页；其余{total - len(images)}页请用PDF阅读器查看。")
            more.setStyleSheet("color:#2c3e50;")
            self.lay.addWidget(more, alignment=Qt.AlignmentFlag.AlignHCenter)

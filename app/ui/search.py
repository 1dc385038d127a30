"""The search box: name, pinyin initials (ljg → 李建国), phone fragment or 身份证号; one hit jumps
straight to the person."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.search import Hit
from app.ui.store import Store
from app.ui.widgets import ok_cancel


def hit_text(h: Hit) -> str:
    bits = [h.name or "（无名）", h.relation or "", f"{h.age}岁" if h.age is not None else "", h.unit]
    if h.phone:
        bits.append(h.phone)
    if h.id_masked:
        bits.append(h.id_masked)
    return "  ".join(b for b in bits if b)


class HitsDialog(QDialog):
    def __init__(self, hits: list[Hit], text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"查找“{text}”：{len(hits)}人")
        self.resize(560, 420)
        lay = QVBoxLayout(self)
        self.list = QListWidget()
        for h in hits:
            item = QListWidgetItem(hit_text(h))
            item.setData(Qt.ItemDataRole.UserRole, h)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _i: self.accept())
        lay.addWidget(self.list)
        lay.addWidget(ok_cancel(self, "转到", self.accept))

    def chosen(self) -> Hit | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class SearchBox(QLineEdit):
    """Emits ``found(hit)``; several hits are listed in a dialog to choose from."""

    found = Signal(object)
    nothing = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setPlaceholderText("查找：姓名、拼音首字母、电话或身份证号（Ctrl+F）")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(240)
        self.setMaximumWidth(340)
        self.returnPressed.connect(self.run)
        self.choose = self._choose  # tests replace this

    def run(self) -> list[Hit]:
        text = self.text().strip()
        if not text:
            return []
        hits = self.store.search(text)
        if not hits:
            self.nothing.emit(text)
        elif len(hits) == 1 or hits[0].matched == "二维码":  # a scanned card: straight to its household
            self.found.emit(hits[0])
        else:
            hit = self.choose(hits, text)
            if hit is not None:
                self.found.emit(hit)
        return hits

    def _choose(self, hits: list[Hit], text: str) -> Hit | None:
        dialog = HitsDialog(hits, text, self.window())
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

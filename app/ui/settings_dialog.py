"""Settings: the office's own unit, the filler's name and phone (form header), the upper office's
mailbox and the export folder. Saved through ``services.office`` (audited)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from app.services.browse import UnitNode
from app.services.errors import GuatuError
from app.ui.delegates import phone_edit
from app.ui.dialogs import Dialogs
from app.ui.store import Store
from app.ui.widgets import data_combo, folder_chooser, ok_cancel, path_row

LEVEL = {"county": "县", "township": "乡镇", "village": "村"}


class SettingsDialog(QDialog):
    def __init__(self, store: Store, dialogs: Dialogs, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.dialogs = store, dialogs
        self.setWindowTitle("设置")
        self.setMinimumWidth(480)
        values = store.office()
        form = QFormLayout(self)
        units: list[tuple[str, int | None]] = [("（未设置）", None)]

        def add(node: UnitNode, depth: int) -> None:
            if node.level != "village":
                units.append(("　" * depth + f"{node.name}（{LEVEL.get(node.level, '')}）", node.id))
                for c in node.children:
                    add(c, depth + 1)

        for root in store.tree():
            add(root, 0)
        self.unit = data_combo(units, values.get("unit_id"))  # not set, or not found: （未设置）
        self.preparer = QLineEdit(values.get("preparer") or "")
        self.phone = phone_edit()
        self.phone.setText(values.get("preparer_phone") or "")
        self.mailbox = QLineEdit(values.get("upper_mailbox") or "")
        self.mailbox.setPlaceholderText("上级扶贫办邮箱，如 fpb@example.gov.cn")
        self.own_mailbox = QLineEdit(values.get("mailbox") or "")
        self.own_mailbox.setPlaceholderText("本单位邮箱（邮件草稿的发件人），如 kpxfpb@example.gov.cn")
        self.export_dir = QLineEdit(values.get("export_dir") or "")
        row, browse = path_row(self.export_dir, folder_chooser(self, "选择导出文件夹"))
        form.addRow("本单位", self.unit)
        form.addRow("填报人", self.preparer)
        form.addRow("联系电话", self.phone)
        form.addRow("上级邮箱", self.mailbox)
        form.addRow("本单位邮箱", self.own_mailbox)
        form.addRow("导出文件夹", row)
        form.addRow(ok_cancel(self, "保存", self.save, QDialogButtonBox.StandardButton.Save))
        for w in (self.unit, self.preparer, self.phone, self.mailbox, self.own_mailbox, self.export_dir, browse):
            w.setEnabled(not store.read_only)

    def values(self) -> dict:
        from app.services.register import normalise_phone

        return {
            "unit_id": self.unit.currentData(),
            "preparer": self.preparer.text().strip() or None,
            "preparer_phone": normalise_phone(self.phone.text()),
            "upper_mailbox": self.mailbox.text().strip() or None,
            "mailbox": self.own_mailbox.text().strip() or None,
            "export_dir": self.export_dir.text().strip() or None,
        }

    def save(self) -> None:
        try:
            self.store.update_office(**self.values())
        except GuatuError as e:
            self.dialogs.warn(self, "设置", e.message)
            return
        self.accept()

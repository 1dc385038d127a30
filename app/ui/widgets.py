"""Small widgets that several views build the same way, so that they look the same everywhere.

User data is always shown as plain text: names, remarks and messages quoting them can hold
anything a file brought in (``<h1><font color=red>…``). Labels that show it are ``plain_label``s;
tooltips go through ``plain_tip``; the few rich-text paragraphs escape every value with ``esc``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtGui import Qt as GuiQt  # mightBeRichText lives in QtGui's Qt namespace
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from app.services.errors import month_label

STATE_WORDS = {"open": "填报中", "locked": "已报送"}


def esc(value: object) -> str:
    """A value for a rich-text paragraph: shown literally, never as markup."""
    return html.escape("" if value is None else str(value), quote=False)


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label whose text is shown literally (no rich-text guessing)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def plain_tip(text: str | None) -> str:
    """A tooltip shown literally: Qt renders a tooltip that looks like HTML as HTML, so such a text
    is escaped (line breaks kept); any other text is returned as it is."""
    if not text or not GuiQt.mightBeRichText(text):
        return text or ""
    return "<qt>" + esc(text).replace("\n", "<br>") + "</qt>"


def title_label() -> QLabel:
    """A form's title above its table: bold, 1.2× the default size, centred (附件1–3 views)."""
    label = plain_label()
    font = QFont()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def preview_label() -> QLabel:
    """The wrapped rich-text paragraph in which a dialog says what its action will make."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


def action_buttons(dialog: QDialog, text: str, action: Callable[[], object]) -> tuple[QDialogButtonBox, QPushButton]:
    """A dialog's one action button (``text`` runs ``action``) beside 关闭 (which rejects the
    dialog); the action button is returned to be enabled and disabled."""
    buttons = QDialogButtonBox()
    button = buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
    button.clicked.connect(action)
    buttons.rejected.connect(dialog.reject)
    return buttons, button


def ok_cancel(dialog: QDialog, ok_text: str, on_ok: Callable[[], object],
              ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok) -> QDialogButtonBox:
    """The standard ``ok`` and Cancel buttons in Chinese (``ok_text`` and 取消): the first runs
    ``on_ok``, 取消 rejects the dialog."""
    buttons = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


def path_row(edit: QLineEdit, choose: Callable[[str], str]) -> tuple[QHBoxLayout, QPushButton]:
    """A path box with its 选择… button beside it. The button calls ``choose(box text)`` (a file
    dialog; "" when cancelled) and puts a chosen path in the box. The button is returned so that
    a read-only view can disable it with the box."""
    button = QPushButton("选择…")

    def clicked() -> None:
        path = choose(edit.text())
        if path:
            edit.setText(path)

    button.clicked.connect(clicked)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row, button


def folder_chooser(parent: QWidget, caption: str) -> Callable[[str], str]:
    """For ``path_row``: pick a folder, starting at the one in the box."""
    return lambda current: QFileDialog.getExistingDirectory(parent, caption, current)


def pdf_chooser(parent: QWidget, caption: str) -> Callable[[str], str]:
    """For ``path_row``: a PDF file to write, starting at the one in the box; ".pdf" is added if missing."""

    def choose(current: str) -> str:
        path, _ = QFileDialog.getSaveFileName(parent, caption, current, "PDF 文件 (*.pdf)")
        return path if not path or path.lower().endswith(".pdf") else path + ".pdf"

    return choose


def data_combo(items: Iterable[tuple[str, Any]], current: Any = None) -> QComboBox:
    """A combo of (label, data) items; the item whose data is ``current`` is chosen, else the first."""
    combo = QComboBox()
    for label, data in items:
        combo.addItem(label, data)
    if current is not None and combo.findData(current) >= 0:
        combo.setCurrentIndex(combo.findData(current))
    return combo


def month_combo(periods: Iterable[tuple[str, str | None]], current: str | None = None) -> QComboBox:
    """The months of (month, state) pairs, in the order given, as 2020年3月（填报中）; a state of None
    gives the bare month. ``current`` is chosen when it is there."""
    return data_combo(((month_label(m) + (f"（{STATE_WORDS.get(state, state)}）" if state else ""), m)
                       for m, state in periods), current)

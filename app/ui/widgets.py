"""Small widgets that several views build the same way, so that they look the same everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel


def title_label() -> QLabel:
    """A form's title above its table: bold, 1.2× the default size, centred (附件1–3 views)."""
    label = QLabel()
    font = QFont()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label

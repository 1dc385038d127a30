"""The one place message boxes come from, so tests can answer them (Picard's user_dialog_service).

Every box shows its text literally (``PlainText``): messages quote names and file contents.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QWidget


def message_box(icon: QMessageBox.Icon, title: str, text: str, parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(icon, title, text, parent=parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box


def input_text(parent: QWidget | None, title: str, label: str, text: str = "", *, multiline: bool = False) -> str | None:
    """QInputDialog.getText/getMultiLineText with the question shown literally."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    if multiline:
        dialog.setOption(QInputDialog.InputDialogOption.UsePlainTextEditForTextInput)
    dialog.setTextValue(text)
    for child in dialog.findChildren(QLabel):
        child.setTextFormat(Qt.TextFormat.PlainText)
    return dialog.textValue() if dialog.exec() else None


class Dialogs:
    """Real modal dialogs. Tests pass a subclass that records and answers instead."""

    def info(self, parent: QWidget | None, title: str, text: str) -> None:
        message_box(QMessageBox.Icon.Information, title, text, parent).exec()

    def error(self, parent: QWidget | None, title: str, text: str) -> None:
        message_box(QMessageBox.Icon.Critical, title, text, parent).exec()

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        message_box(QMessageBox.Icon.Warning, title, text, parent).exec()

    def confirm(self, parent: QWidget | None, title: str, text: str) -> bool:
        box = message_box(QMessageBox.Icon.Question, title, text, parent)
        yes = box.addButton("确定", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    def choose(self, parent: QWidget | None, title: str, text: str, buttons: list[str]) -> int:
        """The index of the button pressed, -1 when the box was closed."""
        box = message_box(QMessageBox.Icon.Warning, title, text, parent)
        made = [box.addButton(b, QMessageBox.ButtonRole.ActionRole) for b in buttons]
        box.exec()
        clicked = box.clickedButton()
        return made.index(clicked) if clicked in made else -1

    def ask_text(self, parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
        return input_text(parent, title, label, text, multiline=True)

    def stale(self, parent: QWidget | None, error, mine) -> bool:
        """Another clerk changed the row first (``concurrency.StaleEdit``): True re-applies the edit."""
        from app.ui.conflict_dialog import ask

        return ask(parent, error, mine)


class RecordingDialogs(Dialogs):
    """Answers without showing anything; keeps what would have been shown (tests, --screenshot)."""

    def __init__(self, confirm: bool = True, choice: int = -1, text: str | None = None):
        self.shown: list[tuple[str, str, str]] = []
        self._confirm, self._choice, self._text = confirm, choice, text

    def info(self, parent, title, text):
        self.shown.append(("info", title, text))

    def error(self, parent, title, text):
        self.shown.append(("error", title, text))

    def warn(self, parent, title, text):
        self.shown.append(("warn", title, text))

    def confirm(self, parent, title, text):
        self.shown.append(("confirm", title, text))
        return self._confirm

    def choose(self, parent, title, text, buttons):
        self.shown.append(("choose", title, text))
        return self._choice

    def ask_text(self, parent, title, label, text=""):
        self.shown.append(("ask", title, label))
        return self._text

    def stale(self, parent, error, mine):
        self.shown.append(("stale", "别人已修改", error.message))
        return self._confirm

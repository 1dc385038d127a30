"""Editors for every column: closed lists as type-to-select combo boxes showing the hint text, an
age spin box, phone and 身份证号 fields, and names checked as they are typed (H-03/H-04)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app import domain
from app.rules.data import Context, HouseholdData, PersonData
from app.ui.columns import Column
from app.ui.completion import Completion, complete
from app.ui.widgets import plain_tip

Index = QModelIndex | QPersistentModelIndex
BAD_STYLE = "background:#f8c9c4;"


def name_problems(text: str) -> list[str]:
    """What the rules engine says of a name as typed (H-03 form, H-04 printable), in Chinese."""
    from app.rules import household as rules

    if not text.strip():
        return []
    h = HouseholdData(members=[PersonData(name=text.strip(), relation="户主")])
    ctx = Context(period="2020-01")
    return [f"{f.code} {f.message}" for rule in (rules.h03_name, rules.h04_font) for f in rule(h, ctx)]


def first_fill(editor: QWidget) -> bool:
    """Whether the editor is being filled as it opens. Qt fills every open editor again from the
    model on any ``dataChanged`` over its cell, whatever the roles — a repaint of tints after the
    background check included — and what the clerk was typing would be replaced by the stored
    value, then "stored" unchanged. An open editor holds the clerk's text: it is filled once."""
    if getattr(editor, "filled", False):
        return False
    editor.filled = True
    return True


class ChoiceCombo(QComboBox):
    """A closed list: items show the hint (无劳动力（含丧失劳动力）), store the value.

    Typed text completes against the list (``app.ui.completion``); the list itself opens only on
    Alt+↓ or F4, and ↑/↓ never change the value (the wheel neither): a value changes only when the
    clerk typed or chose it.
    """

    def __init__(self, choices: tuple[str, ...], parent: QWidget | None = None, allow_blank: bool = True):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setCompleter(None)  # Qt's inline completion would glue typed text to the old value
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if allow_blank:
            self.addItem("", None)
        for value in choices:
            self.addItem(domain.display(value), value)
        self.choices = choices

    def resolve(self) -> Completion:
        """The list value the text stands for, or why it stands for none."""
        text = self.currentText().strip()
        i = self.findText(text) if text else -1
        if i >= 0:
            return Completion(self.itemData(i))
        if not self.choices:  # a fixed list of labelled codes (类别, 红黄绿): only its items
            return Completion(None, f"“{text}”不在可选项中") if text else Completion(None)
        return complete(text, self.choices)

    def value(self) -> str | None:
        done = self.resolve()
        return done.value if done.ok else self.currentText().strip()

    def set_value(self, value: Any) -> None:
        i = self.findData(value)
        if i >= 0:
            self.setCurrentIndex(i)
        else:
            self.setEditText("" if value is None else str(value))
        if self.lineEdit() is not None:
            self.lineEdit().setCursorPosition(0)  # show the start of a long hint text

    def keyPressEvent(self, event) -> None:
        alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
        moves = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)
        if not self.isEditable():
            moves += (Qt.Key.Key_Home, Qt.Key.Key_End)  # a closed combo would jump to its first/last item
        if event.key() in moves and not alt:
            event.ignore()  # moving between cells/fields is the container's business, never the value's
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:
        event.ignore()


class AgeSpin(QLineEdit):
    """Whole years as digits; up to 999 so that a wrong age can be typed and shown (H-05). A line
    edit, not a spin box: ↑/↓ move between cells and never change the age."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,3}"), self))

    def value(self) -> int | None:
        text = self.text().strip()
        return int(text) if text else None


def phone_edit(parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9+\- ]{0,20}"), edit))
    edit.setPlaceholderText("手机或 024-82703810")
    return edit


def id_edit(parent: QWidget | None = None) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9xX ]{0,20}"), edit))
    edit.setPlaceholderText("18位身份证号（可不填）")
    return edit


def name_edit(parent: QWidget | None = None) -> QLineEdit:
    """A name field that turns red with the rule's message while what is typed is not a valid name."""
    edit = QLineEdit(parent)

    def check(text: str) -> None:
        problems = name_problems(text)
        edit.setStyleSheet(BAD_STYLE if problems else "")
        edit.setToolTip(plain_tip("\n".join(problems)))

    edit.textChanged.connect(check)
    return edit


# Keys an open editor hands to a grid that moves like a spreadsheet (``finish_edit``), by what they do.
FINISH_KEYS = {
    Qt.Key.Key_Tab: "right", Qt.Key.Key_Backtab: "left", Qt.Key.Key_Return: "down", Qt.Key.Key_Enter: "down",
    Qt.Key.Key_Down: "down", Qt.Key.Key_Up: "up", Qt.Key.Key_Escape: "cancel",
}


class ColumnDelegate(QStyledItemDelegate):
    """Creates the right editor for a column's kind; the model's setData goes through the services.

    In a view with ``finish_edit(editor, move)`` (the member grid) the keys that end an edit are
    handed to the view, which checks the value, stores it and moves; elsewhere Qt's default applies.
    An editor opened by typing starts empty, so that what is typed replaces the cell's content.
    """

    def __init__(self, columns: tuple[Column, ...], parent=None):
        super().__init__(parent)
        self.columns = columns
        self.replace_content = False  # set by the view while a typed key opens the editor

    def _view(self):
        view = self.parent()
        return view if hasattr(view, "finish_edit") else None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        col = self.columns[index.column()]
        if col.kind == "choice":
            editor: QWidget = ChoiceCombo(col.choices, parent)
            editor.lineEdit().installEventFilter(self)
        elif col.kind == "age":
            editor = AgeSpin(parent)
        elif col.kind == "phone":
            editor = phone_edit(parent)
        elif col.kind == "id_number":
            editor = id_edit(parent)
        elif col.kind == "name":
            editor = name_edit(parent)
        else:
            editor = super().createEditor(parent, option, index)
        editor.cell = (index.row(), index.column())  # the cell this editor writes to, whatever moves
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if not first_fill(editor):
            return
        value = index.data(Qt.ItemDataRole.EditRole)
        if self.replace_content:
            value = None
        if isinstance(editor, ChoiceCombo):
            editor.set_value(value)
            if self.replace_content:
                editor.setEditText("")
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
        else:
            super().setEditorData(editor, index)

    def editor_value(self, editor: QWidget) -> tuple[Any, str]:
        """(value to store, why it cannot be stored — "" when it can)."""
        if isinstance(editor, ChoiceCombo):
            done = editor.resolve()
            return done.value, done.message
        if isinstance(editor, AgeSpin):
            return editor.value(), ""
        if isinstance(editor, QLineEdit):
            return editor.text(), ""
        return None, ""

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, ChoiceCombo):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, AgeSpin):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def eventFilter(self, obj, event) -> bool:
        view = self._view()
        if view is None:
            return super().eventFilter(obj, event)
        editor = obj.parent() if isinstance(obj.parent(), ChoiceCombo) else obj
        if not hasattr(editor, "cell"):
            return super().eventFilter(obj, event)
        if event.type() == QEvent.Type.KeyPress:
            move = FINISH_KEYS.get(event.key())
            alt = event.modifiers() & Qt.KeyboardModifier.AltModifier
            if move is not None and not (alt and move in ("down", "up")):
                view.finish_edit(editor, move)
                return True
            return False
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in FINISH_KEYS:
            event.accept()  # Esc, Tab, Enter belong to the editor, not to a window shortcut
            return True
        if event.type() == QEvent.Type.FocusOut and obj is editor:
            w = QApplication.focusWidget()
            if QApplication.activePopupWidget() is not None or (w is not None and editor.isAncestorOf(w)):
                return False
            if editor.isVisible():
                view.finish_edit(editor, "leave")
            return False
        if obj is not editor:  # the line edit inside a combo: the combo is the editor
            return False
        return super().eventFilter(obj, event)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        rect = option.rect
        if isinstance(editor, ChoiceCombo):
            rect = rect.adjusted(0, 0, max(0, 170 - rect.width()), 0)
        editor.setGeometry(rect)

"""Editors for every column: closed lists as type-to-select combo boxes showing the hint text, an
age spin box, phone and 身份证号 fields, and names checked as they are typed (H-03/H-04)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QLineEdit,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app import domain
from app.rules.data import Context, HouseholdData, PersonData
from app.ui.columns import Column
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


class ChoiceCombo(QComboBox):
    """A closed list: items show the hint (无劳动力（含丧失劳动力）), store the value; typing filters."""

    def __init__(self, choices: tuple[str, ...], parent: QWidget | None = None, allow_blank: bool = True):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if allow_blank:
            self.addItem("", None)
        for value in choices:
            self.addItem(domain.display(value), value)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.choices = choices

    def value(self) -> str | None:
        text = self.currentText().strip()
        if not text:
            return None
        i = self.findText(text)
        if i >= 0:
            return self.itemData(i)
        return domain.canonical(text, self.choices) or text

    def set_value(self, value: Any) -> None:
        i = self.findData(value)
        if i >= 0:
            self.setCurrentIndex(i)
        else:
            self.setEditText("" if value is None else str(value))
        if self.lineEdit() is not None:
            self.lineEdit().setCursorPosition(0)  # show the start of a long hint text


class AgeSpin(QSpinBox):
    """Whole years; the range is wider than 0–120 so a wrong age can be typed and shown (H-05)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 999)
        self.setSuffix("")
        self.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)


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


class ColumnDelegate(QStyledItemDelegate):
    """Creates the right editor for a column's kind; the model's setData goes through the services."""

    def __init__(self, columns: tuple[Column, ...], parent=None):
        super().__init__(parent)
        self.columns = columns

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        col = self.columns[index.column()]
        if col.kind == "choice":
            return ChoiceCombo(col.choices, parent)
        if col.kind == "age":
            return AgeSpin(parent)
        if col.kind == "phone":
            return phone_edit(parent)
        if col.kind == "id_number":
            return id_edit(parent)
        if col.kind == "name":
            return name_edit(parent)
        return super().createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, ChoiceCombo):
            editor.set_value(value)
        elif isinstance(editor, AgeSpin):
            editor.setValue(int(value) if isinstance(value, int) else 0)
            editor.selectAll()
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else str(value))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, ChoiceCombo):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, AgeSpin):
            text = editor.cleanText().strip()
            model.setData(index, int(text) if text else None, Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: Index) -> None:
        rect = option.rect
        if isinstance(editor, ChoiceCombo):
            rect = rect.adjusted(0, 0, max(0, 170 - rect.width()), 0)
        editor.setGeometry(rect)

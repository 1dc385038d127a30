"""The member grid of one household: keyboard like the spreadsheets clerks know (Excel/WPS).

Tab moves right (姓名 → 与户主关系 → 年龄 → …), Shift+Tab left; Enter commits and moves down to the
column where the run of Tabs began; typing replaces a cell's content and typing on the ＋ row starts a
new member there; ↑/↓ move the cursor (also from an open editor, after committing it). A closed-list
cell completes what is typed (``app.ui.completion``); what does not complete is not stored and the
cell stays in edit saying why. Insert adds a member below, Ctrl+Delete removes one after confirmation,
Delete clears cells; Ctrl+V pastes rows copied from Excel/WPS, cleaned as an import cleans them.
Whatever is typed is stored in the cell the editor was opened on, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QMenu,
    QTableView,
    QToolTip,
    QWidget,
)

from app.importers import paste as pasting
from app.rules.household import age_from_id
from app.services.register import InvalidValue, normalise
from app.ui.columns import MEMBER_CODES, MEMBER_COLUMNS, PASTE_CODES
from app.ui.delegates import BAD_STYLE, ChoiceCombo, ColumnDelegate
from app.ui.dialogs import Dialogs
from app.ui.editor import Editor
from app.ui.models import FindingsRole, MemberModel
from app.ui.widgets import plain_tip

parse_tsv = pasting.parse_tsv


class MemberGrid(QTableView):
    """The view: keys, moves and the life of an editor; the controller does the work."""

    insert_requested = Signal(int)
    remove_requested = Signal(int)
    paste_requested = Signal(int, int, str)
    clear_requested = Signal(list)
    note_requested = Signal(object)  # the cell's warning (Finding) to explain with a 核实说明
    discard_requested = Signal()  # Esc in the empty head's 姓名 of a household just added
    message = Signal(str)  # why a typed value was not stored, or what it completed to

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.delegate = ColumnDelegate(MEMBER_COLUMNS, self)
        self.setItemDelegate(self.delegate)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setWordWrap(False)
        self.anchor: int | None = None  # the column where the current run of Tabs began
        self.new_household = False  # the cursor sits in a just-added household's empty head
        self._moving = False

    def setModel(self, model) -> None:
        super().setModel(model)
        for i, col in enumerate(MEMBER_COLUMNS):
            self.setColumnWidth(i, col.width)

    # -- keys without an editor ----------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        cur = self.currentIndex()
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit(max(cur.row(), 0), max(cur.column(), 0), QGuiApplication.clipboard().text())
            return
        if self.state() == QAbstractItemView.State.EditingState:
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Escape and self.new_household:  # nothing typed into the new household yet
            self.new_household = False
            self.discard_requested.emit()
            return
        if key == Qt.Key.Key_Insert:
            self.insert_requested.emit(cur.row())
            return
        if key == Qt.Key.Key_Delete and mods & Qt.KeyboardModifier.ControlModifier:
            if cur.isValid():
                self.remove_requested.emit(cur.row())
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_requested.emit(self.selectedIndexes() or [cur])
            return
        if (key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods & Qt.KeyboardModifier.AltModifier)) and \
                cur.isValid() and MEMBER_COLUMNS[cur.column()].kind == "choice":
            self.edit(cur)  # F4 / Alt+↓ on a closed-list cell: its list, open
            editor = QApplication.focusWidget()
            if isinstance(editor, ChoiceCombo):
                editor.showPopup()
            return
        if key == Qt.Key.Key_F2 and mods & Qt.KeyboardModifier.ShiftModifier:
            self.request_note()
            return
        moves = {Qt.Key.Key_Tab: "right", Qt.Key.Key_Backtab: "left", Qt.Key.Key_Return: "down",
                 Qt.Key.Key_Enter: "down"}
        if key in moves and not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
            if cur.isValid():
                self.go(cur.row(), cur.column(), moves[key])
            return
        typed = event.text()
        self.delegate.replace_content = bool(typed) and typed.isprintable()
        try:
            super().keyPressEvent(event)
        finally:
            self.delegate.replace_content = False

    def inputMethodEvent(self, event) -> None:
        """Chinese from an input method opens the cell like a typed key, replacing its content."""
        index = self.currentIndex()
        if (self.state() == QAbstractItemView.State.EditingState or not event.commitString() or not index.isValid()
                or not index.flags() & Qt.ItemFlag.ItemIsEditable):
            super().inputMethodEvent(event)
            return
        self.delegate.replace_content = True
        try:
            self.edit(index)
        finally:
            self.delegate.replace_content = False
        editor = QApplication.focusWidget()
        if editor is not None and editor is not self:
            QApplication.sendEvent(editor, event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab move between cells (``keyPressEvent``); F6 leaves the grid."""
        if self.state() == QAbstractItemView.State.EditingState:
            return True
        cur = self.currentIndex()
        if cur.isValid():
            self.go(cur.row(), cur.column(), "right" if next else "left")
            return True
        return super().focusNextPrevChild(next)

    def currentChanged(self, current: QModelIndex, previous: QModelIndex) -> None:
        super().currentChanged(current, previous)
        if not self._moving:
            self.anchor = None  # the clerk went elsewhere: a new run of Tabs starts from there
            self.new_household = False
        self._show_cell_tip(current)

    # -- an editor's end -----------------------------------------------------------------------
    def finish_edit(self, editor: QWidget, move: str) -> None:
        """Store what ``editor`` holds in its own cell, then move (right, left, down, up; ``leave``
        stays; ``cancel`` stores nothing). A closed-list text that completes to nothing stays in
        edit with the reason, except when focus left the grid: then it is not stored."""
        if getattr(editor, "done", False):
            return
        row, col = editor.cell
        if move == "cancel":
            empty = not self.delegate.editor_value(editor)[0]
            self._close(editor)
            if self.new_household and empty and row == 0:
                self.new_household = False
                self.discard_requested.emit()
            elif not empty:
                self.new_household = False  # something was typed: the household is the clerk's now
            return
        value, problem = self.delegate.editor_value(editor)
        if problem:
            if move == "leave":
                self._close(editor)
                self.message.emit(f"{problem}，未保存。")
                return
            self._refuse(editor, problem)
            return
        self._close(editor)
        model = self.model()
        stored = model.setData(model.index(row, col), value)
        if value not in (None, ""):
            self.new_household = False
        if isinstance(editor, ChoiceCombo) and stored and value is not None:
            typed = editor.currentText().strip()
            if typed and typed != value and typed != editor.itemText(editor.findData(value)):
                self.message.emit(f"“{typed}” → {value}")
        if move != "leave":
            self.go(row, col, move)

    def _refuse(self, editor: QWidget, problem: str) -> None:
        editor.setStyleSheet(f"{type(editor).__name__}{{{BAD_STYLE}}}")
        editor.setToolTip(plain_tip(problem))  # the typed text is in it: never read as rich text
        self.message.emit(problem)
        rect = self.visualRect(self.model().index(*editor.cell))
        QToolTip.showText(self.viewport().mapToGlobal(rect.bottomLeft()), plain_tip(problem), self)

    def _close(self, editor: QWidget) -> None:
        editor.done = True
        self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def commit_editor(self) -> None:
        """Store an open editor's value and close it (before Ctrl+N, a pane switch …)."""
        for editor in self.viewport().findChildren(QWidget):
            if hasattr(editor, "cell") and not getattr(editor, "done", False) and editor.isVisible():
                self.finish_edit(editor, "leave")

    # -- moves ---------------------------------------------------------------------------------
    def go(self, row: int, col: int, move: str) -> None:
        """The spreadsheet's moves from (row, col); the rows are read after any add/reload."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return
        last_row, last_col = model.rowCount() - 1, model.columnCount() - 1
        if move == "right":
            self.anchor = col if self.anchor is None else self.anchor
            row, col = row, min(col + 1, last_col)
        elif move == "left":
            col = max(col - 1, 0)
            self.anchor = None if self.anchor is None else min(self.anchor, col)
        elif move == "down":
            row, col = min(row + 1, last_row), (self.anchor if self.anchor is not None else col)
            self.anchor = None
        elif move == "up":
            row, self.anchor = max(row - 1, 0), None
        self.move_to(row, col)

    def move_to(self, row: int, col: int, edit: bool = False) -> None:
        """Put the cursor on (row, col) without ending the run of Tabs; optionally open its editor."""
        index = self.model().index(row, col)
        self._moving = True
        try:
            self.setCurrentIndex(index)
        finally:
            self._moving = False
        self.scrollTo(index)
        if edit:
            self.edit(index)

    # -- the cell's findings -------------------------------------------------------------------
    def _show_cell_tip(self, index: QModelIndex) -> None:
        found = index.data(FindingsRole) if index.isValid() else None
        if found and index.data(Qt.ItemDataRole.DisplayRole) not in (None, ""):  # not while a row is typed
            text = "；".join(f"{f.code} {f.message}" for f in found)
            if any(not f.is_error for f in found):
                text += "（Shift+F2 填写核实说明）"
            self.message.emit(text)

    def request_note(self) -> None:
        """Shift+F2 (Excel's 批注 key): the cell's warning gets its 核实说明."""
        found = self.currentIndex().data(FindingsRole) or []
        warnings = [f for f in found if not f.is_error]
        if warnings:
            self.note_requested.emit(warnings[0])
        elif found:
            self.message.emit("错误必须改正；只有“提示”可以填写核实说明。")
        else:
            self.message.emit("本单元格没有提示。")

    def contextMenuEvent(self, event) -> None:
        index = self.indexAt(event.pos())
        found = [f for f in (index.data(FindingsRole) or []) if not f.is_error] if index.isValid() else []
        if not found:
            return
        self.setCurrentIndex(index)
        menu = QMenu(self)
        for f in found:
            menu.addAction(f"填写核实说明：{f.code}…", lambda f=f: self.note_requested.emit(f))
        menu.exec(event.globalPos())


class MemberController:
    """Connects the grid's requests to the editor for the household on show."""

    def __init__(self, grid: MemberGrid, model: MemberModel, editor: Editor, dialogs: Dialogs):
        self.grid, self.model, self.editor, self.dialogs = grid, model, editor, dialogs
        self.hh_uuid: str | None = None
        model.on_edit = self._edit
        model.on_add = self._add_last
        grid.insert_requested.connect(self.insert)
        grid.remove_requested.connect(self.remove)
        grid.paste_requested.connect(self.paste)
        grid.clear_requested.connect(self.clear)

    def show(self, household_id: int | None, hh_uuid: str | None) -> None:
        if household_id != self.model.household_id:
            self.grid.new_household = False
        self.hh_uuid = hh_uuid
        self.model.load(household_id)

    def _uuid(self, row: int) -> str | None:
        p = self.model.person(row)
        return p["uuid"] if p else None

    def _edit(self, person_id: int, field: str, value: Any) -> bool:
        """A typed cell: sent to the write worker and shown at once; read back if it is refused."""
        row = self.model.ids.index(person_id)
        if self.hh_uuid is None:
            return False
        uuid = self._uuid(row)
        age = self._age_for(row, field, value)
        if age is None:
            shown = (self.model.person(row) or {}).get("version")
            return self.editor.edit_person(self.hh_uuid, uuid, field, value, wait=False,
                                           on_refused=lambda: self.model.refresh_person(person_id),
                                           base_version=shown)
        with self.editor.macro("修改身份证号（按身份证号填年龄）"):
            ok = self.editor.edit_person(self.hh_uuid, uuid, field, value)
            return ok and self.editor.edit_person(self.hh_uuid, uuid, "age", age)

    def _age_for(self, row: int, field: str, value: Any) -> int | None:
        """The age to fill from a 身份证号 typed where 年龄 is empty (as of the month's last day)."""
        p = self.model.person(row)
        period = self.model.store.period
        if field != "id_number" or p is None or p.get("age") is not None or period is None or not value:
            return None
        return age_from_id(str(value).replace(" ", "").upper(), period.month)

    def _add_last(self, values: dict[str, Any]) -> bool:
        if self.hh_uuid is None:
            return False
        period = self.model.store.period
        age = age_from_id(str(values["id_number"]).upper(), period.month) if values.get("id_number") and period else None
        if age is not None:
            values = {**values, "age": age}
        return self.editor.add_member(self.hh_uuid, None, values)

    def insert(self, row: int) -> None:
        if self.hh_uuid is None or not self.model.store.editable:
            return
        pos = len(self.model.ids) if row < 0 or row >= len(self.model.ids) else row + 1
        if self.editor.add_member(self.hh_uuid, pos, {}):
            self.grid.setCurrentIndex(self.model.index(pos, 0))

    def remove(self, row: int) -> None:
        p = self.model.person(row)
        if p is None or self.hh_uuid is None or not self.model.store.editable:
            return
        name = p.get("name") or "（未填姓名）"
        if self.dialogs.confirm(self.grid, "删除成员", f"确定删除成员“{name}”吗？\n（可用“撤销”恢复）"):
            self.editor.remove_member(self.hh_uuid, p["uuid"], name)

    def clear(self, indexes: list) -> None:
        cells = [(i.row(), i.column()) for i in indexes if i.isValid() and i.row() < len(self.model.ids)]
        cells = [(r, c) for r, c in cells if MEMBER_COLUMNS[c].kind != "bool"]
        if not cells or self.hh_uuid is None or not self.model.store.editable:
            return
        with self.editor.macro("清除单元格"):
            for r, c in cells:
                self.editor.edit_person(self.hh_uuid, self._uuid(r), MEMBER_CODES[c], None)

    def paste(self, row: int, col: int, text: str) -> int:
        """Paste rows copied from Excel/WPS at (row, col), cleaned as an import cleans them (header
        row skipped, 儿子 → 之子 …); rows past the last member add members. Returns rows written."""
        if self.hh_uuid is None or not self.model.store.editable:
            return 0
        codes = tuple(c for c in MEMBER_CODES[col:] if c in PASTE_CODES)
        rows = pasting.clean_rows(text, codes)
        if not rows:
            return 0
        problems: list[str] = []
        written = 0
        with self.editor.macro(f"粘贴{len(rows)}行"):
            for i, cells in enumerate(rows):
                values: dict[str, Any] = {}
                for code, cell in cells.items():
                    try:
                        normalise(code, cell)
                    except InvalidValue as e:
                        problems.append(f"第{i + 1}行：{e.message}")
                        continue
                    values[code] = cell
                r = row + i
                if r < len(self.model.ids):
                    uuid = self._uuid(r)
                    ok = all([self.editor.edit_person(self.hh_uuid, uuid, code, value, quiet=True)
                              for code, value in values.items()])
                else:
                    ok = not values or self.editor.add_member(self.hh_uuid, None, values, quiet=True)
                if not ok:
                    problems.append(f"第{i + 1}行：{self.editor.last_error}")
                written += 1
        if problems:
            self.dialogs.warn(self.grid, "粘贴", "以下单元格未能粘贴：\n" + "\n".join(problems[:20]))
        return written

"""The member grid of one household: keyboard like Excel/WPS, paste from Excel, edits via the editor.

Enter commits and moves down, Tab across; typing starts editing; Insert adds a member below the
current row, Ctrl+Delete removes one after confirmation, Delete clears the cells; Ctrl+V pastes
tab-separated rows (姓名, 与户主关系, 年龄, 健康状况, 有无劳动能力, 身份证号, 联系电话 from the current
column on), each value validated like typing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QHeaderView, QTableView, QWidget

from app.services.register import InvalidValue, normalise
from app.ui.columns import MEMBER_CODES, MEMBER_COLUMNS
from app.ui.delegates import ColumnDelegate
from app.ui.dialogs import Dialogs
from app.ui.editor import Editor
from app.ui.models import MemberModel


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of a clipboard copied from Excel/WPS (tab-separated, CRLF, quoted cells with newlines)."""
    rows: list[list[str]] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip() == "":
            continue
        rows.append([cell.strip().strip('"') for cell in line.split("\t")])
    return rows


class MemberGrid(QTableView):
    """The view: only key handling; the controller does the work."""

    insert_requested = Signal(int)
    remove_requested = Signal(int)
    paste_requested = Signal(int, int, str)
    clear_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setItemDelegate(ColumnDelegate(MEMBER_COLUMNS, self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setWordWrap(False)

    def setModel(self, model) -> None:
        super().setModel(model)
        for i, col in enumerate(MEMBER_COLUMNS):
            self.setColumnWidth(i, col.width)

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers()
        cur = self.currentIndex()
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit(max(cur.row(), 0), max(cur.column(), 0), QGuiApplication.clipboard().text())
            return
        if key == Qt.Key.Key_Insert:
            self.insert_requested.emit(cur.row())
            return
        if key == Qt.Key.Key_Delete and mods & Qt.KeyboardModifier.ControlModifier:
            if cur.isValid():
                self.remove_requested.emit(cur.row())
            return
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != QAbstractItemView.State.EditingState:
            self.clear_requested.emit(self.selectedIndexes() or [cur])
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self._move_down(cur)
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor, hint) -> None:
        """Enter in an editor commits and moves to the cell below (Excel); Tab keeps its meaning."""
        cur = self.currentIndex()
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move_down(cur)

    def _move_down(self, cur: QModelIndex) -> None:
        model = self.model()
        if model is None or not cur.isValid():
            return
        row = min(cur.row() + 1, model.rowCount() - 1)
        self.setCurrentIndex(model.index(row, cur.column()))


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
        self.hh_uuid = hh_uuid
        self.model.load(household_id)

    def _uuid(self, row: int) -> str | None:
        p = self.model.person(row)
        return p["uuid"] if p else None

    def _edit(self, person_id: int, field: str, value: Any) -> bool:
        row = self.model.ids.index(person_id)
        return self.hh_uuid is not None and self.editor.edit_person(self.hh_uuid, self._uuid(row), field, value)

    def _add_last(self, values: dict[str, Any]) -> bool:
        return self.hh_uuid is not None and self.editor.add_member(self.hh_uuid, None, values)

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
        """Paste TSV rows at (row, col); rows past the last member add members. Returns rows written."""
        rows = parse_tsv(text)
        if not rows or self.hh_uuid is None or not self.model.store.editable:
            return 0
        codes = MEMBER_CODES[col:]
        problems: list[str] = []
        written = 0
        with self.editor.macro(f"粘贴{len(rows)}行"):
            for i, cells in enumerate(rows):
                values: dict[str, Any] = {}
                for code, cell in zip(codes, cells, strict=False):
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

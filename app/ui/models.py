"""Lazy table models over ids: the household list and the member grid (Anki's browser table model).

A model keeps the list of ids and fetches rows from the store the first time ``data()`` asks for
them, in chunks; after an edit only the changed cells are repainted (``dataChanged`` with roles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app import domain
from app.rules.findings import Finding
from app.services.search import mask_id
from app.ui.columns import HOUSEHOLD_CODES, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS
from app.ui.store import Store
from app.ui.widgets import plain_tip

R = Qt.ItemDataRole
ERROR_BG = QColor("#f8c9c4")
WARN_BG = QColor("#fbe3b0")
RISK_BG = {"red": QColor("#e74c3c"), "yellow": QColor("#f1c40f"), "green": QColor("#c8e6c9")}
CodeRole = R.UserRole + 1  # the column code of a cell
IdRole = R.UserRole + 2  # the row's record id
FindingsRole = R.UserRole + 3  # list[Finding] of a cell
CHUNK = 200
Index = QModelIndex | QPersistentModelIndex


def findings_tip(findings: list[Finding], more: str = "") -> str:
    """The tooltip of a cell with findings; messages quote names, so it is shown literally."""
    lines = [f"{f.code} {'错误' if f.is_error else '提示'}：{f.message}" for f in findings]
    return plain_tip("\n".join(lines + ([more] if more and lines else [])))


def tint(findings: list[Finding]) -> QBrush | None:
    if any(f.is_error for f in findings):
        return QBrush(ERROR_BG)
    if findings:
        return QBrush(WARN_BG)
    return None


class HouseholdListModel(QAbstractTableModel):
    """Households of the selected unit, plus one blank row to type a new household's head into."""

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.ids: list[int] = []
        self._rows: dict[int, Any] = {}
        self.problems: dict[str, tuple[int, int]] = {}  # household uuid → (errors, warnings)
        self.blank_row = False
        self.on_new_household: Callable[[str], bool] | None = None

    def reset(self, ids: list[int], blank_row: bool) -> None:
        self.beginResetModel()
        self.ids, self._rows, self.blank_row = list(ids), {}, blank_row
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids) + (1 if self.blank_row else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HOUSEHOLD_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole) -> Any:
        if role == R.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return HOUSEHOLD_COLUMNS[section].header
            return "新户" if section >= len(self.ids) else str(section + 1)
        return None

    def row(self, r: int):
        if r >= len(self.ids):
            return None
        hid = self.ids[r]
        if hid not in self._rows:
            start = max(0, r - CHUNK // 4)
            want = [i for i in self.ids[start:start + CHUNK] if i not in self._rows]
            self._rows.update(self.store.household_rows(want))
        return self._rows.get(hid)

    def row_of(self, household_id: int) -> int:
        try:
            return self.ids.index(household_id)
        except ValueError:
            return -1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.row() >= len(self.ids) and index.column() == 0 and self.store.editable:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index: Index, role: int = R.DisplayRole) -> Any:
        if not index.isValid():
            return None
        code = HOUSEHOLD_COLUMNS[index.column()].code
        if role == CodeRole:
            return code
        row = self.row(index.row())
        if row is None:
            if role == R.DisplayRole and index.column() == 0:
                return ""
            if role == R.ToolTipRole:
                return "在此输入户主姓名新建一户"
            if role == R.ForegroundRole:
                return QBrush(QColor("#888"))
            return None
        if role == IdRole:
            return row.id
        if role in (R.DisplayRole, R.EditRole):
            return self._display(row, code)
        if role == R.BackgroundRole and code == "risk_colour" and row.risk_colour in ("red", "yellow"):
            return QBrush(RISK_BG[row.risk_colour])
        if role == R.ForegroundRole and code == "problems" and self.problems.get(row.uuid, (0, 0))[0]:
            return QBrush(QColor("#c0392b"))
        if role == R.TextAlignmentRole and code in ("size", "per_capita", "band", "closed_out", "risk_colour"):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, row, code: str) -> Any:
        if code == "risk_colour":
            return domain.RISK_COLOUR_NAMES.get(row.risk_colour, "")
        if code == "closed_out":
            return "已销" if row.closed_out else ""
        if code == "cause":
            return row.cause or ""
        if code == "problems":
            e, w = self.problems.get(row.uuid, (0, 0))
            return "、".join(x for x in (f"{e}处错误" if e else "", f"{w}处提示" if w else "") if x)
        return getattr(row, code)

    def setData(self, index: Index, value: Any, role: int = R.EditRole) -> bool:
        if role != R.EditRole or not index.isValid() or index.row() < len(self.ids):
            return False
        name = str(value or "").strip()
        if not name or self.on_new_household is None:
            return False
        return bool(self.on_new_household(name))

    def problems_changed(self) -> None:
        """Repaint the 问题 column after the findings changed."""
        if self.ids:
            c = HOUSEHOLD_CODES.index("problems")
            self.dataChanged.emit(self.index(0, c), self.index(len(self.ids) - 1, c),
                                  [R.DisplayRole, R.ForegroundRole])

    def refresh(self, household_id: int) -> None:
        """Forget a cached row and repaint it."""
        r = self.row_of(household_id)
        if r < 0:
            return
        self._rows.pop(household_id, None)
        self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1),
                              [R.DisplayRole, R.BackgroundRole, R.ForegroundRole])


class MemberModel(QAbstractTableModel):
    """The members of one household; the last, blank row adds a member when a name is typed into it."""

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.household_id: int | None = None
        self.ids: list[int] = []
        self._rows: dict[int, dict[str, Any]] = {}
        self.findings: dict[tuple[str, str], list[Finding]] = {}  # (person uuid, field) → findings
        self.on_edit: Callable[[int, str, Any], bool] | None = None  # (person id, field, value)
        self.on_add: Callable[[dict[str, Any]], bool] | None = None  # values of a new last member

    def load(self, household_id: int | None) -> None:
        self.beginResetModel()
        self.household_id = household_id
        self.ids = self.store.member_ids(household_id) if household_id is not None else []
        self._rows = {}
        self.findings = {}
        self.endResetModel()

    def reload(self) -> None:
        self.load(self.household_id)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self.household_id is None:
            return 0
        return len(self.ids) + (1 if self.store.editable else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(MEMBER_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = R.DisplayRole) -> Any:
        if role == R.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return MEMBER_COLUMNS[section].header
            return "＋" if section >= len(self.ids) else str(section + 1)
        if role == R.ToolTipRole and orientation == Qt.Orientation.Vertical and section >= len(self.ids):
            return "在此行输入姓名即可添加成员（Insert 插入一行，Ctrl+Delete 删除）"
        return None

    def person(self, r: int) -> dict[str, Any] | None:
        if r >= len(self.ids):
            return None
        pid = self.ids[r]
        if pid not in self._rows:
            self._rows.update(self.store.person_rows([i for i in self.ids if i not in self._rows]))
        return self._rows.get(pid)

    def row_of_uuid(self, uuid: str) -> int:
        for r in range(len(self.ids)):
            p = self.person(r)
            if p and p["uuid"] == uuid:
                return r
        return -1

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.store.editable:
            return f
        if MEMBER_COLUMNS[index.column()].kind == "bool":
            return f | (Qt.ItemFlag.ItemIsUserCheckable if index.row() < len(self.ids) else Qt.ItemFlag.NoItemFlags)
        return f | Qt.ItemFlag.ItemIsEditable

    def cell_findings(self, r: int, code: str) -> list[Finding]:
        p = self.person(r)
        return self.findings.get((p["uuid"], code), []) if p else []

    def data(self, index: Index, role: int = R.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = MEMBER_COLUMNS[index.column()]
        if role == CodeRole:
            return col.code
        p = self.person(index.row())
        if p is None:
            return "" if role in (R.DisplayRole, R.EditRole) else None
        value = p.get(col.code)
        if role == IdRole:
            return p["id"]
        if col.kind == "bool":
            if role == R.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            return None
        if role == R.DisplayRole:
            if col.kind == "id_number":
                return mask_id(value)
            return "" if value is None else domain.display(value) if col.kind == "choice" else str(value)
        if role == R.EditRole:
            return value
        if role in (R.BackgroundRole, R.ToolTipRole, FindingsRole):
            found = self.findings.get((p["uuid"], col.code), [])
            if role == FindingsRole:
                return found
            if role == R.BackgroundRole:
                return tint(found)
            more = "（Shift+F2 或右键：填写核实说明）" if any(not f.is_error for f in found) else ""
            return findings_tip(found, more) or None
        if role == R.TextAlignmentRole and col.kind == "age":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: Index, value: Any, role: int = R.EditRole) -> bool:
        if not index.isValid() or not self.store.editable:
            return False
        col = MEMBER_COLUMNS[index.column()]
        if role == R.CheckStateRole and col.kind == "bool":
            value = Qt.CheckState(value) == Qt.CheckState.Checked
        elif role != R.EditRole:
            return False
        if index.row() >= len(self.ids):
            if value in (None, "") or self.on_add is None:
                return False
            return bool(self.on_add({col.code: value}))
        if self.on_edit is None:
            return False
        p = self.person(index.row())
        if p is not None and p.get(col.code) == value:
            return True
        if not self.on_edit(p["id"], col.code, value):
            return False
        if p["id"] in self._rows and p["id"] == self.ids[index.row()]:  # shown as typed until the write lands
            self._rows[p["id"]] = {**self._rows[p["id"]], col.code: value}
            self.dataChanged.emit(index, index, [R.DisplayRole, R.EditRole, R.CheckStateRole])
        return True

    def _heads_or_all(self) -> list[str]:
        people = [self.person(r) for r in range(len(self.ids))]
        heads = [p["uuid"] for p in people if p and p.get("relation") == "户主"]
        return heads if len(heads) > 1 else [p["uuid"] for p in people if p]

    def refresh_person(self, person_id: int, fields: list[str] | None = None) -> None:
        """Re-read one person and repaint its row (after an edit or an undo)."""
        if person_id not in self.ids:
            return
        self._rows.update(self.store.person_rows([person_id]))
        r = self.ids.index(person_id)
        self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1),
                              [R.DisplayRole, R.EditRole, R.CheckStateRole])

    def set_findings(self, findings: list[Finding]) -> None:
        """Tint cells by the household's findings (E red, W amber) and repaint the grid."""
        self.findings = {}
        for f in findings:
            if f.person and f.field:
                self.findings.setdefault((f.person, f.field), []).append(f)
            elif f.code == "H-01":  # two 户主 (or none): the relation cells it is about
                for uuid in self._heads_or_all():
                    self.findings.setdefault((uuid, "relation"), []).append(f)
        if self.ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, self.columnCount() - 1),
                                  [R.BackgroundRole, R.ToolTipRole])

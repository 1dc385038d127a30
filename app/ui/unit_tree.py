"""The unit tree 县 → 乡镇 → 村 with counts per node: households, persons, open errors.

Its context menu builds the office's units by hand (新增/重命名/行政区划代码/删除), so a new office
without a package to import can start from scratch; each action is one service call, one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QPushButton,
    QTreeView,
    QWidget,
)

from app.services import browse
from app.services.browse import UnitNode
from app.services.errors import GuatuError
from app.ui.dialogs import Dialogs

if TYPE_CHECKING:
    from app.ui.store import Store

UnitIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
LEVEL_ICONS = {"county": "fa5s.landmark", "township": "fa5s.building", "village": "fa5s.home"}
CHILD = {"county": ("township", "新增乡镇…", "乡镇名称（以“乡”“镇”或“街道”结尾）："),
         "township": ("village", "新增村…", "村名称：")}
ADD_COUNTY = "新增县（市、区）…"


def unit_roots(store: Store) -> list[UnitNode]:
    """The tree with the month's counts; before the first month (a new register) the units alone."""
    if store.period is not None:
        return store.tree()
    with store.db.read_session() as s:
        return browse.unit_tree(s, 0)  # no month yet: no period has id 0, every count is 0


def ask_line(dialogs: Dialogs, parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """A one-line answer (a name, a code). ``Dialogs.ask_text`` is multi-line; a Dialogs that answers
    by itself (RecordingDialogs: tests, --screenshot) overrides it, so that one is asked instead."""
    if type(dialogs).ask_text is not Dialogs.ask_text:
        return dialogs.ask_text(parent, title, label, text)
    from app.ui.dialogs import input_text

    return input_text(parent, title, label, text)


def node_path(node: UnitNode, parents: list[UnitNode]) -> str:
    """The prefix findings carry in ``unit`` ("乡镇/村"); "" for the county (everything)."""
    names = [p.name for p in parents if p.level != "county"] + ([node.name] if node.level != "county" else [])
    return "/".join(names)


class UnitTree(QTreeView):
    """Emits ``unit_selected(unit id, level, path, village ids)``."""

    unit_selected = Signal(int, str, str, list)
    units_changed = Signal()  # units added, renamed or removed (findings carry unit paths)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model_ = QStandardItemModel(self)
        self.model_.setHorizontalHeaderLabels(["单位", "户", "人", "错误"])
        self.setModel(self.model_)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setIndentation(14)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.header().setStretchLastSection(False)
        for i, w in ((1, 38), (2, 44), (3, 34)):
            self.header().setSectionResizeMode(i, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(i, w)
        self._nodes: dict[int, tuple[UnitNode, str, QStandardItem]] = {}
        self.selectionModel().currentChanged.connect(self._current)
        self.store: Store | None = None
        self.dialogs = Dialogs()
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.add_county_button = QPushButton(ADD_COUNTY, self.viewport())
        self.add_county_button.setToolTip("还没有任何单位：先新增本县（市、区），再在它上面右键新增乡镇、村")
        self.add_county_button.clicked.connect(self.add_county)
        self.add_county_button.move(12, 12)
        self.add_county_button.hide()

    def set_editing(self, store: Store, dialogs: Dialogs) -> None:
        """Units can be built from the context menu (not when the window is read-only)."""
        self.store, self.dialogs = store, dialogs

    def load(self, roots: list[UnitNode]) -> None:
        current = self.current_unit()
        self.model_.removeRows(0, self.model_.rowCount())
        self._nodes = {}
        try:
            import qtawesome as qta
        except Exception:  # icons are decoration only
            qta = None

        def add(parent: QStandardItem, node: UnitNode, parents: list[UnitNode]) -> None:
            path = node_path(node, parents)
            item = QStandardItem(node.name)
            item.setData(node.id, UnitIdRole)
            item.setData(path, PathRole)
            if qta is not None:
                item.setIcon(qta.icon(LEVEL_ICONS.get(node.level, "fa5s.home"), color="#555"))
            cells = [item, QStandardItem(str(node.households)), QStandardItem(str(node.persons)), QStandardItem("")]
            for c in cells[1:]:
                c.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            parent.appendRow(cells)
            self._nodes[node.id] = (node, path, cells[3])
            for child in node.children:
                add(item, child, [*parents, node])

        for root in roots:
            add(self.model_.invisibleRootItem(), root, [])
        self.expandToDepth(0)
        self.add_county_button.setVisible(not roots and self.store is not None and not self.store.read_only)
        self.add_county_button.adjustSize()
        if current is not None:
            self.select_unit(current)

    def update_counts(self, roots: list[UnitNode]) -> None:
        """New household/person counts in place, keeping the selection (after adds and removals)."""

        def walk(node: UnitNode) -> None:
            hit = self._nodes.get(node.id)
            if hit is not None:
                shown, _path, cell = hit
                self.model_.setData(cell.index().siblingAtColumn(1), str(node.households))
                self.model_.setData(cell.index().siblingAtColumn(2), str(node.persons))
                shown.households, shown.persons = node.households, node.persons
            for c in node.children:
                walk(c)

        for r in roots:
            walk(r)

    def set_error_counts(self, by_path: dict[str, int]) -> None:
        """Open E findings per node, from counts per village path ("乡镇/村")."""
        paths = {uid: path for uid, (_n, path, _c) in self._nodes.items()}
        for node, _path, cell in self._nodes.values():
            n = sum(by_path.get(paths.get(v, ""), 0) for v in node.villages())
            text = str(n) if n else ""
            if cell.text() != text:
                cell.setText(text)
                cell.setForeground(QBrush(QColor("#c0392b")))

    def current_unit(self) -> int | None:
        index = self.currentIndex()
        return index.siblingAtColumn(0).data(UnitIdRole) if index.isValid() else None

    def node(self, unit_id: int) -> UnitNode | None:
        hit = self._nodes.get(unit_id)
        return hit[0] if hit else None

    def select_unit(self, unit_id: int) -> bool:
        for row_item in self._iter(self.model_.invisibleRootItem()):
            if row_item.data(UnitIdRole) == unit_id:
                index = row_item.index()
                self.setCurrentIndex(index)
                self.scrollTo(index)
                return True
        return False

    def first_village(self) -> int | None:
        for item in self._iter(self.model_.invisibleRootItem()):
            node = self.node(item.data(UnitIdRole))
            if node is not None and node.level == "village" and node.households:
                return node.id
        return None

    def _iter(self, parent: QStandardItem):
        for r in range(parent.rowCount()):
            child = parent.child(r, 0)
            yield child
            yield from self._iter(child)

    def _current(self, index, _previous) -> None:
        if not index.isValid():
            return
        uid = index.siblingAtColumn(0).data(UnitIdRole)
        node, path, _cell = self._nodes[uid]
        self.unit_selected.emit(uid, node.level, path, node.villages())

    # -- building units by hand (context menu) -------------------------------------------------
    def menu_entries(self, unit_id: int | None) -> list[tuple[str, Callable[[], None]]]:
        """What the context menu offers on a unit (or on the empty area: a county)."""
        node = self.node(unit_id) if unit_id is not None else None
        if node is None:
            return [(ADD_COUNTY, self.add_county)]
        entries = []
        if node.level in CHILD:
            entries.append((CHILD[node.level][1], lambda: self.add_child(node.id)))
        entries += [("重命名…", lambda: self.rename(node.id)), ("行政区划代码…", lambda: self.set_code(node.id)),
                    ("删除", lambda: self.remove(node.id))]
        return entries

    def parent_for(self, level: str) -> int | None:
        """Where 新增乡镇 (``level`` township) or 新增村 (village) adds from the selected unit: under
        it, or beside it (under its parent) when a unit of that level is selected; None when neither."""
        node = self.node(self.current_unit()) if self.current_unit() is not None else None
        while node is not None:
            if CHILD.get(node.level, ("",))[0] == level:
                return node.id
            node = self.node(node.parent_id) if node.parent_id is not None else None
        return None

    def add_under_selected(self, level: str) -> bool:
        """编辑 › 新增乡镇… / 新增村… and the buttons under the tree."""
        parent = self.parent_for(level)
        return parent is not None and self.add_child(parent)

    def _menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        uid = index.siblingAtColumn(0).data(UnitIdRole) if index.isValid() else None
        menu = QMenu(self)
        for text, slot in self.menu_entries(uid):
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, f=slot: f())
            action.setEnabled(self.store is not None and not self.store.read_only)
        menu.exec(self.viewport().mapToGlobal(pos))

    def _run(self, title: str, request: Any, select: Callable[[Any], int | None]) -> bool:
        """``request`` through the store's write door (the window's worker; a refusal is shown),
        then the tree read again and the unit ``select(value)`` selected."""
        if self.store is None:
            return False
        try:
            result = self.store.write(request).value
        except GuatuError as e:
            self.dialogs.warn(self, title, e.message)
            return False
        self.store._paths = None  # the village paths the household list shows
        self.load(unit_roots(self.store))
        target = select(result)
        if target is not None:
            self.select_unit(target)
        elif self.current_unit() is None and self.model_.rowCount():
            self.setCurrentIndex(self.model_.index(0, 0))
        self.units_changed.emit()
        return True

    def add_county(self) -> bool:
        """新增县（市、区）: the first unit of a new office, which also becomes the office's unit."""
        from app.services.unit_ops import AddUnit

        name = ask_line(self.dialogs, self, "新增县（市、区）", "县（市、区）名称：")
        if not name or not name.strip():
            return False
        return self._run("新增县（市、区）", AddUnit(None, name, "county"), lambda uid: uid)

    def add_child(self, parent_id: int) -> bool:
        """新增乡镇 under a county, 新增村 under a township."""
        from app.services.unit_ops import AddUnit

        parent = self.node(parent_id)
        if parent is None or parent.level not in CHILD:
            return False
        level, text, label = CHILD[parent.level]
        title = text.rstrip("…")
        name = ask_line(self.dialogs, self, title, f"在“{parent.name}”下{title}。{label}")
        if not name or not name.strip():
            return False
        return self._run(title, AddUnit(parent_id, name, level), lambda uid: uid)

    def rename(self, unit_id: int) -> bool:
        from app.services.unit_ops import RenameUnit

        node = self.node(unit_id)
        if node is None:
            return False
        name = ask_line(self.dialogs, self, "重命名", f"“{node.name}”的新名称（所有月份都显示新名称）：", node.name)
        if name is None or name.strip() == node.name:
            return False
        return self._run("重命名", RenameUnit(unit_id, name), lambda _u: unit_id)

    def set_code(self, unit_id: int) -> bool:
        from app.services import units
        from app.services.unit_ops import SetDivisionCode

        node = self.node(unit_id)
        if node is None or self.store is None:
            return False
        with self.store.db.read_session() as s:
            current = units.division_code(s, unit_id)
        code = ask_line(self.dialogs, self, "行政区划代码", f"“{node.name}”的12位统计用区划代码（可不填）：", current)
        if code is None or code.strip() == current:
            return False
        return self._run("行政区划代码", SetDivisionCode(unit_id, code), lambda _u: unit_id)

    def remove(self, unit_id: int) -> bool:
        """删除: after confirmation; refused (with the reason) while it or a unit below has data."""
        from app.services.unit_ops import RemoveUnit

        node = self.node(unit_id)
        if node is None:
            return False

        def count(n: UnitNode) -> int:
            return sum(1 + count(c) for c in n.children)

        below = count(node)
        more = f"及其下级单位（{below}个）" if below else ""
        if not self.dialogs.confirm(self, "删除单位", f"确定删除“{node.name}”{more}吗？\n只能删除没有任何数据的单位。"):
            return False
        return self._run("删除单位", RemoveUnit(unit_id), lambda _r: node.parent_id)

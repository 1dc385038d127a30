"""The unit tree 县 → 乡镇 → 村 with counts per node: households, persons, open errors."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

from app.services.browse import UnitNode

UnitIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
LEVEL_ICONS = {"county": "fa5s.landmark", "township": "fa5s.building", "village": "fa5s.home"}


def node_path(node: UnitNode, parents: list[UnitNode]) -> str:
    """The prefix findings carry in ``unit`` ("乡镇/村"); "" for the county (everything)."""
    names = [p.name for p in parents if p.level != "county"] + ([node.name] if node.level != "county" else [])
    return "/".join(names)


class UnitTree(QTreeView):
    """Emits ``unit_selected(unit id, level, path, village ids)``."""

    unit_selected = Signal(int, str, str, list)

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
        for i, w in ((1, 42), (2, 48), (3, 38)):
            self.header().setSectionResizeMode(i, QHeaderView.ResizeMode.Fixed)
            self.setColumnWidth(i, w)
        self._nodes: dict[int, tuple[UnitNode, str, QStandardItem]] = {}
        self.selectionModel().currentChanged.connect(self._current)

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

"""The window's layout on small and big screens: member column groups (a compact set at 1366×768,
the rest one key away), and sizes remembered per screen size (splitters, column widths, the problems
dock), the first start maximised. Settings live in one INI file (``settings()``)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabBar, QWidget

from app import domain
from app.ui.columns import MEMBER_CODES

# Column groups of the member grid; 姓名 stays in every group so the row is always known.
MEMBER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("基本", ("name", "relation", "age", "health", "labour")),
    ("证件电话", ("name", "id_number", "phone")),
    ("帮扶一", ("name", *domain.ASSISTANCE[:5])),
    ("帮扶二", ("name", *domain.ASSISTANCE[5:])),
    ("基本与证件", ("name", "relation", "age", "health", "labour", "id_number", "phone")),
    ("全部", MEMBER_CODES),
)
COMPACT = 4  # the first four groups: each fits 1366×768, together every column
WIDE = COMPACT  # 基本与证件: on wider screens
ALL = len(MEMBER_GROUPS) - 1


def settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "guatu", "window")


def screen_key(widget: QWidget) -> str:
    screen = widget.screen()
    size = screen.availableGeometry().size() if screen else None
    return f"{size.width()}x{size.height()}" if size else "unknown"


class MemberColumnTabs(QTabBar):
    """Tabs over the member grid choosing its column group; Alt+1 … Alt+6 from anywhere in the window."""

    def __init__(self, grid, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = grid
        self.setDocumentMode(True)
        self.setExpanding(False)
        for n, (title, codes) in enumerate(MEMBER_GROUPS, start=1):
            self.addTab(title)
            self.setTabToolTip(n - 1, f"{'、'.join(domain.FIELD_NAMES.get(c, domain.ASSISTANCE_NAMES.get(c, c)) for c in codes)}"
                                      f"（Alt+{n}）")
        self.currentChanged.connect(self.apply)
        header = grid.horizontalHeader()
        for code in domain.ASSISTANCE:  # tick columns as wide as their titles: nothing elided
            i = MEMBER_CODES.index(code)
            grid.setColumnWidth(i, max(56, header.fontMetrics().horizontalAdvance(domain.ASSISTANCE_NAMES[code]) + 14))

    def add_shortcuts(self, window: QWidget) -> None:
        for n in range(1, len(MEMBER_GROUPS) + 1):
            shortcut = QShortcut(QKeySequence(f"Alt+{n}"), window)
            shortcut.activated.connect(lambda i=n - 1: self.setCurrentIndex(i))

    def apply(self, index: int | None = None) -> None:
        index = self.currentIndex() if index is None else index
        shown = set(MEMBER_GROUPS[index][1])
        current = self.grid.currentIndex()
        for i, code in enumerate(MEMBER_CODES):
            self.grid.setColumnHidden(i, code not in shown)
        if current.isValid() and MEMBER_CODES[current.column()] not in shown:
            self.grid.setCurrentIndex(current.siblingAtColumn(0))

    def fits(self, group: int) -> bool:
        """Whether a group's columns fit the grid without scrolling sideways."""
        codes = MEMBER_GROUPS[group][1]
        needed = sum(self.grid.horizontalHeader().sectionSize(MEMBER_CODES.index(c)) or 60 for c in codes) \
            + self.grid.verticalHeader().width() + 24
        return self.grid.viewport().width() >= needed

    def widest_fitting(self) -> int:
        """全部 when every column fits, else 基本与证件, else the compact 基本."""
        self.apply(ALL)  # sizes known for every column
        return next((g for g in (ALL, WIDE) if self.fits(g)), 0)


def _ints(value) -> list[int]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [int(v) for v in value]
    return [int(value)]


class LayoutMemory:
    """Saves and restores the main window's layout per screen size."""

    def __init__(self, window):
        self.w = window

    def _key(self, name: str) -> str:
        return f"{screen_key(self.w)}/{name}"

    def restore_geometry(self) -> bool:
        """The window's place and state from last time; False on the first start (then maximise)."""
        s = settings()
        geometry = s.value("geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.w.restoreGeometry(geometry)
            return True
        return False

    def restore(self) -> None:
        s = settings()
        w = self.w
        for name, splitter in w.splitters.items():
            sizes = _ints(s.value(self._key(f"splitter/{name}")))
            if len(sizes) == splitter.count() and sum(sizes) > 0:
                splitter.setSizes(sizes)
        for name, view, count in (("households", w.hh_view, w.hh_model.columnCount()),
                                  ("members", w.grid, len(MEMBER_CODES))):
            widths = _ints(s.value(self._key(f"columns/{name}")))
            if len(widths) == count:
                for i, width in enumerate(widths):
                    if width > 0:
                        view.setColumnWidth(i, width)
        group = s.value(self._key("member_group"))
        if group is not None:
            w.member_tabs.setCurrentIndex(int(group))
        dock = s.value(self._key("dock_height"))
        if dock is not None:
            w.problems.remembered_height = int(dock)

    def save(self) -> None:
        s = settings()
        w = self.w
        s.setValue("geometry", w.saveGeometry())
        for name, splitter in w.splitters.items():
            s.setValue(self._key(f"splitter/{name}"), splitter.sizes())
        s.setValue(self._key("columns/households"),
                   [w.hh_view.columnWidth(i) for i in range(w.hh_model.columnCount())])
        s.setValue(self._key("columns/members"),
                   [w.grid.columnWidth(i) or w.grid.horizontalHeader().sectionSize(i) for i in range(len(MEMBER_CODES))])
        s.setValue(self._key("member_group"), w.member_tabs.currentIndex())
        s.setValue(self._key("dock_height"), w.problems.remembered_height)
        s.sync()

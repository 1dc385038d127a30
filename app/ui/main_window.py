"""The clerk's main window: unit tree, household list, member grid, household panel, problems dock.

It wires the parts together and keeps the findings of the month: a full check runs in the
background when a month is opened; after every edit the household is re-checked at once.
"""

from __future__ import annotations

import logging
from collections import Counter

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rules.findings import Finding
from app.services.operations import FindingsChange, Outcome
from app.services.register import Change
from app.storage import Database
from app.ui import actions, first_month_dialog, keys, layout, ledgers_view, month_state, window_tools
from app.ui.columns import HOUSEHOLD_COLUMNS, MEMBER_CODES
from app.ui.delegates import ColumnDelegate
from app.ui.dialogs import Dialogs
from app.ui.editor import Editor
from app.ui.household_panel import HouseholdPanel
from app.ui.member_grid import MemberController, MemberGrid
from app.ui.models import HouseholdListModel, IdRole, MemberModel
from app.ui.problems import ProblemsDock
from app.ui.search import SearchBox
from app.ui.store import Store
from app.ui.tasks import TaskHandle, TaskRunner
from app.ui.unit_tree import UnitTree, unit_roots
from app.ui.widgets import plain_label

log = logging.getLogger("guatu.ui")


class MainWindow(QMainWindow):
    def __init__(self, database: Database, read_only: bool = False, dialogs: Dialogs | None = None):
        super().__init__()
        self.dialogs = dialogs or Dialogs()
        self.store = Store(database, read_only)
        self.editor = Editor(self.store, self.dialogs, self)
        self.runner = TaskRunner(database, self)
        self.findings: dict[str, list[Finding]] = {}  # household uuid ("" for others) → findings
        self.unit_id: int | None = None
        self.unit_level = ""
        self.unit_path = ""
        self.village_ids: list[int] = []
        self.household_id: int | None = None
        self.hh_uuid: str | None = None
        self.hh_village: int | None = None  # the village of the household on show
        self.check_handle: TaskHandle | None = None
        self.warm_handle: TaskHandle | None = None
        self._fresh: set[str] = set()
        self.setWindowTitle(f"挂图作战 — {database.label}{'（只读）' if self.store.read_only else ''}")
        self._build()
        self.editor.changed.connect(self.on_change)
        self.load_periods()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.tree = UnitTree()
        self.tree.unit_selected.connect(self.on_unit)
        self.tree.set_editing(self.store, self.dialogs)  # context menu: 新增/重命名/删除 units
        self.tree.units_changed.connect(self._units_changed)
        self.hh_model = HouseholdListModel(self.store, self)
        self.hh_model.on_new_household = self._new_household_named
        self.hh_view = QTableView()
        self.hh_view.setModel(self.hh_model)
        self.hh_view.setItemDelegate(ColumnDelegate(HOUSEHOLD_COLUMNS, self.hh_view))  # head's name checked as typed
        self.hh_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.hh_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.hh_view.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                                     | QAbstractItemView.EditTrigger.DoubleClicked)
        self.hh_view.verticalHeader().setDefaultSectionSize(22)
        self.hh_view.setAlternatingRowColors(True)
        self.hh_view.horizontalHeader().setStretchLastSection(True)  # 问题 takes what a wide screen leaves
        for i, col in enumerate(HOUSEHOLD_COLUMNS):
            self.hh_view.setColumnWidth(i, col.width)
        self.hh_view.selectionModel().currentRowChanged.connect(self._household_row)
        self.member_model = MemberModel(self.store, self)
        self.grid = MemberGrid()
        self.grid.setModel(self.member_model)
        self.controller = MemberController(self.grid, self.member_model, self.editor, self.dialogs)
        self.grid.message.connect(self.show_message)
        self.grid.note_requested.connect(self.acknowledge)
        self.grid.discard_requested.connect(self.discard_new_household)
        self.panel = HouseholdPanel()
        self.panel.on_field = self._panel_field
        self.panel.on_lines = self._panel_lines
        self.panel.setMinimumWidth(330)
        self.hh_title = plain_label()
        self.member_title = QLabel("家庭成员")
        self.member_title.setToolTip(keys.GRID_HINT.removeprefix("家庭成员：") + " · Alt+1…Alt+6 切换栏目组")
        self.grid.verticalHeader().setDefaultSectionSize(22)
        self.member_tabs = layout.MemberColumnTabs(self.grid)
        self.member_head = QHBoxLayout()  # 家庭成员 and the column groups on one line
        self.member_head.addWidget(self.member_title)
        self.member_head.addWidget(self.member_tabs)
        self.member_head.addStretch(1)
        centre = QSplitter(Qt.Orientation.Vertical)
        self.hh_head = QHBoxLayout()  # the list's title and its 新建一户 button
        self.hh_head.addWidget(self.hh_title, 1)
        for head, view in ((self.hh_head, self.hh_view), (self.member_head, self.grid)):
            box = QWidget()
            lay = QVBoxLayout(box)
            lay.setContentsMargins(2, 0, 2, 0)
            lay.setSpacing(1)
            lay.addLayout(head)
            lay.addWidget(view)
            centre.addWidget(box)
        centre.setSizes([340, 200])
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 2)
        main = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        self.tree_box = QVBoxLayout(left)  # the tree and, under it, 新增乡镇 / 新增村
        self.tree_box.setContentsMargins(0, 0, 0, 0)
        self.tree_box.setSpacing(2)
        self.tree_box.addWidget(self.tree, 1)
        main.addWidget(left)
        main.addWidget(centre)
        main.addWidget(self.panel)
        self.tree.setMinimumWidth(200)
        main.setSizes([260, 740, 350])
        main.setStretchFactor(1, 1)
        self.splitters = {"main": main, "centre": centre}
        self.lock_bar = month_state.LockBar(self.reopen_month)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.lock_bar)
        outer.addWidget(main, 1)
        self.setCentralWidget(central)
        self.lock_guard = month_state.LockedEditGuard(self)
        self.lock_guard.watch(self.hh_view, self.hh_view.viewport(), self.grid, self.grid.viewport(), self.panel)
        self._refusing = False
        self.problems = ProblemsDock(self)
        self.problems.jump.connect(self.jump_to_finding)
        self.problems.model.suggest = self.store.suggested_note  # the in-place 核实说明 starts from it
        self.problems.acknowledge.connect(self.acknowledge)
        self.problems.explain.connect(self.explain)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.problems)
        self.problems.collapse(True)
        self.layout_memory = layout.LayoutMemory(self)
        self.remember_layout = False  # guatu gui turns it on (tests keep a fixed layout)
        self.period_combo = QComboBox()
        self.period_combo.setMinimumWidth(250)
        self.period_combo.currentIndexChanged.connect(self._period_chosen)
        self.period_state = plain_label()
        self.search = SearchBox(self.store)
        self.search.found.connect(lambda hit: self.go_to(hit.village_id, hit.household_id, hit.person_id))
        self.search.nothing.connect(lambda t: self.statusBar().showMessage(f"没有找到“{t}”", 5000))
        self.acts = actions.build_menus(self)
        toolbar = actions.build_toolbar(self, self.acts)
        actions.add_doors(self, self.acts)
        self.member_tabs.add_shortcuts(self)
        self.first_month = first_month_dialog.add_button(toolbar, self.period_state, self.new_first_month)
        self.counts_label = plain_label()
        self.statusBar().addPermanentWidget(self.counts_label)
        keys.install_pane_keys(self)

    # -- periods and units ---------------------------------------------------------------------
    def load_periods(self, month: str | None = None) -> None:
        """Fill the month selector; show ``month`` when it exists, else the latest month."""
        periods = self.store.periods()
        self.period_combo.blockSignals(True)
        self.period_combo.clear()
        for p in periods:
            self.period_combo.addItem(p.label, p)
        index = next((i for i, p in enumerate(periods) if p.month == month), 0 if periods else -1)
        self.period_combo.setCurrentIndex(index)
        self.period_combo.blockSignals(False)
        self._period_chosen(index)

    def _period_chosen(self, index: int) -> None:
        period = self.period_combo.itemData(index) if index >= 0 else None
        self.editor.wait_idle()  # the edits of the month left land (and are shown) before it goes
        self.store.set_period(period)
        self.editor.stack.clear()
        self.first_month.setVisible(period is None and not self.store.read_only)
        if period is None:
            self.period_state.setText("  数据库中还没有月份（有数据包请用“文件 › 导入…”）")
        else:
            text, colour = month_state.banner(period)
            self.period_state.setText(text)
            self.period_state.setStyleSheet(f"color:{colour};font-weight:bold;")
        self.lock_bar.show_for(period, self.store.read_only)
        self.findings = {}
        self.hh_model.problems = {}  # uuids stay the same across months: never show last month's
        self.tree.load(unit_roots(self.store))
        if self.tree.current_unit() is None:
            office_unit = self.store.office().get("unit_id")
            if not (office_unit and self.tree.select_unit(office_unit)):
                self.tree.setCurrentIndex(self.tree.model_.index(0, 0))
        self._update_actions()
        self.start_check()
        ledgers_view.refresh_status(self)  # open/overdue tasks and problems of the month's year

    def new_first_month(self) -> None:
        """新建第一个月份… (a new register, nothing to import): then show that month."""
        month = first_month_dialog.open_first_month(self, self.store, self.dialogs)
        if month is not None:
            self.load_periods(month)

    def reopen_month(self) -> bool:
        """重新打开本月… (reason required, audited; the same service as ``guatu reopen``)."""
        return month_state.reopen(self)

    def refused_edit(self) -> None:
        """An edit tried on a month sent as final: say why, offer 重新打开本月…."""
        if self._refusing or self.store.period is None:
            return
        self._refusing = True
        try:
            answer = self.dialogs.choose(self, "本月已报送", month_state.refusal(self.store.period),
                                         [month_state.REOPEN, "取消"])
            if answer == 0:
                self.reopen_month()
        finally:
            self._refusing = False

    def _units_changed(self) -> None:
        """Units added, renamed or removed in the tree: findings carry unit paths, check again."""
        if self.tree.current_unit() is None:  # the last unit removed
            self.unit_id, self.unit_level, self.unit_path, self.village_ids = None, "", "", []
            self.reload_households()
        self.start_check()

    def start_check(self) -> None:
        """The whole month's findings, in the background, in a read session: it never holds the write
        lock, so an edit made meanwhile is stored at once instead of waiting for the check."""
        if self.store.period is None:
            return
        month = self.store.period.month
        self._fresh = set()
        self._checked_all = False
        if self.check_handle is not None:
            self.check_handle.cancel()
        self.check_handle = self.runner.run(
            lambda s, _p: Store.check_period_in(s, month), title="检查", show_progress=False,
            on_result=lambda found: self._checked(found) if self.store.period and self.store.period.month == month
            else None,  # a month switched away from meanwhile
            on_error=lambda e: log.warning("background check of %s failed: %r", month, e))

    def _checked(self, findings: list[Finding]) -> None:
        kept = {u: f for u, f in self.findings.items() if u in self._fresh}
        self.findings = {}
        for f in findings:  # a ledger row's finding is the year's, not its household's
            self.findings.setdefault(f.household if f.record is None and f.household else "", []).append(f)
        self.findings.update(kept)
        self._checked_all = True
        self._show_findings()
        if self.hh_uuid is not None:  # the household on screen gets its tint and tooltips now, not on reselect
            self._tint(self.findings.get(self.hh_uuid, []))
        if self.store.period is not None:  # then the pinyin-initials index, for the search box
            pid = self.store.period.id
            self.warm_handle = self.runner.run(
                lambda s, _p: Store.warm_search_in(s, pid), title="索引", show_progress=False,
                on_error=lambda e: log.warning("search index of %s failed: %r", pid, e))

    def wait_checks(self, timeout_ms: int = 300_000) -> None:
        """Let the background check finish (tests, screenshots, bench)."""
        if self.check_handle is not None:
            self.check_handle.wait(timeout_ms)

    def on_unit(self, unit_id: int, level: str, path: str, villages: list[int]) -> None:
        same = unit_id == self.unit_id
        self.unit_id, self.unit_level, self.unit_path, self.village_ids = unit_id, level, path, villages
        self.reload_households(select=self.household_id if same else None)
        self._update_actions()  # Ctrl+N follows the unit chosen, by keyboard or mouse

    def reload_households(self, select: int | None = None) -> None:
        ids = self.store.household_ids(self.village_ids, self.acts["risky"].isChecked())
        blank = self.unit_level == "village" and self.store.editable and not self.acts["risky"].isChecked()
        self.hh_model.reset(ids, blank)
        node = self.tree.node(self.unit_id) if self.unit_id is not None else None
        name = node.name if node else ""
        self.hh_title.setText(f"{name}：{len(ids)}户" + ("（红黄户）" if self.acts["risky"].isChecked() else ""))
        row = self.hh_model.row_of(select) if select is not None else 0
        if ids:
            self.hh_view.setCurrentIndex(self.hh_model.index(max(row, 0), 0))
        else:
            self.show_household(None)
        self._show_findings(changed=False)

    def _household_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        hid = current.siblingAtColumn(0).data(IdRole) if current.isValid() else None
        if hid != self.household_id or hid is None:
            self.show_household(hid)

    def show_household(self, household_id: int | None) -> None:
        detail = self.store.household_detail(household_id) if household_id is not None else None
        self.household_id = detail.id if detail else None
        self.hh_uuid = detail.uuid if detail else None
        self.hh_village = detail.village_id if detail else None
        self.panel.load(detail, self.store.editable)
        self.controller.show(self.household_id, self.hh_uuid)
        self._update_actions()
        if self.hh_uuid is not None:
            self._tint(self.findings.get(self.hh_uuid, []))

    def set_risky_only(self, _on: bool) -> None:
        self.reload_households()

    # -- edits ---------------------------------------------------------------------------------
    def on_change(self, outcome: Outcome) -> None:
        """After an edit, undo or redo: repaint what the outcome says changed; the findings that
        appeared or went away update the problems dock row by row."""
        change: Change = outcome.value
        hid = change.household_id
        if change.structural and change.person_id is None:  # a household added or removed
            self.tree.update_counts(self.store.tree())
            new_hid = self.store.household_id(change.new) if change.new else None
            self.reload_households(select=new_hid or self.household_id)
            self.apply_findings(outcome.findings)
            return
        if self.editor.stepping and hid != self.household_id and hid in self.hh_model.ids:  # undo/redo: go there
            self.hh_view.setCurrentIndex(self.hh_model.index(self.hh_model.row_of(hid), 0))
        if hid == self.household_id:
            if change.structural:
                self.member_model.reload()
                self.tree.update_counts(self.store.tree())
            elif change.person_id is not None:
                self.member_model.refresh_person(change.person_id)
            self._load_panel_keeping_typed(self.store.household_detail(hid), change.field)
        self.hh_model.refresh(hid)
        self.apply_findings(outcome.findings)

    def _load_panel_keeping_typed(self, detail, field: str | None) -> None:
        """The panel read again after an outcome, but a field the clerk is typing in keeps its text
        (the outcome of the field before arrives while the next one is being typed)."""
        focus = QApplication.focusWidget()
        edit = focus if isinstance(focus, QLineEdit) else getattr(focus, "lineEdit", lambda: None)()
        own = self.panel._widgets.get(field or "")  # the outcome's own field shows what was stored
        typing = edit is not None and self.panel.isAncestorOf(edit) and edit.isModified() \
            and own is not edit and not (own is not None and own.isAncestorOf(edit))
        text, cursor = (edit.text(), edit.cursorPosition()) if typing else ("", 0)
        self.panel.load(detail, self.store.editable)
        if typing and edit.text() != text:
            edit.setText(text)
            edit.setCursorPosition(cursor)
            edit.setModified(True)

    def apply_findings(self, found: FindingsChange) -> None:
        """The findings an operation added or took away, applied to what is on show (no re-check)."""
        if not found.added and not found.removed:
            return
        if not getattr(self, "_checked_all", False):  # the month's check still running: whole households
            for uuid in {f.household for f in (*found.added, *found.removed) if f.household}:
                hid = self.store.household_id(uuid)
                self.findings[uuid] = self.store.check_household(hid) if hid is not None else []
                self._fresh.add(uuid)
            if self.hh_uuid is not None:
                self._tint(self.findings.get(self.hh_uuid, []))
            self._show_findings()
            return
        for f in found.removed:
            kept = self.findings.get(f.household or "")
            if kept and f in kept:
                kept.remove(f)
        for f in found.added:
            self.findings.setdefault(f.household or "", []).append(f)
        self._fresh.update(f.household for f in (*found.added, *found.removed) if f.household)
        path = self.unit_path

        def shown(f: Finding) -> bool:
            return not path or (f.unit or "") == path or (f.unit or "").startswith(path + "/")

        self.problems.update_rows([f for f in found.added if shown(f)], [f for f in found.removed if shown(f)])
        if self.hh_uuid is not None:
            self._tint(self.findings.get(self.hh_uuid, []))
        self._show_counts()

    def recheck(self, household_id: int) -> None:
        findings = self.store.check_household(household_id)
        uuid = self.store.household_detail(household_id).uuid
        self.findings[uuid] = findings
        self._fresh.add(uuid)
        if household_id == self.household_id:
            self._tint(findings)
        self._show_findings()

    def _tint(self, findings: list[Finding]) -> None:
        self.member_model.set_findings(findings)
        self.panel.set_findings(findings)

    def _show_findings(self, changed: bool = True) -> None:
        """Problems dock, tree error counts, list column and status bar from ``self.findings``;
        ``changed=False`` when only the selected unit changed (the counts stand)."""
        path = self.unit_path
        rows = [f for fs in self.findings.values() for f in fs
                if not path or (f.unit or "") == path or (f.unit or "").startswith(path + "/")]
        self.problems.set_rows(rows)
        self._show_counts(changed)

    def _show_counts(self, changed: bool = True) -> None:
        if changed:
            errors = Counter(f.unit or "" for fs in self.findings.values() for f in fs if f.is_error)
            self.tree.set_error_counts(dict(errors))
            self.hh_model.problems = {}
            for uuid, fs in self.findings.items():
                e = sum(1 for f in fs if f.is_error)
                self.hh_model.problems[uuid] = (e, len(fs) - e)
        self.hh_model.problems_changed()
        e, w = self.problems.counts()
        node = self.tree.node(self.unit_id) if self.unit_id is not None else None
        size = f"{node.name} {node.households}户 {node.persons}人 · " if node else ""
        self.counts_label.setText(f"{size}错误 {e} · 提示 {w}  ")

    def _panel_field(self, field: str, old, new) -> None:
        """A panel field typed: sent to the write worker, the panel goes on; read back if refused."""
        if self.hh_uuid is None:
            return
        if self.editor.panel_field(self.hh_uuid, field, new, self.panel.detail.values, wait=False,
                                   on_refused=self._reload_panel):
            self.panel.detail.values[field] = new  # as typed until the write lands (a 红黄绿 takes the reasons)

    def _panel_lines(self, kind: str, old: list, new: list) -> None:
        if self.hh_uuid is None:
            return
        self.editor.set_lines(self.hh_uuid, kind, new, wait=False, on_refused=self._reload_panel)

    def _reload_panel(self) -> None:
        if self.household_id is not None:
            self.panel.load(self.store.household_detail(self.household_id), self.store.editable)

    def _new_household_named(self, name: str) -> bool:
        if self.unit_level != "village" or self.unit_id is None:
            self.dialogs.info(self, "新建一户", "请先在左侧选择一个村。")
            return False
        return self.editor.add_household(self.unit_id, name) is not None

    def target_village(self) -> int | None:
        """The village Ctrl+N adds to: the chosen village, else (a township or the county chosen) the
        village of the household current in the list; None with no household current there."""
        if self.unit_level == "village":
            return self.unit_id
        return self.hh_village if self.household_id is not None else None

    def new_household(self) -> None:
        """Ctrl+N: a household with its 户主 in the village, the cursor in edit in the head's 姓名."""
        village = self.target_village()
        if village is None or not self.store.editable:
            self.dialogs.info(self, "新建一户", "请先在左侧选择一个村（或该村的一户）。")
            return
        self.grid.commit_editor()
        self._before_new = (self.household_id, QApplication.focusWidget())
        if self.acts["risky"].isChecked():
            self.acts["risky"].setChecked(False)  # the new household has no colour yet: keep it in the list
        uuid = self.editor.add_household(village)
        if uuid is None or self.hh_uuid != uuid:
            return
        self.grid.setFocus()
        self.grid.move_to(0, MEMBER_CODES.index("name"))
        self.grid.new_household = True
        self.grid.edit(self.grid.currentIndex())

    def discard_new_household(self) -> None:
        """Esc before anything was typed into a household just added: it is taken back."""
        if self.hh_uuid is None or not self.editor.discard_household(self.hh_uuid):
            return
        before, focus = getattr(self, "_before_new", (None, None))
        if before is not None and before in self.hh_model.ids:
            self.hh_view.setCurrentIndex(self.hh_model.index(self.hh_model.row_of(before), 0))
        (focus if focus is not None and focus.isVisible() else self.hh_view).setFocus()
        self.statusBar().showMessage("未输入任何内容，新建的一户已撤销。", 5000)

    def remove_household(self) -> None:
        if self.hh_uuid is None or not self.store.editable:
            return
        name = self.store.household_detail(self.household_id).head_name or "（未填户主）"
        if self.dialogs.confirm(self, "删除本户", f"确定删除“{name}”户及其全部成员吗？\n（可用“撤销”恢复）"):
            self.editor.remove_household(self.hh_uuid, name)

    def controller_insert(self) -> None:
        self.controller.insert(self.grid.currentIndex().row())

    def controller_remove(self) -> None:
        self.controller.remove(self.grid.currentIndex().row())

    def _update_actions(self) -> None:
        editable = self.store.editable
        for key in ("add_member", "remove_member", "remove_household"):
            self.acts[key].setEnabled(editable and self.household_id is not None)
        village = self.target_village()
        add = self.acts["add_household"]
        add.setEnabled(editable and village is not None)
        node = self.tree.node(village) if village is not None else None
        tip = (f"在“{node.name}”新建一户（Ctrl+N）" if node else "先在左侧选择一个村（或该村的一户），再新建一户")
        if add.toolTip() != tip:
            add.setToolTip(tip)
            add.setStatusTip(tip)
        self.acts["reopen"].setEnabled(self.store.locked and not self.store.read_only)
        units_editable = not self.store.read_only
        self.acts["add_township"].setEnabled(units_editable and self.tree.parent_for("township") is not None)
        self.acts["add_village"].setEnabled(units_editable and self.tree.parent_for("village") is not None)

    # -- navigation ----------------------------------------------------------------------------
    def go_to(self, village_id: int, household_id: int, person_id: int | None = None, field: str | None = None) -> None:
        if self.acts["risky"].isChecked() and household_id not in self.hh_model.ids:
            self.acts["risky"].setChecked(False)
        if self.unit_id != village_id and household_id not in self.hh_model.ids:
            self.tree.select_unit(village_id)
        row = self.hh_model.row_of(household_id)
        if row >= 0:
            self.hh_view.setCurrentIndex(self.hh_model.index(row, 0))
            self.hh_view.scrollTo(self.hh_model.index(row, 0))
        if person_id is not None and person_id in self.member_model.ids:
            col = MEMBER_CODES.index(field) if field in MEMBER_CODES else 0
            self.grid.setCurrentIndex(self.member_model.index(self.member_model.ids.index(person_id), col))
            self.grid.setFocus()

    def go_to_person(self, person_uuid: str) -> bool:
        """A person chosen elsewhere (the drill-down list of a count): their household and row."""
        place = self.store.person_place(person_uuid) if self.store.period else None
        if place is None:
            return False
        self.go_to(*place)
        return True

    def jump_to_finding(self, f: Finding) -> None:
        """The cursor to the finding's field: a member's cell, a household-panel field (scrolled into
        view and focused), or — for 附件1/附件2 findings — the counts view at its row and column."""
        if f.record is not None:  # a row of the 督战与销号 ledgers
            window_tools.show_ledger_row(self, f)
            return
        if not f.household:
            if f.code.startswith(("M-", "C-")):
                window_tools.show_counts_at(self, f)
            elif f.code.startswith("P-"):
                self.open_tool("app.ui.projects_view")
            return
        hid = self.store.household_id(f.household)
        if hid is None:
            return
        detail = self.store.household_detail(hid)
        pid = self.store.person_id(hid, f.person) if f.person else None
        self.go_to(detail.village_id, hid, pid, f.field)
        if pid is None:
            self.focus_panel_field(f.field)

    def focus_panel_field(self, field: str | None) -> bool:
        widget = self.panel.reveal(field)
        if widget is None:
            return False
        # again once the double-click that asked for it is over (the dock's view takes focus on it)
        QTimer.singleShot(0, lambda: widget.setFocus(Qt.FocusReason.OtherFocusReason))
        return True

    def acknowledge(self, f: Finding) -> None:
        window_tools.acknowledge(self, f)

    def explain(self, f: Finding, text: str) -> None:
        """A 核实说明 typed in the dock's last column."""
        window_tools.acknowledge(self, f, text)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_first_village(self) -> None:
        """The first village with households, and its first household (for --screenshot)."""
        vid = self.tree.first_village()
        if vid is not None:
            self.tree.select_unit(vid)
        self.wait_checks()

    # -- other areas' dialogs, backups and settings (app/ui/window_tools.py) ----------------
    def open_tool(self, module_name: str) -> None:
        window_tools.open_tool(self, module_name)

    def show_backups(self) -> None:
        window_tools.show_backups(self)

    def reopen(self, database: Database) -> None:
        """Work on ``database`` from now on (after a restore): everything is read again."""
        self.store.db = database
        self.runner.database = database
        self.store._paths = None
        self.load_periods(self.store.period.month if self.store.period else None)

    def show_settings(self) -> None:
        window_tools.show_settings(self)

    def open_other_database(self) -> None:
        """文件 › 打开数据库…: a file or a server register in a window of its own."""
        from app.ui.open_database import choose_target, open_elsewhere

        target = choose_target(self)
        if target:
            open_elsewhere(self, self.dialogs, target)

    def fit_screen(self) -> None:
        """Sizes for this screen: the last ones used on a screen of this size, else defaults that
        fit 1366×768 (compact member columns unless every column fits)."""
        self.layout_memory.restore()
        if layout.settings().value(self.layout_memory._key("member_group")) is None:
            self.member_tabs.setCurrentIndex(self.member_tabs.widest_fitting())
        self.member_tabs.apply()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def show_keys_help(self) -> None:
        self.dialogs.info(self, "键盘操作", keys.HELP)

    # -- where the clerk was -------------------------------------------------------------------
    def _state(self) -> QSettings:
        return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "guatu", "window")

    def _state_key(self) -> str:
        db = self.store.db
        where = db.where if db.is_server else str(db.path.resolve())
        return "last/" + where.replace("/", "|").replace("\\", "|")

    def restore_last(self) -> None:
        """The village and household last used in this register (first start: the first village),
        focus in the household list; from now on they are remembered when the window closes."""
        self._remember = True
        saved = self._state().value(self._state_key(), "")
        unit_id, _, hh_uuid = str(saved or "").partition(",")
        hid = self.store.household_id(hh_uuid) if hh_uuid and self.store.period else None
        if unit_id.isdigit() and self.tree.select_unit(int(unit_id)):
            if hid is not None and hid in self.hh_model.ids:
                self.hh_view.setCurrentIndex(self.hh_model.index(self.hh_model.row_of(hid), 0))
                self.hh_view.scrollTo(self.hh_model.index(self.hh_model.row_of(hid), 0))
        else:
            vid = self.tree.first_village()
            if vid is not None:
                self.tree.select_unit(vid)
        self.hh_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remember_last(self) -> None:
        if getattr(self, "_remember", False) and self.unit_id is not None:
            self._state().setValue(self._state_key(), f"{self.unit_id},{self.hh_uuid or ''}")

    def closeEvent(self, event) -> None:
        self.grid.commit_editor()
        focus = QApplication.focusWidget()
        if focus is not None and self.panel.isAncestorOf(focus):
            focus.clearFocus()  # a panel field being typed in is committed (editingFinished) now
        self.editor.close()  # every edit on its way is written before the window goes
        self._remember_last()
        if self.remember_layout:
            self.layout_memory.save()
        for handle in (self.check_handle, self.warm_handle):
            if handle is not None:
                handle.cancel()
                handle.wait(5000)
        super().closeEvent(event)

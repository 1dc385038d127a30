"""Menus and the toolbar of the main window; the tool dialogs are opened by ``window_tools``."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QToolBar, QToolButton

# Menu entries of the tool dialogs: (menu, key of window_tools.TOOLS, text, icon).
TOOL_ACTIONS = (
    ("文件", "import", "导入…", "fa5s.file-import"),
    ("文件", "export", "导出月报…", "fa5s.file-export"),
    ("文件", "backup", "备份/恢复…", "fa5s.save"),
    ("工具", "new_month", "新建月份…", "fa5s.calendar-plus"),
    ("工具", "wallchart", "挂图…", "fa5s.map"),
    ("工具", "cards", "明白卡…", "fa5s.id-card"),
    ("工具", "counts", "月报表（附件1/2/3）…", "fa5s.table"),
    ("工具", "projects", "资金项目（附件3）…", "fa5s.coins"),
    ("工具", "records", "入户走访与动态调整…", "fa5s.walking"),
    ("工具", "ledgers", "督战与销号…", "fa5s.tasks"),
    ("工具", "analysis", "月度分析…", "fa5s.chart-bar"),
)


MENU_KEYS = {"文件": "F", "编辑": "E", "视图": "V", "工具": "T", "帮助": "H"}


def icon(name: str):
    try:
        import qtawesome as qta

        return qta.icon(name, color="#34495e")
    except Exception:  # decoration only
        from PySide6.QtGui import QIcon

        return QIcon()


def make_action(window: QMainWindow, text: str, slot: Callable | None = None, shortcut=None,
                icon_name: str | None = None, tip: str | None = None, checkable: bool = False) -> QAction:
    action = QAction(text, window)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.setCheckable(checkable)
    if slot is not None:
        (action.toggled if checkable else action.triggered).connect(slot)
    return action


def build_menus(w) -> dict[str, QAction]:
    """Menus 文件/编辑/视图/工具/帮助; returns the actions by key for enabling and tests."""
    acts: dict[str, QAction] = {}
    bar = w.menuBar()
    # Alt+F/E/V/T/H open them, as in Chinese Windows programs: 文件(F) …
    menus = {name: bar.addMenu(f"{name}(&{key})") for name, key in MENU_KEYS.items() if name != "帮助"}
    for menu_name, key, text, icon_name in TOOL_ACTIONS:
        act = make_action(w, text, icon_name=icon_name)
        act.setData(key)
        act.triggered.connect(lambda _=False, k=key: w.open_tool(k))
        menus[menu_name].addAction(act)
        acts[key] = act
    menus["文件"].addSeparator()
    acts["open_db"] = make_action(w, "打开数据库…", w.open_other_database, icon_name="fa5s.folder-open")
    acts["open_db"].setToolTip("在新窗口中打开本机的另一个数据库文件，或服务器上的县级台账")
    menus["文件"].addAction(acts["open_db"])
    acts["settings"] = make_action(w, "设置…", w.show_settings, icon_name="fa5s.cog")
    menus["文件"].addAction(acts["settings"])
    menus["文件"].addSeparator()
    menus["文件"].addAction(make_action(w, "退出", w.close, QKeySequence.StandardKey.Quit))

    undo = _stack_action(w, "撤销", w.editor.undo, w.editor.stack.canUndo, w.editor.stack.canUndoChanged,
                         w.editor.stack.undoTextChanged)
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    undo.setIcon(icon("fa5s.undo"))
    redo = _stack_action(w, "重做", w.editor.redo, w.editor.stack.canRedo, w.editor.stack.canRedoChanged,
                         w.editor.stack.redoTextChanged)
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    redo.setIcon(icon("fa5s.redo"))
    acts["undo"], acts["redo"] = undo, redo
    acts["add_member"] = make_action(w, "插入成员", w.controller_insert, "Insert", "fa5s.user-plus")
    acts["remove_member"] = make_action(w, "删除成员", w.controller_remove, "Ctrl+Delete", "fa5s.user-minus")
    acts["add_household"] = make_action(w, "新建一户", w.new_household, "Ctrl+N", "fa5s.house-user",
                                        tip="在所选村新建一户（也可在户列表最后一行直接输入户主姓名）")
    acts["add_township"] = make_action(w, "新增乡镇…", lambda: w.tree.add_under_selected("township"),
                                       icon_name="fa5s.building", tip="在所选县（市、区）下新增乡镇")
    acts["add_village"] = make_action(w, "新增村…", lambda: w.tree.add_under_selected("village"),
                                      icon_name="fa5s.home", tip="在所选乡镇下新增村")
    acts["remove_household"] = make_action(w, "删除本户…", w.remove_household, None, "fa5s.trash-alt")
    acts["search"] = make_action(w, "查找", w.focus_search, QKeySequence.StandardKey.Find, "fa5s.search")
    for key in ("undo", "redo", None, "add_member", "remove_member", None, "add_household", "remove_household",
                None, "add_township", "add_village", None, "search"):
        if key is None:
            menus["编辑"].addSeparator()
        else:
            menus["编辑"].addAction(acts[key])
    # Grid shortcuts are handled by the grid itself while it has focus; avoid ambiguous overrides.
    for key in ("add_member", "remove_member"):
        acts[key].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    acts["reopen"] = make_action(w, "重新打开本月…", w.reopen_month, icon_name="fa5s.lock-open",
                                 tip="已报送（锁定）的月份需要更正时重新打开：须说明原因，记入操作日志")
    menus["工具"].addSeparator()
    menus["工具"].addAction(acts["reopen"])
    acts["risky"] = make_action(w, "只看红黄户", w.set_risky_only, icon_name="fa5s.exclamation-triangle",
                                tip="只列出返贫风险为红色、黄色的户（月度跟踪）", checkable=True)
    menus["视图"].addAction(acts["risky"])
    menus["视图"].addAction(w.problems.toggleViewAction())
    help_menu = bar.addMenu(f"帮助(&{MENU_KEYS['帮助']})")
    acts["keys_help"] = make_action(w, "键盘操作…", w.show_keys_help, QKeySequence.StandardKey.HelpContents,
                                    "fa5s.keyboard")
    help_menu.addAction(acts["keys_help"])
    return acts


def build_toolbar(w, acts: dict[str, QAction]) -> QToolBar:
    tb = QToolBar("工具栏", w)
    tb.setObjectName("main_toolbar")
    tb.setMovable(False)
    tb.addWidget(w.period_combo)
    tb.addWidget(w.period_state)
    tb.addSeparator()
    for key in ("undo", "redo"):
        tb.addAction(acts[key])
    tb.addSeparator()
    for key in ("add_household", "add_member", "risky"):
        tb.addAction(acts[key])
    tb.addSeparator()
    tb.addWidget(w.search)
    w.addToolBar(tb)
    return tb


def door(action: QAction) -> QToolButton:
    """A visible button for an action (text beside its icon; enabled with the action)."""
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setAutoRaise(True)
    return button


def add_doors(w, acts: dict[str, QAction]) -> None:
    """新增乡镇 / 新增村 under the unit tree, 新建一户 beside the household list's title."""
    row = QHBoxLayout()
    row.setContentsMargins(2, 0, 2, 2)
    for key in ("add_township", "add_village"):
        row.addWidget(door(acts[key]))
    row.addStretch(1)
    w.tree_box.addLayout(row)
    w.hh_head.addWidget(door(acts["add_household"]))


def _stack_action(w, prefix: str, slot, can, can_changed, text_changed) -> QAction:
    """撤销/重做 as QUndoStack's own actions show them, but through the editor, which lets the edits
    still on their way land before the stack moves."""
    act = QAction(prefix, w)
    act.triggered.connect(lambda _=False: slot())
    act.setEnabled(can())
    can_changed.connect(act.setEnabled)
    text_changed.connect(lambda text: act.setText(f"{prefix} {text}" if text else prefix))
    return act

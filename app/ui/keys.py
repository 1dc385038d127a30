"""The window's keyboard contract: its help text, the grid's hint line, and F6 between the panes.

The same contract is written in README.md ("Keyboard"); tests/test_ui_keys.py drives it with real
key events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QComboBox, QLineEdit, QWidget

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

GRID_HINT = ("家庭成员：Tab 右移 · Enter 确认下移 · ＋行直接输入即添加 · Alt+↓/F4 可选项 · Shift+F2 核实说明 · "
             "Insert/Ctrl+Delete 增删成员 · F1 全部按键")

HELP = """键盘操作（不用鼠标也能录完一户）

窗口打开时回到上次的村和户，光标在户列表。
F6 / Shift+F6：在 单位树 → 户列表 → 成员表 → 户信息 → 问题清单 之间切换。
Ctrl+N：在所选村（或户列表中当前户所在的村）新建一户，光标进入新户主的“姓名”格（与户主关系已填“户主”）；
    还没输入任何内容时按 Esc，新建的一户即撤销。
Ctrl+F：查找；Ctrl+Z：撤销，Ctrl+Y（Windows）或 Ctrl+Shift+Z：重做；Ctrl+Q：退出。

成员表（同 Excel/WPS）：
  Tab 右移：姓名 → 与户主关系 → 年龄 → 健康状况 → 有无劳动能力 → 身份证号 → 联系电话 → …
  Shift+Tab 左移；Enter 确认并下移，回到这一串 Tab 开始的那一列；↑/↓ 移动光标。
  直接输入即替换单元格内容；在＋行输入即添加一名成员。F2 修改单元格原有内容，Esc 放弃修改。
  可选项的格（与户主关系、健康状况、有无劳动能力）：输入完整的值、开头几个字（普通 → 普通劳动力）
    或拼音首字母（cq → 长期慢性病），Tab/Enter 确认；不在可选项中的内容不会保存，单元格提示原因。
    Alt+↓ 或 F4 列出可选项；↑/↓ 只移动光标，不会改变已填的值。
  填了身份证号而年龄为空时，按身份证号填年龄（按本月最后一天计算）。
  有“提示”的单元格：状态栏显示说明，Shift+F2（或右键）填写核实说明。
  Insert 插入一名成员，Ctrl+Delete 删除成员，Delete 清除所选单元格，Ctrl+V 粘贴从 Excel 复制的行
    （表头行自动跳过，“儿子”等写法按导入的规则改为“之子”）。

户信息：Tab 依次经过三个分页（基本情况 → 措施与收入 → 销号与住房）的各栏、主要脱贫措施表和家庭收入表，分页随光标切换（表内 Tab 逐格移动）；最后一栏再按 Tab 回到第一栏，用 F6 离开。"""


def panes(window: MainWindow) -> list[QWidget]:
    """The panes F6 walks, in order; the problems list only while its dock is shown."""
    out = [window.tree, window.hh_view, window.grid, window.panel]
    if window.problems.isVisible():
        out.append(window.problems.view)
    return out


def _pane_of(window: MainWindow, widget: QWidget | None) -> int:
    for i, pane in enumerate(panes(window)):
        if widget is not None and (widget is pane or pane.isAncestorOf(widget)):
            return i
    return -1


def first_field(panel: QWidget) -> QWidget | None:
    """The household panel's first field that takes the keyboard."""
    for w in panel.findChildren(QWidget):
        if (isinstance(w, (QLineEdit, QComboBox, QCheckBox, QAbstractButton)) and w.isEnabled() and w.isVisible()
                and w.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(w.parent(), QComboBox)):
            return w
    return None


def cycle(window: MainWindow, step: int) -> None:
    """F6 (step 1) / Shift+F6 (step -1): the next pane gets the keyboard; an open cell is committed."""
    window.grid.commit_editor()
    order = panes(window)
    i = _pane_of(window, QApplication.focusWidget())
    target = order[(i + step) % len(order)] if i >= 0 else window.hh_view
    if target is window.panel:
        field = first_field(window.panel)
        if field is None:  # no household on show: skip the empty panel
            cycle_to = order[(order.index(target) + step) % len(order)]
            cycle_to.setFocus(Qt.FocusReason.TabFocusReason)
            return
        field.setFocus(Qt.FocusReason.TabFocusReason)
        return
    target.setFocus(Qt.FocusReason.TabFocusReason)
    if target is window.grid and not window.grid.currentIndex().isValid() and window.member_model.rowCount():
        window.grid.move_to(0, 0)


def install_pane_keys(window: MainWindow) -> None:
    for seq, step in (("F6", 1), ("Shift+F6", -1)):
        shortcut = QShortcut(QKeySequence(seq), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(lambda s=step: cycle(window, s))

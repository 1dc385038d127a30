"""The keyboard contract (README "Keyboard", app/ui/keys.py) driven with real key events only.

Every key goes to the widget that has the focus, as the keyboard sends it; the register is read back
from the SQLite file.
"""

from __future__ import annotations

import sqlite3
import time

import pytest
from _clerk import focus, keys, press
from _small_register import build_register
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_ui_window import cell, open_window

from app.storage import Database
from app.ui.delegates import ChoiceCombo
from app.ui.dialogs import RecordingDialogs
from app.ui.models import ERROR_BG

R = Qt.ItemDataRole
FIELDS = ("name", "relation", "age", "health", "labour", "id_number", "phone")


def register(path) -> dict[str, tuple]:
    """Every person of the file: uuid → (household uuid, village id, name, relation, age, …)."""
    with sqlite3.connect(path) as con:
        rows = con.execute(f"select p.uuid, h.uuid, h.village_id, {', '.join('p.' + f for f in FIELDS)} "
                           "from persons p join households h on h.id = p.household_id").fetchall()
    return {r[0]: r[1:] for r in rows}


def households(path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        return dict(con.execute("select uuid, village_id from households").fetchall())


@pytest.fixture
def small(db_path):
    database = Database(db_path)
    ids = build_register(database)  # 前暖泉村: 王建国户 (2), 张凤兰户 (1); 后暖泉村: 刘德明户 (3)
    database.close()
    return db_path, ids


@pytest.fixture
def desk(qtbot, small):
    """The window on the small register, opened as the clerk opens it (last place, focus in the list)."""
    path, ids = small
    window, database = open_window(qtbot, path, RecordingDialogs(text="已入户核实"))
    window.restore_last()
    yield window, ids, path
    window.close()
    database.close()


THREE = (
    ("李建国", "Tab", "户主", "Tab", "52", "Tab", "健康", "Tab", "普通", "Enter"),
    ("王秀英", "Tab", "配偶", "Tab", "50", "Tab", "长期", "Tab", "弱", "Enter"),
    ("李明", "Tab", "之子", "Tab", "25", "Tab", "健康", "Tab", "普通", "Enter"),
)
EXPECTED = [("李建国", "户主", 52, "健康", "普通劳动力"), ("王秀英", "配偶", 50, "长期慢性病", "弱劳动力"),
            ("李明", "之子", 25, "健康", "普通劳动力")]


@pytest.mark.parametrize("ime", [False, True], ids=["keysyms", "input-method"])
def test_a_household_of_three_typed_as_the_contract_says(desk, ime):
    window, ids, path = desk
    before, hh_before = register(path), households(path)
    assert window.unit_id == ids["v1"] and focus() is window.hh_view  # first start: the first village
    keys("Ctrl+N")
    assert window.grid.state() == window.grid.State.EditingState and window.grid.currentIndex().row() == 0
    assert cell(window, 0, "relation").data(R.EditRole) == "户主"  # preset
    for member in THREE:
        keys(*member, ime=ime)
    after, hh_after = register(path), households(path)
    assert {u: v for u, v in after.items() if u in before} == before  # nobody else changed
    new_hh = [u for u in hh_after if u not in hh_before]
    assert len(new_hh) == 1 and hh_after[new_hh[0]] == ids["v1"]
    new = [v for u, v in after.items() if u not in before]
    assert all(v[0] == new_hh[0] for v in new)
    assert [tuple(v[2:7]) for v in sorted(new, key=lambda v: [e[0] for e in EXPECTED].index(v[2]))] == EXPECTED
    assert [window.member_model.person(r)["name"] for r in range(3)] == ["李建国", "王秀英", "李明"]
    assert window.grid.currentIndex().row() == 3 and window.grid.currentIndex().column() == 0  # the ＋ row


def test_tab_enter_return_to_the_column_where_the_tabs_began(desk):
    window, ids, path = desk
    keys("Down", "Up")  # 王建国户 again
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 0, "age"))
    keys("Tab", "Tab")
    assert window.grid.currentIndex().column() == 4
    keys("Enter")  # back to 年龄, one row down
    assert (window.grid.currentIndex().row(), window.grid.currentIndex().column()) == (1, 2)
    keys("Tab", "Shift+Tab", "Enter")
    assert (window.grid.currentIndex().row(), window.grid.currentIndex().column()) == (2, 2)


def test_typing_on_the_plus_row_never_touches_the_head(desk):
    """Issue 12 §2: a name typed on the ＋ row and Tab used to send the next cells into row 1."""
    window, ids, path = desk
    head_before = register(path)
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 2, "name"))  # the ＋ row of 王建国户 (2 members)
    keys("王小军", "Tab", "之子", "Tab", "30", "Tab", "健康", "Tab", "普通", "Enter")
    after = register(path)
    assert {u: v for u, v in after.items() if u in head_before} == head_before
    new = [v[2:7] for u, v in after.items() if u not in head_before]
    assert new == [("王小军", "之子", 30, "健康", "普通劳动力")]
    assert (window.grid.currentIndex().row(), window.grid.currentIndex().column()) == (3, 0)


def test_closed_list_cells_replace_complete_and_refuse(desk):
    window, ids, path = desk
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 0, "health"))
    keys("大病", "Enter")  # typing replaces 健康, never "大病健康"
    assert cell(window, 0, "health").data(R.EditRole) == "大病"
    window.grid.setCurrentIndex(cell(window, 0, "health"))
    keys("cq", "Tab", "ptl", "Enter")  # pinyin initials
    assert (cell(window, 0, "health").data(R.EditRole), cell(window, 0, "labour").data(R.EditRole)) == (
        "长期慢性病", "普通劳动力")
    window.grid.setCurrentIndex(cell(window, 1, "relation"))
    keys("之", "Tab")  # ambiguous: not stored, the cell stays in edit and says why
    editor = focus()
    assert isinstance(editor, ChoiceCombo) and "请再多输入" in window.statusBar().currentMessage()
    assert cell(window, 1, "relation").data(R.EditRole) == "配偶"
    keys("Esc")
    assert window.grid.state() != window.grid.State.EditingState
    keys("xyz", "Enter")
    assert isinstance(focus(), ChoiceCombo) and "不在可选项中" in focus().toolTip()
    keys("Esc")
    assert register(path) == register(path) and cell(window, 1, "relation").data(R.EditRole) == "配偶"


def test_arrows_move_the_cursor_never_the_value_and_alt_down_opens_the_list(desk):
    window, ids, path = desk
    before = register(path)
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 0, "relation"))
    keys("F2", "Down")  # an open editor: ↓ commits what is there (unchanged) and moves down
    assert (window.grid.currentIndex().row(), cell(window, 0, "relation").data(R.EditRole)) == (1, "户主")
    keys("F2", "Up", "Down", "Down")
    assert register(path) == before
    window.grid.setCurrentIndex(cell(window, 1, "relation"))
    keys("F2", "Alt+Down")
    combo = window.grid.viewport().findChildren(ChoiceCombo)[-1]
    assert combo.view().isVisible()  # the list is open: now ↓/Enter choose in it
    keys("Esc")
    assert not combo.view().isVisible()
    keys("Esc", "F4")  # F4 on a cell: the cell's list, open
    (combo,) = [w for w in window.grid.viewport().findChildren(ChoiceCombo) if w.isVisible()]
    assert combo.view().isVisible() and combo.view().isAncestorOf(focus()) or focus() is combo.view()
    keys("Down", "Enter")  # in the open list ↓ chooses …
    assert combo.currentData() == "之子" and cell(window, 1, "relation").data(R.EditRole) == "配偶"
    keys("Esc")  # … and nothing is stored until Tab/Enter
    assert register(path) == before
    assert register(path) == before


def test_ctrl_n_then_esc_discards_the_empty_household(desk):
    window, ids, path = desk
    hh_before, stack_before = households(path), window.editor.stack.count()
    keys("Ctrl+N")
    assert len(households(path)) == len(hh_before) + 1
    keys("Esc")
    assert households(path) == hh_before
    assert window.editor.stack.count() == stack_before and not window.editor.stack.canRedo()
    assert focus() is window.hh_view
    keys("Ctrl+N", "Tab", "Tab", "Esc")  # moved on, still nothing typed
    assert households(path) == hh_before
    keys("Ctrl+N", "赵", "Esc", "Esc")  # typed, then given up: the household stays, its head unnamed
    assert len(households(path)) == len(hh_before) + 1


def test_ctrl_n_after_choosing_a_village_with_the_keyboard(desk):
    """Issue 12 §4: the action stayed disabled until the list was clicked."""
    window, ids, path = desk
    keys("Shift+F6")  # to the unit tree
    assert focus() is window.tree
    keys("Down")
    assert window.unit_id == ids["v2"]  # 后暖泉村
    assert window.acts["add_household"].isEnabled()
    hh_before = households(path)
    keys("Ctrl+N", "周新华", "Enter")
    new = [u for u in households(path) if u not in hh_before]
    assert len(new) == 1 and households(path)[new[0]] == ids["v2"]
    assert window.member_model.person(0)["name"] == "周新华"


def pane_of(window, w) -> str | None:
    for name, pane in (("tree", window.tree), ("list", window.hh_view), ("grid", window.grid),
                       ("panel", window.panel), ("problems", window.problems.view)):
        if w is pane or pane.isAncestorOf(w):
            return name
    return None


def test_f6_cycles_the_panes_and_tab_walks_the_household_panel(desk):
    window, ids, path = desk
    seen = []
    for _ in range(5):
        keys("F6")
        seen.append(pane_of(window, focus()))
    assert seen == ["grid", "panel", "problems", "tree", "list"]
    keys("Shift+F6")
    assert focus() is window.tree
    keys("F6", "F6", "F6")  # the household panel's first field
    first = focus()
    reached = {first}
    for _ in range(60):
        keys("Tab")
        w = focus()
        assert window.panel.isAncestorOf(w)  # the panel keeps Tab, as the member grid does; F6 leaves
        if w is first:
            break
        reached.add(w)
        # the section holding the field is the one shown (Tab crosses from one section to the next)
        assert window.panel.sections.currentIndex() == window.panel.section_of(w) and w.isVisible()
    assert window.panel.measures in reached and window.panel.income in reached
    assert {window.panel.section_of(w) for w in reached} == {0, 1, 2}
    assert focus() is first and window.panel.sections.currentIndex() == 0  # round again from the first
    keys("Shift+Tab")  # and back to the last field, on the last section
    assert window.panel.section_of(focus()) == 2 and window.panel.sections.currentIndex() == 2
    keys("F6")
    assert pane_of(window, focus()) == "problems"


def test_income_category_is_typed_like_a_closed_list(desk):
    window, ids, path = desk
    panel = window.panel
    panel.income.setFocus()
    panel.income.setCurrentCell(0, 0)
    keys("工资", "Enter")
    assert panel.detail.income_items[0][0] == "工资性收入"
    panel.income.setCurrentCell(0, 0)
    keys("随便", "Enter")  # not a category: not stored
    assert panel.detail.income_items[0][0] == "工资性收入" and panel.income.item(0, 0).text() == "工资性收入"


def test_two_heads_tint_both_relation_cells(desk):
    window, ids, path = desk
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 1, "relation"))
    keys("户主", "Enter")
    assert cell(window, 0, "relation").data(R.BackgroundRole).color() == ERROR_BG
    assert cell(window, 1, "relation").data(R.BackgroundRole).color() == ERROR_BG
    assert "H-01" in cell(window, 0, "relation").data(R.ToolTipRole)


def test_a_warning_is_explained_from_its_cell(desk):
    window, ids, path = desk
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 1, "age"))
    keys("12", "Enter")  # 配偶 aged 12: H-07 warning at the cell
    window.grid.setCurrentIndex(cell(window, 1, "age"))
    assert "Shift+F2" in window.statusBar().currentMessage()
    keys("Shift+F2")
    assert window.dialogs.shown[-1][:2] == ("ask", "核实说明")
    found = cell(window, 1, "age").data(R.ToolTipRole)
    assert "H-07" in found
    assert any(f.code == "H-07" and f.note == "已入户核实" for f in window.findings[window.hh_uuid])


def test_an_id_number_fills_an_empty_age(desk):
    window, ids, path = desk
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 2, "name"))
    keys("王小军", "Tab", "之子", "Tab", "Tab", "Tab", "Tab", "110101200007150014", "Enter")
    row = window.member_model.person(2)
    assert (row["id_number"], row["age"]) == ("110101200007150014", 19)  # on 2020-03-31


def test_paste_skips_the_header_and_maps_variants_like_import(desk):
    window, ids, path = desk
    QGuiApplication.clipboard().setText("姓名\t与户主关系\t年龄\t健康状况\t有无劳动能力\r\n"
                                        "王小军\t儿子\t30岁\t健康\t普通劳动力\r\n王小丽\t女儿\t８\t健康\t无劳动力（含丧失劳动力）\r\n")
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 2, "name"))
    keys("Ctrl+V")
    rows = [window.member_model.person(r) for r in range(2, 4)]
    assert [(p["name"], p["relation"], p["age"], p["labour"]) for p in rows] == [
        ("王小军", "之子", 30, "普通劳动力"), ("王小丽", "之女", 8, "无劳动力")]
    assert len(window.member_model.ids) == 4


def test_the_window_opens_where_the_clerk_left_it(qtbot, small):
    path, ids = small
    window, database = open_window(qtbot, path)
    window.restore_last()
    keys("Shift+F6", "Down", "F6")  # 后暖泉村, its only household, focus in the list
    assert window.unit_id == ids["v2"]
    window.close()
    database.close()
    window, database = open_window(qtbot, path)
    window.restore_last()
    assert window.unit_id == ids["v2"] and window.household_id == ids["households"][2]
    assert focus() is window.hh_view
    window.close()
    database.close()


def test_soak_five_thousand_keys_leave_the_register_as_it_was_but_for_what_was_typed(desk):
    """5,000 keys pressed (and released) through the tree, the list, the member grid, the household
    panel's fields and line tables and the problems list; then one name typed: only it changed."""
    window, ids, path = desk
    before, stack = register(path), window.editor.stack.count()
    start, sent = time.monotonic(), 0
    plan = {  # keys that move and never change a value; the grids get most, as a clerk's day does
        "tree": ("Down", "Up", "Right", "Left"),
        "list": ("Down", "Up", "Up", "PgUp", "Left", "Right"),
        "grid": ("Tab", "Tab", "Enter", "Shift+Tab", "Down", "Up", "Right", "Left", "Home", "End") * 6,
        "panel": ("Tab",) * 12 + ("Down", "Right", "Up", "Left", "Shift+Tab", "Tab") * 4,
        "problems": ("Down", "Up", "PgDown", "Home"),
    }
    assert pane_of(window, focus()) == "list"
    spent = dict.fromkeys(plan, 0.0)
    while sent < 5000:
        name = pane_of(window, focus())
        if name is None:  # Tab walked out of the household panel: F6 comes back to the panes
            press("F6", settle=False)
            sent += 1
            continue
        t = time.monotonic()
        for key in plan[name]:
            press(key, settle=False)
            sent += 1
        spent[name] += time.monotonic() - t
        if name == "problems":
            QApplication.processEvents()  # repaints, queued calls, deferred deletes: once a round
            assert window.isVisible()
        press("F6", settle=False)
        sent += 1
    QApplication.processEvents()
    assert register(path) == before
    assert window.editor.stack.count() == stack, [window.editor.stack.text(i) for i in range(window.editor.stack.count())][:10]
    window.hh_view.setFocus()
    keys("PgUp", "F6", "Home")  # the list's first household; its head's 姓名
    assert focus() is window.grid and window.grid.currentIndex().column() == 0
    keys("刘德民", "Enter")
    after = register(path)
    changed = {u for u in before if after[u] != before[u]}
    assert len(changed) == 1 and after[changed.pop()][2] == "刘德民"
    assert window.isVisible() and time.monotonic() - start < 60, spent


def test_what_is_typed_survives_the_background_check_arriving_mid_edit(desk):
    """The month's check finishes while a cell is in edit: its tints repaint the grid (Qt then fills
    open editors again from the model), and the digits typed must still be what Enter stores."""
    window, ids, path = desk
    window.wait_checks()
    window.grid.setFocus()
    window.grid.setCurrentIndex(cell(window, 0, "age"))
    keys("4", "7")
    assert window.grid.state() == window.grid.State.EditingState and focus().text() == "47"
    window.start_check()
    window.wait_checks()  # the findings arrive on the GUI thread, the editor still open
    assert window.grid.state() == window.grid.State.EditingState and focus().text() == "47"
    keys("Enter")
    uuid = window.member_model.person(0)["uuid"]
    assert register(path)[uuid][FIELDS.index("age") + 2] == 47


def test_alt_and_the_letter_open_each_menu(desk, qtbot):
    """文件(F) 编辑(E) 视图(V) 工具(T) 帮助(H): Alt+letter opens the menu, Esc closes it."""
    window, _ids, _path = desk
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert set(menus) == {"文件(&F)", "编辑(&E)", "视图(&V)", "工具(&T)", "帮助(&H)"}
    for title, menu in menus.items():
        letter = title[title.index("&") + 1]
        QTest.keyClick(focus(), getattr(Qt.Key, f"Key_{letter}"), Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(menu.isVisible, timeout=2000)
        QTest.keyClick(menu, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda m=menu: not m.isVisible(), timeout=2000)

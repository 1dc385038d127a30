"""Visible doors: 新增乡镇 / 新增村 / 新建一户 as menu items and buttons enabled when they apply; the
drill-down list of a count jumps to the person; search by pinyin initials (pytest-qt, real SQLite)."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolButton
from test_ui_services import build_register
from test_ui_window import open_window

from app.services import browse, pinyin_index, register, search
from app.storage import Database
from app.ui.dialogs import RecordingDialogs

NAMES = ("李建国", "单田芳", "曾国藩", "解缙", "仇英", "欧阳修")


def _register(db_path) -> dict:
    database = Database(db_path)
    ids = build_register(database)
    with database.session() as s:
        for name in NAMES:
            register.add_member(s, ids["households"][1], None, {"name": name, "relation": "其他", "age": 40})
    database.close()
    return ids


def test_initials_of_names():
    assert pinyin_index.initials("李建国") == ("ljg",)
    for name, surname_reading, common in (("单田芳", "stf", "dtf"), ("曾国藩", "zgf", "cgf"),
                                          ("解缙", "xj", "jj"), ("仇英", "qy", "cy")):
        assert {surname_reading, common} <= set(pinyin_index.initials(name)), name
    assert pinyin_index.initials("欧阳修") == ("oyx",)


def test_search_by_initials_and_the_index_follows_edits(db_path):
    ids = _register(db_path)
    with Database(db_path) as database, database.session() as s:
        pid = ids["period"]
        assert [h.name for h in search.search(s, pid, "ljg")] == ["李建国"]
        assert [h.name for h in search.search(s, pid, "LJG")] == ["李建国"]
        for q, name in (("stf", "单田芳"), ("dtf", "单田芳"), ("zgf", "曾国藩"), ("cgf", "曾国藩"), ("xj", "解缙"),
                        ("qy", "仇英"), ("oyx", "欧阳修")):
            assert name in [h.name for h in search.search(s, pid, q)], q
        hits = search.search(s, pid, "lj")  # prefix: 李建国 (ljg), after the whole-initials ones
        assert "李建国" in [h.name for h in hits] and hits[0].matched == "拼音首字母"
        person = next(h for h in search.search(s, pid, "ljg"))
    with Database(db_path) as database, database.session() as s:
        register.update_person(s, person.person_id, "name", "李建军")  # audited: the index is rebuilt
    with Database(db_path) as database, database.session() as s:
        assert [h.name for h in search.search(s, ids["period"], "ljj")] == ["李建军"]
        assert search.search(s, ids["period"], "ljg") == []


def test_typing_initials_in_the_search_box_jumps_to_the_person(qtbot, db_path):
    ids = _register(db_path)
    window, database = open_window(qtbot, db_path, RecordingDialogs())
    window.search.setFocus()
    QTest.keyClicks(window.search, "ljg")
    QTest.keyClick(window.search, Qt.Key.Key_Return)
    assert window.household_id == ids["households"][1]
    assert window.member_model.person(window.grid.currentIndex().row())["name"] == "李建国"
    window.close()
    database.close()


def test_unit_and_household_doors(qtbot, db_path):
    ids = _register(db_path)
    dialogs = RecordingDialogs(text="新丰乡")
    window, database = open_window(qtbot, db_path, dialogs)
    buttons = {b.defaultAction().text(): b for b in window.findChildren(QToolButton) if b.defaultAction()}
    assert {"新增乡镇…", "新增村…", "新建一户"} <= set(buttons)
    assert all(buttons[t].isVisible() for t in ("新增乡镇…", "新增村…", "新建一户"))
    county = next(iter(window.tree._nodes))
    window.tree.select_unit(county)
    assert window.acts["add_township"].isEnabled() and not window.acts["add_village"].isEnabled()
    # the county chosen, a household current in its list: Ctrl+N adds to that household's village
    assert window.household_id is not None and window.acts["add_household"].isEnabled()
    village_of_current = window.store.household_detail(window.household_id).village_id
    assert window.target_village() == village_of_current
    assert window.tree.node(village_of_current).name in window.acts["add_household"].toolTip()
    QTest.mouseClick(buttons["新增乡镇…"], Qt.MouseButton.LeftButton)
    names = {n.name for n, _p, _c in window.tree._nodes.values()}
    assert "新丰乡" in names
    town = next(uid for uid, (n, _p, _c) in window.tree._nodes.items() if n.name == "新丰乡")
    assert window.tree.current_unit() == town  # the new unit is selected
    assert window.acts["add_village"].isEnabled()
    # a township with no village and no household current: nowhere to add a household
    assert window.household_id is None and not window.acts["add_household"].isEnabled()
    assert buttons["新建一户"].isVisible() and not buttons["新建一户"].isEnabled()  # shown, greyed
    dialogs._text = "新丰村"
    QTest.mouseClick(buttons["新增村…"], Qt.MouseButton.LeftButton)
    village = window.tree.current_unit()
    assert window.tree.node(village).name == "新丰村" and window.tree.node(village).parent_id == town
    assert window.acts["add_household"].isEnabled() and buttons["新建一户"].isEnabled()
    window.tree.select_unit(ids["v1"])  # a village selected: 新增村 adds beside it, in its township
    assert window.tree.parent_for("village") == window.tree.node(ids["v1"]).parent_id
    window.close()
    database.close()


def test_drill_down_jumps_to_the_person(qtbot, demo_db_path):
    from app.services import count_sheet
    from app.ui.counts_view import CountsView

    window, database = open_window(qtbot, demo_db_path, RecordingDialogs())
    with database.session() as s:
        unit_id = count_sheet.default_unit_id(s)
    view = CountsView(database, window.store.period.month, unit_id, window, dialogs=window.dialogs)
    view.person_chosen.connect(window.go_to_person)
    qtbot.addWidget(view)
    model = view.model
    index = next(model.index(r, c) for r in range(model.header_rows, model.rowCount())
                 for c in range(model.columnCount()) if model.is_count(model.index(r, c))
                 and model.sheet.rows[model.cell(model.index(r, c))[0]].kind == "unit"
                 and str(model.index(r, c).data()).split("\n")[0] not in ("0", ""))
    dialog = view.open_drilldown(index)
    dialog.table.setFocus()
    dialog.table.setCurrentCell(0, 0)
    uuid = dialog.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    QApplication.processEvents()
    with database.session() as s:
        _village, household, pid = browse.person_place(s, window.store.period_id, uuid)
    assert window.household_id == household
    assert window.member_model.ids[window.grid.currentIndex().row()] == pid
    window.close()
    database.close()


def test_initials_search_stays_fast(tmp_path):
    """The index is built once a month; searches after it are dictionary look-ups (bench/ measures
    100,000 persons)."""
    from app.services.demo import generate

    path = tmp_path / "d.db"
    with Database(path, create=True) as database:
        generate(database, persons=3000, seed=2)
        with database.session() as s:
            pid = browse.list_periods(s)[0].id
            search.search(s, pid, "wxm")
            start = time.perf_counter()
            for q in ("ljg", "zs", "wxm", "lj"):
                search.search(s, pid, q)
            assert (time.perf_counter() - start) / 4 < 0.1

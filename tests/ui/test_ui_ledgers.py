"""The 督战与销号 window on the demo register: filters, typing into a cell, 对表销号 by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app.services import ledgers as L
from app.ui.dialogs import RecordingDialogs
from app.ui.ledgers_view import LedgersView, status_text

TODAY = dt.date(2020, 3, 25)


@pytest.fixture
def view(qtbot, demo_db):
    v = LedgersView(demo_db, 2020, dialogs=RecordingDialogs(), today=TODAY)
    qtbot.addWidget(v)
    v.resize(1366, 768)
    v.show()
    return v


def _cell(view, key: str, header: str, row: int = 0):
    model = view.models[key]
    col = [c.header for c in model.columns].index(header)
    return model.index(row, col)


def test_filters_and_marks(view):
    model = view.models["departments"]
    everything = model.rowCount()
    assert everything > 100  # one line per 责任单位; 各乡镇 tracked per township
    view.filter.setCurrentText("逾期")
    assert 0 < model.rowCount() < everything
    assert all(ln.overdue for ln in model.lines)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.BackgroundRole) is not None  # tinted
    view.filter.setCurrentText("全部")
    view.unit_filter.setCurrentText("组织部")
    assert model.rowCount() and {ln.unit for ln in model.lines} == {"组织部"}


def test_typing_into_a_cell_goes_through_the_service(view, demo_db, qtbot):
    grid, model = view.grids["departments"], view.models["departments"]
    index = _cell(view, "departments", "工作措施")
    task = model.lines[0].task_uuid
    grid.setCurrentIndex(index)
    QTest.keyClick(grid, Qt.Key.Key_F2)  # F2 opens the cell's editor, as in the register
    (editor,) = [w for w in grid.viewport().findChildren(QLineEdit) if w.isVisible()]
    editor.selectAll()
    event = QInputMethodEvent()  # Chinese arrives from the input method as a commit string
    event.setCommitString("组织部每月通报驻村情况")
    QApplication.sendEvent(editor, event)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: model.lines and model.lines[0].measures == "组织部每月通报驻村情况", timeout=3000)
    assert grid.currentIndex().row() == 1  # Enter committed and moved down
    with demo_db.read_session() as s:
        (line,) = [ln for v in L.list_views(s, 2020, TODAY, "departments") for ln in v.lines
                   if ln.task_uuid == task][:1]
        assert line.measures == "组织部每月通报驻村情况"


def test_close_out_by_keyboard(view, qtbot):
    view.filter.setCurrentText("逾期")
    model, grid = view.models["departments"], view.grids["departments"]
    target = model.lines[0]
    asked = []
    view.ask_close_out = lambda what: asked.append(what) or (dt.date(2020, 3, 20), "对表检查已完成", ("验收.pdf",))
    grid.setFocus()
    grid.setCurrentIndex(model.index(0, 2))
    QTest.keyClick(grid, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert asked
    view.filter.setCurrentText("全部")
    qtbot.waitUntil(lambda: any(ln.unit_uuid == target.unit_uuid and ln.status == "已销号"
                                for ln in view.models["departments"].lines), timeout=3000)
    (done,) = [ln for ln in view.models["departments"].lines if ln.unit_uuid == target.unit_uuid]
    assert done.closed_on == dt.date(2020, 3, 20) and done.evidence_files == ("验收.pdf",) and not done.overdue


def test_close_out_without_basis_is_refused_with_a_message(view):
    view.ask_close_out = lambda what: (dt.date(2020, 3, 20), "", ())
    line = view.models["problems"].lines[0]
    assert view.close_out("problems", line) is False
    assert [(kind, "销号依据" in text) for kind, _title, text in view.dialogs.shown] == [("error", True)]


def test_targets_tab_and_status_line(view, demo_db):
    view.tabs.setCurrentIndex(3)
    model = view.models["targets"]
    assert model.rowCount() == 3
    late = [ln for ln in model.lines if "D-09" in ln.codes]
    assert len(late) == 1 and late[0].entry_text == ""
    text = status_text(demo_db, "2020-03", TODAY)
    assert text.startswith("督战与销号：任务未销号") and "本月20日报送已过5天" in text


def test_undo_and_redo_of_a_close_out_and_an_edit(view, qtbot):
    view.filter.setCurrentText("逾期")
    model, grid = view.models["departments"], view.grids["departments"]
    target = model.lines[0]
    view.ask_close_out = lambda what: (dt.date(2020, 3, 20), "对表检查已完成", ())
    grid.setFocus()
    grid.setCurrentIndex(model.index(0, 2))
    QTest.keyClick(grid, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    view.filter.setCurrentText("全部")

    def row():
        return next(ln for ln in view.models["departments"].lines if ln.unit_uuid == target.unit_uuid)

    qtbot.waitUntil(lambda: row().status == "已销号", timeout=3000)
    QTest.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: row().status == target.status, timeout=3000)
    assert row().overdue and row().closed_on is None
    QTest.keyClick(grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: row().status == "已销号", timeout=3000)

    assert view.commit("departments", row(), "leaders", "王天昊、吴爽")
    qtbot.waitUntil(lambda: row().leaders == "王天昊、吴爽", timeout=3000)
    view.undo_stack.undo()
    qtbot.waitUntil(lambda: row().leaders == target.leaders, timeout=3000)


def test_insert_a_problem_and_type_it_in(view, qtbot):
    view.tabs.setCurrentIndex(2)
    model, grid = view.models["problems"], view.grids["problems"]
    before = model.rowCount()
    grid.setFocus()
    QTest.keyClick(grid, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: model.rowCount() == before + 1, timeout=3000)
    new = model.lines[-1]
    assert "D-06" in new.codes  # a new problem needs 来源, 问题描述, 责任单位, 整改时限
    for field, text in (("description", "安置点就业帮扶不足"), ("source", "督战发现"), ("resp_unit", "就业局"),
                        ("deadline", "2020-04-30")):
        assert view.commit("problems", next(ln for ln in model.lines if ln.uuid == new.uuid), field, text)
        qtbot.waitUntil(lambda f=field, t=text: str(getattr(next(ln for ln in model.lines if ln.uuid == new.uuid), f))
                        == t, timeout=3000)
    done = next(ln for ln in model.lines if ln.uuid == new.uuid)
    assert done.codes == () and done.due_this_month is False


def test_import_a_list_from_the_window(view, qtbot, tmp_path):
    from _ledger_files import list_xlsx

    view.tabs.setCurrentIndex(1)
    view.ask_open_file = lambda: str(list_xlsx(tmp_path / "乡镇清单.xlsx"))
    view.import_list()  # the demo's list is there: RecordingDialogs confirms the replacement
    qtbot.waitUntil(lambda: len({ln.task_uuid for ln in view.models["townships"].lines}) == 3, timeout=3000)
    assert any("已导入3项任务" in text for _k, _t, text in view.dialogs.shown)
    out = tmp_path / "导出.pdf"
    view.ask_save_file = lambda name: str(out)
    view.export_current()
    assert out.stat().st_size > 1000


def test_another_registers_ledger_edit_appears_within_the_poll(qtbot, demo_db_path):
    """督战与销号 follows the change sequence like the main window: a problem's 整改措施 typed in another
    register (a clerk on the server, a CLI run beside a read-only window) shows within the poll."""
    from app.services.ledger_ops import EditProblem
    from app.services.operations import execute
    from app.storage import Database

    shown = Database(demo_db_path, write=False)
    v = LedgersView(shown, 2020, dialogs=RecordingDialogs(), today=TODAY, read_only=True)
    qtbot.addWidget(v)
    v.show()
    v.follower.timer.setInterval(200)
    try:
        model = v.models["problems"]
        first = model.lines[0]
        assert first.measures != "另一位填表人写的整改措施"
        with Database(demo_db_path) as other:
            execute(other, EditProblem(L.UpdateProblem(first.uuid, "measures", "另一位填表人写的整改措施",
                                                       today=TODAY)))
        qtbot.waitUntil(lambda: next(ln for ln in model.lines if ln.uuid == first.uuid).measures
                        == "另一位填表人写的整改措施", timeout=4000)
    finally:
        v.follower.stop()
        shown.close()

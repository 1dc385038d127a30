"""Every change the window makes goes through one door: a typed request on the window's write worker.

The tool views opened from the main window (督战与销号, 月度分析, 入户走访与动态调整, 新建月份, 导出月报)
are driven by keys and clicks; each change is read back from the SQLite file after the worker drained,
and every write transaction of the register is seen to begin on the worker's thread, never on the GUI
thread. A static guard keeps UI modules from opening a writable session of their own.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from _clerk import focus, keys, type_text
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton
from sqlalchemy import event, select

from app.kernel.ledgers import month_key
from app.models import AnalysisReport, Period, Problem, Task, TaskProgress, TaskUnit, Visit
from app.services.operations import Changed
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.writer import drain_all, write_for

UI = Path(__file__).resolve().parents[2] / "app" / "ui"
TODAY = dt.date(2020, 3, 25)


def ime(widget, text: str) -> None:
    """Chinese arrives from the input method as a committed string."""
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


@pytest.fixture
def window(qtbot, demo_db):
    from app.ui.main_window import MainWindow

    create_application()
    w = MainWindow(demo_db, dialogs=RecordingDialogs())
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    drain_all()


@pytest.fixture
def writes(demo_db):
    """The names of the threads every write transaction of the register began on."""
    seen: list[str] = []

    def begin(_conn) -> None:
        seen.append(threading.current_thread().name)

    event.listen(demo_db.engine, "begin", begin)
    yield seen
    event.remove(demo_db.engine, "begin", begin)


def on_the_worker(seen: list[str]) -> bool:
    return bool(seen) and set(seen) == {"guatu-writer"}


# -- the guard -------------------------------------------------------------------------------------
def test_no_ui_module_opens_a_writable_session():
    """Reads use ``read_session()``; a change is a request (``Store.write``, ``write_for``, the
    runner's ``execute``): only the store and the write worker touch a writable session."""
    allowed = {"store.py", "writer.py"}
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if path.name in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if re.search(r"\.session\(\)|\bsessionmaker\b|\.Session\(", code):
                offenders.append(f"{path.relative_to(UI)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_guard_sees_a_writable_session():
    """The pattern of the guard above matches what it is meant to refuse (and not a read)."""
    pattern = re.compile(r"\.session\(\)|\bsessionmaker\b|\.Session\(")
    assert pattern.search("        with self.db.session() as s:")
    assert not pattern.search("        with self.db.read_session() as s:")


def test_changed_names_records_by_kind():
    a = Changed(records=frozenset({("task", "t1"), ("task_unit", "u1")}))
    b = Changed(records=frozenset({("problem", "p1")}), structural=True)
    both = a | b
    assert both.of("task") == {"t1"} and both.of("problem") == {"p1"} and both.structural


# -- 督战与销号 -------------------------------------------------------------------------------------
def _progress_state(db, unit_uuid: str, month: str) -> tuple[str, str | None]:
    with db.read_session() as s:
        u = s.scalar(select(TaskUnit).where(TaskUnit.uuid == unit_uuid))
        entry = s.scalar(select(TaskProgress).where(TaskProgress.task_unit_id == u.id, TaskProgress.month == month))
        return u.status, entry.text if entry else None


def test_a_progress_entry_typed_is_written_by_the_worker_and_undone(window, demo_db, qtbot, writes):
    from app.ui.ledgers_view import LedgersView

    view = LedgersView(demo_db, 2020, dialogs=RecordingDialogs(), today=TODAY, write=write_for(window, demo_db))
    qtbot.addWidget(view)
    view.resize(1340, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=3000)
    model, grid = view.models["departments"], view.grids["departments"]
    month = month_key(TODAY)
    row = next(i for i, ln in enumerate(model.lines)
               if ln.status == "未开始" and ln.unit_uuid and _progress_state(demo_db, ln.unit_uuid, month)[1] is None)
    line = model.lines[row]
    col = [c.header for c in model.columns].index("月度进展")
    grid.setFocus()
    grid.setCurrentIndex(model.index(row, col))
    qtbot.waitUntil(grid.hasFocus, timeout=3000)
    writes.clear()
    keys("F2")  # the cell's editor, as in the register
    type_text("已召开专题会议部署", ime=True)
    keys("Enter")  # committed, and the write worker drained
    assert _progress_state(demo_db, line.unit_uuid, month) == ("推进中", "已召开专题会议部署")
    assert on_the_worker(writes)

    keys("Ctrl+Z")  # 撤销
    assert _progress_state(demo_db, line.unit_uuid, month) == ("未开始", None)
    redo = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)[0]  # Ctrl+Y on Windows, Ctrl+Shift+Z on X11
    QTest.keySequence(focus(), redo)  # 重做
    QApplication.processEvents()
    drain_all()
    assert _progress_state(demo_db, line.unit_uuid, month) == ("推进中", "已召开专题会议部署")
    qtbot.waitUntil(lambda: any(ln.unit_uuid == line.unit_uuid and (ln.progress or "").endswith("已召开专题会议部署")
                                for ln in view.models["departments"].lines), timeout=3000)
    assert on_the_worker(writes)


def test_an_edited_progress_entry_is_undone_to_the_text_before(window, demo_db, qtbot):
    from app.ui.ledgers_view import LedgersView

    view = LedgersView(demo_db, 2020, dialogs=RecordingDialogs(), today=TODAY, write=write_for(window, demo_db))
    qtbot.addWidget(view)
    line = view.models["departments"].lines[0]
    month = month_key(TODAY)
    assert view.commit("departments", line, "progress", "第一次")
    status = _progress_state(demo_db, line.unit_uuid, month)[0]
    assert view.commit("departments", line, "progress", "第二次")
    view.undo_stack.undo()
    drain_all()
    assert _progress_state(demo_db, line.unit_uuid, month) == (status, "第一次")


def test_a_problem_closed_out_and_its_status_undone(window, demo_db, qtbot, writes):
    from app.ui.ledgers_view import LedgersView

    view = LedgersView(demo_db, 2020, dialogs=RecordingDialogs(), today=TODAY, write=write_for(window, demo_db))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()  # Ctrl+K and Ctrl+Z are the view's shortcuts: its window has the keyboard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=3000)
    view.tabs.setCurrentIndex(2)
    model, grid = view.models["problems"], view.grids["problems"]
    row = next(i for i, ln in enumerate(model.lines) if ln.status != "已销号")
    line = model.lines[row]
    view.ask_close_out = lambda what: (dt.date(2020, 3, 20), "整改到位", ("照片.jpg",))
    grid.setFocus()
    grid.setCurrentIndex(model.index(row, 2))
    writes.clear()
    QTest.keyClick(grid, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    drain_all()

    def stored():
        with demo_db.read_session() as s:
            p = s.scalar(select(Problem).where(Problem.uuid == line.uuid))
            return p.status, p.closed_on, p.evidence_files

    assert stored() == ("已销号", dt.date(2020, 3, 20), "照片.jpg")
    QTest.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    drain_all()
    assert stored() == (line.status, None, None)
    assert on_the_worker(writes)


# -- 月度分析 ---------------------------------------------------------------------------------------
def test_analysis_text_and_export_are_written_by_the_worker(window, demo_db, qtbot, writes, tmp_path):
    from app.ui.analysis_view import SECTIONS, AnalysisView

    view = AnalysisView(demo_db, None, write=write_for(window, demo_db), dialogs=RecordingDialogs())
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    view.sections.setCurrentRow(SECTIONS.index("报告草稿"))
    view.section_box.setCurrentIndex(3)  # 四、下步工作
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=3000)
    view.draft.setFocus()
    writes.clear()
    QTest.keyClick(view.draft, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    ime(view.draft, "按时报送")
    QTest.keyClick(view.draft, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "修改后的文字" in view.edited_label.text(), timeout=3000)
    drain_all()
    with demo_db.read_session() as s:
        (report,) = s.scalars(select(AnalysisReport).where(AnalysisReport.edits.is_not(None))).all()  # this month's
        assert '"四、下步工作": "按时报送"' in report.edits and report.exported_at is None
        report_id = report.id
    assert "修改后的文字" in view.edited_label.text()

    out = tmp_path / "report"
    out.mkdir()
    view.ask_folder = lambda: str(out)
    QTest.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    drain_all()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".docx" for p in files) and any(p.parent.name == "反馈单" for p in files)
    with demo_db.read_session() as s:
        report = s.get(AnalysisReport, report_id)
        assert report.figures and report.exported_at is not None  # frozen for next month's 上月
    assert view.dialogs.shown[-1][0] == "info"
    assert on_the_worker(writes)


# -- 入户走访与动态调整 ------------------------------------------------------------------------------
def test_a_visit_saved_by_ctrl_enter_is_written_by_the_worker(window, demo_db, qtbot, writes, tmp_path):
    from app.ui.records_view import RecordsView

    dialogs = RecordingDialogs()
    v = RecordsView(demo_db, "2020-03", dialogs, write=write_for(window, demo_db))
    qtbot.addWidget(v)
    v.resize(1300, 700)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v, timeout=3000)
    f = v.form
    label = next(iter(f.households))
    f.household.setFocus()
    ime(f.household.lineEdit(), label)
    QTest.keyClick(f.household.lineEdit(), Qt.Key.Key_Escape)  # close the completer if it opened
    f.visitor.setFocus()
    ime(f.visitor, "孙丽华")
    f.problems.setFocus()
    ime(f.problems, "院墙开裂；厕所未改")
    writes.clear()
    QTest.keyClick(f.problems, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    drain_all()
    assert dialogs.shown == []
    with demo_db.read_session() as s:
        visit = s.scalar(select(Visit).where(Visit.household_uuid == f.households[label], Visit.visitor == "孙丽华"))
        assert [p.text for p in visit.problems] == ["院墙开裂", "厕所未改"]
        ledger = {p.ledger_uuid for p in visit.problems}
        assert {p.source for p in s.scalars(select(Problem).where(Problem.uuid.in_(ledger)))} == {"入户走访"}
    assert on_the_worker(writes)

    v.tabs.setCurrentIndex(1)
    out = tmp_path / "lists"
    out.mkdir()
    v.ask_folder = lambda: str(out)
    writes.clear()
    QTest.mouseClick(v.export_button, Qt.MouseButton.LeftButton)
    drain_all()
    assert sorted(p.suffix for p in out.iterdir()) == [".pdf", ".xlsx"]
    assert on_the_worker(writes)  # the export is audited: a write like any other


# -- 新建月份 (结转) ---------------------------------------------------------------------------------
class _Hold:
    """A request that keeps the write worker busy until released: what is queued behind it waits."""

    def __init__(self):
        self.release = threading.Event()

    def households(self, session):
        return set()

    def run(self, session):
        self.release.wait(30)
        return None, Changed()


def _months(db) -> list[str]:
    with db.read_session() as s:
        return list(s.scalars(select(Period.month).order_by(Period.month)))


def test_new_month_runs_on_the_worker_and_cancel_rolls_it_back(window, demo_db, qtbot, writes):
    from app.ui.new_month_dialog import NewMonthDialog

    dialogs = RecordingDialogs()
    dlg = NewMonthDialog(demo_db, "2020-03", window, dialogs=dialogs)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.target.text() == "2020-04"
    ok = next(b for b in dlg.findChildren(QPushButton) if b.text() == "结转")

    before = _months(demo_db)
    hold = _Hold()  # the clerk's edits still on their way: 结转 waits behind them
    window.store.worker.submit(hold, lambda _o: None, lambda e: None)
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    (progress,) = dlg.findChildren(QProgressDialog)
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "取消")
    QTest.mouseClick(cancel, Qt.MouseButton.LeftButton)
    hold.release.set()
    assert dlg.handle.wait(60000)
    assert _months(demo_db) == before and "2020-04" not in before  # rolled back
    assert dlg.result is None and dialogs.shown == [("info", "新建月份", "已取消，未开启新月份。")]

    writes.clear()
    QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dlg.handle.wait(60000)
    assert dlg.result["period"] == "2020-04" and _months(demo_db) == [*before, "2020-04"]
    assert on_the_worker(writes)
    assert dialogs.shown[-1][0] == "info" and "已开启" in dialogs.shown[-1][2]


# -- 导出月报 ---------------------------------------------------------------------------------------
def test_the_month_package_is_exported_by_the_worker(window, demo_db, qtbot, writes, tmp_path):
    from app.ui.export_dialog import ExportDialog

    dlg = ExportDialog(demo_db, "2020-03", window, RecordingDialogs())
    qtbot.addWidget(dlg)
    dlg.open_folder = False
    dlg.folder.setText(str(tmp_path / "package"))
    dlg.draft.setChecked(True)
    writes.clear()
    handle = dlg.start()
    assert handle is not None and handle.wait(120000) and handle.error is None, handle.error
    assert Path(dlg.result["zip"]).exists()
    assert on_the_worker(writes)


def test_task_rows_restored_take_back_a_close_out(window, demo_db):
    """The ledger requests' inverses, through the window's door: a 销号 of a task row undone and redone."""
    from app.services import ledger_ops
    from app.services import ledgers as L

    with demo_db.read_session() as s:
        t = s.scalars(select(Task).join(TaskUnit).where(TaskUnit.status != "已销号")).first()
        unit = next(u for u in t.units if u.status != "已销号")
        uuid, unit_uuid, status = t.uuid, unit.uuid, unit.status
    request = ledger_ops.CloseOutTask(L.CloseOutTask(uuid, unit_uuid, dt.date(2020, 3, 1), "验收", (), TODAY))
    out = window.store.write(request)
    assert ("task_unit", unit_uuid) in out.changed.records
    back = request.inverse(out.value)
    undone = window.store.write(back)

    def row():
        with demo_db.read_session() as s:
            u = s.scalar(select(TaskUnit).where(TaskUnit.uuid == unit_uuid))
            return u.status, u.closed_on

    assert row() == (status, None)
    window.store.write(back.inverse(undone.value))
    assert row() == ("已销号", dt.date(2020, 3, 1))

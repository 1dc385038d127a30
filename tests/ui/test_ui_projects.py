"""The 附件3 project editor on the demo register: real editors, every edit in the SQLite file, P-rule tints."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QLineEdit, QSpinBox
from sqlalchemy import select

from app.domain import FUND_SOURCES, PROJECT_STAGES
from app.models import AuditEntry, FundProject
from app.services import projects
from app.services.periods import get_period, lock_period
from app.services.units import find_unit
from app.ui.app import create_application
from app.ui.counts_model import ERROR_BG, WARN_BG
from app.ui.delegates import ChoiceCombo
from app.ui.dialogs import RecordingDialogs
from app.ui.projects_model import CODES, amount_text, parse_date, parse_month
from app.ui.projects_view import ProjectsView, open_dialog

R = Qt.ItemDataRole
MONTH = "2020-03"  # the demo's open month; 2020-02 is locked


def make_view(qtbot, db, month=MONTH, unit="康平县", dialogs=None) -> ProjectsView:
    create_application()
    with db.session() as s:
        unit_id = find_unit(s, unit).id
    v = ProjectsView(db, month, unit_id, dialogs=dialogs or RecordingDialogs())
    qtbot.addWidget(v)
    v.resize(1500, 600)
    v.show()
    return v


def stored(db, uuid: str, month: str = MONTH) -> FundProject:
    with db.session() as s:
        p = projects.get_project(s, get_period(s, month), uuid)
        s.expunge(p)
        return p


def cell(view, row: int, code: str):
    return view.model.index(row, CODES.index(code))


def edit(view, qtbot, row: int, code: str, text: str):
    """Open the column's own editor on a cell, type ``text`` and press Enter, as a clerk does."""
    editor = open_editor(view, row, code)
    assert editor is not None, f"{code} is not editable"
    if isinstance(editor, QLineEdit):
        editor.clear()
    elif isinstance(editor, ChoiceCombo):
        editor.lineEdit().clear()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:  # Chinese arrives from the input method as a commit string
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(editor.lineEdit() if isinstance(editor, ChoiceCombo) else editor, event)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits on a queued call
    return editor


def open_editor(view, row: int, code: str):
    index = cell(view, row, code)
    view.table.setCurrentIndex(index)  # closes (and commits unchanged) the editor open before
    view.table.edit(index)
    return view.table.indexWidget(index)


def first_project(view) -> int:
    return next(i for i, r in enumerate(view.model.rows) if r.record)


def test_rows_as_in_form3_totals_and_progress_read_only(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    m = v.model
    QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Fatal)
    kinds = [r.kind for r in m.rows]
    assert kinds[0] == "county_total" and kinds[1] == "township_total" and "project" in kinds
    assert cell(v, 0, "township").data() == "全县合计数" and m.data(cell(v, 0, "name"), R.FontRole).bold()
    assert cell(v, 1, "name").data() in ("全乡合计", "全镇合计", "全街道合计")
    row = first_project(v)
    for code in ("seq", "township", "progress"):
        assert not m.flags(cell(v, row, code)) & Qt.ItemFlag.ItemIsEditable
    assert all(not m.flags(cell(v, 0, c)) & Qt.ItemFlag.ItemIsEditable for c in CODES)  # total row
    assert m.flags(cell(v, row, "planned")) & Qt.ItemFlag.ItemIsEditable
    assert "自动计算" in cell(v, row, "progress").data(R.ToolTipRole)
    assert "康平县资金项目落实进度调度表" in v.title.text() and "填报中" in v.title.text()
    assert v.lock_note.isHidden() and v.add_button.isEnabled()
    assert "没有发现问题" in v.summary.text()
    # proper editors: closed lists as combo boxes, amounts with 4 decimals, whole numbers
    combo = open_editor(v, row, "fund_source")
    assert isinstance(combo, ChoiceCombo) and [combo.itemData(i) for i in range(1, combo.count())] == list(FUND_SOURCES)
    combo = open_editor(v, row, "stage")
    assert isinstance(combo, ChoiceCombo) and [combo.itemData(i) for i in range(combo.count())] == list(PROJECT_STAGES)
    spin = open_editor(v, row, "planned")
    assert isinstance(spin, QDoubleSpinBox) and spin.decimals() == 4 and spin.minimum() == 0
    assert isinstance(open_editor(v, row, "persons"), QSpinBox)
    assert isinstance(open_editor(v, row, "started_on"), QLineEdit)


def test_edit_amount_is_stored_audited_and_recomputed(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    row = first_project(v)
    uuid = v.model.uuid(row)
    before = stored(demo_db, uuid)
    county_planned = cell(v, 0, "planned").data(R.EditRole)
    edit(v, qtbot, row, "planned", "500.1234")
    p = stored(demo_db, uuid)
    assert p.planned == pytest.approx(500.1234)
    assert cell(v, row, "planned").data() == "500.1234"
    assert cell(v, row, "progress").data() == f"{projects.progress(p.disbursed, 500.1234):.1f}"
    assert cell(v, 0, "planned").data(R.EditRole) == pytest.approx(county_planned - before.planned + 500.1234)
    with demo_db.session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.record == uuid, AuditEntry.field == "planned")).all()
    assert len(audit) == 1 and "500.1234" in str(audit[0].new)
    assert v.table.currentIndex() == cell(v, row, "planned")  # the edit keeps the place


def test_dates_stage_and_texts(demo_db, qtbot):
    dialogs = RecordingDialogs()
    v = make_view(qtbot, demo_db, dialogs=dialogs)
    row = first_project(v)
    uuid = v.model.uuid(row)
    edit(v, qtbot, row, "started_on", "2020.3.5")
    assert stored(demo_db, uuid).started_on == dt.date(2020, 3, 5)
    assert cell(v, row, "started_on").data() == "2020-03-05"
    edit(v, qtbot, row, "completed_on", "2020-13-40")
    assert dialogs.shown[-1][0] == "error" and "YYYY-MM-DD" in dialogs.shown[-1][2]
    assert stored(demo_db, uuid).completed_on is None
    edit(v, qtbot, row, "remark", "村里自筹一部分")
    assert stored(demo_db, uuid).remark == "村里自筹一部分"
    # 已完工 without 完工时间 is P-04 (E) on that cell; typing the date clears it
    edit(v, qtbot, row, "stage", "已完工")
    assert stored(demo_db, uuid).stage == "已完工"
    done = cell(v, row, "completed_on")
    assert done.data(R.BackgroundRole).color() == ERROR_BG and "P-04" in done.data(R.ToolTipRole)
    edit(v, qtbot, row, "completed_on", "2020-03-20")
    assert stored(demo_db, uuid).completed_on == dt.date(2020, 3, 20)
    assert cell(v, row, "completed_on").data(R.BackgroundRole) is None


def test_p05_late_start_tints_amber(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    row = next(i for i, r in enumerate(v.model.rows) if r.record and r.values["stage"] == "未开工")
    uuid = v.model.uuid(row)
    assert cell(v, row, "stage").data(R.BackgroundRole) is None
    edit(v, qtbot, row, "planned_start", "2020.3")
    assert stored(demo_db, uuid).planned_start == "2020-03"
    stage = cell(v, row, "stage")
    assert stage.data(R.BackgroundRole).color() == WARN_BG
    assert "P-05 提示" in stage.data(R.ToolTipRole) and "提示1条" in v.summary.text()
    edit(v, qtbot, row, "stage", "已开工")  # started now: P-04 wants 开工时间 (E), P-05 is gone
    assert "P-05" not in (cell(v, row, "stage").data(R.ToolTipRole) or "")
    assert cell(v, row, "started_on").data(R.BackgroundRole).color() == ERROR_BG


def test_p06_tints_red_and_clears_when_fixed(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    row = first_project(v)
    uuid = v.model.uuid(row)
    households = stored(demo_db, uuid).households
    assert cell(v, row, "persons").data(R.BackgroundRole) is None
    edit(v, qtbot, row, "persons", str(households - 1))
    assert stored(demo_db, uuid).persons == households - 1
    persons = cell(v, row, "persons")
    assert persons.data(R.BackgroundRole).color() == ERROR_BG
    tip = persons.data(R.ToolTipRole)
    assert "P-06 错误" in tip and f"带动人数{households - 1}少于带动户数{households}" in tip
    assert "错误1条" in v.summary.text()
    assert cell(v, row, "households").data(R.BackgroundRole) is None  # only the cell the rule names
    edit(v, qtbot, row, "persons", str(households * 2))
    assert stored(demo_db, uuid).persons == households * 2
    assert cell(v, row, "persons").data(R.BackgroundRole) is None and not cell(v, row, "persons").data(R.ToolTipRole)
    assert "没有发现问题" in v.summary.text()


def test_add_and_delete_a_project(demo_db, qtbot):
    dialogs = RecordingDialogs(confirm=False)
    v = make_view(qtbot, demo_db, dialogs=dialogs)
    town_row = next(i for i, r in enumerate(v.model.rows) if r.values["township"] == "张强镇")
    v.table.setCurrentIndex(cell(v, town_row, "name"))
    n = len(v.model.rows)
    uuid = v.add_project()
    assert uuid is not None and len(v.model.rows) == n + 1
    row = v.model.row_of(uuid)
    assert v.model.rows[row].values["township"] == "张强镇"
    name_editor = v.table.indexWidget(cell(v, row, "name"))
    assert isinstance(name_editor, QLineEdit)  # the new project's name opens for typing
    edit(v, qtbot, row, "name", "张强村道硬化项目")
    p = stored(demo_db, uuid)
    assert p.name == "张强村道硬化项目" and p.stage == "未开工"
    with demo_db.session() as s:
        assert projects.get_project(s, get_period(s, MONTH), uuid).township_id == find_unit(s, "张强镇").id
    total = next(i for i, r in enumerate(v.model.rows) if r.kind == "township_total" and r.values["township"] == "张强镇")
    assert v.model.rows[row - 1].record is not None and v.model.rows[total].values["persons"] is not None

    v.table.setCurrentIndex(cell(v, row, "name"))
    assert v.delete_button.isEnabled()
    assert not v.delete_project()  # cancelled: still there
    assert dialogs.shown[-1][0] == "confirm" and "张强村道硬化项目" in dialogs.shown[-1][2]
    assert stored(demo_db, uuid).name == "张强村道硬化项目"
    dialogs._confirm = True
    assert v.delete_project()
    assert len(v.model.rows) == n and v.model.row_of(uuid) is None
    with demo_db.session() as s:
        assert s.scalars(select(FundProject).where(FundProject.uuid == uuid)).first() is None
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.record == uuid))]
    assert "insert" in actions and "delete" in actions
    v.table.setCurrentIndex(cell(v, 0, "name"))
    assert not v.delete_button.isEnabled() and not v.delete_project()  # a total row is not a project


def test_add_at_county_asks_for_the_township(demo_db, qtbot):
    dialogs = RecordingDialogs(choice=1)
    v = make_view(qtbot, demo_db, dialogs=dialogs)
    v.table.setCurrentIndex(cell(v, 0, "name"))  # the county total row
    towns = [r.values["township"] for r in v.model.rows if r.kind == "township_total"]
    uuid = v.add_project()
    assert dialogs.shown[-1][0] == "choose"
    assert v.model.rows[v.model.row_of(uuid)].values["township"] == towns[1]


def test_locked_month_is_read_only(demo_db, qtbot):
    v = make_view(qtbot, demo_db, month="2020-02")
    assert not v.lock_note.isHidden() and "已锁定" in v.lock_note.text() and "只能查看" in v.lock_note.text()
    assert "已报送" in v.title.text()
    assert not v.add_button.isEnabled() and not v.delete_button.isEnabled()
    m = v.model
    assert m.rowCount() > 2
    assert not any(m.flags(m.index(r, c)) & Qt.ItemFlag.ItemIsEditable
                   for r in range(m.rowCount()) for c in range(m.columnCount()))
    row = first_project(v)
    assert open_editor(v, row, "planned") is None
    assert not m.setData(cell(v, row, "planned"), 1.0)


def test_month_locked_while_open_refuses_the_edit(demo_db, qtbot):
    dialogs = RecordingDialogs()
    v = make_view(qtbot, demo_db, dialogs=dialogs)
    row = first_project(v)
    uuid = v.model.uuid(row)
    before = stored(demo_db, uuid).planned
    with demo_db.session() as s:
        lock_period(s, MONTH, "定稿导出")
    edit(v, qtbot, row, "planned", "7")
    assert dialogs.shown[-1][0] == "error" and "已报送并锁定" in dialogs.shown[-1][2]
    assert stored(demo_db, uuid).planned == before
    v.reload()
    assert not v.lock_note.isHidden() and not v.add_button.isEnabled()


def test_township_context_and_open_dialog(demo_db, qtbot):
    v = make_view(qtbot, demo_db)
    with demo_db.session() as s:
        town = find_unit(s, "张强镇").id
    v.set_context(MONTH, town)
    assert v.model.rows[0].kind == "township_total" and {r.values["township"] for r in v.model.rows} == {"张强镇"}
    seen = []

    def close():
        w = QApplication.activeModalWidget()
        seen.append(w.findChild(ProjectsView))
        w.reject()

    QTimer.singleShot(0, close)
    dlg = open_dialog(None, demo_db, MONTH)
    assert dlg is not None and seen and seen[0] is not None and seen[0].model.rowCount() > 2


def test_helpers():
    assert amount_text(355) == "355.00" and amount_text(31.33) == "31.33" and amount_text(1.23456) == "1.2346"
    assert parse_date("2020年3月5日") == "2020-03-05" and parse_date(" ") is None
    assert parse_month("2020年4月") == "2020-04" and parse_month("") is None
    with pytest.raises(ValueError):
        parse_month("2020-13")
    with pytest.raises(ValueError):
        parse_date("2020-02-30")

"""The counts view on a real register: form header, bold totals, last month, M-07, drill-down, notes."""

from __future__ import annotations

import pytest
from _counts_register import build
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.services.units import find_unit
from app.ui.dialogs import RecordingDialogs

R = Qt.ItemDataRole


@pytest.fixture
def view(db, qtbot):
    from app.ui.counts_view import CountsView

    build(db)
    with db.session() as s:
        county = find_unit(s, "康平县").id
    v = CountsView(db, "2020-03", county, dialogs=RecordingDialogs())
    qtbot.addWidget(v)
    v.resize(1400, 800)
    v.show()
    return v


def _col(view, code):
    return next(i for i, n in enumerate(view.model.columns) if n.code == code)


def _index(view, row, code):
    m = view.model
    return m.index(m.header_rows + row, _col(view, code))


def test_form1_laid_out_as_the_official_form(view):
    m, t = view.model, view.table
    QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert m.header_rows == 4 and m.rowCount() == 4 + 7 and m.columnCount() == 19
    assert m.index(0, 0).data() == "序号" and t.rowSpan(0, 0) == 4
    group = m.index(0, _col(view, "housing")).data()
    assert group == "本年度“三保障”+安全饮水帮扶人数" and t.columnSpan(0, _col(view, "housing")) == 4
    assert view.title.text() == "全县2020年度年人均收入5000元以下的17人帮扶情况调度表"
    assert "填报中" in view.state_label.text()
    assert m.data(_index(view, 0, "township"), R.FontRole).bold()  # county total row
    assert m.data(_index(view, 1, "village"), R.DisplayRole) == "全镇合计"
    assert not m.data(_index(view, 2, "village"), R.FontRole).bold()
    assert _index(view, 0, "total").data() == "17\n上月 17"
    view.previous_box.setChecked(False)
    assert _index(view, 0, "total").data() == "17"


def test_m07_marked_with_reason_and_last_month(view):
    cell = _index(view, 3, "employment")  # 后暖泉村: employment 4 → 1
    assert cell.data() == "1\n上月 4"
    tip = cell.data(R.ToolTipRole)
    assert "上月（2020-02）：4" in tip and "M-07" in tip and "就业人数由上月4人降到1人" in tip
    assert cell.data(R.BackgroundRole) is not None
    assert [f.code for f in cell.data(R.UserRole + 3)] == ["M-07"]
    assert _index(view, 2, "employment").data(R.BackgroundRole) is None
    typed = _index(view, 6, "housing")  # 手填村, typed by hand
    assert view.model.data(typed, R.FontRole).italic() and "手工填报" in typed.data(R.ToolTipRole)


def test_click_on_a_cell_lists_the_persons_behind_it(view, qtbot):
    cell = _index(view, 1, "medical")  # 暖泉镇 total: 3 persons
    rect = view.table.visualRect(cell)
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    d = view.drilldown
    assert d is not None and d.isVisible()
    assert d.table.rowCount() == 3
    assert [d.table.item(r, 3).text() for r in range(3)] == ["暖泉镇/前暖泉村"] * 2 + ["暖泉镇/后暖泉村"]
    assert "基本医疗解决人数：3人" in d.windowTitle()
    assert view.open_drilldown(view.model.index(0, 0)) is None  # header cells have no persons


def test_form2_and_a_verification_note(view, db):
    from app.services.checks import check_period

    view.form_box.setCurrentIndex(1)
    m = view.model
    assert m.rowCount() == m.header_rows + 2
    assert _index(view, 0, "county").data() == "全县合计" and _index(view, 1, "county").data() == "康平县"
    assert view.findings_list.count() == 1  # M-08: one band-B person without year-to-date income
    view.form_box.setCurrentIndex(0)
    view.findings_list.setCurrentRow(0)
    view.note_edit.setPlainText("该户4人中3人外出务工合同到期，已核实")
    assert view.save_note()
    assert "核实说明：该户4人中3人外出务工合同到期，已核实" in view.findings_list.item(0).text()
    assert "核实说明" in _index(view, 3, "employment").data(R.ToolTipRole)
    with db.session() as s:
        m07 = [f for f in check_period(s, "2020-03") if f.code == "M-07"]
    assert [f.note for f in m07] == ["该户4人中3人外出务工合同到期，已核实"]


def test_locked_month_disables_notes(view, db):
    from app.services.periods import lock_period

    with db.session() as s:
        lock_period(s, "2020-03", "报送")
    view.reload()
    assert "已报送" in view.state_label.text()
    assert not view.save_note_button.isEnabled()


def test_village_not_in_register_is_typed_by_hand(view, db):
    from sqlalchemy import select

    from app.models import AuditEntry

    m = view.model
    hand, derived = _index(view, 6, "education"), _index(view, 2, "education")  # 手填村, 前暖泉村
    assert m.flags(hand) & Qt.ItemFlag.ItemIsEditable and not m.flags(derived) & Qt.ItemFlag.ItemIsEditable
    assert not m.flags(_index(view, 4, "education")) & Qt.ItemFlag.ItemIsEditable  # 沙金乡 total
    assert view.open_drilldown(hand) is None  # nothing in the register behind a typed number
    assert m.setData(hand, "4")
    assert _index(view, 6, "education").data().startswith("4") and _index(view, 4, "education").data().startswith("4")
    assert not m.setData(_index(view, 6, "education"), "四")
    assert view.dialogs.shown[-1][0] == "error"
    assert m.setData(_index(view, 6, "education"), "")  # blank: back to not typed (0 derived)
    assert _index(view, 6, "education").data().startswith("0")
    with db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.table == "hand_counts")).all()
        assert [(e.field, e.old, e.new) for e in entries] == [("education", None, "4"), ("education", "4", None)]


def test_form3_projects_with_findings(view, db):
    from app.services import projects
    from app.services.periods import get_period

    with db.session() as s:
        projects.add_project(s, get_period(s, "2020-03"), find_unit(s, "沙金乡"), name="光伏电站", planned=80,
                             disbursed=20, received=40, stage="未开工", planned_start="2020-02", households=5, persons=12)
    view.form_box.setCurrentIndex(2)
    m = view.model
    assert m.rowCount() == m.header_rows + 4  # county, 暖泉镇 (no projects), 沙金乡, the project
    assert [_index(view, r, "name").data() for r in range(1, 4)] == ["全镇合计", "全乡合计", "光伏电站"]
    assert _index(view, 3, "progress").data() == "25"
    assert not m.data(_index(view, 3, "name"), R.FontRole).bold() and m.data(_index(view, 2, "name"), R.FontRole).bold()
    assert [f.code for f in _index(view, 3, "stage").data(R.UserRole + 3)] == ["P-05"]
    assert view.title.text() == "全县2020年度脱贫攻坚资金项目落实进度情况调度表"
    assert view.open_drilldown(_index(view, 3, "persons")) is None


def test_another_registers_change_is_counted_within_the_poll(db, db_path, qtbot):
    """月报表 follows the change sequence: a member added in another register (a clerk on the server,
    a CLI run beside a read-only window) is in the sheet's total within the poll."""
    from sqlalchemy import select

    from app.models import Household, Period
    from app.services import register_ops as ops
    from app.services.operations import execute
    from app.storage import Database
    from app.ui.counts_view import CountsView

    build(db)
    with db.session() as s:
        county = find_unit(s, "康平县").id
        period, hh = s.execute(select(Period.id, Household.uuid).join(Household, Household.period_id == Period.id)
                               .where(Period.month == "2020-03", Household.band == "A")
                               .order_by(Household.id)).first()
    db.close()
    shown = Database(db_path, write=False)
    v = CountsView(shown, "2020-03", county, dialogs=RecordingDialogs())
    qtbot.addWidget(v)
    v.show()
    v.follower.timer.setInterval(200)
    try:
        assert _index(v, 0, "total").data() == "17\n上月 17"
        with Database(db_path) as other:
            execute(other, ops.AddMember(period, hh, None, (("name", "刘小明"), ("relation", "之子"), ("age", 9))))
        qtbot.waitUntil(lambda: _index(v, 0, "total").data() == "18\n上月 17", timeout=4000)
    finally:
        v.follower.stop()
        shown.close()

"""治疗用药 tab: a member's treatment record added, edited and deleted by keyboard, read back from the
SQLite file; the audit log keeps that a row changed, never what it says."""

from __future__ import annotations

from _small_register import build_register
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app.models import AuditEntry, Household, Person, TreatmentRecord
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.treatment_view import TreatmentView


def ime(widget, text: str) -> None:
    """Chinese arrives from the input method as a committed string."""
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def records(db) -> list[tuple]:
    with db.read_session() as s:
        return [(r.person_name, r.disease, r.treatment, r.medicines, r.total_cost, r.basic_insurance,
                 r.serious_insurance, r.medical_assistance, r.other_reimbursement, r.followups)
                for r in s.scalars(select(TreatmentRecord).order_by(TreatmentRecord.id))]


def test_add_edit_delete_a_treatment_record_by_keyboard(qtbot, db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        p = s.scalar(select(Person).where(Person.name == "张凤兰"))
        p.health = "长期慢性病"
        hh_uuid = s.get(Household, ids["households"][1]).uuid
    create_application()
    dialogs = RecordingDialogs()
    v = TreatmentView(db, "2020-03", dialogs)
    qtbot.addWidget(v)
    v.show()
    qtbot.waitExposed(v)
    v.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is v)

    v.household.setFocus()
    ime(v.household.lineEdit(), "张凤兰")
    QTest.keyClick(v.household, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: v.member.count() == 1)
    assert v.household_uuid() == hh_uuid and "长期慢性病" in v.member.currentText()
    QTest.keyClick(v.member, Qt.Key.Key_Tab)
    assert v.disease.hasFocus()
    ime(v.disease, "高血压")
    QTest.keyClick(v.disease, Qt.Key.Key_Tab)  # 医院
    QTest.keyClick(v.hospital, Qt.Key.Key_Tab)  # 治疗方式
    QTest.keyClick(v.treatment, Qt.Key.Key_Down)
    assert v.treatment.currentText() == "门诊慢病"
    QTest.keyClick(v.treatment, Qt.Key.Key_Tab)  # 医生
    QTest.keyClick(v.doctor, Qt.Key.Key_Tab)
    ime(v.medicines, "硝苯地平 每日一片")
    QTest.keyClick(v.medicines, Qt.Key.Key_Tab)
    for field, amount in (("total_cost", "1200"), ("basic_insurance", "600"), ("serious_insurance", "0"),
                          ("medical_assistance", "300"), ("other_reimbursement", "0")):
        box = v.amounts[field]
        assert box.hasFocus(), field
        QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(box, amount)
        QTest.keyClick(box, Qt.Key.Key_Tab)
    assert v.own.text().startswith("300.00")  # 个人自付 derived
    ime(v.followups, "3月5日 村医 血压平稳")
    QTest.keyClick(v.followups, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialogs.shown == []
    assert records(db) == [("张凤兰", "高血压", "门诊慢病", "硝苯地平 每日一片", 1200.0, 600.0, 0.0, 300.0, 0.0,
                            "3月5日 村医 血压平稳")]
    assert v.table.rowCount() == 1 and v.table.item(0, 4).text() == "300.00"

    # edit: pick the row, change the disease and an amount, Ctrl+Enter
    v.table.setFocus()
    QTest.keyClick(v.table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: v.editing is not None)
    assert v.disease.text() == "高血压"
    v.disease.setFocus()
    QTest.keyClick(v.disease, Qt.Key.Key_Home)
    ime(v.disease, "原发性")
    assert v.disease.text() == "原发性高血压"
    box = v.amounts["other_reimbursement"]
    box.setFocus()
    QTest.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(box, "1000")
    QTest.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    got = records(db)
    assert len(got) == 1 and got[0][1] == "原发性高血压" and got[0][8] == 1000.0
    assert "T-02" not in v.status.text() and "超过医疗总费用" in v.status.text()  # T-02 shown as a hint

    # delete: the row selected, the Delete key, confirmed
    v.table.setFocus()
    v.table.selectRow(0)
    QTest.keyClick(v.table, Qt.Key.Key_Delete)
    assert records(db) == [] and v.table.rowCount() == 0
    assert ("confirm", "治疗用药情况", "删除“原发性高血压”这条记录？") in dialogs.shown

    with db.read_session() as s:
        logged = [(a.action, a.old, a.new, a.field) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.table == "treatment_records"))]
    assert [a[0] for a in logged] == ["insert", "update", "delete"]
    assert all(x is None for a in logged for x in a[1:])  # nothing of what the record says

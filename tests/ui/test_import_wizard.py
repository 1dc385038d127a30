"""The import wizard and the new-month dialog, driven like a clerk would (pytest-qt, offscreen)."""

from __future__ import annotations

from sqlalchemy import func, select
from test_import_helpers import quick_package, seed_household, write_form4

from app.models import Household, Period
from app.ui.dialogs import RecordingDialogs
from app.ui.import_wizard import ImportWizard
from app.ui.new_month_dialog import NewMonthDialog


def _to_preview(qtbot, wizard: ImportWizard, files: list[str], month: str = "2020-03"):
    wizard.show()
    qtbot.addWidget(wizard)
    wizard.files_page.add_paths(files)
    wizard.files_page.month.setText(month)
    assert wizard.files_page.isComplete()
    wizard.next()
    assert wizard.handle.wait(60000)
    return wizard.preview_page


def _backups(db) -> int:
    from app.services import backup as bk

    return len(bk.list_backups(bk.backups_dir(db.path)))


def test_wizard_previews_then_imports_in_one_go(qtbot, db, tmp_path):
    book = write_form4(tmp_path / "附件4.xlsx", [seed_household(members=[
        ("于海", "户主", 75, "残疾", "普通劳动力"), ("张兰", "妻子", 64, "残疾", "无劳动力"),
        ("于明", "儿子", 42, "残疾", "无劳动力"), ("于亮", "之子", 32, "残疾", "无劳动力")])])
    wizard = ImportWizard(db, "2020-03")
    page = _to_preview(qtbot, wizard, [str(book)])
    assert wizard.plan is not None and page.isComplete()
    units, findings, normalised = (page.tabs.widget(i) for i in range(3))
    assert units.rowCount() == 1 and units.item(0, 2).text() == "新增" and units.item(0, 3).text() == "1"
    assert normalised.rowCount() == 2 and {normalised.item(r, 4).text() for r in range(2)} == {"妻子", "儿子"}
    assert "新增1户4人" in page.summary.text()
    with db.session() as s:  # the preview wrote nothing
        assert s.scalar(select(func.count()).select_from(Household)) == 0
    wizard.next()
    assert wizard.handle.wait(60000)
    assert wizard.result is not None and wizard.result["added"] == {"households": 1, "persons": 4}
    assert "导入完成" in wizard.done_page.label.text()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 1


def test_wizard_blocks_a_file_with_errors(qtbot, db, tmp_path):
    book = write_form4(tmp_path / "错.xlsx", [seed_household(size=7)])
    wizard = ImportWizard(db, "2020-03")
    page = _to_preview(qtbot, wizard, [str(book)])
    assert not page.isComplete()
    findings = page.tabs.widget(1)
    codes = {findings.item(r, 0).text() for r in range(findings.rowCount())}
    assert "H-02" in codes and page.tabs.currentIndex() == 1
    assert "不能导入" in page.summary.text()


def test_wizard_asks_before_replacing(qtbot, db, tmp_path):
    first = write_form4(tmp_path / "a.xlsx", [seed_household()])
    w1 = ImportWizard(db, "2020-03")
    _to_preview(qtbot, w1, [str(first)])
    w1.next()
    assert w1.handle.wait(60000) and w1.result is not None
    changed = write_form4(tmp_path / "b.xlsx", [seed_household(cause="因病")])
    w2 = ImportWizard(db, "2020-03")
    backups = _backups(db)
    page = _to_preview(qtbot, w2, [str(changed)])
    assert page.replace.isVisibleTo(w2) and not page.isComplete()
    page.replace.setChecked(True)
    assert page.isComplete()
    w2.next()
    assert w2.handle.wait(60000) and w2.result["changed"]["households"] == 1
    assert _backups(db) == backups + 1  # a backup just before the write, as on the command line
    with db.session() as s:
        assert s.scalars(select(Household.cause)).all() == ["因病"]


def test_new_month_dialog(qtbot, demo_db):
    dialogs = RecordingDialogs()
    dlg = NewMonthDialog(demo_db, "2020-03", dialogs=dialogs)
    qtbot.addWidget(dlg)
    assert dlg.target.text() == "2020-04"
    dlg.start()
    assert dlg.handle.wait(60000)
    assert dlg.result["period"] == "2020-04"
    assert any("已开启2020年4月数据" in text for _kind, _title, text in dialogs.shown)
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Period).where(Period.month == "2020-04")) == 1
    dlg2 = NewMonthDialog(demo_db, "2020-03", dialogs=dialogs)  # again: refused, with the reason shown
    qtbot.addWidget(dlg2)
    dlg2.start()
    assert dlg2.handle.wait(60000) and dlg2.result is None
    assert any(kind == "error" and "已经有台账" in text for kind, _title, text in dialogs.shown)


def test_wizard_imports_a_package_with_its_own_month(qtbot, db, demo_db_path, tmp_path):

    folder = quick_package(demo_db_path, "康平县", tmp_path / "包")
    wizard = ImportWizard(db, "2020-09")  # the month field is for workbooks; a package carries its own
    page = _to_preview(qtbot, wizard, [str(folder)], month="2020-09")
    assert wizard.plan is not None and wizard.plan.period == "2020-03" and page.isComplete()
    wizard.next()
    assert wizard.handle.wait(60000) and wizard.result["period"] == "2020-03"
    with db.session() as s:
        assert s.scalars(select(Period.month)).all() == ["2020-03"]

"""The real window under an X server, screenshots of the whole screen (``import -window root``, from
ImageMagick) along what a clerk does in a month — run on a demo register under Xvfb with a window
manager (openbox), at the screen size to document:

    Xvfb :92 -screen 0 1366x768x24 &  DISPLAY=:92 openbox &
    guatu demo --db demo.db                     # dated to the month being reported now
    DISPLAY=:92 python docs/screenshots/window.py demo.db docs/screenshots/1366x768 final preview
    # a December register for the 结转 across a year (prior-year incomes):
    DISPLAY=:92 python docs/screenshots/window.py december.db docs/screenshots/1366x768 newmonth

Scenarios: final (rows visible, H-13 in the dock landing on 上年度人均纯收入, ljg search, the sent
month: edit refused → 重新打开本月 with a reason → the edit lands), preview (wall chart and 明白卡
pages in their dialogs), newmonth (prior-year incomes table; M-07 opening 附件1 at its cell; the
drill-down list), county (the member column groups).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def later(ms, fn):
    QTimer.singleShot(ms, fn)

def basic(w, shot, pump, app):
    shot("basic")




def locked(w, shot, pump, app):
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    w.period_combo.setCurrentIndex(1)
    pump()
    w.select_first_village()
    shot("3-locked")

    def on_refusal():
        shot("3-refused")
        box = QApplication.activeModalWidget()
        btn = next(b for b in box.buttons() if "重新打开" in b.text())
        later(400, on_reason)
        btn.click()

    def on_reason():
        dlg = QApplication.activeModalWidget()
        edit = dlg.findChild(QPlainTextEdit)
        edit.setPlainText("乡里更正了龙萱户的劳动力状况")
        shot("3-reason")
        dlg.accept()

    later(600, on_refusal)
    w.grid.setFocus()
    w.grid.setCurrentIndex(w.member_model.index(0, 2))
    QTest.keyClicks(w.grid, "5")
    pump()
    shot("3-reopened")



def dock(w, shot, pump, app):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.ui.problems import FindingRole
    w.tree.select_unit(next(iter(w.tree._nodes)))
    pump()
    proxy = w.problems.proxy
    r = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole).code == "H-13")
    w.problems.view.setFocus()
    w.problems.view.setCurrentIndex(proxy.index(r, 0))
    pump()
    shot("4-dock-before")
    QTest.keyClick(w.problems.view, Qt.Key.Key_Return)
    pump(40)
    shot("4-dock-h13")
    r = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole).code == "M-07")
    w.problems.view.setCurrentIndex(proxy.index(r, 0))
    QTest.keyClick(w.problems.view, Qt.Key.Key_Return)
    pump(40)
    shot("4-dock-m07")
    w.counts_dialog.close()



def preview(w, shot, pump, app):
    from app.ui.dialogs import RecordingDialogs
    from app.ui.wallchart_dialog import WallChartDialog
    dlg = WallChartDialog(w.store.db, w.store.period.month, w, RecordingDialogs())
    i = next(i for i in range(dlg.unit.count()) if "（村级）" in dlg.unit.itemText(i))
    dlg.unit.setCurrentIndex(i)
    dlg.out.setText(str(OUT / "chart.pdf"))
    dlg.show()
    pump()
    dlg.start()
    dlg.handle.wait(60000)
    pump(40)
    shot("12-preview-wallchart")
    dlg.close()
    from app.ui.cards_dialog import CardsDialog
    dlg = CardsDialog(w.store.db, w.store.period.month, w, RecordingDialogs())
    dlg.unit.setCurrentIndex(i)
    dlg.out.setText(str(OUT / "cards.pdf"))
    dlg.show()
    dlg.start()
    dlg.handle.wait(60000)
    pump(40)
    shot("13-preview-cards")
    dlg.close()



def county(w, shot, pump, app):
    w.tree.select_unit(next(iter(w.tree._nodes)))
    pump(30)
    shot("14-county-dock-open")
    w.member_tabs.setCurrentIndex(2)
    pump()
    shot("15-member-columns-help-group")



def final(w, shot, pump, app):
    """The issue's checks, in order, on the demo register."""
    import sqlite3

    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QPlainTextEdit

    from app.ui.problems import FindingRole

    shot("01-main-village")
    # the dock landing on 上年度人均纯收入 (H-13)
    w.tree.select_unit(next(iter(w.tree._nodes)))
    pump(20)
    proxy = w.problems.proxy
    r = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole).code == "H-13")
    w.problems.view.setFocus()
    w.problems.view.setCurrentIndex(proxy.index(r, 0))
    QTest.keyClick(w.problems.view, Qt.Key.Key_Return)
    pump(30)
    shot("02-dock-h13-lands-on-prior-income")
    # ljg search: a list of hits
    def on_hits():
        dlg = QApplication.activeModalWidget()
        shot("03-search-ljg")
        dlg.accept()
    later(700, on_hits)
    w.search.setFocus()
    w.search.clear()
    QTest.keyClicks(w.search, "ljg")
    QTest.keyClick(w.search, Qt.Key.Key_Return)
    pump(30)
    shot("04-search-ljg-landed")
    # the locked month: October, sent
    w.period_combo.setCurrentIndex(1)
    pump(20)
    w.select_first_village()
    pump(20)
    shot("05-locked-month")

    def on_refusal():
        shot("06-edit-refused")
        box = QApplication.activeModalWidget()
        btn = next(b for b in box.buttons() if "重新打开" in b.text())
        later(500, on_reason)
        btn.click()

    def on_reason():
        dlg = QApplication.activeModalWidget()
        dlg.findChild(QPlainTextEdit).setPlainText("乡里更正了户主年龄")
        shot("07-reopen-reason")
        dlg.accept()

    later(700, on_refusal)
    w.grid.setFocus()
    w.grid.setCurrentIndex(w.member_model.index(0, 2))
    QTest.keyClicks(w.grid, "5")
    pump(20)
    # the edit lands
    w.grid.setFocus()
    w.grid.setCurrentIndex(w.member_model.index(0, 2))
    QTest.keyClicks(w.grid, "4")
    pump(5)
    QTest.keyClicks(QApplication.focusWidget(), "2")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    pump(30)
    shot("08-reopened-edit-landed")
    con = sqlite3.connect(str(w.store.db.path))
    print("audit:", con.execute("SELECT action, period, field, old, new FROM audit_log ORDER BY id DESC LIMIT 3").fetchall())
    con.close()



def newmonth(w, shot, pump, app):
    from app.ui.dialogs import RecordingDialogs
    from app.ui.new_month_dialog import NewMonthDialog
    dlg = NewMonthDialog(w.store.db, w.store.period.month, w, RecordingDialogs())
    dlg.show()
    pump(20)
    shot("09-new-month-prior-incomes")
    dlg.close()
    w.tree.select_unit(next(iter(w.tree._nodes)))
    pump()
    from app.ui import window_tools
    from app.ui.problems import FindingRole
    proxy = w.problems.proxy
    r = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data(FindingRole).code == "M-07")
    window_tools.show_counts_at(w, proxy.index(r, 0).data(FindingRole))
    pump(30)
    shot("10-dock-m07-opens-counts")
    view = w.counts_dialog.findChild(__import__("app.ui.counts_view", fromlist=["CountsView"]).CountsView)
    dd = view.open_drilldown(view.table.currentIndex())
    pump(20)
    shot("11-drilldown-jumps-to-person")
    dd.close()
    w.counts_dialog.close()


STEPS = {"basic": basic, "locked": locked, "dock": dock, "preview": preview, "county": county, "final": final,
         "newmonth": newmonth}
OUT = Path(".")


def main(db: str, out: str, scenarios: list[str]) -> None:
    global OUT
    from app.storage import Database
    from app.ui.app import create_application
    from app.ui.dialogs import Dialogs
    from app.ui.main_window import MainWindow

    OUT = Path(out)
    OUT.mkdir(parents=True, exist_ok=True)
    app = create_application()
    w = MainWindow(Database(Path(db)), dialogs=Dialogs())
    w.showMaximized()

    def pump(n=20):
        for _ in range(n):
            app.processEvents()

    pump(10)
    w.fit_screen()

    def shot(name):
        pump()
        subprocess.run(["import", "-window", "root", str(OUT / f"{name}.png")], check=True)

    def run():
        w.wait_checks()
        pump()
        w.select_first_village()
        pump()
        for name in scenarios:
            STEPS[name](w, shot, pump, app)
        for pdf in OUT.glob("*.pdf"):
            pdf.unlink()
        app.quit()

    QTimer.singleShot(500, run)
    app.exec()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:] or ["final"])

"""Two clerks' windows on one county register on the server (PostgreSQL): the second edit of the same
member, based on what its window showed, is refused naming the first clerk's login, and the first
clerk's later change appears in the second window within the poll."""

from __future__ import annotations

from _query import query
from _small_register import build_register
from PySide6.QtTest import QTest
from test_ui_window import cell, type_into

from app.cli import main
from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow


def _window(qtbot, url: str, dialogs) -> tuple[MainWindow, Database]:
    database = Database(url)
    window = MainWindow(database, dialogs=dialogs)
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    window.wait_checks()
    return window, database


def test_two_clerks_windows_on_the_server(qtbot, pg_cluster, _pg_empty_template, tmp_path):
    create_application()
    name = pg_cluster.new_database(_pg_empty_template, prefix="clerks")
    url = pg_cluster.url(name)
    try:
        with Database(url) as db:
            ids = build_register(db)
        assert main(["server", "init", "--db", url]) == 0
        pw = tmp_path / "pw.txt"
        pw.write_text("a-long-pass-1\n", encoding="utf-8")
        logins = []
        for who in ("zhang", "wang"):
            login = f"{who}_{name}"
            assert main(["server", "add-login", "--db", url, login, "--role", "county-admin",
                         "--password-file", str(pw)]) == 0
            logins.append(login)
        dialogs_b = RecordingDialogs(confirm=False)  # 放弃我的修改
        wa, da = _window(qtbot, url.replace("postgres@", f"{logins[0]}@"), RecordingDialogs())
        wb, db_ = _window(qtbot, url.replace("postgres@", f"{logins[1]}@"), dialogs_b)
        try:
            wb.follower.timer.stop()  # B does not look until A's edit and B's are both made
            for w in (wa, wb):
                w.tree.select_unit(ids["v2"])
                assert cell(w, 1, "age").data() in (20, "20")
            type_into(wa, cell(wa, 1, "age"), "33")
            wa.editor.wait_idle()
            type_into(wb, cell(wb, 1, "age"), "40")
            wb.editor.wait_idle()
            assert [k for k, _t, _m in dialogs_b.shown] == ["stale"]
            assert dialogs_b.shown[0][2].startswith(f"该成员已被 {logins[0]} 于 ")
            assert cell(wb, 1, "age").data() in (33, "33")  # B now shows A's value
            son = wb.member_model.ids[1]
            assert query(url, "SELECT age, changed_by FROM persons WHERE id = ?", son) == [(33, logins[0])]

            wb.follower.timer.setInterval(300)
            wb.follower.timer.start()
            type_into(wa, cell(wa, 1, "name"), "刘军")
            wa.editor.wait_idle()
            qtbot.waitUntil(lambda: cell(wb, 1, "name").data() == "刘军", timeout=3000)
            assert logins[0] in wb.statusBar().currentMessage()
        finally:
            wa.close()
            wb.close()
            da.close()
            db_.close()
    finally:
        pg_cluster.drop_database(name)

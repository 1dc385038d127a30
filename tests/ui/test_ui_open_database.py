"""文件 › 打开数据库…: a server register (saved connection or address) opens in a window of its own."""

from __future__ import annotations

import subprocess

from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow
from app.ui.open_database import LOCAL_FILE, launch_command


def test_the_file_menu_opens_another_register_in_a_window_of_its_own(qtbot, db_path, monkeypatch):
    import app.ui.open_database as od

    create_application()
    database = Database(db_path)
    window = MainWindow(database, dialogs=RecordingDialogs())
    qtbot.addWidget(window)
    try:
        file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().startswith("文件"))
        assert "打开数据库…" in [a.text() for a in file_menu.actions()]
        started = []
        monkeypatch.setattr(od, "choose_target", lambda parent: "postgresql+psycopg://wang@192.168.1.10/guatu")
        monkeypatch.setattr(od.QProcess, "startDetached", lambda program, args: started.append((program, args))
                            or (True, 1))
        window.acts["open_db"].trigger()
        assert started and started[0][1][-2:] == ["--db", "postgresql+psycopg://wang@192.168.1.10/guatu"]
        assert window.dialogs.shown[-1][2].endswith("192.168.1.10/guatu")  # no user name or password shown
        assert window.store.db is database  # this window keeps its own register
    finally:
        window.close()
        database.close()
    assert LOCAL_FILE.startswith("本机文件")


def test_the_launched_command_opens_a_server_register(pg_cluster, _pg_demo_template, tmp_path):
    url = pg_cluster.url(pg_cluster.new_database(_pg_demo_template))
    png = tmp_path / "server.png"
    done = subprocess.run([*launch_command(url), "gui", "--screenshot", str(png)], capture_output=True, text=True,
                          timeout=240, env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert png.stat().st_size > 10_000

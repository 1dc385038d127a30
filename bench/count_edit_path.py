"""The edit-an-age path counted (not timed): transactions and SQL statements of one age typed into the
member grid until its outcome is shown, and how many write statements ran on the GUI thread.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.count_edit_path

Uses the small register of the UI tests (``tests/helpers/_small_register.build_register``). docs/operations.md
has the numbers before and after the write worker.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path


def main() -> dict[str, int]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "helpers"))
    from _small_register import build_register
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import event

    from app.storage import Database
    from app.ui.app import create_application
    from app.ui.columns import MEMBER_CODES
    from app.ui.dialogs import RecordingDialogs
    from app.ui.main_window import MainWindow

    path = Path(tempfile.mkdtemp()) / "register.db"
    database = Database(path, create=True)
    ids = build_register(database)
    database.close()
    create_application()
    database = Database(path)
    window = MainWindow(database, dialogs=RecordingDialogs())
    window.show()
    window.tree.select_unit(ids["v2"])
    window.wait_checks()
    QApplication.processEvents()
    counts = {"write transactions": 0, "read transactions": 0, "statements": 0, "write statements on the GUI thread": 0}
    gui = threading.main_thread()

    def count(key: str):
        return lambda *_a: counts.__setitem__(key, counts[key] + 1)

    event.listen(database.engine, "begin", count("write transactions"))
    event.listen(database.read_engine, "begin", count("read transactions"))
    for engine in (database.engine, database.read_engine):
        event.listen(engine, "before_cursor_execute", count("statements"))
    event.listen(database.engine, "before_cursor_execute",
                 lambda *_a: threading.current_thread() is gui and count("write statements on the GUI thread")())
    window.member_model.setData(window.member_model.index(1, MEMBER_CODES.index("age")), 37)
    window.editor.wait_idle()
    QApplication.processEvents()
    window.close()
    database.close()
    return counts


if __name__ == "__main__":
    for key, n in main().items():
        print(f"{key}: {n}")

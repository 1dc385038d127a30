"""Render the 督战与销号 window at 1366×768 (run under Xvfb): python docs/screenshots/shoot_ledgers.py DEMO.db OUTDIR
(DEMO.db from `guatu demo --year 2020`).

Judged as of 2020-03-25, the demo register's latest month, so overdue rows and D-09 show.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog, QVBoxLayout

from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.ledgers_view import LedgersView


def main(db: str, out: str) -> None:
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    create_application()
    with Database(db) as database:
        dlg = QDialog()
        lay = QVBoxLayout(dlg)
        lay.setContentsMargins(4, 4, 4, 4)
        view = LedgersView(database, 2020, dlg, dialogs=RecordingDialogs(), today=dt.date(2020, 3, 25))
        lay.addWidget(view)
        dlg.resize(1366, 768)
        dlg.show()
        for tab, filt, name in ((0, "逾期", "ledgers_overdue.png"), (2, "全部", "ledgers_problems.png"),
                                (3, "全部", "ledgers_targets.png")):
            view.tabs.setCurrentIndex(tab)
            view.filter.setCurrentText(filt)
            for _ in range(10):
                QApplication.processEvents()
            dlg.grab().save(str(outdir / name))
        dlg.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

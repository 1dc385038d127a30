"""Render the main views to PNG (run under Xvfb): python docs/screenshots/shoot.py DEMO.db OUTDIR.

`guatu gui --screenshot` gives the first view; this adds the others the clerk sees all day.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.storage import Database
from app.ui.app import create_application
from app.ui.dialogs import RecordingDialogs
from app.ui.main_window import MainWindow


def settle() -> None:
    for _ in range(10):
        QApplication.processEvents()


def main(db: str, out: str) -> None:
    outdir = Path(out)
    outdir.mkdir(parents=True, exist_ok=True)
    create_application()
    with Database(db) as database:
        w = MainWindow(database, dialogs=RecordingDialogs())
        w.resize(1500, 920)
        w.show()
        w.select_first_village()
        settle()
        w.grab().save(str(outdir / "main.png"))
        # the county with errors only in the problems dock
        w.tree.setCurrentIndex(w.tree.model_.index(0, 0))
        w.problems.severity.setCurrentIndex(1)
        settle()
        w.grab().save(str(outdir / "county_errors.png"))
        # red and yellow households of the month
        w.problems.severity.setCurrentIndex(0)
        w.acts["risky"].setChecked(True)
        settle()
        w.grab().save(str(outdir / "red_yellow.png"))
        w.acts["risky"].setChecked(False)
        # a household with an error, jumped to from the problems dock; panel scrolled to measures/income
        errors = [f for f in w.problems.model.rows if f.is_error and f.person]
        if errors:
            w.jump_to_finding(errors[0])
            w.grid.setCurrentIndex(w.member_model.index(w.member_model.rowCount() - 1, 0))  # show the tint
        w.panel.sections.setCurrentIndex(1)  # the panel's 措施与收入 section
        settle()
        w.grab().save(str(outdir / "household_error.png"))
        w.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

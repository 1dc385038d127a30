"""GUI: time to first paint of the county view and of a village (the household list, lazily fetched),
against a bare QTableView over the same rows read with one plain SELECT into a list model."""

from __future__ import annotations

import os

from bench.harness import Context, Outcome, best_of, entry


def _app():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.app import create_application

    return create_application()


def _bare_view_paint(db, village_ids: list[int], period_id: int) -> int:
    """Baseline: SELECT the list's columns for every household of the unit, a list model, a grab."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QTableView

    marks = ",".join("?" * len(village_ids))
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT h.id, h.uuid, h.village_id, h.band, h.cause, h.risk_colour, h.closed_out, h.expected_month "
            f"FROM households h WHERE h.period_id = ? AND h.village_id IN ({marks}) ORDER BY h.village_id, h.position",
            (period_id, *village_ids)).fetchall()

    class Plain(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else len(rows)

        def columnCount(self, parent=QModelIndex()):
            return 0 if parent.isValid() else 8

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return str(rows[index.row()][index.column()]) if role == Qt.ItemDataRole.DisplayRole else None

    view = QTableView()
    model = Plain()
    view.setModel(model)
    view.resize(800, 500)
    view.grab()
    view.deleteLater()
    return len(rows)


def _paint(ctx: Context, level: str) -> Outcome:
    _app()
    import time

    from app.storage import Database
    from app.ui.dialogs import RecordingDialogs
    from app.ui.main_window import MainWindow

    with Database(ctx.demo_path, write=False) as db:
        window = MainWindow(db, read_only=True, dialogs=RecordingDialogs())
        window.resize(1500, 920)
        window.wait_checks()  # the month's background check is not part of a paint
        county = window.store.tree()[0]
        villages = [v for t in county.children for v in t.children if v.households]
        target = county if level == "county" else villages[0]
        before = villages[1]  # the clerk comes from another village

        def paint() -> float:
            window.tree.select_unit(before.id)
            window.hh_view.grab()
            t0 = time.perf_counter()
            window.tree.select_unit(target.id)
            window.hh_view.grab()
            window.grid.grab()
            return time.perf_counter() - t0

        paint()
        seconds = min(paint() for _ in range(3))
        period_id = window.store.period_id
        n = _bare_view_paint(db, target.villages(), period_id)
        baseline = best_of(lambda: _bare_view_paint(db, target.villages(), period_id), 3)
        window.close()
        window.deleteLater()
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone()
        import gc

        gc.collect()  # PySide objects go while the QApplication still exists, not at interpreter exit
    goal = 1.0 if level == "county" else 0.2
    return Outcome(seconds, baseline, f"bare QTableView over {n:,} households (SELECT + list model)",
                   goal=f"< {goal} s", met=seconds < goal, note=f"{n:,} households; list, first household, members")


@entry("gui_county_paint")
def gui_county_paint(ctx: Context) -> Outcome:
    """First paint of the county's household list and first household, vs a bare QTableView."""
    return _paint(ctx, "county")


@entry("gui_village_paint")
def gui_village_paint(ctx: Context) -> Outcome:
    """First paint of one village's household list and first household, vs a bare QTableView."""
    return _paint(ctx, "village")

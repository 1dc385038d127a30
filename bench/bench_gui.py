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
    from app.storage import Database
    from app.ui.dialogs import RecordingDialogs
    from app.ui.main_window import MainWindow

    with Database(ctx.demo_path, write=False) as db:
        window = MainWindow(db, read_only=True, dialogs=RecordingDialogs())
        window.resize(1500, 920)
        window.wait_checks()  # the month's background check is not part of a paint
        roots = window.store.tree()
        county = roots[0]
        village = next(v for t in county.children for v in t.children if v.households)
        target = county if level == "county" else village
        other = village if level == "county" else county

        def paint() -> None:
            window.tree.select_unit(other.id)
            window.tree.select_unit(target.id)
            window.hh_view.grab()
            window.grid.grab()

        paint()
        seconds = best_of(paint, 3)
        # the paint() above selects two units; the baseline paints both bare views too
        ids_target, ids_other = target.villages(), other.villages()
        period_id = window.store.period_id
        n = _bare_view_paint(db, ids_target, period_id)
        baseline = best_of(lambda: (_bare_view_paint(db, ids_other, period_id),
                                    _bare_view_paint(db, ids_target, period_id)), 3)
        window.close()
    goal = 1.0 if level == "county" else 0.3
    return Outcome(seconds, baseline, f"bare QTableView over {n:,} households (SELECT + list model)",
                   goal=f"< {goal} s", met=seconds < goal, note=f"{n:,} households")


@entry("gui_county_paint")
def gui_county_paint(ctx: Context) -> Outcome:
    """First paint of the county's household list and first household, vs a bare QTableView."""
    return _paint(ctx, "county")


@entry("gui_village_paint")
def gui_village_paint(ctx: Context) -> Outcome:
    """First paint of one village's household list and first household, vs a bare QTableView."""
    return _paint(ctx, "village")

"""Reads during a write: the window's read on the GUI thread while an import runs in a worker."""

from __future__ import annotations

import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

from bench.harness import CACHE, Context, Outcome, entry


class _Window:
    """What the window reads when the clerk clicks a village: its households' rows and the first
    household's members, each read in its own read session (the unit paths are cached, as the
    window's store caches them)."""

    def __init__(self, db) -> None:
        from app.services import browse

        self.db = db
        with db.read_session() as s:
            self.period = browse.list_periods(s)[0]
            self.paths = browse.unit_paths(s)
            self.village = next(_villages(browse.unit_tree(s, self.period.id)))

    def click(self) -> int:
        from app.services import browse

        with self.db.read_session() as s:
            ids = browse.household_ids(s, self.period.id, [self.village], False)
        with self.db.read_session() as s:
            rows = browse.household_rows(s, ids, self.paths)
        with self.db.read_session() as s:
            members = browse.member_ids(s, ids[0])
        with self.db.read_session() as s:
            return len(rows) + len(browse.person_rows(s, members))


def _villages(nodes):
    for n in nodes:
        if n.level == "village":
            yield n.id
        yield from _villages(n.children)


@entry("read_during_import")
def read_during_import(ctx: Context) -> Outcome:
    """A GUI-thread read (a village clicked) while a 100,000-person 附件4 import writes in another thread, vs the same read alone."""
    from app import fonts
    from app.services.imports import apply_import, preview_import
    from app.storage import Database
    from bench.bench_import import PERSONS, form4_workbook

    CACHE.mkdir(parents=True, exist_ok=True)
    book = CACHE / f"import-form4-{PERSONS}.xlsx"
    if not book.exists():
        form4_workbook(book)
    scratch = CACHE / "reads-bench.db"
    paths = [scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm"), Path(f"{scratch}.lock")]
    for p in paths:
        p.unlink(missing_ok=True)
    shutil.copyfile(ctx.demo_path, scratch)
    fonts.missing_chars("张")
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # as the window's task runner does while a worker runs
    try:
        with Database(scratch) as db:
            window = _Window(db)
            alone = sorted(_timed(window) for _ in range(20))
            started, outcome = threading.Event(), {}

            def write() -> None:
                with db.session() as s:  # one transaction: the write lock is held throughout
                    started.set()
                    plan = preview_import(s, [book], "2020-04")
                    outcome["previewed"] = time.perf_counter()
                    outcome["result"] = apply_import(s, plan)

            worker = threading.Thread(target=write)
            t0 = time.perf_counter()
            worker.start()
            started.wait(60)
            during = []
            while worker.is_alive():
                at = time.perf_counter()
                during.append((_timed(window), at))
                time.sleep(0.02)
            worker.join()
            import_seconds = time.perf_counter() - t0
    finally:
        sys.setswitchinterval(switch)
        for p in paths:
            p.unlink(missing_ok=True)
    during.sort()
    worst_at = during[-1][1]
    phase = "reading and checking the workbook" if worst_at < outcome.get("previewed", 0) else "writing"
    during = [d for d, _at in during]
    worst, p95 = during[-1], during[int(len(during) * 0.95)]
    base = statistics.median(alone)
    added = outcome.get("result", {}).get("added", {}).get("persons", 0)
    return Outcome(worst, base, "the same read with no write running (median of 20)", goal="< 50 ms (worst)",
                   met=worst < 0.05 and added == PERSONS,
                   note=f"{len(during)} reads during a {import_seconds:.1f} s import of {added:,} persons; "
                        f"median {statistics.median(during) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
                        f"worst {worst * 1000:.1f} ms (while {phase})")


def _timed(window: _Window) -> float:
    t = time.perf_counter()
    window.click()
    return time.perf_counter() - t

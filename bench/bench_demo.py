"""Demo register generation (app.services.demo) against a bare executemany of as many rows."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.harness import CACHE, Context, Outcome, entry

TABLES = ("units", "periods", "households", "persons", "measures", "income_items", "fund_projects", "office")


def _fresh(path: Path) -> Path:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}.lock")):
        p.unlink(missing_ok=True)
    return path


@entry("demo_generate")
def demo_generate(ctx: Context) -> Outcome:
    """guatu demo: 100,000 persons, two periods, into a new file (schema creation not timed)."""
    from app.services.demo import generate
    from app.storage import Database

    CACHE.mkdir(parents=True, exist_ok=True)
    path = _fresh(CACHE / "bench-demo.db")
    with Database(path, create=True) as db:
        t = time.perf_counter()
        generate(db, persons=ctx.persons, seed=ctx.seed)
        seconds = time.perf_counter() - t
    con = sqlite3.connect(path)
    rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
    con.close()
    _fresh(path)
    # Baseline: the same number of 12-column rows, prebuilt, one executemany in one transaction,
    # with the register's pragmas (WAL, synchronous=FULL).
    bare = _fresh(CACHE / "bench-bare.db")
    data = [(i, f"{i:036d}", i % 500, "户主", 40, "健康", "普通劳动力", None, 0, 1, 0, 1) for i in range(rows)]
    con = sqlite3.connect(bare, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, uuid TEXT, hid INT, rel TEXT, age INT, health TEXT, "
                "labour TEXT, idn TEXT, a INT, b INT, c INT, d INT)")
    t = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    con.executemany("INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", data)
    con.execute("COMMIT")
    baseline = time.perf_counter() - t
    con.close()
    _fresh(bare)
    return Outcome(seconds, baseline, f"bare executemany of {rows:,} rows", goal="< 30 s",
                   met=seconds < 30, note=f"{rows:,} rows in 8 tables")

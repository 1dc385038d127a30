"""The county register on PostgreSQL beside the laptop's SQLite file: the same check and the same
import, timed on both engines in the same run (goal: PostgreSQL within 1.5× of SQLite).

The server is ``GUATU_BENCH_PG`` (a ``postgresql+psycopg://`` URL of a maintenance database whose
user may CREATE DATABASE), else a throwaway cluster started here as the tests start theirs
(tests/helpers/_pg_server.py). The 100,000-person demo is moved onto it with
``guatu server import-sqlite`` (the same rows as the SQLite file)."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.harness import CACHE, PERSONS, ROOT, Context, Outcome, entry

_cluster = None


@contextmanager
def _server():
    """(url of a fresh database maker) on the bench server; a throwaway cluster is stopped after."""
    import os

    global _cluster
    given = os.environ.get("GUATU_BENCH_PG")
    if given:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        base = make_url(given)

        def fresh(name: str) -> str:
            eng = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
            with eng.connect() as c:
                c.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                c.exec_driver_sql(f"CREATE DATABASE {name}")
            eng.dispose()
            return base.set(database=name).render_as_string(hide_password=False)

        yield fresh
        return
    sys.path.insert(0, str(ROOT / "tests" / "helpers"))
    from _pg_server import Cluster, bin_dir

    found = bin_dir()
    if found is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql) and GUATU_BENCH_PG is not set")
    cluster = Cluster(found)
    cluster.start()
    try:
        def fresh(name: str) -> str:
            cluster.admin(f"DROP DATABASE IF EXISTS {name}")
            cluster.admin(f"CREATE DATABASE {name}")
            return cluster.url(name)

        yield fresh
    finally:
        cluster.stop()


def _check_seconds(target) -> tuple[float, int]:
    from app.services import checks
    from app.services.periods import get_period
    from app.storage import Database

    with Database(target, write=False) as db:
        best, found = float("inf"), 0
        for _ in range(3):
            with db.read_session() as s:
                period = get_period(s, None)
                t = time.perf_counter()
                found = len(checks.check_period(s, period))
                best = min(best, time.perf_counter() - t)
    return best, found


@entry("check_postgresql")
def check_postgresql(ctx: Context) -> Outcome:
    """check_period of the 100,000-person demo on PostgreSQL, vs the same check on the SQLite file."""
    from app.services.server import import_sqlite

    with _server() as fresh:
        url = fresh("bench_check")
        t = time.perf_counter()
        import_sqlite(ctx.demo_path, url)
        moved = time.perf_counter() - t
        pg, n_pg = _check_seconds(url)
        lite, n_lite = _check_seconds(ctx.demo_path)
    ratio = pg / lite
    return Outcome(pg, lite, "the same check_period on the SQLite file", goal="≤ 1.5× SQLite",
                   met=ratio <= 1.5 and n_pg == n_lite,
                   note=f"best of 3 each; {n_pg} findings on PostgreSQL, {n_lite} on SQLite; PostgreSQL 15 on this "
                        f"machine over a unix socket (fsync off); the register moved there by guatu server "
                        f"import-sqlite in {moved:.1f} s")


@entry("import_postgresql")
def import_postgresql(ctx: Context) -> Outcome:
    """guatu import of the 100,000-person 附件4 workbook into PostgreSQL, vs the same import into a SQLite file."""
    from bench.bench_import import _import, form4_workbook

    CACHE.mkdir(parents=True, exist_ok=True)
    book = CACHE / f"import-form4-{PERSONS}.xlsx"
    if not book.exists():
        form4_workbook(book)
    lite_path = CACHE / "import-bench-sqlite.db"
    for q in (lite_path, Path(f"{lite_path}-wal"), Path(f"{lite_path}-shm"), Path(f"{lite_path}.lock")):
        q.unlink(missing_ok=True)
    try:
        with _server() as fresh:
            url = fresh("bench_import")
            pg, pg_cpu, result = _import(book, url)
        lite, lite_cpu, lite_result = _import(book, lite_path)
    finally:
        for q in (lite_path, Path(f"{lite_path}-wal"), Path(f"{lite_path}-shm"), Path(f"{lite_path}.lock")):
            q.unlink(missing_ok=True)
    ok = result["added"]["persons"] == lite_result["added"]["persons"] == PERSONS
    ratio = pg / lite
    return Outcome(pg, lite, "the same import into a SQLite file", goal="≤ 1.5× SQLite", met=ok and ratio <= 1.5,
                   note=f"wall; CPU of this process {pg_cpu:.1f} s vs {lite_cpu:.1f} s (the server's own CPU not "
                        f"counted); {result['added']['persons']:,} persons imported on each")

"""Five clerks' laptops writing the same few households of the county register at once
(PostgreSQL): no update is lost and every refused edit is reported as a conflict naming who."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from sqlalchemy import func, select

from app.models import AuditEntry, Household, Period
from app.storage import Database

WRITERS = 5
SECONDS = float(os.environ.get("GUATU_CONCURRENCY_SECONDS", "6"))  # the soak: 20


def test_five_writers_on_overlapping_households_lose_no_update(demo_db_path, engine):
    if engine != "postgresql":
        pytest.skip("many writers at once is the server's case (SQLite keeps one writer and a file lock)")
    from _writers import write_loop

    with Database(demo_db_path) as db, db.session() as s:
        period = s.scalar(select(Period.id).where(Period.month == "2020-03"))
        rows = s.execute(select(Household.uuid, Household.ytd_income).where(Household.period_id == period)
                         .order_by(Household.id).limit(3)).all()
        before = {u: v or 0 for u, v in rows}
        audits = s.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1)) or 0
    households = list(before)
    with multiprocessing.get_context("spawn").Pool(WRITERS) as pool:
        results = pool.starmap(write_loop, [(demo_db_path, period, households, SECONDS, seed)
                                            for seed in range(WRITERS)])
    assert [r["other"] for r in results] == [[]] * WRITERS  # every refusal was a reported conflict
    ok = sum(r["ok"] for r in results)
    stale = sum(r["stale"] for r in results)
    assert ok > 20 and stale > 0, (ok, stale)  # they did overlap
    with Database(demo_db_path, write=False) as db, db.read_session() as s:
        after = dict(s.execute(select(Household.uuid, Household.ytd_income).where(
            Household.period_id == period, Household.uuid.in_(households))).all())
        logged = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.id > audits, AuditEntry.field == "ytd_income"))
    for hh in households:  # each household went up by exactly the edits that were accepted: 0 lost updates
        assert after[hh] - before[hh] == sum(r["per_household"][hh] for r in results)
    assert logged == ok

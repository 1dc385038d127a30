"""A clerk's laptop hammering the county register (the concurrency test's writer processes).

Each writer loops for ``seconds``: reads a household's 本年累计人均纯收入 and row version (what its
window shows), then asks for that value plus one based on that version. An edit refused as stale is
counted as a reported conflict and the household read again; any other error is reported as such.
"""

from __future__ import annotations

import random
import time


def write_loop(url: str, period_id: int, households: list[str], seconds: float, seed: int) -> dict:
    from sqlalchemy import select

    from app.models import Household
    from app.services import register_ops as ops
    from app.services.concurrency import StaleEdit
    from app.services.operations import execute
    from app.storage import Database

    rng = random.Random(seed)
    done = {"ok": 0, "stale": 0, "other": [], "per_household": {h: 0 for h in households}}
    with Database(url) as db:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            hh = rng.choice(households)
            with db.read_session() as s:
                value, version = s.execute(select(Household.ytd_income, Household.version).where(
                    Household.period_id == period_id, Household.uuid == hh)).one()
            try:
                out = execute(db, ops.SetHouseholdField(period_id, hh, "ytd_income", (value or 0) + 1,
                                                        base_version=version))
                if out.value.old != value:  # accepted, yet not on the value it was based on: a lost update
                    done["other"].append(f"based on {value}@{version}, stored over {out.value.old}")
            except StaleEdit as e:
                if e.who is None or e.at is None:
                    done["other"].append(f"stale without who/when: {e.message}")
                done["stale"] += 1
            except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
                done["other"].append(repr(e))
            else:
                done["ok"] += 1
                done["per_household"][hh] += 1
    return done

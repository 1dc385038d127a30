"""Speed of a full check: `python bench/bench_checks.py [PERSONS]` (default 100,000).

Builds a demo register once (cached in bench/.cache), then times load + every household rule + H-12
and the whole `check_period`. The goal (task brief): ≥ 100,000 persons/s for the household part.
A 1M-iteration empty loop is timed too, to tell a slow (shared) machine from slow code.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    from app.services import checks
    from app.services.demo import generate
    from app.services.periods import get_period
    from app.storage import Database

    persons = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    path = Path(__file__).parent / ".cache" / f"demo-{persons}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with Database(path, create=True) as db:
            generate(db, persons=persons, seed=1)
    t = time.process_time()
    x = 0
    for i in range(1_000_000):
        x += i
    loop = time.process_time() - t
    from app import fonts

    fonts.coverage()  # loaded once per process
    with Database(path, write=False) as db, db.session() as s:
        period = get_period(s, None)
        t0, c0 = time.perf_counter(), time.process_time()
        hs = checks.load_households(s, period, assistance=False)
        t1, c1 = time.perf_counter(), time.process_time()
        found = checks.check_households_data(hs, period.month)
        t2, c2 = time.perf_counter(), time.process_time()
        everything = checks.check_period(s, period)
        t3 = time.perf_counter()
        hid = s.execute(checks.select(checks.Household.id).limit(1)).scalar()
        t4 = time.perf_counter()
        for _ in range(20):
            checks.check_household_id(s, hid)
        t5 = time.perf_counter()
    n = sum(len(h.members) for h in hs)
    print(f"empty 1M loop: {loop:.3f}s CPU (≈0.035s on a current desktop: scale the rates below by that)")
    print(f"{n} persons, {len(hs)} households: load {t1 - t0:.3f}s, rules {t2 - t1:.3f}s "
          f"(CPU {c1 - c0:.3f}s + {c2 - c1:.3f}s) → {n / (t2 - t0):,.0f} persons/s wall, {n / (c2 - c0):,.0f} persons/s CPU "
          f"(≈{n / (c2 - c0) * loop / 0.035:,.0f} on a desktop); {len(found)} findings")
    print(f"check_period (with projects, count rows, notes): {t3 - t2:.3f}s, {len(everything)} findings")
    print(f"check_household_id: {(t5 - t4) / 20 * 1000:.2f} ms")


if __name__ == "__main__":
    main()

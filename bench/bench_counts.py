"""Deriving 附件1 for a 100,000-person county: goal under 1 s; ratio against one bare GROUP BY.

The register is written once with Core bulk inserts into ``bench/.cache/counts-<N>.db`` (1 county,
10 townships × 20 villages, households of 1–6 persons, band A four in five, random assistance and
year-to-date incomes) and reused. Then, best of ``--repeat`` runs each:
- ``counts.rows(session, period, county, 1)``: every row of 附件1 as exported (derive + hand
  counts + totals + labels);
- the baseline: one ``SELECT village_id, count(*) … GROUP BY village_id`` over the same rows;
- for information, ``count_findings`` (附件1 and 附件2 rows and their rules).

Run: ``.venv/bin/python bench/bench_counts.py [--persons 100000] [--repeat 5]``; prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from app.domain import ASSISTANCE  # noqa: E402
from app.models import Household, Period, Person, Unit  # noqa: E402
from app.storage import Database  # noqa: E402

GOAL_SECONDS = 1.0
MONTH = "2020-03"


def build(path: Path, persons: int, seed: int = 5) -> None:
    """A county register of ``persons`` persons in one period, written with Core bulk inserts."""
    rnd = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with Database(path, create=True) as db, db.engine.begin() as conn:
        conn.execute(insert(Unit), [{"id": 1, "name": "康平县", "level": "county", "parent_id": None, "position": 0}])
        units, villages = [], []
        for t in range(10):
            tid = 2 + t * 21
            units.append({"id": tid, "name": f"第{t + 1}镇", "level": "township", "parent_id": 1, "position": t})
            for v in range(20):
                units.append({"id": tid + 1 + v, "name": f"第{v + 1}村", "level": "village", "parent_id": tid,
                              "position": v})
                villages.append(tid + 1 + v)
        conn.execute(insert(Unit), units)
        conn.execute(insert(Period), [{"id": 1, "month": MONTH, "state": "open"}])
        households, people, hid, left = [], [], 0, persons
        while left > 0:
            hid += 1
            size = min(left, rnd.randint(1, 6))
            left -= size
            band = "A" if rnd.random() < 0.8 else "B"
            households.append({
                "id": hid, "uuid": f"h{hid:08d}", "period_id": 1, "village_id": rnd.choice(villages), "position": hid,
                "band": band, "ytd_income": None if rnd.random() < 0.05 else rnd.randint(2000, 8000),
                "closed_out": False, "risk_colour": "green", "housing_renovated": False,
            })
            for i in range(size):
                row = {"household_id": hid, "uuid": f"p{hid:08d}{i}", "position": i, "name": f"成员{i}",
                       "relation": "户主" if i == 0 else "之子"}
                row.update({c: rnd.random() < 0.3 for c in ASSISTANCE})
                people.append(row)
        conn.execute(insert(Household), households)
        for i in range(0, len(people), 20000):
            conn.execute(insert(Person), people[i:i + 20000])


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    from app.services import counts
    from app.services.periods import get_period

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    args = ap.parse_args(argv)
    path = args.cache / f"counts-{args.persons}.db"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.persons)
        print(f"built {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with Database(path, write=False) as db, db.session() as s:
        period = get_period(s, MONTH)
        county = s.get(Unit, 1)
        assert county is not None
        n = s.scalar(select(func.count(Person.id)))
        seconds, rows = best_of(args.repeat, lambda: counts.rows(s, period, county, 1))
        baseline_q = (
            select(Household.village_id, func.count(Person.id))
            .join(Household, Person.household_id == Household.id)
            .where(Household.period_id == period.id, Household.band == "A")
            .group_by(Household.village_id)
        )
        baseline, _ = best_of(args.repeat, lambda: s.execute(baseline_q).all())
        findings, _ = best_of(max(1, args.repeat // 2), lambda: counts.count_findings(s, period, county))
    assert isinstance(rows, list)
    result = {
        "bench": "counts_form1", "persons": n, "rows": len(rows), "band_a_persons": rows[0]["total"],
        "seconds": round(seconds, 4), "baseline_seconds": round(baseline, 4),
        "ratio": round(seconds / baseline, 2) if baseline else None,
        "findings_seconds": round(findings, 4),  # 附件1 + 附件2 rules (no previous month here)
        "goal_seconds": GOAL_SECONDS, "ok": seconds < GOAL_SECONDS,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

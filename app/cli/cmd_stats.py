"""`guatu stats`: sizes of a period (households, persons, per village) and findings per rule code."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="统计：户数、人数、各村户数人数、各规则问题数")
    common.add_db(p)
    common.add_period(p)
    common.add_json(p)
    return p


def stats(session, period) -> dict:
    """The `stats --json` document for ``period`` (the whole register): sizes counted by SQLite, findings
    by the screened ``check_period`` (the same findings as every rule on every household)."""
    from collections import Counter

    from app.services.checks import check_period, village_sizes

    villages = village_sizes(session, period)
    findings = check_period(session, period, None)
    by_code = Counter(f.code for f in findings)
    return {
        "period": period.month,
        "households": sum(v["households"] for v in villages.values()),
        "persons": sum(v["persons"] for v in villages.values()),
        "villages": villages,
        "findings": dict(sorted(by_code.items())),
    }


def run(args: argparse.Namespace) -> int:
    from app.rules.engine import RULES
    from app.services.errors import month_label
    from app.services.periods import get_period

    with common.open_db(args, write=False) as db, db.session() as s:
        period = get_period(s, args.period)
        doc = stats(s, period)
    if args.json:
        common.emit_json(doc)
        return common.EXIT_OK
    print(f"{month_label(period.month)}：{doc['households']}户，{doc['persons']}人，{len(doc['villages'])}个村")
    for path, v in doc["villages"].items():
        print(f"  {path}：{v['households']}户 {v['persons']}人")
    if doc["findings"]:
        print("问题（按规则）：")
        for code, n in doc["findings"].items():
            sev = "错误" if RULES.get(code, ("E",))[0] == "E" else "提示"
            print(f"  {code} {sev} {n}条  {RULES.get(code, ('', ''))[1]}")
    else:
        print("没有发现问题。")
    return common.EXIT_OK

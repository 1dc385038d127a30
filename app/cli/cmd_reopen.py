"""`guatu reopen --period YYYY-MM --reason TEXT`: unlock a month exported as final (audited)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="重新打开已报送（锁定）的月份，须说明原因")
    common.add_db(p)
    p.add_argument("--period", required=True, help="数据月份 YYYY-MM")
    p.add_argument("--reason", required=True, help="重新打开的原因（记入修改日志）")
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.errors import month_label
    from app.services.operations import ReopenPeriod, execute
    from app.services.periods import check_month

    check_month(args.period)
    with common.open_db(args, write=True) as db:
        period = execute(db, ReopenPeriod(args.period, args.reason)).value
    common.say(f"{month_label(period.month)}已重新打开，可以修改；原因已记入修改日志：{args.reason.strip()}")
    return common.EXIT_OK

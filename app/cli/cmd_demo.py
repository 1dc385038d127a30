"""`guatu demo --db PATH [--persons N] [--seed S] [--year YYYY] [--clean]`: a realistic demo register in
a new database, dated to the month being reported now and the one before (``--year``: February and
March of that year, the classic 2020 demo with ``--year 2020``)."""

from __future__ import annotations

import argparse
import datetime as dt

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="生成演示数据（两个月份，含若干故意的错误）")
    common.add_db(p)
    p.add_argument("--persons", type=int, default=3000, help="人数（默认 3000）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（同一种子生成相同的数据）")
    p.add_argument("--year", type=int, default=None,
                   help="生成该年2月、3月的数据（默认：正在报送的月份和上一个月）")
    p.add_argument("--clean", action="store_true",
                   help="不加故意的错误（正式导出可以成功，用于试正式报送）")
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.demo import generate
    from app.services.demo_parts import DemoMonths
    from app.storage import Database

    if args.persons < 10 or args.persons > 2_000_000:
        raise common.UsageError("人数应在 10 到 2000000 之间。")
    if args.year is not None and not 2000 <= args.year <= 2100:
        raise common.UsageError("年份应在 2000 到 2100 之间。")
    months = DemoMonths.of_year(args.year) if args.year is not None else DemoMonths.before(dt.date.today())
    path = common.db_path(args)
    new = common.is_server(path) or not path.exists() or path.stat().st_size == 0
    if new and not common.is_server(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    with Database(path, create=new) as db:
        summary = generate(db, persons=args.persons, seed=args.seed, months=months, clean=args.clean)
    common.say(
        f"已生成演示数据：{len(summary['periods'])}个月份（{'、'.join(summary['periods'])}），"
        f"{summary['townships']}个乡镇{summary['villages']}个村，{summary['households']}户{summary['persons']}人"
        f"（{db.where}）。" + ("" if args.clean else f"含{len(summary['violations'])}处故意的错误（--clean 可不加）。")
    )
    return common.EXIT_OK

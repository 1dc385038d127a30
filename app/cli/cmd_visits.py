"""`guatu visits import|list|satisfaction|log`: 入户走访 and the work log (household-records.md §2).

``import FILE.xlsx [--dry-run] [--json]`` records one visit per row (all rows or none);
``list [--period] [--unit] [--json]`` the month's visits; ``satisfaction [--period] [--unit]
[--json]`` 群众满意度 against 90 %; ``log --cadre NAME [--period] [--json]`` a cadre's 扶贫工作日志.
"""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="入户走访（五问四讲三看一化解）、群众满意度、扶贫工作日志")
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    imp = acts.add_parser("import", help="从走访表（.xlsx，每行一次走访）导入")
    common.add_db(imp)
    imp.add_argument("file", help="走访表 .xlsx")
    imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    common.add_json(imp)
    for action, text in (("list", "列出本月走访"), ("satisfaction", "群众满意度（目标90%）")):
        a = acts.add_parser(action, help=text)
        common.add_report(a)
    log = acts.add_parser("log", help="扶贫工作日志（日志和走访）")
    common.add_db(log)
    common.add_period(log)
    log.add_argument("--cadre", required=True, help="干部姓名")
    common.add_json(log)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services import visits
    from app.services.units import period_and_unit as resolve

    if args.action == "import":
        from app.services.operations import execute
        from app.services.record_ops import ImportVisits

        with common.open_db(args, write=True) as db:  # a refused file writes nothing
            res = execute(db, ImportVisits(visits.ImportVisits(args.file, args.dry_run))).value
        if args.json:
            common.emit_json(res.to_dict())
        else:
            for f in res.findings:
                common.say(str(f))
            if res.ok:
                common.say("检查通过，未写入。" if args.dry_run else f"已导入{len(res.visits)}次走访。")
            else:
                common.say("走访表有错误，未作任何修改。")
        return common.EXIT_OK if res.ok else common.EXIT_REFUSED
    if args.action == "log":
        with common.open_db(args, write=False) as db, db.read_session() as s:
            from app.services.periods import get_period

            month = get_period(s, args.period).month
            rows = visits.work_log(s, args.cadre, month)
        if args.json:
            common.emit_json({"cadre": args.cadre, "period": month, "entries": rows})
        else:
            print(f"{args.cadre} {month} 扶贫工作日志")
            for r in rows:
                print(f"{r['date']}\t{r['kind']}\t{r['text']}")
        return common.EXIT_OK
    with common.open_db(args, write=False) as db, db.read_session() as s:
        period, unit = resolve(s, args.period, args.unit)
        if args.action == "list":
            rows = visits.list_visits(s, unit, period.month)
            if args.json:
                common.emit_json({"period": period.month, "unit": unit.name, "visits": rows})
            else:
                for r in rows:
                    bad = [k for k, v in r["looks"].items() if v == "有问题"]
                    print(f"{r['visited_on']}\t{r['unit']}\t{r['head']}\t{r['visitor']}\t"
                          f"{'、'.join(bad) + '有问题' if bad else '三看正常'}\t{r['satisfaction'] or ''}")
            return common.EXIT_OK
        sat = visits.satisfaction_by_unit(s, unit, period.month)
    if args.json:
        common.emit_json([x.to_dict() for x in sat])
    else:
        for x in sat:
            rate = "—" if x.rate is None else f"{x.rate:.1f}%"
            mark = "" if x.meets is None else ("（达标）" if x.meets else "（低于90%）")
            print(f"{x.unit}\t走访{x.visited}户\t满意{x.satisfied}\t基本满意{x.basically}\t不满意{x.dissatisfied}\t"
                  f"群众满意度{rate}{mark}")
    return common.EXIT_OK

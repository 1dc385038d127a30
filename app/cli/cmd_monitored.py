"""`guatu monitored list|export|add`: 监测户 (household-records.md §3).

``list [--period] [--unit] [--json]`` the month's monitored households and the 红 households
proposed as 脱贫不稳定户; ``export --out DIR|FILE`` the 名单 as .xlsx and PDF; ``add --village V
--head NAME --kind K --since YYYY-MM-DD [--colour 红|黄|绿] [--reason R]…`` takes a household into monitoring.
"""

from __future__ import annotations

import argparse
import datetime as dt

from app.services.errors import UsageError

from . import common

_COLOURS = {"红": "red", "黄": "yellow", "绿": "green", "red": "red", "yellow": "yellow", "green": "green"}


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="防止返贫监测户：脱贫不稳定户、边缘易致贫户、突发严重困难户")
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    common.add_report(acts.add_parser("list", help="本月监测户名单（含建议纳入的红色户）"))
    exp = acts.add_parser("export", help="导出监测户名单（.xlsx 和 PDF）")
    common.add_db(exp)
    common.add_period(exp)
    common.add_unit(exp)
    exp.add_argument("--out", required=True, help="输出文件夹，或 .xlsx/.pdf 文件名")
    common.add_json(exp)
    add = acts.add_parser("add", help="纳入监测")
    common.add_db(add)
    add.add_argument("--village", required=True, help="村（名称或路径）")
    add.add_argument("--head", required=True, help="户主姓名")
    add.add_argument("--kind", required=True, help="脱贫不稳定户、边缘易致贫户 或 突发严重困难户")
    add.add_argument("--since", required=True, help="纳入监测日期 YYYY-MM-DD")
    add.add_argument("--colour", default="黄", help="红、黄、绿（默认黄）")
    add.add_argument("--reason", action="append", default=[], help="风险原因（可多次）")
    add.add_argument("--household", help="建档立卡户的编号（uuid），如有")
    common.add_json(add)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services import monitoring
    from app.services.units import period_and_unit as resolve

    if args.action == "list":
        with common.open_db(args, write=False) as db, db.read_session() as s:
            period, unit = resolve(s, args.period, args.unit)
            rows = monitoring.listing(s, period, unit)
        if args.json:
            common.emit_json({"period": period.month, "unit": unit.name, "households": rows})
        else:
            for r in rows:
                state = "建议纳入" if r["proposed"] else r["status"]
                print(f"{r['unit']}\t{r['head']}\t{r['kind']}\t{r['colour']}\t{r['reasons'] or ''}\t{state}")
        return common.EXIT_OK
    if args.action == "export":
        from app.services.operations import execute
        from app.services.record_ops import ExportMonitoredList

        with common.open_db(args, write=True) as db:
            res = execute(db, ExportMonitoredList(monitoring.ExportMonitored(args.period, args.unit, args.out))).value
        if args.json:
            common.emit_json({"files": res.files, "rows": res.rows})
        else:
            common.say(f"已导出监测户名单（{res.rows}户）：" + "、".join(res.files))
        return common.EXIT_OK
    try:
        since = dt.date.fromisoformat(args.since)
    except ValueError:
        raise UsageError(f"纳入监测日期应为 YYYY-MM-DD，现为“{args.since}”。") from None
    if args.colour not in _COLOURS:
        raise UsageError("--colour 只能是 红、黄、绿。")
    req = monitoring.AddMonitored(args.village, args.head, args.kind, since, _COLOURS[args.colour],
                                  tuple(args.reason), household=args.household)
    from app.services.operations import execute
    from app.services.record_ops import AddMonitored

    with common.open_db(args, write=True) as db:
        ch = execute(db, AddMonitored(req)).value
    if args.json:
        common.emit_json({"monitored": list(ch.monitored), "findings": [f.to_dict() for f in ch.findings]})
    else:
        common.say(f"已纳入监测：{args.head}（{ch.monitored[0]}）")
    return common.EXIT_OK

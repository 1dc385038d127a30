"""`guatu new-month --from YYYY-MM --to YYYY-MM [--prior-incomes FILE] [--json]`: open a month (结转)."""

from __future__ import annotations

import argparse
import json

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="从上月台账结转，开启新的数据月份")
    common.add_db(p)
    p.add_argument("--from", dest="from_month", required=True, help="从哪个月份结转 YYYY-MM")
    p.add_argument("--to", dest="to_month", required=True, help="新月份 YYYY-MM")
    p.add_argument("--prior-incomes", help="跨年度时：各户上年度人均纯收入，JSON 文件 {户UUID: 元}")
    common.add_json(p)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.errors import UsageError, month_label
    from app.services.operations import NewMonth, execute
    from app.services.periods import check_month

    check_month(args.from_month)
    check_month(args.to_month)
    prior = None
    if args.prior_incomes:
        try:
            with open(args.prior_incomes, encoding="utf-8") as fh:
                prior = {str(k): float(v) for k, v in json.load(fh).items()}
        except (OSError, ValueError, TypeError, AttributeError) as e:
            raise UsageError(f"无法读取上年度收入文件 {args.prior_incomes}：{e}") from None
    with common.open_db(args, write=True) as db:
        result = execute(db, NewMonth(args.from_month, args.to_month, prior)).value
    if args.json:
        common.emit_json(result)
    else:
        common.say(f"已开启{month_label(result['period'])}：{result['households']}户{result['persons']}人，"
                   f"其中已销号{result['closed_out']}户。")
        if result["left_scope"]:
            common.say(f"上年度人均纯收入超过5760元、不再结转的：{'、'.join(result['left_scope'])}")
        if result["hand_counts_to_retype"]:
            common.say(f"手填调度表人数未结转，请重新填写：{'、'.join(result['hand_counts_to_retype'])}")
    return common.EXIT_OK

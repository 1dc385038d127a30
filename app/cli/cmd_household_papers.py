"""`guatu household-papers --unit U --out FILE.pdf [--kind income|handbook|medical] [--layout booklet|sequence]
[--household UUID|户主] [--period]`: 一册两表 of a unit's households, or of one (the handbook A5 two-up on
landscape A4)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="一册两表：每户的收入情况一览表、治疗用药情况一览表（A4，每户一页）或扶贫手册（A5，两页拼一张A4）")
    common.add_db(p)
    common.add_unit(p)
    common.add_pdf_out(p)
    common.add_period(p)
    p.add_argument("--kind", default="income", help="income 收入情况一览表（默认）、handbook 扶贫手册、medical 治疗用药情况一览表（仅有病患成员的户）")
    p.add_argument("--layout", default="booklet",
                   help="扶贫手册的拼版：booklet 骑马钉小册子顺序（默认；双面打印、短边翻转，对折装订），"
                        "sequence 按页顺序（单面打印，沿中线裁开后叠放）")
    p.add_argument("--household", help="只打印一户：户主姓名（本单位内唯一时）或户的编号（uuid）")
    return p


def run(args: argparse.Namespace) -> int:
    from app.services import record_ops
    from app.services.operations import execute
    from app.services.papers import WritePapers

    out = common.pdf_out(args)
    with common.open_db(args, write=True) as db:
        info = execute(db, record_ops.WritePapers(WritePapers(args.period, args.unit, str(out), args.kind,
                                                              args.layout, args.household))).value
    common.say(f"已生成：{out}（{info['households']}户，{info['pages']}页）")
    return common.EXIT_OK

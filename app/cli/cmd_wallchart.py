"""`guatu wallchart --level L --unit U --paper A0…A3 [--tile A4|A3] --out FILE.pdf [--period]`."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="挂图作战图（县、乡镇、村三级；A0–A3，可拼贴到 A4/A3）")
    common.add_db(p)
    p.add_argument("--level", required=True, choices=("county", "township", "village"), help="县、乡镇或村级")
    common.add_unit(p)
    p.add_argument("--paper", default="A1", choices=("A0", "A1", "A2", "A3"), help="挂图纸张（横向，默认 A1）")
    p.add_argument("--tile", choices=("A4", "A3"), help="拼贴打印：分成多张 A4/A3，带重叠区、裁切线和行列编号")
    common.add_pdf_out(p)
    common.add_period(p)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.errors import UsageError
    from app.services.wallchart import write_chart

    out = common.pdf_out(args)
    if args.tile == "A3" and args.paper == "A3":
        raise UsageError("A3 挂图无需拼贴到 A3。")
    with common.open_db(args, write=False) as db, db.session() as s:
        unit = common.chosen_unit(s, args)
        info = write_chart(s, args.period, unit.id, args.paper, args.tile, out, args.level)
    how = (f"拼贴为{info['rows']}行×{info['cols']}列{args.tile}纸（另加1张索引）" if args.tile
           else f"{args.paper}横向1张")
    common.say(f"已生成挂图：{out}（{info['unit']}，{info['month']}，{how}）")
    return common.EXIT_OK

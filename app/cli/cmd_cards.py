"""`guatu cards --unit U --out FILE.pdf [--period]`: a 明白卡 for every household of the unit."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="明白卡：每户一张，每张 A4 两卡，带二维码")
    common.add_db(p)
    common.add_unit(p)
    p.add_argument("--out", required=True, help="输出 PDF 文件")
    common.add_period(p)
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.services.cards import write_cards_for
    from app.services.errors import UsageError
    from app.services.units import default_unit, find_unit

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"输出文件应为 .pdf：{out}")
    with common.open_db(args, write=False) as db, db.session() as s:
        unit = find_unit(s, args.unit) if args.unit else default_unit(s)
        if unit is None:
            raise UsageError("请用 --unit 指定单位。")
        info = write_cards_for(s, args.period, unit.id, out)
    common.say(f"已生成明白卡：{out}（{info['unit']}，{info['cards']}户，{info['pages']}页）")
    return common.EXIT_OK

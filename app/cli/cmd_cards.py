"""`guatu cards --unit U --out FILE.pdf [--period]`: a 明白卡 for every household of the unit."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="明白卡：每户一张，每张 A4 两卡，带二维码")
    common.add_db(p)
    common.add_unit(p)
    common.add_pdf_out(p)
    common.add_period(p)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.cards import write_cards_for

    out = common.pdf_out(args)
    with common.open_db(args, write=False) as db, db.session() as s:
        unit = common.chosen_unit(s, args)
        info = write_cards_for(s, args.period, unit.id, out)
    common.say(f"已生成明白卡：{out}（{info['unit']}，{info['cards']}户，{info['pages']}页）")
    return common.EXIT_OK

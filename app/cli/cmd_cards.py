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

    from app.exporters.cards import write_cards
    from app.services.cards import cards_for
    from app.services.errors import UsageError, month_label
    from app.services.periods import get_period
    from app.services.units import default_unit, find_unit, full_path

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"输出文件应为 .pdf：{out}")
    with common.open_db(args, write=False) as db, db.session() as s:
        period = get_period(s, args.period)
        unit = find_unit(s, args.unit) if args.unit else default_unit(s)
        if unit is None:
            raise UsageError("请用 --unit 指定单位。")
        cards = cards_for(s, unit, period)
        where = full_path(unit)
    if not cards:
        raise common.UsageError(f"{where}在{month_label(period.month)}中没有建档立卡户。")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        info = write_cards(cards, tmp, title=f"{where}扶贫明白卡（{month_label(period.month)}）")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    common.say(f"已生成明白卡：{out}（{where}，{info['cards']}户，{info['pages']}页）")
    return common.EXIT_OK

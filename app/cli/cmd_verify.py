"""`guatu verify DIR`: check a received month package (folder or .zip) against its manifest."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="核对收到的月报文件夹（或 zip）与清单是否一致")
    p.add_argument("dir", metavar="DIR", help="月报文件夹或 zip")
    common.add_db(p)
    common.add_json(p)
    return p


def run(args: argparse.Namespace) -> int:
    from app.importers.verify import verify_package

    result = verify_package(args.dir)
    if args.json:
        common.emit_json(result)
    elif result["ok"]:
        common.say("核对无误：文件与清单一致。")
    else:
        common.say(f"核对不通过（{len(result['problems'])} 处问题）：")
        for p in result["problems"]:
            common.say(f"  {p}")
    return common.EXIT_OK if result["ok"] else common.EXIT_REFUSED

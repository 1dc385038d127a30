"""`guatu restore --backup FILE`: replace the register with a backup; the current one is backed up first."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="从备份恢复数据库（先自动备份当前数据库）")
    common.add_db(p)
    p.add_argument("--backup", required=True, help="要恢复的备份文件")
    return p


def run(args: argparse.Namespace) -> int:
    from app.services import backup as bk

    target = common.file_only(args, "guatu restore ")
    before = bk.restore(target, Path(args.backup))
    common.say(f"已从备份恢复：{args.backup} → {target}")
    if before is not None:
        common.say(f"恢复前的数据库已保存为：{before}")
    else:
        common.say("恢复前没有数据库文件，无需另存。")
    return common.EXIT_OK

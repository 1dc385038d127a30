"""`guatu backup --out FILE`: a consistent copy of the register (SQLite backup API), safe while in use."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="备份数据库到一个文件（程序使用中也可以备份）")
    common.add_db(p)
    p.add_argument("--out", required=True, help="备份文件路径；给出文件夹时在其中按时间命名")
    common.add_json(p)
    return p


def run(args: argparse.Namespace) -> int:
    import datetime as dt
    import sqlite3

    from app.services import backup as bk

    src = common.file_only(args, "guatu backup ")
    if not src.is_file():
        raise common.UsageError(f"数据库文件不存在：{src}")
    verdict = bk.check_file(src)
    if verdict == "不是挂图作战数据库" or verdict.startswith("file is not a database"):
        raise common.UsageError(f"不是挂图作战数据库：{src}")
    out = Path(args.out)
    if out.is_dir():
        out = out / f"guatu-{dt.datetime.now():%Y%m%d-%H%M%S}-manual.db"
    if out.exists() and out.resolve() == src.resolve():
        raise common.UsageError("备份文件不能是数据库本身。")
    try:
        bk.copy_database(src, out)
    except (sqlite3.DatabaseError, OSError) as e:
        raise bk.backup_failed(e, src, out) from None
    if args.json:
        common.emit_json({"backup": str(out), "bytes": out.stat().st_size})
    else:
        common.say(f"已备份到：{out}")
    return common.EXIT_OK

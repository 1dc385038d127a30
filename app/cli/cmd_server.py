"""`guatu server init|add-login|backup|restore|import-sqlite|connect`: the county register on a
PostgreSQL server (docs/server.md). Run by county IT on the server machine (backup and restore
need its ``pg_dump``/``pg_restore``); ``connect`` saves a connection profile on a laptop."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import common


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="服务器上的数据库：postgresql+psycopg://用户@服务器:5432/guatu，或已保存的连接名称")


def _password(args: argparse.Namespace, *, required: bool) -> str | None:
    """The first line of --password-file, else asked at the terminal (never a command-line argument)."""
    if args.password_file:
        try:
            lines = Path(args.password_file).read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise common.UsageError(f"无法读取口令文件：{e}") from None
        return lines[0].strip() if lines else ""
    if not required:
        return None
    import getpass

    try:
        return getpass.getpass("口令：")
    except EOFError:  # no terminal to ask at (a script, a scheduled task)
        raise common.UsageError("没有输入口令：在终端中运行，或用 --password-file 给出口令文件") from None


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="服务器上的县级台账（PostgreSQL）：建库、账号、备份、恢复、迁入本机台账")
    actions = p.add_subparsers(dest="action", required=True, metavar="操作")

    a = actions.add_parser("init", help="新建数据库、县管理员和乡镇录入员两个角色，并建好台账结构（可重复运行）")
    _db(a)
    common.add_json(a)

    a = actions.add_parser("add-login", help="为一个人新建登录账号（县管理员或乡镇录入员）")
    _db(a)
    a.add_argument("name", help="登录名（小写英文字母、数字、下划线）")
    a.add_argument("--role", required=True, choices=["county-admin", "township-clerk"], help="角色")
    a.add_argument("--password-file", metavar="FILE", help="口令文件（首行）；不给时在终端输入")
    a.add_argument("--township", action="append", default=[], metavar="乡镇",
                   help="乡镇录入员可以修改的乡镇（可多次给出）；数据库只允许其修改这些乡镇的数据")

    a = actions.add_parser("backup", help="用 pg_dump 备份（自定义格式，校验后才保存）")
    _db(a)
    a.add_argument("--out", required=True, help="备份文件；给出文件夹时在其中按时间命名")
    common.add_json(a)

    a = actions.add_parser("restore", help="用 pg_restore 从备份恢复（先校验，先备份当前数据库）")
    _db(a)
    a.add_argument("--backup", required=True, help="要恢复的备份文件（.dump）")
    a.add_argument("--keep-dir", help="恢复前备份存放的文件夹（默认：备份文件所在文件夹）")
    common.add_json(a)

    a = actions.add_parser("import-sqlite", help="把本机的台账文件（SQLite）移到服务器上的空数据库")
    _db(a)
    a.add_argument("--from", dest="source", required=True, help="本机台账文件（.db）")
    common.add_json(a)

    a = actions.add_parser("connect", help="在本机保存一个服务器连接（口令存入系统凭据库，不写入设置）")
    a.add_argument("name", help="连接名称，之后可用 --db 名称")
    a.add_argument("--host", required=True, help="服务器地址")
    a.add_argument("--port", type=int, default=5432, help="端口（默认 5432）")
    a.add_argument("--dbname", default="guatu", help="数据库名（默认 guatu）")
    a.add_argument("--user", required=True, help="登录名")
    a.add_argument("--password-file", metavar="FILE", help="口令文件（首行）；不给时在终端输入")
    return p


def _target(args: argparse.Namespace) -> str:
    target = common.db_path(args)
    if not common.is_server(target):
        raise common.UsageError("请用 --db 给出服务器上的数据库：postgresql+psycopg://用户@服务器:5432/guatu")
    return target


def run(args: argparse.Namespace) -> int:
    from app.services import server

    if args.action == "connect":
        from app.connections import Profile, save_profile

        profile = Profile(args.name, args.host, args.dbname, args.user, args.port)
        save_profile(profile, _password(args, required=True))
        common.say(f"已保存连接“{args.name}”：{profile.key()}（之后用 --db {args.name}）")
        return common.EXIT_OK
    if args.action == "init":
        made = server.init_server(_target(args))
        if args.json:
            common.emit_json(made)
        else:
            common.say(f"数据库 {made['database']}{'已新建' if made['created'] else '已存在'}，结构版本 {made['revision']}；"
                       f"角色 {server.ADMIN_ROLE}（县管理员）、{server.CLERK_ROLE}（乡镇录入员）已就绪。")
        return common.EXIT_OK
    if args.action == "add-login":
        new = server.add_login(_target(args), args.name, args.role, _password(args, required=True) or "")
        common.say(f"{'已新建' if new else '已更新'}登录账号 {args.name}（{args.role}）。")
        if args.township:
            paths = server.set_townships(_target(args), args.name, args.township)
            common.say(f"{args.name} 可以修改：{'、'.join(paths)}。")
        return common.EXIT_OK
    if args.action == "backup":
        out = server.backup(_target(args), Path(args.out))
        if args.json:
            common.emit_json({"backup": str(out), "bytes": out.stat().st_size})
        else:
            common.say(f"已备份到：{out}")
        return common.EXIT_OK
    if args.action == "restore":
        dump = Path(args.backup)
        done = server.restore(_target(args), dump, Path(args.keep_dir) if args.keep_dir else dump.parent)
        if args.json:
            common.emit_json({"database": done.database, "backup": str(done.backup), "before": str(done.before)})
        else:
            common.say(f"已从备份恢复：{dump} → {done.database}（恢复前的数据库已备份到 {done.before}）")
        return common.EXIT_OK
    if args.action == "import-sqlite":
        counts = server.import_sqlite(Path(args.source), _target(args))
        if args.json:
            common.emit_json({"tables": counts})
        else:
            common.say(f"已移到服务器：{counts.get('households', 0)}户，{counts.get('persons', 0)}人"
                       f"（共 {sum(counts.values())} 行，{len(counts)} 个表）。")
        return common.EXIT_OK
    raise common.UsageError(f"未知操作：{args.action}")

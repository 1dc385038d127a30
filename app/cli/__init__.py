"""The `guatu` command line (cli.md): one module a command, over the same services as the GUI.

Each ``app/cli/cmd_<name>.py`` has ``add_parser(subparsers)`` and ``run(args) -> int``; heavy
imports stay inside ``run`` so that every command starts fast.
"""

from __future__ import annotations

import argparse
import sys

from app import __version__

from . import (
    cmd_adjustments,
    cmd_analysis,
    cmd_backup,
    cmd_cards,
    cmd_check,
    cmd_counts,
    cmd_demo,
    cmd_export,
    cmd_gui,
    cmd_household_papers,
    cmd_import,
    cmd_init,
    cmd_monitored,
    cmd_new_month,
    cmd_problems,
    cmd_reopen,
    cmd_report,
    cmd_restore,
    cmd_selftest,
    cmd_server,
    cmd_stats,
    cmd_supervision,
    cmd_tasks,
    cmd_verify,
    cmd_visits,
    cmd_wallchart,
)

# Command name → module, in the order of cli.md.
COMMANDS = {
    "gui": cmd_gui,
    "init": cmd_init,
    "demo": cmd_demo,
    "check": cmd_check,
    "stats": cmd_stats,
    "counts": cmd_counts,
    "export": cmd_export,
    "verify": cmd_verify,
    "import": cmd_import,
    "new-month": cmd_new_month,
    "reopen": cmd_reopen,
    "wallchart": cmd_wallchart,
    "cards": cmd_cards,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "selftest": cmd_selftest,
    "adjustments": cmd_adjustments,
    "visits": cmd_visits,
    "monitored": cmd_monitored,
    "household-papers": cmd_household_papers,
    "tasks": cmd_tasks,
    "problems": cmd_problems,
    "supervision": cmd_supervision,
    "analysis": cmd_analysis,
    "report": cmd_report,
    "server": cmd_server,
}


DB_HELP = "数据库文件，或服务器上的数据库 postgresql+psycopg://用户@服务器/库名，或已保存的连接名称（默认：用户数据目录中的文件）"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (cli.md)
        sys.stderr.write(f"guatu: 参数错误：{message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="guatu", description="挂图作战：贫困户台账、月调度表、挂图与明白卡")
    parser.add_argument("--version", action="version", version=f"guatu {__version__}")
    parser.add_argument("--db", help=DB_HELP)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, mod in COMMANDS.items():
        p = mod.add_parser(sub, name)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from app.logging_setup import setup_logging

    from .common import run_command

    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    return run_command(args)


if __name__ == "__main__":
    raise SystemExit(main())

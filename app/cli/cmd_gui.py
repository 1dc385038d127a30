"""`guatu gui [--db] [--screenshot FILE.png]`: the clerk's window (also plain `guatu`)."""

from __future__ import annotations

import argparse


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    from app.cli import common

    p = sub.add_parser(name, help="打开挂图作战主窗口")
    common.add_db(p)
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="打开窗口（选中第一个村及其第一户），截图保存为 PNG 后退出")
    return p


def run(args: argparse.Namespace) -> int:
    from app.cli import common
    from app.ui.app import run as run_gui

    return run_gui(common.db_path(args), screenshot=getattr(args, "screenshot", None))

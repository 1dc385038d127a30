"""`guatu gui [--db] [--screenshot FILE.png]`: the clerk's window (also plain `guatu`)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="打开挂图作战主窗口")
    common.add_db(p)
    p.add_argument("--screenshot", metavar="FILE.png",
                   help="打开窗口（选中第一个村及其第一户），截图保存为 PNG 后退出")
    return p


def run(args: argparse.Namespace) -> int:
    from app.ui.app import run as run_gui  # Qt only when the window is asked for

    return run_gui(common.db_path(args), screenshot=getattr(args, "screenshot", None))

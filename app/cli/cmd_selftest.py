"""`guatu selftest`: prove an installation works end to end, in a temporary folder.

For frozen builds (the Windows installer): it exercises what a bundle can lack — the migration
scripts, the fonts, openpyxl with defusedxml, reportlab, the Qt platform plugins — by building a
small demo register, checking it, exporting a draft package and rendering one PDF page.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="自检：生成演示数据库、检查、导出草稿、渲染PDF（用于验证安装）")
    p.add_argument("--keep", metavar="DIR", help="在此文件夹中运行并保留结果（默认：临时文件夹，用后删除）")
    p.add_argument("--persons", type=int, default=120, help="演示数据人数（默认 120）")
    common.add_json(p)
    return p


def run(args: argparse.Namespace) -> int:
    import tempfile

    from app.selftest import SelftestFailed, run_selftest

    steps: list[dict] = []

    def report(step: str, detail: str) -> None:
        steps.append({"step": step, "detail": detail})
        if not args.json:
            common.say(f"  ✓ {step}：{detail}")

    if not args.json:
        common.say("挂图作战 自检开始")
    try:
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            run_selftest(Path(args.keep), persons=args.persons, report=report)
        else:
            with tempfile.TemporaryDirectory(prefix="guatu-selftest-") as tmp:
                run_selftest(Path(tmp), persons=args.persons, report=report)
    except SelftestFailed as e:
        if args.json:
            common.emit_json({"ok": False, "steps": steps, "failed": e.step, "error": e.detail})
        common.say(f"  ✗ {e.step}：{e.detail}")
        common.say("自检失败。")
        return common.EXIT_REFUSED
    if args.json:
        common.emit_json({"ok": True, "steps": steps})
    else:
        common.say("自检通过。")
    return common.EXIT_OK

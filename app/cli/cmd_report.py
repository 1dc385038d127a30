"""`guatu report --out DIR`: 一报告 (supervision.md §4) as .docx and PDF (docs/analysis.md)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="月度分析报告：.docx 和 PDF，各乡镇反馈单（xlsx 和 PDF，反馈问题记入问题台账）")
    common.add_db(p)
    p.add_argument("--out", required=True, help="输出文件夹")
    common.add_period(p)
    common.add_unit(p)
    p.add_argument("--no-feedback", action="store_true", help="只生成报告，不生成反馈单")
    common.add_json(p)
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.services.operations import execute
    from app.services.record_ops import ExportAnalysisReport

    with common.open_db(args, write=True) as db:
        files = execute(db, ExportAnalysisReport(Path(args.out), args.period, args.unit,
                                                 feedback=not args.no_feedback)).value
    if args.json:
        common.emit_json({"files": [str(f) for f in files]})
    else:
        for f in files:
            common.say(f"已生成：{f}")
    return common.EXIT_OK

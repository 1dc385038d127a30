"""`guatu analysis`: 一月一分析 (supervision.md §4), the month's figures beside last month's (docs/analysis.md)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="月度分析：户数人数、销号、致贫原因、红黄绿、措施、收入、变动、问题与台账，与上月对比")
    common.add_db(p)
    common.add_period(p)
    common.add_unit(p)
    common.add_json(p)
    return p


def _open(args: argparse.Namespace):
    """For writing when no other guatu holds the register, so the month's check summary is kept for
    the next run (``analysis.findings_summary``); read-only beside the window or on a read-only file."""
    from app.storage import DatabaseInUse, StorageError

    try:
        return common.open_db(args, write=True)
    except (DatabaseInUse, StorageError, OSError):
        return common.open_db(args, write=False)


def run(args: argparse.Namespace) -> int:
    from app.kernel.analysis import to_json
    from app.kernel.analysis_text import report_content
    from app.services.analysis import analyse

    with _open(args) as db, db.session() as s:
        a = analyse(s, args.period, args.unit)
    if args.json:
        common.emit_json(to_json(a))
        return common.EXIT_OK
    content = report_content(a)
    print(content.title)
    for section in content.sections:
        print(section.heading)
        for para in section.paragraphs:
            print("  " + para)
    return common.EXIT_OK

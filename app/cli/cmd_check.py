"""`guatu check`: every finding of a period (households, fund projects, count rows) and the D-rules
of the year's ledgers (督战与销号, judged on ``--today``), as a report.

Exit 0 even with findings: checking reports, it refuses nothing (cli.md). Whether the month may be
exported as final is said from the month's own findings: the ledgers are not part of its report.
"""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="检查台账：列出全部错误和提示")
    common.add_report(p)
    p.add_argument("--today", help="督战与销号按此日期判断逾期等（YYYY-MM-DD，默认：今天）")
    return p


def run(args: argparse.Namespace) -> int:
    from app.models.units import unit_path
    from app.rules.findings import count
    from app.services.checks import check_period
    from app.services.errors import month_label
    from app.services.periods import get_period
    from app.services.units import default_unit, find_unit

    from .ledger_common import today

    # No quick_check on open: the check reads the month's pages before it prints a line, and a
    # damaged page read is refused with exit 2 (``common.run_command``) as quick_check would.
    with common.open_db(args, write=False, verify=False) as db, db.session() as s:
        period = get_period(s, args.period)
        unit = find_unit(s, args.unit) if args.unit else default_unit(s)
        findings = check_period(s, period, unit, today=today(args))
        scope = unit_path(unit) if unit is not None else "全部单位"
    errors, warnings = count(findings)
    if args.json:
        common.emit_json({"period": period.month, "errors": errors, "warnings": warnings,
                          "findings": [f.to_dict() for f in findings]})
        return common.EXIT_OK
    for f in findings:
        line = str(f)
        if f.note:
            line += f"（核实说明：{f.note}）"
        print(line)
    month_errors, _ = count([f for f in findings if f.record is None])
    verdict = "可以导出正式报表" if month_errors == 0 else "有错误，改正后才能导出正式报表"
    print(f"{month_label(period.month)} · {scope}：共{len(findings)}条，错误{errors}条，提示{warnings}条。{verdict}。")
    return common.EXIT_OK

"""`guatu problems list|export|add|close`: the problems ledger (问题整改台账) of a year.

``list --json`` prints ``{"year", "today", "problems": [problem…], "findings": [finding…]}``.
"""

from __future__ import annotations

import argparse

from app.kernel.ledgers import PROBLEM_SOURCES

from . import common
from . import ledger_common as lc


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="问题整改台账：来源、整改措施、整改时限、销号")
    acts = p.add_subparsers(dest="action", parser_class=type(p), required=True)

    a = acts.add_parser("list", help="列出问题")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--overdue", action="store_true", help="只列逾期的")
    a.add_argument("--due-this-month", action="store_true", help="只列本月到期的")
    a.add_argument("--open", action="store_true", help="只列未销号的")
    a.add_argument("--unit", help="只列此责任单位的")

    a = acts.add_parser("export", help="导出台账（.xlsx 或 .pdf）")
    lc.add_year(a)
    a.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")

    a = acts.add_parser("add", help="登记一个问题")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--source", required=True, choices=PROBLEM_SOURCES, help="来源")
    a.add_argument("--description", required=True, help="问题描述")
    a.add_argument("--resp-unit", help="责任单位")
    a.add_argument("--resp-person", help="责任人")
    a.add_argument("--deadline", help="整改时限 YYYY-MM-DD")
    a.add_argument("--measures", help="整改措施")
    a.add_argument("--unit", help="涉及的单位（名称或路径）")
    a.add_argument("--household", help="涉及的户（UUID）")
    a.add_argument("--task", help="涉及的任务（UUID）")

    a = acts.add_parser("close", help="销号（需销号日期和销号依据）")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("uuid", help="问题的 UUID")
    a.add_argument("--date", help="销号日期 YYYY-MM-DD")
    a.add_argument("--basis", help="销号依据")
    a.add_argument("--file", action="append", default=[], help="佐证材料文件名（可多次）")
    return p


def record(ln) -> dict:
    return {"uuid": ln.uuid, "seq": ln.seq, "source": ln.source, "description": ln.description, "unit": ln.unit,
            "household": ln.household, "task": ln.task, "measures": ln.measures, "resp_unit": ln.resp_unit,
            "resp_person": ln.resp_person, "deadline": lc.iso(ln.deadline), "status": ln.status,
            "overdue": ln.overdue, "due_this_month": ln.due_this_month, "closed_on": lc.iso(ln.closed_on),
            "closed_basis": ln.closed_basis, "evidence_files": list(ln.evidence_files),
            "opened_on": lc.iso(ln.opened_on), "feedback_month": ln.feedback_month}


def _list(args) -> int:
    from app.services.ledgers import problem_findings, problem_lines

    now = lc.today(args)
    with common.open_db(args, write=False) as db, db.session() as s:
        year = lc.year(s, args)
        lines = problem_lines(s, year, now)
        findings = problem_findings(s, year, now)
    if args.overdue:
        lines = [ln for ln in lines if ln.overdue]
    if args.due_this_month:
        lines = [ln for ln in lines if ln.due_this_month]
    if args.open:
        lines = [ln for ln in lines if ln.status != "已销号"]
    if args.unit:
        lines = [ln for ln in lines if ln.resp_unit and args.unit in ln.resp_unit]
    keep = {ln.uuid for ln in lines}
    findings = [f for f in findings if f.record is None or f.record[1] in keep]
    if args.json:
        common.emit_json({"year": year, "today": now.isoformat(), "problems": [record(ln) for ln in lines],
                          "findings": [f.to_dict() for f in findings]})
        return common.EXIT_OK
    for ln in lines:
        mark = "【逾期】" if ln.overdue else ""
        print(f"{ln.seq}. [{ln.source or '-'}] {ln.description or ''} — {ln.resp_unit or '-'}，"
              f"时限{lc.iso(ln.deadline) or '-'}，{ln.status}{mark}")
    for f in findings:
        print(str(f))
    common.say(f"{year}年：{len(lines)}个问题，{len(findings)}条提示或错误。")
    return common.EXIT_OK


def _export(args) -> int:
    return lc.export_ledger(args, "problems")


def _add(args) -> int:
    from app.services import ledger_ops
    from app.services.ledgers import AddProblem
    from app.services.operations import execute

    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            year = lc.year(s, args)
        changed = execute(db, ledger_ops.AddProblem(AddProblem(
            year, args.source, args.description, args.resp_unit, args.deadline, args.measures,
            args.resp_person, args.unit, args.household, args.task, today=lc.today(args)))).value.changed
    if args.json:
        common.emit_json({"problems": list(changed.problems), "findings": [f.to_dict() for f in changed.findings]})
    else:
        common.say(f"已登记问题 {changed.problems[0]}。")
        lc.print_findings(changed.findings)
    return common.EXIT_OK


def _close(args) -> int:
    from app.services import ledger_ops
    from app.services.ledgers import CloseOutProblem
    from app.services.operations import execute

    with common.open_db(args, write=True) as db:
        changed = execute(db, ledger_ops.CloseOutProblem(CloseOutProblem(
            args.uuid, lc.date_arg(args.date, "销号日期"), args.basis, tuple(args.file), lc.today(args)))).value.changed
    if args.json:
        common.emit_json({"problems": list(changed.problems), "findings": [f.to_dict() for f in changed.findings]})
    else:
        common.say("问题已销号。")
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "export": _export, "add": _add, "close": _close}[args.action](args)

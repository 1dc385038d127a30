"""`guatu tasks list|import|export|progress|close`: the year's responsibility lists (两张清单).

``list --json`` prints ``{"year", "today", "tasks": [task…], "findings": [finding…]}``; a task
carries its 责任单位 rows (``units``), each with 状态, 逾期, the latest progress and its 销号.
"""

from __future__ import annotations

import argparse
from collections import OrderedDict
from pathlib import Path

from . import common
from . import ledger_common as lc


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="责任清单（两张清单）：任务、月度进展、对表销号")
    acts = p.add_subparsers(dest="action", parser_class=type(p), required=True)

    a = acts.add_parser("list", help="列出任务（可筛选逾期、本月到期、责任单位）")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--kind", choices=("departments", "townships"), help="部门清单或乡镇清单（默认：两张）")
    a.add_argument("--overdue", action="store_true", help="只列逾期的")
    a.add_argument("--due-this-month", action="store_true", help="只列本月到期的")
    a.add_argument("--closed", action="store_true", help="只列已销号的")
    a.add_argument("--unit", help="只列此责任单位的")

    a = acts.add_parser("import", help="从 .docx 或 .xlsx 导入责任清单")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("file", help="清单文件（.docx 或 .xlsx）")
    a.add_argument("--kind", choices=("departments", "townships"), default="departments")
    a.add_argument("--replace", action="store_true", help="替换该年度该清单已有的任务")
    a.add_argument("--dry-run", action="store_true", help="只预览，不写入")

    a = acts.add_parser("export", help="导出清单（.xlsx 或 .pdf）")
    lc.add_year(a)
    a.add_argument("--kind", choices=("departments", "townships"), default="departments")
    a.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")

    a = acts.add_parser("progress", help="填写某责任单位某月的进展")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--kind", choices=("departments", "townships"))
    a.add_argument("--seq", type=int, required=True, help="任务序号")
    a.add_argument("--unit", required=True, help="责任单位")
    a.add_argument("--month", required=True, help="月份 YYYY-MM")
    a.add_argument("--text", required=True, help="进展情况")
    a.add_argument("--percent", type=float, help="完成百分比")

    a = acts.add_parser("close", help="对表销号（需销号日期和销号依据）")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--kind", choices=("departments", "townships"))
    a.add_argument("--seq", type=int, required=True, help="任务序号")
    a.add_argument("--unit", help="责任单位（默认：全部未销号的）")
    a.add_argument("--date", help="销号日期 YYYY-MM-DD")
    a.add_argument("--basis", help="销号依据")
    a.add_argument("--file", action="append", default=[], help="佐证材料文件名（可多次）")
    return p


def _task_records(lists) -> list[dict]:
    tasks: OrderedDict[str, dict] = OrderedDict()
    for view in lists:
        for ln in view.lines:
            t = tasks.get(ln.task_uuid)
            if t is None:
                t = tasks[ln.task_uuid] = {
                    "uuid": ln.task_uuid, "list": view.kind, "seq": ln.seq, "heading": ln.heading, "target": ln.target,
                    "measures": ln.measures, "deadline": lc.iso(ln.deadline), "deadline_text": ln.deadline_text,
                    "ongoing": ln.ongoing, "leaders": ln.leaders, "persons": ln.persons, "overdue": False,
                    "created_on": lc.iso(ln.created_on), "status": None, "units": []}
            if ln.unit_uuid:
                t["units"].append({
                    "uuid": ln.unit_uuid, "name": ln.unit, "status": ln.status, "overdue": ln.overdue,
                    "due_this_month": ln.due_this_month, "progress": ln.progress, "progress_month": ln.progress_month,
                    "closed_on": lc.iso(ln.closed_on), "closed_basis": ln.closed_basis,
                    "evidence_files": list(ln.evidence_files)})
            t["overdue"] = t["overdue"] or ln.overdue
    for t in tasks.values():
        states = [u["status"] for u in t["units"]]
        t["status"] = ("已销号" if states and all(s == "已销号" for s in states) else
                       "已完成" if states and all(s in ("已完成", "已销号") for s in states) else
                       "推进中" if any(s != "未开始" for s in states) else "未开始")
    return list(tasks.values())


def _keep(rec: dict, args) -> dict | None:
    units = rec["units"]
    if args.unit:
        units = [u for u in units if u["name"] == args.unit]
    if args.overdue:
        units = [u for u in units if u["overdue"]]
    if args.due_this_month:
        units = [u for u in units if u["due_this_month"]]
    if args.closed:
        units = [u for u in units if u["status"] == "已销号"]
    if not units and (args.unit or args.overdue or args.due_this_month or args.closed):
        return None
    return {**rec, "units": units}


def _list(args) -> int:
    from app.services.ledgers import list_views, task_findings

    now = lc.today(args)
    with common.open_db(args, write=False) as db, db.session() as s:
        year = lc.year(s, args)
        views = list_views(s, year, now, args.kind)
        findings = [f for f in task_findings(s, year, now)]
    records = [r for r in (_keep(r, args) for r in _task_records(views)) if r is not None]
    keep = {r["uuid"] for r in records}
    findings = [f for f in findings if f.record is None or f.record[1] in keep]
    if args.json:
        common.emit_json({"year": year, "today": now.isoformat(), "tasks": records,
                          "findings": [f.to_dict() for f in findings]})
        return common.EXIT_OK
    for r in records:
        print(f"{r['seq'] or '-'}. {r['target'] or ''}（{r['deadline_text'] or '无完成时限'}）{r['status']}")
        for u in r["units"]:
            mark = "【逾期】" if u["overdue"] else ""
            closed = f" 销号 {u['closed_on']} {u['closed_basis']}" if u["closed_on"] else ""
            print(f"    {u['name']}：{u['status']}{mark}{closed}")
    for f in findings:
        print(str(f))
    common.say(f"{year}年：{len(records)}项任务，{len(findings)}条提示或错误。")
    return common.EXIT_OK


def _import(args) -> int:
    from app.services import ledger_ops
    from app.services.errors import Refused
    from app.services.ledgers import ImportList, ListExists
    from app.services.operations import execute

    path = Path(args.file)
    if not path.is_file():
        raise common.UsageError(f"找不到文件：{path}")
    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            year = lc.year(s, args)
        try:
            result = execute(db, ledger_ops.ImportList(ImportList(path, year, args.kind, args.replace, args.dry_run,
                                                                  lc.today(args)))).value
        except ListExists as e:
            raise Refused(f"{e.message}（加 --replace 替换）", e.findings) from e
    if args.json:
        common.emit_json({
            "ok": True, "year": year, "kind": args.kind, "dry_run": args.dry_run, "list": result.list_uuid,
            "tasks": result.tasks, "task_units": result.task_units,
            "unplaced": [{"where": u.where, "text": u.text, "why": u.why} for u in result.unplaced],
            "unread_deadlines": list(result.unread_deadlines),
            "findings": [f.to_dict() for f in result.findings]})
        return common.EXIT_OK
    verb = "可导入" if args.dry_run else "已导入"
    common.say(f"{verb}{year}年清单：{result.tasks}项任务，{result.task_units}个责任单位行。")
    for u in result.unplaced:
        common.say(f"  未能归入：{u}")
    for text in result.unread_deadlines:
        common.say(f"  {text}")
    lc.print_findings(result.findings)
    return common.EXIT_OK


def _export(args) -> int:
    return lc.export_ledger(args, args.kind)


def _progress(args) -> int:
    from app.services import ledger_ops
    from app.services.ledgers import RecordProgress, task_uuid_of
    from app.services.operations import execute

    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            uuid = task_uuid_of(s, lc.year(s, args), args.seq, args.kind)
        changed = execute(db, ledger_ops.RecordProgress(RecordProgress(
            uuid, args.unit, args.month, args.text, args.percent, lc.today(args)))).value.changed
    if args.json:
        common.emit_json({"task": uuid, "task_units": list(changed.task_units),
                          "findings": [f.to_dict() for f in changed.findings]})
    else:
        common.say(f"已记录任务{args.seq}“{args.unit}”{args.month}的进展。")
    return common.EXIT_OK


def _close(args) -> int:
    from app.services import ledger_ops
    from app.services.ledgers import CloseOutTask, task_uuid_of
    from app.services.operations import execute

    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            uuid = task_uuid_of(s, lc.year(s, args), args.seq, args.kind)
        changed = execute(db, ledger_ops.CloseOutTask(CloseOutTask(
            uuid, args.unit, lc.date_arg(args.date, "销号日期"), args.basis, tuple(args.file),
            lc.today(args)))).value.changed
    if args.json:
        common.emit_json({"task": uuid, "task_units": list(changed.task_units),
                          "findings": [f.to_dict() for f in changed.findings]})
    else:
        common.say(f"任务{args.seq}已销号（{len(changed.task_units)}个责任单位行）。")
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    return {"list": _list, "import": _import, "export": _export, "progress": _progress, "close": _close}[args.action](args)

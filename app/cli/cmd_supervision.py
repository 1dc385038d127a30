"""`guatu supervision candidates|list|entry|export`: 挂牌督战 (supervision.md §3).

``candidates --json`` prints ``{"period", "thresholds", "candidates": [{"level", "unit", "county",
"reason", "reason_text", "persons", "incidence", "figure", "listed"}]}``; ``--confirm`` lists them
as the year's 督战对象. ``list --json`` prints ``{"year", "today", "targets": [...], "findings": [...]}``.
"""

from __future__ import annotations

import argparse

from . import common
from . import ledger_common as lc


def _thresholds(p: argparse.ArgumentParser) -> None:
    p.add_argument("--county-over", type=int, help="县剩余贫困人口超过（默认：本单位设定，未设定为1000）")
    p.add_argument("--township-at-least", type=int, help="乡镇贫困人口不少于（默认：本单位设定，未设定为300）")
    p.add_argument("--incidence-over", type=float, help="村贫困发生率超过%%（默认：本单位设定，未设定为10）")


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="挂牌督战：督战对象、督战台账、挂牌督战表")
    acts = p.add_subparsers(dest="action", parser_class=type(p), required=True)

    a = acts.add_parser("candidates", help="按阈值从台账提出督战对象（--confirm 确认挂牌）")
    common.add_db(a)
    common.add_period(a)
    common.add_json(a)
    _thresholds(a)
    a.add_argument("--confirm", action="store_true", help="把尚未挂牌的候选确认为督战对象")
    a.add_argument("--save", action="store_true", help="把给出的阈值存为本单位的挂牌标准")
    a.add_argument("--today", help="按此日期判断（YYYY-MM-DD）")

    a = acts.add_parser("list", help="列出督战对象")
    lc.add_year(a)
    common.add_json(a)

    a = acts.add_parser("entry", help="填写某督战对象某月的督战台账")
    lc.add_year(a)
    common.add_json(a)
    a.add_argument("--target", required=True, help="督战对象名称或 UUID")
    a.add_argument("--month", required=True, help="月份 YYYY-MM")
    a.add_argument("--actions", help="督战工作（走访、会议等）")
    a.add_argument("--found", type=int, default=0, help="发现问题数")
    a.add_argument("--solved", type=int, default=0, help="解决问题数")
    a.add_argument("--note", help="备注")

    a = acts.add_parser("population", help="填写村的农村人口（计算贫困发生率用）")
    common.add_db(a)
    a.add_argument("--unit", required=True, help="村的名称或路径")
    a.add_argument("--persons", type=int, help="农村人口数（不填则清除）")

    a = acts.add_parser("export", help="导出挂牌督战表（或 --townships 乡镇名单），.xlsx 或 .pdf")
    lc.add_year(a)
    common.add_period(a)
    _thresholds(a)
    a.add_argument("--townships", action="store_true", help="导出贫困人口超过阈值的乡镇名单（种子003样式）")
    a.add_argument("--out", required=True, help="输出文件 .xlsx 或 .pdf")
    return p


def _thr(args, session):
    """Flags given override the office's thresholds (which default to the seeds')."""
    from app.services.supervision import Thresholds, office_thresholds

    base = office_thresholds(session)
    return Thresholds(
        args.county_over if args.county_over is not None else base.county_over,
        args.township_at_least if args.township_at_least is not None else base.township_at_least,
        args.incidence_over if args.incidence_over is not None else base.village_incidence_over)


def _candidates(args) -> int:
    from app.services import ledger_ops
    from app.services.operations import execute
    from app.services.periods import get_period
    from app.services.supervision import ConfirmCandidates, candidates

    with common.open_db(args, write=args.confirm or args.save) as db:
        with db.read_session() as s:
            period = get_period(s, args.period)
            thr = _thr(args, s)
            found = candidates(s, period, thr)
            month = period.month
        if args.save:
            execute(db, ledger_ops.SetThresholds(thr))
        listed = None
        if args.confirm:
            listed = execute(db, ledger_ops.ConfirmCandidates(ConfirmCandidates(month, (), thr,
                                                                                lc.today(args)))).value.changed
    if args.json:
        doc = {"period": month, "thresholds": {"county_over": thr.county_over,
               "township_at_least": thr.township_at_least, "incidence_over": thr.village_incidence_over},
               "candidates": [c.to_dict() for c in found]}
        if listed is not None:
            doc["listed"] = list(listed.targets)
        common.emit_json(doc)
        return common.EXIT_OK
    for c in found:
        print(f"{c.path}：{c.figure}（{c.reason}）{'已挂牌' if c.listed else ''}")
    common.say(f"{month}：{len(found)}个候选督战对象" + (f"，新挂牌{len(listed.targets)}个" if listed else "") + "。")
    return common.EXIT_OK


def _list(args) -> int:
    from app.services.supervision import target_findings, target_lines

    now = lc.today(args)
    with common.open_db(args, write=False) as db, db.session() as s:
        year = lc.year(s, args)
        lines = target_lines(s, year, now)
        findings = target_findings(s, year, now)
    if args.json:
        common.emit_json({"year": year, "today": now.isoformat(), "targets": [
            {"uuid": t.uuid, "county": t.county, "level": t.level, "name": t.name, "reason": t.reason,
             "figure": t.figure, "persons": t.persons, "leaders": t.leaders, "team_lead": t.team_lead,
             "months": list(t.months)} for t in lines], "findings": [f.to_dict() for f in findings]})
        return common.EXIT_OK
    for t in lines:
        print(f"{t.county or ''} {t.name}（{t.figure or ''}）领导：{t.leaders or '-'} 台账：{'、'.join(t.months) or '无'}")
    for f in findings:
        print(str(f))
    return common.EXIT_OK


def _entry(args) -> int:
    from app.services import ledger_ops
    from app.services.operations import execute
    from app.services.supervision import RecordSupervision

    with common.open_db(args, write=True) as db:
        changed = execute(db, ledger_ops.RecordSupervision(RecordSupervision(
            args.target, args.month, args.actions, args.found, args.solved, args.note, lc.today(args)))).value.changed
    if args.json:
        common.emit_json({"targets": list(changed.targets), "findings": [f.to_dict() for f in changed.findings]})
    else:
        common.say(f"已记录“{args.target}”{args.month}的督战台账。")
    return common.EXIT_OK


def _export(args) -> int:
    from app.services.ledger_ops import ExportLedger, ExportTownships
    from app.services.operations import execute

    out = lc.out_file(args)
    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            request = (ExportTownships(args.period, out, _thr(args, s), lc.today(args)) if args.townships
                       else ExportLedger("targets", lc.year(s, args), out, lc.today(args)))
        n = execute(db, request).value
    common.say(f"已导出 {out}（{n}行）。")
    return common.EXIT_OK


def _population(args) -> int:
    from app.services import ledger_ops
    from app.services.operations import execute
    from app.services.supervision import SetRuralPopulation

    with common.open_db(args, write=True) as db:
        execute(db, ledger_ops.SetRuralPopulation(SetRuralPopulation(args.unit, args.persons)))
    common.say(f"已记录“{args.unit}”的农村人口：{args.persons if args.persons is not None else '（已清除）'}。")
    return common.EXIT_OK


def run(args: argparse.Namespace) -> int:
    return {"candidates": _candidates, "list": _list, "entry": _entry, "export": _export,
            "population": _population}[args.action](args)

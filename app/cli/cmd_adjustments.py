"""`guatu adjustments list|export|set`: the month's 动态调整 (household-records.md §1).

``list [--period] [--unit] [--json]`` prints the 名单 (身份证号 masked); ``export --out DIR|FILE``
writes it as .xlsx and PDF; ``set UUID --reason TEXT [--kind] [--cause] [--date] [--approval-no]
[--approved-on]`` fills a record (closing A-01).
"""

from __future__ import annotations

import argparse
import datetime as dt

from app.services.errors import UsageError

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="动态调整：本月新增、减少的人口和户，及其原因")
    acts = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    lst = acts.add_parser("list", help="列出本月动态调整名单")
    common.add_report(lst)
    exp = acts.add_parser("export", help="导出动态调整名单（.xlsx 和 PDF，身份证号隐去中间位）")
    common.add_db(exp)
    common.add_period(exp)
    common.add_unit(exp)
    exp.add_argument("--out", required=True, help="输出文件夹，或 .xlsx/.pdf 文件名")
    common.add_json(exp)
    st = acts.add_parser("set", help="填写或更正一条动态调整（原因、类型、生效日期、批准）")
    common.add_db(st)
    st.add_argument("uuid", help="记录编号（见 list --json）")
    st.add_argument("--reason", help="调整原因")
    st.add_argument("--kind", help="调整类型：新识别纳入、返贫、新增人口、自然减少、错评退出")
    st.add_argument("--cause", help="新增人口：出生、婚入、其他；自然减少：死亡、婚出、迁出、其他")
    st.add_argument("--date", help="生效日期 YYYY-MM-DD（须在数据月份内）")
    st.add_argument("--approved-on", help="批准日期 YYYY-MM-DD")
    st.add_argument("--approval-no", help="批准文号")
    common.add_json(st)
    return p


def _date(text: str | None, what: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}应为 YYYY-MM-DD，现为“{text}”。") from None


def run(args: argparse.Namespace) -> int:
    from app.services import adjustments
    from app.services.units import period_and_unit as resolve

    if args.action == "list":
        with common.open_db(args, write=False) as db, db.read_session() as s:
            period, unit = resolve(s, args.period, args.unit)
            lst = adjustments.listing(s, period, unit)
        if args.json:
            common.emit_json(lst.to_dict())
        else:
            print(f"{lst.unit} {lst.period} 动态调整名单：{lst.summary()}")
            for r in lst.rows:
                flag = "（待填原因）" if r.open else ""
                print(f"{r.seq}\t{r.township}/{r.village}\t{r.head}\t{r.name}\t{r.id_masked}\t{r.kind}\t"
                      f"{r.effective_on}\t{r.reason}{flag}\t{r.approval_no}")
        return common.EXIT_OK
    if args.action == "export":
        from app.services.operations import execute
        from app.services.record_ops import ExportAdjustmentList

        with common.open_db(args, write=True) as db:
            res = execute(db, ExportAdjustmentList(adjustments.ExportList(args.period, args.unit, args.out))).value
        if args.json:
            common.emit_json({"files": list(res.files), "rows": res.rows, "open": res.open_records})
        else:
            common.say(f"已导出动态调整名单（{res.rows}条，{res.open_records}条待填原因）：" + "、".join(res.files))
        return common.EXIT_OK
    req = adjustments.SetDetails(args.uuid, reason=args.reason, kind=args.kind, cause=args.cause,
                                 effective_on=_date(args.date, "生效日期"),
                                 approved_on=_date(args.approved_on, "批准日期"), approval_no=args.approval_no)
    from app.services.operations import SetAdjustmentDetails, execute

    with common.open_db(args, write=True) as db:
        ch = execute(db, SetAdjustmentDetails(req)).value
    if args.json:
        common.emit_json({"updated": list(ch.updated), "findings": [f.to_dict() for f in ch.findings]})
    else:
        common.say("已保存。")
    return common.EXIT_OK

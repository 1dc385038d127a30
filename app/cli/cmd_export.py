"""`guatu export --out DIR [--period] [--unit] [--draft]`: the month package (cli.md)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="导出月报（附件1–4 的 Excel 和 PDF、台账数据、清单、邮件草稿）")
    p.add_argument("--out", required=True, help="输出目录（在其中建月报文件夹和同名 zip）")
    p.add_argument("--draft", action="store_true", help="导出草稿：有错误也导出，文件名带“-草稿”，不锁定月份")
    p.add_argument("--with-ledgers", action="store_true",
                   help="同时导出本年度责任清单、问题整改台账和挂牌督战表（列入 manifest）")
    common.add_report(p)
    return p


def run(args: argparse.Namespace) -> int:
    from app.services.errors import Refused
    from app.services.export import export_package

    def progress(done: int, total: int, text: str) -> None:
        if not args.json and text:
            common.say(f"[{done + 1}/{total}] {text}" if done < total else text)

    with common.open_db(args, write=True) as db:
        try:
            result = export_package(db, args.period, args.unit, args.out, draft=args.draft, progress=progress,
                                    ledgers=args.with_ledgers)
        except Refused as e:
            if args.json:  # scripts get the findings as data; people get them on stderr
                common.emit_json({"folder": None, "zip": None, "files": [],
                                  "findings": [f.to_dict() for f in e.findings]})
            raise
    out = {k: result[k] for k in ("folder", "zip", "files", "findings")}
    if args.json:
        common.emit_json(out)
    else:
        kind = "草稿" if args.draft else "正式月报（该月已锁定）"
        common.say(f"已导出{kind}：{result['folder']}")
        common.say(f"压缩包：{result['zip']}")
        for f in result["files"]:
            common.say(f"  {f['name']}（{f['rows']} 行）")
        warnings = [f for f in result["findings"] if f["severity"] == "W"]
        errors = [f for f in result["findings"] if f["severity"] == "E"]
        if errors:
            common.say(f"注意：有 {len(errors)} 处错误，仅可作草稿。")
        if warnings:
            common.say(f"提示：有 {len(warnings)} 处提示（guatu check 查看）。")
    return common.EXIT_OK

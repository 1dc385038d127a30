"""`guatu export --out DIR [--period] [--unit] [--draft]`: the month package (cli.md)."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="导出月报（附件1–4 的 Excel 和 PDF、台账数据、清单、邮件草稿）")
    p.add_argument("--out", required=True, help="输出目录（在其中建月报文件夹和同名 zip）")
    p.add_argument("--draft", action="store_true", help="导出草稿：有错误也导出，文件名带“-草稿”，不锁定月份")
    p.add_argument("--for", dest="recipient", choices=("county", "city"),
                   help="报送对象：county 县扶贫办（乡镇报县，全部附件和台账数据）或 city 市扶贫办（县报市，"
                        "附件1–3和附件4（5000元以下）；5000-5760元明细和台账数据留存本级）。默认：本单位的上一级")
    common.add_passphrase(p)
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
                                    recipient=args.recipient, passphrase=common.passphrase(args))
        except Refused as e:
            if args.json:  # scripts get the findings as data; people get them on stderr
                common.emit_json({"folder": None, "zip": None, "files": [],
                                  "findings": [f.to_dict() for f in e.findings]})
            raise
    out = {k: result[k] for k in ("folder", "zip", "files", "findings", "recipient", "kept", "kept_files",
                                  "mail_size", "mail_too_large", "set_aside")}
    if args.json:
        common.emit_json(out)
    else:
        kind = "草稿" if args.draft else "正式月报（该月已锁定）"
        common.say(f"已导出{kind}：{result['folder']}")
        common.say(f"压缩包：{result['zip']}")
        for f in result["files"]:
            common.say(f"  {f['name']}（{f['rows']} 行）")
        if result.get("kept"):
            common.say(f"本级留存（不报送）：{result['kept']}")
            for name in result["kept_files"]:
                common.say(f"  {name}")
        if result.get("set_aside"):
            common.say(f"邮件附件超过25 MB：{'、'.join(result['set_aside'])}已放入本级留存文件夹，不随月报报送。")
        if result.get("mail_too_large"):
            common.say(f"附件合计约{result['mail_size'] / 1e6:.0f} MB，超过邮箱上限25 MB，未写邮件草稿；"
                       "请将 zip 压缩包单独报送。")
        warnings = [f for f in result["findings"] if f["severity"] == "W"]
        errors = [f for f in result["findings"] if f["severity"] == "E"]
        if errors:
            common.say(f"注意：有 {len(errors)} 处错误，仅可作草稿。")
        if warnings:
            common.say(f"提示：有 {len(warnings)} 处提示（guatu check 查看）。")
    return common.EXIT_OK

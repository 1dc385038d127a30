"""`guatu import FILE… [--period] [--dry-run] [--replace] [--json]`: preview, then one transaction.

Exit 1 (nothing written) on any E finding, a rejected file, a locked month, or a unit already
present with differences when ``--replace`` is not given; ``--dry-run`` previews and exits 1 when
the import would be refused.
"""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="导入数据包或官方表样工作簿（附件1–4）：先预览，再一次性写入")
    p.add_argument("files", nargs="+", metavar="FILE", help="数据包（文件夹或 .zip）或 .xlsx 工作簿")
    common.add_db(p)
    common.add_period(p)
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--replace", action="store_true", help="本月已有数据的单位，用文件中的数据替换")
    common.add_passphrase(p)
    common.add_json(p)
    return p


def run(args: argparse.Namespace, before_write=None) -> int:
    """``before_write(plan)`` runs just before the first write (the backup hook).

    An import into a new (missing or zero-byte) database creates it; when the import is refused or
    fails, the files it created are taken back, so a refusal leaves the disk as it found it."""
    path = common.db_path(args)
    if common.is_server(path):  # a server database is never created or taken back by an import
        return _run(args, path, False, before_write)
    existed = {p: p.exists() for p in _files_of(path)}
    new = not path.exists() or path.stat().st_size == 0
    try:
        code = _run(args, path, new, before_write)
    except BaseException:
        if new:
            _take_back(path, existed)
        raise
    if code != common.EXIT_OK and new:
        _take_back(path, existed)
    return code


def _files_of(path):
    from pathlib import Path

    return [path, *(Path(f"{path}{x}") for x in ("-wal", "-shm", "-journal", ".lock"))]


def _take_back(path, existed: dict) -> None:
    for p in _files_of(path):
        if not existed[p]:
            p.unlink(missing_ok=True)
    if existed[path]:  # it was an empty file: empty again
        path.write_bytes(b"")


def _run(args: argparse.Namespace, path, new: bool, before_write) -> int:
    from app.services.backup import backup_before
    from app.services.errors import Refused
    from app.services.imports import ImportFiles, describe, preview_import
    from app.services.operations import execute

    with common.open_db(args, write=True, create=new) as db:
        if args.dry_run:
            with db.session() as s:
                plan = preview_import(s, args.files, args.period, passphrase=common.passphrase(args))
            _describe(args, plan, describe)
            would = bool(plan.errors or plan.locked or (plan.needs_replace and not args.replace))
            if args.json:
                common.emit_json(plan.to_dict(not would))
            if not args.json:
                common.say("（预览，未写入）" + ("导入将被拒绝。" if would else "可以导入。"))
            return common.EXIT_REFUSED if would else common.EXIT_OK
        if before_write is None:  # reliability: a consistent backup just before the first write
            def before_write(_plan, db=db):
                return backup_before(db, "import")
        request = ImportFiles(tuple(str(f) for f in args.files), args.period, args.replace,
                              common.passphrase(args), before_write)
        try:
            plan, result = execute(db, request).value
        except Refused as refused:
            plan = getattr(refused, "plan", None)
            if plan is None:  # refused before the files were read through
                raise
            _describe(args, plan, describe)
            out = plan.to_dict(False)
            extra = [f.to_dict() for f in refused.findings if f not in plan.findings]
            out["findings"].extend(extra)
            out["message"] = refused.message
            if args.json:
                common.emit_json(out)
            common.say(f"guatu: {refused.message}")
            return common.EXIT_REFUSED
        _describe(args, plan, describe)
        if args.json:
            common.emit_json(result)
        else:
            a = result["added"]
            c = result["changed"]
            common.say(f"导入完成：新增{a['households']}户{a['persons']}人，替换变化{c['households']}户{c['persons']}人。")
    return common.EXIT_OK


def _describe(args: argparse.Namespace, plan, describe) -> None:
    if not args.json:
        for line in describe(plan):
            common.say(line)
        for f in plan.findings[:200]:
            common.say(f"  {f}")

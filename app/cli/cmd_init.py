"""`guatu init --db PATH [--unit 康平县/暖泉镇]`: a new, empty register at the current schema."""

from __future__ import annotations

import argparse

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="新建一个空的数据库")
    common.add_db(p)
    p.add_argument("--unit", help="本单位路径，如 康平县 或 康平县/暖泉镇（县/乡镇/村）")
    return p


def run(args: argparse.Namespace) -> int:
    from app.models.units import full_path
    from app.services.office import update_office
    from app.services.units import ensure_path
    from app.storage import Database

    path = common.db_path(args)
    if not common.is_server(path) and path.exists() and path.stat().st_size > 0:
        raise common.UsageError(f"文件已存在，不会覆盖：{path}")
    names = [n.strip() for n in (args.unit or "").replace("\\", "/").split("/") if n.strip()]
    if len(names) > 3:
        raise common.UsageError(f"单位路径最多三级（县/乡镇/村）：{args.unit}")
    if not common.is_server(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    with Database(path, create=True) as db:
        path = db.where
        if names:
            with db.session() as s:
                unit = ensure_path(s, names)
                update_office(s, unit_id=unit.id)
                where = full_path(unit)
            common.say(f"已新建数据库：{path}（本单位：{where}）")
        else:
            common.say(f"已新建数据库：{path}")
    return common.EXIT_OK

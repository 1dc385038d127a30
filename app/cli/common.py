"""What every command shares: the --db/--period/--unit/--json flags, exit codes, output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.services.errors import GuatuError, UsageError
from app.storage import Database, DatabaseInUse, StorageError, damaged, default_db_path, is_damage

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app.models import Unit

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_IN_USE = 0, 1, 2, 3


def add_db(p: argparse.ArgumentParser) -> None:
    # SUPPRESS keeps a --db given before the subcommand when none is given after it.
    p.add_argument("--db", default=argparse.SUPPRESS,
                   help="数据库文件，或服务器上的数据库 postgresql+psycopg://…，或已保存的连接名称（默认：用户数据目录）")


def add_period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", help="数据月份 YYYY-MM（默认：最新月份）")


def add_unit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--unit", help="单位名称或路径，如 暖泉镇 或 暖泉镇/前暖泉村（默认：本单位）")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="以 JSON 输出到标准输出")


def add_report(p: argparse.ArgumentParser) -> None:
    """--db, --period, --unit and --json: the flags of a command about one month of one unit."""
    add_db(p)
    add_period(p)
    add_unit(p)
    add_json(p)


def add_pdf_out(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="输出 PDF 文件")


def pdf_out(args: argparse.Namespace) -> Path:
    """--out as a path; anything but a .pdf is a usage error (exit 2) before the database is opened."""
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError(f"输出文件应为 .pdf：{out}")
    return out


def chosen_unit(session: Session, args: argparse.Namespace) -> Unit:
    """The unit of --unit, else the office's own; neither is a usage error (exit 2)."""
    from app.services.units import default_unit, find_unit

    unit = find_unit(session, args.unit) if args.unit else default_unit(session)
    if unit is None:
        raise UsageError("请用 --unit 指定单位。")
    return unit


def db_path(args: argparse.Namespace) -> Path | str:
    """--db as the register it names: a SQLite file (Path), or a server URL (str) given as
    ``postgresql+psycopg://…`` or as the name of a saved connection profile (app.connections)."""
    from app.connections import ConnectionError_, resolve

    try:
        return resolve(getattr(args, "db", None) or default_db_path())
    except ConnectionError_ as e:
        raise UsageError(str(e)) from None


def is_server(target: Path | str) -> bool:
    return isinstance(target, str)


def file_only(args: argparse.Namespace, what: str) -> Path:
    """--db of a command about the SQLite file itself; a server register is a usage error (exit 2)."""
    target = db_path(args)
    if is_server(target):
        raise UsageError(f"{what}只用于本机数据库文件；服务器上的数据库请在服务器上用 guatu server backup|restore。")
    return target


def open_db(args: argparse.Namespace, *, write: bool = False, create: bool = False, verify: bool = True) -> Database:
    return Database(db_path(args), write=write, create=create, verify=verify)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=str))
    sys.stdout.write("\n")


def say(text: str) -> None:
    """A message for people: stderr, so that --json stdout stays one document."""
    sys.stderr.write(text + "\n")


def _is_damage(exc: BaseException) -> bool:
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    return isinstance(exc, sqlite3.DatabaseError | DatabaseError) and is_damage(exc)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command, mapping expected failures to exit codes and one-line messages."""
    try:
        return int(args._run(args) or 0)
    except DatabaseInUse as e:
        say(f"guatu: {e}")
        return EXIT_IN_USE
    except StorageError as e:
        say(f"guatu: {e}")
        return EXIT_USAGE
    except GuatuError as e:
        say(f"guatu: {e.message}")
        for f in e.findings[:200]:
            say(f"  {f}")
        return e.exit_code
    except KeyboardInterrupt:
        say("guatu: 已取消。")
        return 130
    except Exception as e:  # a bug: log it in full, show one line
        from app.logging_setup import log_exception
        from app.services.faults import describe

        if _is_damage(e):  # a page read mid-command turned out malformed: the file, not a bug
            where = log_exception(e)
            say(f"guatu: {damaged(db_path(args), '详情见日志 ' + str(where))}")
            return EXIT_USAGE

        fault = describe(e)  # disk full, unwritable target: the environment, not a bug
        if fault:
            where = log_exception(e)
            say(f"guatu: 操作未完成：{fault}。已保存的数据不受影响。（详情见日志 {where}）")
            return EXIT_REFUSED

        from app.logging_setup import mask_text

        where = log_exception(e)
        first = (str(e).strip().splitlines() or [""])[0]  # no SQL text; 身份证号 and phones masked
        say(f"guatu: 内部错误：{type(e).__name__}: {mask_text(first)}（详情见日志 {where}）")
        return 70


__all__ = [
    "EXIT_IN_USE", "EXIT_OK", "EXIT_REFUSED", "EXIT_USAGE", "UsageError", "add_db", "add_json", "add_pdf_out",
    "add_period", "add_report", "add_unit", "chosen_unit", "emit_json", "open_db", "pdf_out", "run_command", "say",
]


def add_passphrase(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="口令文件（两级扶贫办商定的口令，首行）：身份证号和电话只在用它加密的压缩包中传送")


def passphrase(args: argparse.Namespace) -> str | None:
    """The first line of ``--passphrase-file`` (never a command-line argument: it would show in the process list)."""
    name = getattr(args, "passphrase_file", None)
    if not name:
        return None
    try:
        text = Path(name).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"无法读取口令文件：{e}") from None
    value = text[0].strip() if text else ""
    if len(value) < 8:
        raise UsageError("口令至少8个字符。")
    return value

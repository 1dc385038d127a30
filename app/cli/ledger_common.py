"""Flags and output shared by `guatu tasks`, `guatu problems` and `guatu supervision`.

Ledgers belong to a year (``--year``, default: the year of the latest month, else this year);
D-rules run against ``--today`` (default: the real date), so a script can ask "as of" a day.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from . import common

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_year(p: argparse.ArgumentParser) -> None:
    common.add_db(p)
    p.add_argument("--year", type=int, help="年度（默认：最新月份所在年度）")
    p.add_argument("--today", help="按此日期判断逾期等（YYYY-MM-DD，默认：今天）")


def today(args: argparse.Namespace) -> dt.date:
    text = getattr(args, "today", None)
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise common.UsageError(f"日期“{text}”格式不对，应为 YYYY-MM-DD。") from e


def date_arg(text: str | None, what: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise common.UsageError(f"{what}“{text}”格式不对，应为 YYYY-MM-DD。") from e


def year(session: Session, args: argparse.Namespace) -> int:
    if getattr(args, "year", None):
        return int(args.year)
    from app.services.periods import latest_period

    p = latest_period(session)
    return p.year if p is not None else today(args).year


def iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def print_findings(findings) -> None:
    for f in findings:
        common.say(f"  {f}")


def out_file(args: argparse.Namespace) -> Path:
    """``--out``: a list is written as .xlsx or .pdf, chosen by the name."""
    out = Path(args.out)
    if out.suffix.lower() not in (".xlsx", ".pdf"):
        raise common.UsageError(f"输出文件应为 .xlsx 或 .pdf：{out}")
    return out


def export_ledger(args: argparse.Namespace, kind: str) -> int:
    """`tasks export` and `problems export`: the year's list (``kind``) as .xlsx or .pdf."""
    from app.services.ledger_ops import ExportLedger
    from app.services.operations import execute

    out = out_file(args)
    with common.open_db(args, write=True) as db:
        with db.read_session() as s:
            ledger_year = year(s, args)
        n = execute(db, ExportLedger(kind, ledger_year, out, today(args))).value
    common.say(f"已导出 {out}（{n}行）。")
    return common.EXIT_OK

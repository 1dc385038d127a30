"""`guatu counts --form 1|2|3`: the rows of 附件1/附件2/附件3 exactly as the export writes them."""

from __future__ import annotations

import argparse
import unicodedata

from . import common


def add_parser(sub, name: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help="附件1/附件2/附件3 的各行（与导出一致）")
    p.add_argument("--form", required=True, choices=("1", "2", "3"), help="表号：1、2 或 3")
    common.add_report(p)
    return p


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def table_text(labels: list[str], codes: list[str], rows: list[dict]) -> str:
    """A simple aligned table for people (CJK characters count double width)."""
    grid = [labels] + [[_cell(r.get(c)) for c in codes] for r in rows]
    widths = [max(_width(line[i]) for line in grid) for i in range(len(codes))]
    out = []
    for line in grid:
        out.append("  ".join(v + " " * (w - _width(v)) for v, w in zip(line, widths, strict=True)).rstrip())
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from app.forms.layouts import layout, scope_word
    from app.forms.table import leaves
    from app.services import counts, projects
    from app.services.errors import UsageError
    from app.services.periods import get_period
    from app.services.units import default_unit, find_unit

    form = int(args.form)
    with common.open_db(args, write=False) as db, db.session() as s:
        period = get_period(s, args.period)
        unit = find_unit(s, args.unit) if args.unit else default_unit(s)
        if unit is None:
            raise UsageError("请用 --unit 指定单位（数据库中有多个县，且未设置本单位）。")
        rows = projects.project_rows(s, period, unit) if form == 3 else counts.rows(s, period, unit, form)
        if args.json:
            common.emit_json(rows)
            return common.EXIT_OK
        lay = layout(form)
        cols = leaves(lay.header())
        n = rows[0].get("total") if rows and form != 3 else None
        print(lay.title(scope=scope_word(unit.level, unit.name), year=period.year, n=n))
        print(f"{period.year}年{period.month_number}月数据 · 填报单位：{unit.name}")
        print(table_text([c.label for c in cols], [c.code or "" for c in cols], rows))
    return common.EXIT_OK

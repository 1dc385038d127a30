"""附件4 as PDF: pages per second of ``write_form_pdf`` against a naive platypus ``Table``; goal ≥ 2×.

Both write the same synthetic 附件4 (FORM4 layout; households of 1–6 persons, 2–4 measure lines,
3–8 income items) to A4/A3 landscape with the shipped fonts (registered before timing):
- ours: ``app.exporters.pdf.forms.write_form_pdf`` (canvas, rows measured once, merges, header
  repeated, footer ``第x页 共y页``);
- the baseline: ``SimpleDocTemplate`` + one ``Table`` of the same cells (``repeatRows`` = the header
  row, grid, household text on the first member row — no merges, no font fallback, no wrapping).
The baseline's split re-measures the rest of the table at each page break, so it is measured at
``--persons`` (default 3,000); ours also at ``--big`` persons (default 100,000, 0 to skip) for time
and peak memory (ru_maxrss of this process, which includes the build of the rows). Times are CPU
seconds of this process (``time.process_time``): the machine is shared, wall time is noise.

Run: ``.venv/bin/python bench/bench_pdf.py [--persons 3000] [--big 100000] [--repeat 1]``;
prints one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.exporters.pdf import layout  # noqa: E402
from app.exporters.pdf.forms import write_form_pdf  # noqa: E402
from app.exporters.pdf.text import ensure_fonts  # noqa: E402
from app.forms.layouts import FORM4, summary_line  # noqa: E402
from app.forms.table import FormTable  # noqa: E402

GOAL_RATIO = 2.0
EXPORTED = dt.datetime(2020, 4, 3, 10, 15)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华堃"
MEASURES = ("五小产业养羊", "合作社产业带动", "低保兜底", "公益岗位安置1人", "危房翻建（C级）", "教育资助",
            "扶贫小额信贷5万元", "家庭医生签约服务", "自来水管网入户改造")
INCOME = ("种植业收入", "养殖业", "工资性收入", "产业分红", "低保", "残疾人补助", "地力补贴", "土地流转")
RELATIONS = ("配偶", "之子", "之女", "之儿媳", "之孙子", "之孙女", "之父", "之母")


def build(persons: int, seed: int = 5) -> FormTable:
    rnd = random.Random(seed)
    codes = FORM4.codes()
    col = {c: i for i, c in enumerate(codes)}
    household_cols = [col[c] for c, level in FORM4.levels.items() if level == "household"]
    rows: list[list] = []
    merges: list[tuple[int, int, int, int]] = []
    h = 0
    while len(rows) < persons:
        h += 1
        size = min(persons - len(rows), rnd.randint(1, 6))
        first = len(rows)
        head = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)
        items = rnd.sample(INCOME, rnd.randint(3, 8))
        amounts = [rnd.randint(2, 80) * 100 for _ in items]
        total = sum(amounts)
        income = "\n".join(f"{i}. {k}: {a}元" for i, (k, a) in enumerate(zip(items, amounts, strict=True), 1))
        income += f"\n{len(items) + 1}. 合计{total}元, 人均{round(total / size)}元"
        measures = "\n".join(f"{i}、{m}" for i, m in enumerate(rnd.sample(MEASURES, rnd.randint(2, 4)), 1))
        for k in range(size):
            row: list = [None] * len(codes)
            row[col["seq"]] = len(rows) + 1
            row[col["name"]] = head if k == 0 else rnd.choice(SURNAMES) + rnd.choice(GIVEN)
            row[col["relation"]] = "户主" if k == 0 else rnd.choice(RELATIONS)
            row[col["age"]] = rnd.randint(1, 90)
            row[col["health"]] = rnd.choice(("健康", "健康", "残疾", "大病", "长期慢性病"))
            row[col["labour"]] = rnd.choice(("普通劳动力", "无劳动力", "弱劳动力"))
            if k == 0:
                row[col["county"]], row[col["township"]] = "康平县", f"第{h % 10 + 1}镇"
                row[col["village"]] = f"第{h % 20 + 1}村"
                row[col["head_contact"]] = f"{head} 1{rnd.randint(3, 9)}{rnd.randint(0, 999999999):09d}"
                row[col["size"]] = size
                row[col["cause"]] = rnd.choice(("因病", "因残", "因学", "收入较低"))
                row[col["measures"]], row[col["income"]] = measures, income
                row[col["helper_contact"]] = f"孙立新 139{rnd.randint(0, 99999999):08d}"
                row[col["expected_month"]] = f"2020.{rnd.randint(4, 12):02d}"
            rows.append(row)
        if size > 1:
            merges.extend((first, c, first + size - 1, c) for c in household_cols)
    return FormTable(
        form="附件4", name=FORM4.name, title=FORM4.title(scope="全县", year=2020, n=len(rows)), header=FORM4.header(),
        rows=rows, row_kinds=["person"] * len(rows), merges=merges,
        summary=summary_line("全县(市、区)", (h, len(rows)), {}), instructions=list(FORM4.instructions),
        reporting_unit="康平县", preparer="赵奇", preparer_phone="024-82703810", filed_on=dt.date(2020, 4, 3),
        period="2020-03",
    )


def platypus(table: FormTable, path: Path) -> int:
    """The naive way: one platypus Table of the same cells; returns its page count."""
    from reportlab.lib import colors
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    plan_paper = layout.choose_paper([c.width for c in table.columns])
    size = plan_paper[3]
    widths = [c.width * plan_paper[2] for c in table.columns]
    data = [[c.label for c in table.columns]]
    data += [[layout.cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)] for row in table.rows]
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), "GuatuSong"), ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.22), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    pages = []
    doc = SimpleDocTemplate(str(path), pagesize=plan_paper[1], leftMargin=layout.MARGIN_X,
                            rightMargin=layout.MARGIN_X, topMargin=layout.MARGIN_TOP, bottomMargin=layout.MARGIN_BOTTOM)
    doc.build([grid], onFirstPage=lambda c, d: pages.append(1), onLaterPages=lambda c, d: pages.append(1))
    return len(pages)


def timed(fn, repeat: int) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        t = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t)
    return best, result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=3000)
    ap.add_argument("--big", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    ensure_fonts()
    table = build(args.persons)
    write_form_pdf(build(20), Path(tempfile.gettempdir()) / "guatu-bench-warm.pdf", exported_at=EXPORTED)
    with tempfile.TemporaryDirectory() as tmp:
        ours_s, ours_pages = timed(lambda: write_form_pdf(table, Path(tmp) / "ours.pdf", exported_at=EXPORTED),
                                   args.repeat)
        base_s, base_pages = timed(lambda: platypus(table, Path(tmp) / "platypus.pdf"), args.repeat)
        out = {
            "persons": args.persons,
            "ours": {"seconds": round(ours_s, 3), "pages": ours_pages, "pages_per_s": round(ours_pages / ours_s, 1)},
            "platypus": {"seconds": round(base_s, 3), "pages": base_pages,
                         "pages_per_s": round(base_pages / base_s, 1)},
        }
        out["ratio"] = round(out["ours"]["pages_per_s"] / out["platypus"]["pages_per_s"], 2)
        out["goal_ratio"] = GOAL_RATIO
        out["ok"] = out["ratio"] >= GOAL_RATIO
        if args.big:
            del table
            big = build(args.big)
            big_s, big_pages = timed(lambda: write_form_pdf(big, Path(tmp) / "big.pdf", exported_at=EXPORTED), 1)
            out["big"] = {"persons": args.big, "seconds": round(big_s, 1), "pages": big_pages,
                          "pages_per_s": round(big_pages / big_s, 1),
                          "bytes": (Path(tmp) / "big.pdf").stat().st_size,
                          "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print(json.dumps(out, ensure_ascii=False))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""附件4 for 100,000 persons as .xlsx: our writer against xlsxwriter writing the same cells and merges.

Goal (issue 6): ``app.exporters.xlsx.write_xlsx`` within 1.5× the time of the bare xlsxwriter loop, in
the same run; peak memory (``ru_maxrss`` of this process, the FormTable included) under 500 MB.

The FormTable is synthetic but shaped like a county's 附件4 (households of 1–6 persons, numbered
measure and income lines, household columns merged vertically), so the run needs no database.
With ``--db PATH`` the table is instead built from that register by ``services.forms.build_form4``
(its build time is reported apart). The baseline writes every cell with ``write_string`` /
``write_number`` and every merge with ``merge_range``, default options, no formats.

Run: ``.venv/bin/python bench/bench_export.py [--persons 100000] [--repeat 1] [--db PATH]``;
prints one JSON line. Harness entry ``export_form4_xlsx`` (``python -m bench export``) runs that
script in a child process, so its peak memory is the export's alone.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import PERSONS, Context, Outcome, entry  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓"
GIVEN = "国庆长海秀兰淑芬文丽强刚红福贵明华英军平玉珍桂兰志伟建国春梅"
RELATIONS = ("配偶", "之子", "之女", "之儿媳", "之孙子", "之孙女")
MEASURES = ("五小产业养羊。", "光伏扶贫电站收益分红。", "低保兜底2人。", "扶贫小额信贷5万元。", "C级危房翻建。", "公益岗位。")
ITEMS = ("种植业收入", "养殖业", "低保", "残疾人补助", "地力补贴", "玉米补贴", "土地流转", "产业分红")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def synthetic_form4(persons: int, seed: int = 1):
    from app.forms.layouts import FORM4, FORM4_LEVELS, summary_line
    from app.forms.table import FormTable

    rng = random.Random(seed)
    codes = FORM4.codes()
    col = {c: i for i, c in enumerate(codes)}
    household_cols = [col[c] for c, lv in FORM4_LEVELS.items() if lv == "household"]
    t = FormTable(form="附件4", name=FORM4.name, title=FORM4.title(scope="全县", year=2020, n=persons),
                  header=FORM4.header(), instructions=list(FORM4.instructions), reporting_unit="康平县",
                  preparer="李明", preparer_phone="024-82703810", period="2020-03")
    n = h = 0
    while n < persons:
        size = min(rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6)), persons - n)
        first = len(t.rows)
        amounts = [rng.randrange(2, 90) * 100 for _ in range(rng.randrange(2, 9))]
        head = _name(rng)
        for k in range(size):
            n += 1
            row: list = [None] * len(codes)
            row[col["seq"]] = n
            row[col["name"]] = head if k == 0 else _name(rng)
            row[col["relation"]] = "户主" if k == 0 else rng.choice(RELATIONS)
            row[col["age"]] = rng.randrange(1, 90)
            row[col["health"]] = rng.choice(("健康", "残疾", "大病", "长期慢性病"))
            row[col["labour"]] = rng.choice(("普通劳动力", "无劳动力", "弱劳动力"))
            if k == 0:
                row[col["county"]] = "康平县"
                row[col["township"]] = f"第{h // 3000 + 1}镇"
                row[col["village"]] = f"第{h // 150 + 1}村"
                row[col["head_contact"]] = f"{head} 151{rng.randrange(10**8):08d}"
                row[col["size"]] = size
                row[col["cause"]] = rng.choice(("因病", "因残", "因学", "因房", "收入较低", "其他"))
                row[col["measures"]] = "\n".join(f"{i}、{m}" for i, m in enumerate(rng.sample(MEASURES, 3), 1))
                lines = [f"{i}. {ITEMS[i % len(ITEMS)]}: {a}元" for i, a in enumerate(amounts, 1)]
                lines.append(f"{len(lines) + 1}. 合计{sum(amounts)}元, 人均{round(sum(amounts) / size)}元")
                row[col["income"]] = "\n".join(lines)
                row[col["helper_contact"]] = f"{_name(rng)} 139{rng.randrange(10**8):08d}"
                row[col["expected_month"]] = f"2020.{rng.randrange(4, 13):02d}"
            t.rows.append(row)
            t.row_kinds.append("person")
        if size > 1:
            t.merges.extend((first, c, first + size - 1, c) for c in household_cols)
        h += 1
    t.summary = summary_line("全县(市、区)", (h, n), {})
    return t


def bare_xlsxwriter(table, path: Path) -> None:
    """The same cells and merges, written directly with one bordered format: the yardstick.

    The format matters: ``merge_range`` pads a merged area with formatted blank cells (so that its
    borders print), which is what the official form needs and what our writer writes too.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("附件4")
    fmt = wb.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    ws.write_string(0, 0, table.form)
    ws.merge_range(1, 0, 1, len(table.columns) - 1, table.title)
    for j, c in enumerate(table.columns):
        ws.write_string(3, j, c.label, fmt)
    r0 = 4
    starts = {(r, c): (r1, c1) for r, c, r1, c1 in table.merges}
    for i, row in enumerate(table.rows):
        for j, v in enumerate(row):
            end = starts.get((i, j))
            if end is not None:
                ws.merge_range(r0 + i, j, r0 + end[0], end[1], v, fmt)
            elif v is None:
                continue
            elif isinstance(v, int | float):
                ws.write_number(r0 + i, j, v, fmt)
            else:
                ws.write_string(r0 + i, j, v, fmt)
    wb.close()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--db", help="build 附件4 from this register instead of a synthetic table")
    args = ap.parse_args()
    from app.exporters.xlsx import write_xlsx

    t0 = time.perf_counter()
    if args.db:
        from app.services.forms import build_form4
        from app.services.periods import get_period
        from app.services.units import default_unit
        from app.storage import Database

        with Database(args.db, write=False) as db, db.session() as s:
            table = build_form4(s, get_period(s, None), default_unit(s))
    else:
        table = synthetic_form4(args.persons)
    build = time.perf_counter() - t0
    # CPU time of this process (the machine is shared: wall time swings with the neighbours' load).
    ours, bare = [], []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.process_time()
        write_xlsx(table, Path(tmp) / "ours.xlsx")
        ours.append(time.process_time() - t)
        peak = _rss_mb()  # before the baseline, which keeps every cell in memory
        size = (Path(tmp) / "ours.xlsx").stat().st_size
        for k in range(args.repeat):
            t = time.process_time()
            bare_xlsxwriter(table, Path(tmp) / "bare.xlsx")
            bare.append(time.process_time() - t)
            if k + 1 < args.repeat:
                t = time.process_time()
                write_xlsx(table, Path(tmp) / "ours.xlsx")
                ours.append(time.process_time() - t)
    ratio = min(ours) / min(bare)
    print(json.dumps({
        "persons": sum(1 for k in table.row_kinds if k == "person"), "merges": len(table.merges),
        "build_s": round(build, 2), "ours_s": round(min(ours), 2), "xlsxwriter_s": round(min(bare), 2),
        "ratio": round(ratio, 2), "goal_ratio": 1.5, "peak_rss_mb": round(peak, 1), "goal_mb": 500,
        "file_mb": round(size / 2**20, 1), "ok": ratio <= 1.5 and peak < 500,
    }, ensure_ascii=False))


@entry("export_form4_xlsx")
def export_form4_xlsx(ctx: Context) -> Outcome:
    """附件4 of 100,000 persons as .xlsx vs bare xlsxwriter (same cells and merges); peak RSS."""
    out = subprocess.run([sys.executable, __file__, "--persons", str(ctx.persons or PERSONS)],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return Outcome(r["ours_s"], r["xlsxwriter_s"], "xlsxwriter merge_range + write_*, one bordered format",
                   goal="≤ 1.5× and < 500 MB", met=r["ok"],
                   note=f"{r['persons']:,} persons, {r['merges']:,} merges, peak {r['peak_rss_mb']} MB")


@entry("export_county_mail")
def export_county_mail(ctx: Context) -> Outcome:
    """A 100,000-person county's package to the city (--for city, draft): the .eml must stay under 25 MB
    (what mailboxes take); baseline: zipping the same package folder."""
    import shutil
    import zipfile

    from app.exporters.package import MAIL_LIMIT
    from app.models import Office
    from app.services.export import export_package
    from app.storage import Database

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "county.db"
        shutil.copy(ctx.demo_path, db_path)
        with Database(db_path) as db, db.session() as s:
            s.get(Office, 1).mailbox = "kpxfpb@163.com"
        t = time.perf_counter()
        with Database(db_path) as db:
            result = export_package(db, None, None, Path(tmp) / "out", draft=True, recipient="city")
        seconds = time.perf_counter() - t
        folder = Path(result["folder"])
        t = time.perf_counter()
        with zipfile.ZipFile(Path(tmp) / "again.zip", "w", zipfile.ZIP_DEFLATED) as zf:
            for p in folder.iterdir():
                zf.write(p, p.name)
        baseline = time.perf_counter() - t
        eml = folder / result["eml"] if result["eml"] else None
        size = eml.stat().st_size if eml else result["mail_size"]
        biggest = max((p for p in folder.iterdir() if p.suffix != ".eml"), key=lambda p: p.stat().st_size)
        biggest_text = f"{biggest.name} {biggest.stat().st_size / 1e6:.1f} MB"
        with Database(db_path, write=False) as db, db.session() as s:
            from sqlalchemy import text

            band_a = s.execute(text("SELECT count(*) FROM persons p JOIN households h ON h.id = p.household_id "
                                    "JOIN periods m ON m.id = h.period_id WHERE h.band = 'A' AND m.month = "
                                    "(SELECT max(month) FROM periods)")).scalar()
    return Outcome(seconds, baseline, "zipping the package folder", goal="eml < 25 MB", met=size < MAIL_LIMIT,
                   note=f"eml {size / 1e6:.1f} MB for {band_a:,} band-A persons of 100,000; largest attachment "
                        f"{biggest_text}; export {seconds:.0f} s")


if __name__ == "__main__":
    main()

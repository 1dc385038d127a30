"""Import: a 100,000-person 附件4 workbook, and a 1 GB-inflating zip bomb (app.services.imports)."""

from __future__ import annotations

import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from bench.harness import CACHE, Context, Outcome, entry

PERSONS = 100_000
HEADER = [
    "序号", "县(市、区)", "乡镇", "村", "户主联系方式", "家庭人口数", "姓名", "与户主关系", "年龄", "致贫原因",
    "健康状况", "有无劳动能力", "主要脱贫措施", "家庭收入情况(预估)", "帮扶责任人联系方式", "预计收入达到5000元以上时间",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华兰凤玉春海峰建国文斌志红梅林宇"


def form4_workbook(path: Path, persons: int = PERSONS, seed: int = 1) -> Path:
    """A clean 附件4 in the official layout: households of 1–6 persons, merged household cells."""
    import xlsxwriter

    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    ws = wb.add_worksheet("附件4")
    ws.write_row(0, 0, ["附件4"])
    ws.write_row(1, 0, [f"全县2020年度年人均收入5000元以下的{persons}人精准脱贫增收挂图作战明细表"])
    ws.write_row(2, 0, ["填报单位：（盖章处）", "", "", "", "填报人：", "", "联系电话：", "", "填报时间："])
    ws.write_row(3, 0, HEADER)
    r = 4
    seq = 1
    used: set[str] = set()
    h = 0
    while seq <= persons:
        size = min(rng.randint(1, 6), persons - seq + 1)
        township, village = f"镇{h // 4000 % 10}", f"村{h // 200}"
        members = []
        for i in range(size):
            while True:
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                name += GIVEN[len(used) % len(GIVEN)] if name in used else ""
                if name not in used:
                    used.add(name)
                    break
            rel = "户主" if i == 0 else ("配偶" if i == 1 else "之子")
            age = rng.randint(50, 80) if i < 2 else rng.randint(20, 30)
            members.append((name, rel, age))
        amounts = [rng.randint(5, 40) * 100 for _ in range(3)]
        total = sum(amounts)
        per = (total * 2 + size) // (2 * size)
        income = f"1. 种植业收入: {amounts[0]}元 2. 低保: {amounts[1]}元 3. 工资性收入: {amounts[2]}元 4. 合计{total}元, 人均{per}元"
        household = ["康平县", township, village, f"{members[0][0]} 151{h:08d}", size]
        tail = ["收入较低", "1、产业带动养牛\n2、低保兜底", income, f"孙伟 139{h:08d}", "2020.10"]
        for i, (name, rel, age) in enumerate(members):
            row = [seq, *(household if i == 0 else [None] * 5), name, rel, age,
                   tail[0] if i == 0 else None, "健康", "普通劳动力" if 16 <= age <= 60 else "弱劳动力",
                   *(tail[1:] if i == 0 else [None] * 4)]
            ws.write_row(r + i, 0, row)
            seq += 1
        if size > 1:
            for c in (1, 2, 3, 4, 5, 9, 12, 13, 14, 15):
                ws.merge_range(r, c, r + size - 1, c, None)
                ws.write(r, c, (household + [None] * 20)[c - 1] if c <= 5 else tail[[9, 12, 13, 14, 15].index(c)])
        r += size
        h += 1
    ws.write_row(r + 1, 0, ["全县(市、区)计划完成贫困人口__户__人的5000元以上增收任务。"])
    ws.write_row(r + 2, 0, ["填报说明: 1. 本表由县(市、区)填报。"])
    wb.close()
    return path


def _baseline(book: Path, db_path: Path) -> tuple[float, float]:
    """python-calamine reading the sheet plus a bulk insert of the same rows: the households, the
    persons, and the measure and income lines held in the cells (split naively, not parsed), i.e.
    the rows an import writes, into the same tables. (wall, CPU) seconds."""
    import re

    from python_calamine import CalamineWorkbook
    from sqlalchemy import insert

    from app.models import Household, IncomeItem, Measure, Person
    from app.services.periods import ensure_period
    from app.services.units import ensure_path
    from app.storage import Database

    flags = {k: False for k in ("housing", "education", "medical", "water", "industry", "industry_started",
                                "industry_benefited", "employment", "public_post", "graduate_placement", "dibao")}
    item = re.compile(r"\s(?=\d+\.)")
    with Database(db_path, create=True) as db, db.session() as s:
        t, c = time.perf_counter(), time.process_time()
        rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_index(0).to_python(skip_empty_area=False)
        pid = ensure_period(s, "2020-03").id
        vid = ensure_path(s, ["康平县", "镇0", "村0"]).id
        hrows, prows, mrows, irows = [], [], [], []
        hid = 0
        for row in rows[4:]:
            if not isinstance(row[0], float):
                continue
            if row[4]:
                hid += 1
                hrows.append({"id": hid, "uuid": f"h{hid}", "period_id": pid, "village_id": vid, "position": hid,
                              "band": "A", "closed_out": False, "risk_colour": "green", "housing_renovated": False,
                              "head_phone": str(row[4]), "cause": row[9]})
                for i, text in enumerate(str(row[12]).split("\n")):
                    mrows.append({"household_id": hid, "position": i, "category": "其它", "text": text})
                for i, text in enumerate(item.split(str(row[13]))[:-1]):
                    irows.append({"household_id": hid, "position": i, "category": "其他", "label": text,
                                  "amount": 0})
            prows.append({"uuid": f"p{len(prows)}", "household_id": hid, "position": 0, "name": row[6],
                          "relation": row[7], "age": int(row[8]), "health": row[10], "labour": row[11], **flags})
        for model, data in ((Household, hrows), (Person, prows), (Measure, mrows), (IncomeItem, irows)):
            s.execute(insert(model.__table__), data)
        s.flush()
        return time.perf_counter() - t, time.process_time() - c


def _import(book: Path, db_path: Path) -> tuple[float, float, dict]:
    """(wall, CPU) seconds of preview + apply of ``book`` into a new database, and the result."""
    from app import fonts
    from app.services.imports import apply_import, preview_import
    from app.storage import Database

    fonts.missing_chars("张")  # warm: the font coverage tables are loaded once per process
    with Database(db_path, create=True) as db, db.session() as s:
        t, c = time.perf_counter(), time.process_time()
        plan = preview_import(s, [book], "2020-03")
        result = apply_import(s, plan)
        return time.perf_counter() - t, time.process_time() - c, result


@entry("import_form4_100k")
def import_form4_100k(ctx: Context) -> Outcome:
    """guatu import of a 100,000-person 附件4 workbook, vs python-calamine read + bulk insert of the rows."""
    CACHE.mkdir(parents=True, exist_ok=True)
    book = CACHE / f"import-form4-{PERSONS}.xlsx"
    if not book.exists():
        form4_workbook(book)
    scratch = [CACHE / "import-bench.db", CACHE / "import-baseline.db"]
    try:
        for p in scratch:
            for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm"), Path(f"{p}.lock")):
                q.unlink(missing_ok=True)
        seconds, cpu, result = _import(book, scratch[0])
        baseline, base_cpu = _baseline(book, scratch[1])
    finally:
        for p in scratch:
            for q in (p, Path(f"{p}-wal"), Path(f"{p}-shm"), Path(f"{p}.lock")):
                q.unlink(missing_ok=True)
    ok = result["added"]["persons"] == PERSONS
    # The machine is shared: both sides are in-process CPU work (no commit is timed), so the goal is
    # judged on CPU seconds, which other work on the machine disturbs far less than wall time.
    ratio = cpu / base_cpu
    return Outcome(seconds, baseline, "calamine read + bulk insert of the same rows", goal="≤ 3× baseline (CPU)",
                   met=ok and ratio <= 3,
                   note=f"CPU {cpu:.1f} s vs {base_cpu:.1f} s = {ratio:.1f}×; {result['added']['households']:,} "
                        f"households, {result['added']['persons']:,} persons imported")


def zip_bomb(path: Path, size: int = 1 << 30) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
    return path


_PROBE = """
import resource, sys, time
from pathlib import Path
from app.importers import form4, form_counts  # noqa: F401 - module imports are not the check's cost
from app.importers.workbook import read_workbook
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
src = read_workbook(Path(sys.argv[1]), "2020-03")
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(dt, (peak - base) / 1024, src.findings[0].code if src.findings else "-")
"""


@entry("import_zip_bomb")
def import_zip_bomb(ctx: Context) -> Outcome:
    """A 1 GB-inflating zip bomb given to the importer: rejected (< 1 s, < 100 MB), vs reading its directory."""
    CACHE.mkdir(parents=True, exist_ok=True)
    bomb = CACHE / "bomb-1g.xlsx"
    if not bomb.exists():
        zip_bomb(bomb)
    out = subprocess.run([sys.executable, "-c", _PROBE, str(bomb)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout.split()
    seconds, memory_mb, code = float(out[0]), float(out[1]), out[2]
    t = time.perf_counter()
    with zipfile.ZipFile(bomb) as zf:
        zf.infolist()
    baseline = time.perf_counter() - t
    return Outcome(seconds, baseline, "zipfile reading the central directory", goal="rejected < 1 s, < 100 MB",
                   met=code == "I-02" and seconds < 1 and memory_mb < 100,
                   note=f"finding {code}; peak memory +{memory_mb:.1f} MB; file {bomb.stat().st_size / 1e6:.1f} MB")


def far_cell_workbook(path: Path, ref: str = "GR299999") -> Path:
    """A small 附件4 plus one cell at ``ref``: the reader would allocate the whole grid up to it."""
    import openpyxl

    good = path.with_name("far-cell-source.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([1, "康平县", "镇0", "村0", "张伟 15100000000", 1, "张伟", "户主", 50])
    wb.save(good)
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", cell + b"</sheetData>", 1)
            zout.writestr(info.filename, data)
    good.unlink()
    return path


@entry("import_far_cell")
def import_far_cell(ctx: Context) -> Outcome:
    """A 6 KB workbook with one cell at GR299999 (2.4 GB once read): refused before the reader, < 200 MB."""
    CACHE.mkdir(parents=True, exist_ok=True)
    book = far_cell_workbook(CACHE / "far-cell.xlsx")
    try:
        out = subprocess.run([sys.executable, "-c", _PROBE, str(book)], capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parent.parent).stdout.split()
        t = time.perf_counter()
        with zipfile.ZipFile(book) as zf:
            zf.infolist()
        baseline = time.perf_counter() - t
    finally:
        book.unlink(missing_ok=True)
    seconds, memory_mb, code = float(out[0]), float(out[1]), out[2]
    return Outcome(seconds, baseline, "zipfile reading the central directory", goal="rejected < 1 s, < 200 MB",
                   met=code == "I-02" and seconds < 1 and memory_mb < 200,
                   note=f"finding {code}; peak memory +{memory_mb:.1f} MB")

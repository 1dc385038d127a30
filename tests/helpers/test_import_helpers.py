"""Workbooks written the way clerks type them (seed 000's layouts), shared by the import tests."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl

from app import __version__
from app.cli import main
from app.exporters.package import write_manifest
from app.exporters.register_json import write_register_json
from app.services.periods import get_period
from app.services.units import find_unit
from app.storage import Database

FORM4_HEADER = [
    "序号", "县(市、区)", "乡镇", "村", "户主联系方式", "家庭人口数", "姓名", "与户主关系", "年龄", "致贫原因",
    "健康状况", "有无劳动能力", "主要脱贫措施", "家庭收入情况(预估)", "帮扶责任人联系方式", "预计收入达到5000元以上时间",
]
SEED_MEASURES = "1、五小产业养羊。 2、盖州市味中鲜食品有限公司产业带动。 3、低保兜底4人。 4、中顺物流产业带动。"
SEED_INCOME = ("1. 种植业收入: 1100元 2. 养殖业: 6000元 3. 低保: 8000元 4. 残疾人补助: 3000元 5. 地力补贴: 400元 "
               "6. 玉米补贴: 200元 7. 救灾款: 500元 8. 退休金: 2500元 9. 土地流转: 1600元 10. 合计23300元, 人均5825元")


def seed_household(**over: Any) -> dict:
    """The seed's example household (于 family, 4 persons), with names made whole."""
    h = {
        "county": "盖州市", "township": "暖泉镇", "village": "前暖泉村", "head_contact": "于海 15140731234",
        "size": 4, "cause": "因残", "measures": SEED_MEASURES, "income": SEED_INCOME,
        "helper_contact": "孙伟 15141781234", "expected_month": "2020.08",
        "members": [
            ("于海", "户主", 75, "残疾", "普通劳动力"),
            ("张兰", "配偶", 64, "残疾", "无劳动力"),
            ("于明", "之子", 42, "残疾", "无劳动力"),
            ("于亮", "之子", 32, "残疾", "无劳动力"),
        ],
    }
    h.update(over)
    return h


NAMES = "甲乙丙丁戊己庚辛壬癸子丑"


def households(n: int = 12) -> list[dict]:
    """``n`` (up to 12) four-person households like the seed's, in three villages, each named apart."""
    out = []
    for i in range(n):
        head = f"于{'海江河湖'[i % 4]}{NAMES[i]}"
        out.append(seed_household(village=["前暖泉村", "后暖泉村", "东村"][i % 3], head_contact=f"{head} 1514073{i:04d}",
                                  members=[(head, "户主", 75, "残疾", "普通劳动力"), (f"张{NAMES[i]}兰", "配偶", 64, "残疾", "无劳动力"),
                                           (f"于明{NAMES[i]}", "之子", 42, "残疾", "无劳动力"),
                                           (f"于亮{NAMES[i]}", "之子", 32, "残疾", "无劳动力")]))
    return out


def write_form4(path: Path, households: list[dict], *, header: list[str] | None = None, merge: bool = True,
                title: str = "全县2020年度年人均收入5000元以下的4人精准脱贫增收挂图作战明细表",
                extra_column: str | None = None, tail: bool = True, spacer: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件4"
    ws.append(["附件4"])
    ws.append([title])
    ws.append(["填报单位：（盖章处）", None, None, None, "填报人：", None, "联系电话：", None, "填报时间："])
    head = list(header or FORM4_HEADER)
    if extra_column:
        head.append(extra_column)
    ws.append(head)
    seq = 1
    for h in households:
        first = ws._current_row + 1  # max_row ignores the blank spacer rows
        for i, (name, rel, age, health, labour) in enumerate(h["members"]):
            hh = i == 0 or not merge and h.get("repeat")
            row = [seq, h["county"] if hh else None, h["township"] if hh else None, h["village"] if hh else None,
                   h["head_contact"] if hh else None, h["size"] if hh else None, name, rel, age,
                   h["cause"] if hh else None, health, labour, h["measures"] if hh else None,
                   h["income"] if hh else None, h["helper_contact"] if hh else None,
                   h["expected_month"] if hh else None]
            if extra_column:
                row.append("备注内容")
            ws.append(row)
            seq += 1
        last = ws._current_row
        if merge and last > first:
            for col in (2, 3, 4, 5, 6, 10, 13, 14, 15, 16):
                ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
        if spacer:
            ws.append([])
    if tail:
        ws.append([])
        ws.append(["全县(市、区)计划完成贫困人口__户__人的5000元以上增收任务。其中: 产业带动__户__人。"])
        ws.append(["填报说明: 1. 本表由县(市、区)填报, 将本年度辖区所有年人均收入5000元以下的已脱贫户的帮扶措施落实情况进行明细。"])
    wb.save(path)
    return path


def dump(db_path: Path | str) -> list:
    """Every row of every table except the audit log: what 'nothing was written' is compared with."""
    if isinstance(db_path, str):  # a PostgreSQL register (tests/conftest.py)
        from _query import query

        tables = [r[0] for r in query(db_path, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                               "ORDER BY tablename")]
        return [(t, query(db_path, f'SELECT * FROM "{t}" ORDER BY 1')) for t in tables]
    con = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall()) for t in tables]
    finally:
        con.close()


def run_cli(*argv: str) -> tuple[int, dict]:
    """Run ``guatu`` in-process: its exit code and its --json document ({} when it printed none)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(list(argv))
    text = out.getvalue().strip()
    return rc, json.loads(text) if text else {}


def quick_package(db_path: Path, unit: str, out: Path, month: str = "2020-03") -> Path:
    """A package folder holding register.json and its manifest (what export writes, minus the forms)."""
    out.mkdir(parents=True)
    with Database(db_path, write=False) as d, d.session() as s:
        write_register_json(out / "register.json", s, get_period(s, month), find_unit(s, unit))
    write_manifest(out, unit=unit, period=month, app_version=__version__, final=False,
                   files=[("register.json", 0)], findings={})
    return out

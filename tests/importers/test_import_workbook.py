"""Hand-made official-layout workbooks: every tolerated quirk, stated figures, consolidation rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from test_import_helpers import FORM4_HEADER, dump, run_cli, seed_household, write_form4

from app.models import Household, Person
from app.services.errors import Refused
from app.services.imports import apply_import, preview_import


def preview(db, *files: Path, period: str = "2020-03"):
    with db.session() as s:
        return preview_import(s, list(files), period)


def norm_of(plan, column_value: str) -> list[dict]:
    return [n for n in plan.normalised if n["from"] == column_value]


@pytest.mark.parametrize("merge", [True, False], ids=["merged", "first-row-only"])
def test_seed_household_reads_like_the_seed(db, tmp_path, merge):
    book = write_form4(tmp_path / "附件4.xlsx", [seed_household()], merge=merge)
    plan = preview(db, book)
    src = plan.sources[0]
    assert src.forms == ["附件4"]
    [h] = src.households
    assert h.village == ("盖州市", "暖泉镇", "前暖泉村")
    assert h.fields["head_phone"] == "15140731234" and h.fields["helper_name"] == "孙伟"
    assert [m["name"] for m in h.members] == ["于海", "张兰", "于明", "于亮"]
    assert [m["category"] for m in h.measures] == ["产业带动", "产业带动", "低保兜底", "产业带动"]
    assert [i["amount"] for i in h.income_items] == [1100, 6000, 8000, 3000, 400, 200, 500, 2500, 1600]
    assert h.income_items[5] == {"category": "粮食补贴", "label": "玉米补贴", "amount": 200}
    assert (h.data.stated_size, h.data.stated_total, h.data.stated_per_capita) == (4, 23300, 5825)
    assert not plan.errors
    # the summary line and 填报说明 under the table are not read as households
    assert plan.totals("added") == {"households": 1, "persons": 4}


def test_quirks_are_normalised_and_listed(db, tmp_path):
    header = list(FORM4_HEADER)
    header[1] = "县（市、区）"
    header[5] = " 家庭人口数 "
    header[13] = "家庭收入情况（预估）"
    header[15] = "预计收入达到5000元\n以上时间"
    quirky = seed_household(
        head_contact="于海 151-4073-1234", size="４人", expected_month="2020年9月", cause="收入较低（缺少收入来源或收入水平较低）",
        income="1．种植业收入：１１００元 2．低保：0.3万元 3．合计4100元，人均1025元",
        measures="1、养牛产业带动\n2、外出务工",
        members=[("于 海", "户主", "７５岁", "残疾", "普通劳动力"), ("张兰", "妻子", 64.0, "残疾", "无劳动力（含丧失劳动力）"),
                 ("于明", "儿子", "42", "残疾", "弱劳动力(含半劳动力)"), ("于小", "孙子", "8岁", "健康", "无劳动力")])
    others = [
        seed_household(head_contact="李四 139 0000 1111", size=2, expected_month=dt.datetime(2020, 10, 1),
                       income="1. 工资: 9000元 2. 合计9000元, 人均4500元", measures="1、公益岗位保洁员",
                       members=[("李四", "户主", 50, "健康", "普通劳动力"), ("王芳", "丈夫", 52, "健康", "普通劳动力")]),
        seed_household(head_contact="赵六 13800001111", size=2, expected_month="2020-11", income="1. 工资: 9000元",
                       measures="1、危房改造", members=[("赵六", "户主", 70, "健康", "弱劳动力"), ("赵丽", "女儿", 40, "健康", "普通劳动力")]),
        seed_household(head_contact="钱七 13800002222", size=2, expected_month="2020.9", income="1. 养羊: 6000元",
                       measures="1、小额信贷", members=[("钱七", "户主", 30, "健康", "普通劳动力"), ("钱老", "父亲", 70, "大病", "无劳动力")]),
    ]
    book = write_form4(tmp_path / "手工表.xlsx", [quirky, *others], header=header, extra_column="备注", spacer=True)
    plan = preview(db, book)
    src = plan.sources[0]
    assert len(src.households) == 4 and plan.totals("added") == {"households": 4, "persons": 10}
    h = src.households[0]
    assert h.fields["head_phone"] == "15140731234"
    assert h.data.stated_size == 4
    assert h.fields["expected_month"] == "2020.09"
    assert h.fields["cause"] == "收入较低"
    assert [m["name"] for m in h.members][0] == "于海"
    assert [m["age"] for m in h.members] == [75, 64, 42, 8]
    assert [m["relation"] for m in h.members] == ["户主", "配偶", "之子", "之孙子"]
    assert [m["labour"] for m in h.members] == ["普通劳动力", "无劳动力", "弱劳动力", "无劳动力"]
    assert [i["amount"] for i in h.income_items] == [1100, 3000]
    assert [m["category"] for m in h.measures] == ["产业带动", "就业"]
    assert [x.fields["expected_month"] for x in src.households[1:]] == ["2020.10", "2020.11", "2020.09"]
    assert [x.members[1]["relation"] for x in src.households[1:]] == ["配偶", "之女", "之父"]
    assert src.households[1].measures[0]["category"] == "公益岗位"
    assert src.households[2].measures[0]["category"] == "危房翻建"
    assert src.households[3].measures[0]["category"] == "扶贫小额信贷"
    # every normalisation is listed with file, sheet, row and column
    n = {(r["column"], r["from"]): r for r in plan.normalised}
    assert n[("F", "４人")]["to"] == 4 and n[("F", "４人")]["row"] == 5
    assert n[("H", "妻子")]["to"] == "配偶" and n[("H", "妻子")]["file"] == "手工表.xlsx"
    assert n[("H", "妻子")]["sheet"] == "附件4"
    assert n[("I", "７５岁")]["to"] == 75
    assert n[("L", "无劳动力（含丧失劳动力）")]["to"] == "无劳动力"
    assert n[("P", "2020年9月")]["to"] == "2020.09"
    assert n[("P", "2020-10-01")]["to"] == "2020.10"
    assert n[("E", "于海 151-4073-1234")]["to"] == "于海 15140731234"
    assert n[("G", "于 海")]["to"] == "于海"
    # the extra column is reported and ignored; the stray-space / full-width headers were found
    extra = [f for f in plan.findings if f.code == "I-04"]
    assert len(extra) == 1 and extra[0].column == "Q" and extra[0].severity == "W" and "备注" in extra[0].message
    assert not plan.errors, [str(f) for f in plan.errors]


def test_household_cells_repeated_on_every_row_without_merges(db, tmp_path):
    hs = [seed_household(repeat=True), seed_household(head_contact="李四 13900001111", size=1, income="1. 工资: 9000元",
                                                      members=[("李四", "户主", 50, "健康", "普通劳动力")], repeat=True)]
    book = write_form4(tmp_path / "重复.xlsx", hs, merge=False)
    plan = preview(db, book)
    assert [len(h.members) for h in plan.sources[0].households] == [4, 1]


def test_stated_size_and_totals_that_disagree_are_findings_not_fixes(db, tmp_path):
    bad = seed_household(size=5, income=seed_household()["income"].replace("合计23300元, 人均5825元", "合计23000元, 人均5000元"))
    book = write_form4(tmp_path / "错.xlsx", [bad])
    before = dump(db.location)
    plan = preview(db, book)
    codes = {(f.code, f.column, f.row) for f in plan.errors}
    assert ("H-02", "F", 5) in codes
    assert ("H-09", "N", 5) in codes
    assert sum(1 for f in plan.errors if f.code == "H-09") == 2  # 合计 and 人均
    assert plan.sources[0].households[0].data.stated_size == 5  # kept as stated, never "fixed"
    with db.session() as s, pytest.raises(Refused) as e:
        apply_import(s, preview_import(s, [book], "2020-03"))
    assert "未作任何修改" in e.value.message
    assert dump(db.location) == before


def test_cli_refuses_e_findings_with_location(db_path, tmp_path):
    book = write_form4(tmp_path / "错.xlsx", [seed_household(size=3)])
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--json")
    assert rc == 1 and out["ok"] is False
    f = next(f for f in out["findings"] if f["code"] == "H-02")
    assert (f["file"], f["sheet"], f["row"], f["column"], f["severity"]) == ("错.xlsx", "附件4", 5, "F", "E")
    assert dump(db_path) == before


def test_reimport_keeps_uuids_and_replace_needs_confirmation(db_path, tmp_path):
    book = write_form4(tmp_path / "a.xlsx", [seed_household()])
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--json")
    assert rc == 0 and out["added"] == {"households": 1, "persons": 4}
    from app.storage import Database

    def uuids():
        with Database(db_path) as d, d.session() as s:
            return sorted(s.scalars(select(Person.uuid))), sorted(s.scalars(select(Household.uuid)))

    first = uuids()
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--json")
    assert rc == 0 and out["unchanged"] == {"households": 1, "persons": 4} and out["added"]["households"] == 0
    assert uuids() == first

    members = seed_household()["members"]
    changed = seed_household(members=[members[0], members[1], (members[2][0], "之子", 43, "残疾", "无劳动力")], size=3,
                             income="1. 种植业收入: 1100元")
    book2 = write_form4(tmp_path / "b.xlsx", [changed])
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(book2), "--period", "2020-03", "--json")
    assert rc == 1 and any(f["code"] == "I-07" for f in out["findings"])
    assert any("年龄" in d for u in out["units"] for d in u["differences"])
    assert dump(db_path) == before
    rc, out = run_cli("import", "--db", str(db_path), str(book2), "--period", "2020-03", "--replace", "--json")
    assert rc == 0 and out["changed"]["households"] == 1 and out["removed"]["persons"] == 1
    people, households = uuids()
    assert households == first[1] and set(people) < set(first[0]) and len(people) == 3
    with Database(db_path) as d, d.session() as s:
        ages = sorted(s.scalars(select(Person.age)))
    assert ages == [43, 64, 75]


def test_locked_month_is_refused(db_path, tmp_path):
    from app.services.periods import ensure_period
    from app.storage import Database

    with Database(db_path) as d, d.session() as s:
        ensure_period(s, "2020-03").state = "locked"
    before = dump(db_path)
    book = write_form4(tmp_path / "a.xlsx", [seed_household()])
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--json")
    assert rc == 1 and any(f["code"] == "I-08" and "锁定" in f["message"] for f in out["findings"])
    assert dump(db_path) == before


def test_workbook_needs_a_period(db_path, tmp_path):
    book = write_form4(tmp_path / "a.xlsx", [seed_household()])
    rc, _ = run_cli("import", "--db", str(db_path), str(book))
    assert rc == 2


def test_dry_run_writes_nothing(db_path, tmp_path):
    book = write_form4(tmp_path / "a.xlsx", [seed_household()])
    before = dump(db_path)
    rc, out = run_cli("import", "--db", str(db_path), str(book), "--period", "2020-03", "--dry-run", "--json")
    assert rc == 0 and out["ok"] is True and out["added"] == {"households": 1, "persons": 4}
    assert dump(db_path) == before


def _form1(path: Path, township_total: int = 5) -> Path:
    """附件1 as the seed prints it: 4 header rows with merged groups, a county row, township rows, villages."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "附件1"
    ws.append(["附件1"])
    ws.append(["全县2020年度年人均收入5000元以下的9人帮扶情况调度表"])
    ws.append(["填报单位：（盖章处）"])
    top = ["序号", "县(市、区)", "乡镇", "村", "年人均纯收入5000元以下建档立卡总人数", "本年度“三保障”+安全饮水帮扶人数", None,
           None, None, "增收性措施帮扶人数", None, None, None, None, None, "享受低保兜底人数(含五保人口)", "人均纯收入统计分布"]
    ws.append(top + [None, None])
    ws.append([None] * 5 + ["住房安全帮扶人数", "义务教育帮扶人数", "基本医疗解决人数", "饮水安全解决人数", "产业带动人数", None,
                            None, "就业带动人数", None, None, None, "4400元以下的", "4400-5000元", "5000元以上的"])
    ws.append([None] * 9 + ["产业带动人数", "其中", None, "就业人数", "其中"] + [None] * 5)
    ws.append([None] * 10 + ["已开工项目带动人数", "已受益人数", None, "公益岗位", "高校毕业生子女政策性安置"] + [None] * 4)
    for rng in ("A4:A7", "B4:B7", "C4:C7", "D4:D7", "E4:E7", "F4:I4", "J4:O4", "P4:P7", "Q4:S4", "F5:F7", "G5:G7",
                "H5:H7", "I5:I7", "J5:L5", "M5:O5", "Q5:Q7", "R5:R7", "S5:S7", "J6:J7", "K6:L6", "M6:M7", "N6:O6"):
        ws.merge_cells(rng)
    v1 = [4, 1, 0, 2, 0, 1, 1, 0, 1, 1, 0, 1, 1, 2, 1]
    v2 = [5, 0, 1, 1, 1, 2, 1, 1, 2, 0, 1, 0, 3, 1, 1]
    town = [a + b for a, b in zip(v1, v2, strict=True)]
    town[0] = township_total
    ws.append([1, "康平县", "全县合计数", None, *town])
    ws.append([2, None, "暖泉镇", "全镇合计", *town])
    ws.append([3, None, None, "前暖泉村", *v1])
    ws.append([4, None, None, "后暖泉村", *["５" if i == 0 else (None if x == 0 else x) for i, x in enumerate(v2)]])
    ws.append([])
    ws.append(["填报说明: 1. 本表只对上年度年人均纯收入5000元以下的已脱贫户巩固扶持情况进行调度。"])
    wb.save(path)
    return path


def test_form1_totals_checked_with_m06_and_village_rows_kept(db, tmp_path):
    plan = preview(db, _form1(tmp_path / "附件1.xlsx", township_total=9))
    src = plan.sources[0]
    assert src.forms == ["附件1"]
    assert [c.unit for c in src.counts] == [("康平县", "暖泉镇", "前暖泉村"), ("康平县", "暖泉镇", "后暖泉村")]
    assert src.counts[1].values["total"] == 5 and src.counts[1].values["housing"] == 0  # "５" read, blank reads 0
    assert not plan.errors, [str(f) for f in plan.errors]

    bad = preview(db, _form1(tmp_path / "附件1错.xlsx", township_total=10))
    m06 = [f for f in bad.errors if f.code == "M-06"]
    assert {(f.row, f.column, f.sheet) for f in m06} == {(9, "E", "附件1")}  # the township row; county = townships
    assert all(f.file == "附件1错.xlsx" for f in m06)


def test_form1_hand_counts_written(db_path, tmp_path):
    rc, out = run_cli("import", "--db", str(db_path), str(_form1(tmp_path / "附件1.xlsx", 9)), "--period", "2020-03",
                      "--json")
    assert rc == 0, out
    from app.models import HandCount
    from app.storage import Database

    with Database(db_path) as d, d.session() as s:
        rows = s.scalars(select(HandCount).order_by(HandCount.id)).all()
        assert [(r.form, r.total, r.employment, r.housing) for r in rows] == [(1, 4, 1, 1), (1, 5, 2, 0)]


def _form2(path: Path, total_row: int) -> Path:
    """附件2 as seed 000 prints it: header words broken by spaces and line breaks, the 全市合计 row first."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["附件2"])
    ws.append(["全市2020年度年人均收入5000元-5760元之间的1243人帮扶情况调度表"])
    ws.append(["序号", "县 (市、区)", "年人均 纯收入 5000元- 5760元 之间建 档立卡 总人数", "本年度“三保障”+安全饮水帮扶人数", None,
               None, None, "产业带动人数", None, None, "就业带动人数", None, None, "享受低 保兜底 人数 (含五 保人 口)",
               "人均纯收入 统计分布", None])
    ws.append([None, None, None, "住房安 全帮扶 人数", "义务教 育帮扶 人数", "基本医 疗保险 解决人 数", "饮水安 全解决 人数",
               "产业带 动人数", "其中", None, "就业\n人数", "其中", None, None, "5000元- 5760之 间的", "5760元 以上的"])
    ws.append([None] * 8 + ["已开工 项目带 动人数", "已受益 人数", None, "公益岗 位安置", "高校毕 业生子 女政策 性安置", None, None, None])
    for rng in ("A3:A5", "B3:B5", "C3:C5", "D3:G3", "H3:J3", "K3:M3", "N3:N5", "O3:P3", "D4:D5", "E4:E5", "F4:F5",
                "G4:G5", "H4:H5", "I4:J4", "K4:K5", "L4:M4", "O4:O5", "P4:P5"):
        ws.merge_cells(rng)
    a = [10, 1, 2, 3, 0, 4, 2, 1, 3, 1, 1, 2, 6, 4]
    b = [20, 2, 2, 2, 2, 5, 1, 1, 6, 2, 2, 3, 15, 5]
    ws.append([None, "全市合计", total_row, *[x + y for x, y in zip(a[1:], b[1:], strict=True)]])
    ws.append([1, "康平县", *a])
    ws.append([2, "法库县", *b])
    ws.append(["填报说明：1. 本表只对上年度年人均纯收入5000元-5760元之间的已脱贫户巩固扶持情况进行调度。"])
    wb.save(path)
    return path


def test_form2_seed_layout_with_broken_header_words(db, tmp_path):
    plan = preview(db, _form2(tmp_path / "附件2.xlsx", 30))
    src = plan.sources[0]
    assert src.forms == ["附件2"] and src.columns["Sheet1"]["medical"] == "F"
    assert [(c.unit, c.values["total"], c.values["inc_gt_5760"]) for c in src.counts] == [
        (("康平县",), 10, 4), (("法库县",), 20, 5)]
    assert not plan.errors, [str(f) for f in plan.errors]
    assert {f.code for f in plan.findings} <= {"M-08"}  # 6+4 ≠ 10 is fine; 15+5 = 20

    bad = preview(db, _form2(tmp_path / "附件2错.xlsx", 31))
    [m06] = [f for f in bad.errors if f.code == "M-06"]
    assert (m06.row, m06.column) == (6, "C")

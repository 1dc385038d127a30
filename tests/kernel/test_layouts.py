"""The form layouts against forms.md §1–§4 and seed 000: header trees, codes, titles, 填报说明 verbatim."""

from __future__ import annotations

import re

import pytest

from app.forms.layouts import (
    FORM1,
    FORM2,
    FORM3,
    FORM4,
    FORM4B,
    LAYOUTS,
    header_label_rows,
    normalise_label,
    scope_word,
    summary_line,
)
from app.forms.table import HeaderNode, leaves

SAN = "本年度“三保障”+安全饮水帮扶人数"
INC = "增收性措施帮扶人数"

# forms.md §1, the table "Leaf columns, in order (19), with the header tree above them".
FORM1_PATHS = [
    (("序号",), "seq"), (("县(市、区)",), "county"), (("乡镇",), "township"), (("村",), "village"),
    (("年人均纯收入5000元以下建档立卡总人数",), "total"),
    ((SAN, "住房安全帮扶人数"), "housing"), ((SAN, "义务教育帮扶人数"), "education"),
    ((SAN, "基本医疗解决人数"), "medical"), ((SAN, "饮水安全解决人数"), "water"),
    ((INC, "产业带动人数", "产业带动人数"), "industry"),
    ((INC, "产业带动人数", "其中", "已开工项目带动人数"), "industry_started"),
    ((INC, "产业带动人数", "其中", "已受益人数"), "industry_benefited"),
    ((INC, "就业带动人数", "就业人数"), "employment"),
    ((INC, "就业带动人数", "其中", "公益岗位"), "public_post"),
    ((INC, "就业带动人数", "其中", "高校毕业生子女政策性安置"), "graduate_placement"),
    (("享受低保兜底人数(含五保人口)",), "dibao"),
    (("人均纯收入统计分布", "4400元以下的"), "inc_lt_4400"),
    (("人均纯收入统计分布", "4400-5000元"), "inc_4400_5000"),
    (("人均纯收入统计分布", "5000元以上的"), "inc_ge_5000"),
]

FORM2_PATHS = [
    (("序号",), "seq"), (("县(市、区)",), "county"), (("年人均纯收入5000元-5760元之间建档立卡总人数",), "total"),
    ((SAN, "住房安全帮扶人数"), "housing"), ((SAN, "义务教育帮扶人数"), "education"),
    ((SAN, "基本医疗保险解决人数"), "medical"), ((SAN, "饮水安全解决人数"), "water"),
    (("产业带动人数", "产业带动人数"), "industry"), (("产业带动人数", "其中", "已开工项目带动人数"), "industry_started"),
    (("产业带动人数", "其中", "已受益人数"), "industry_benefited"), (("就业带动人数", "就业人数"), "employment"),
    (("就业带动人数", "其中", "公益岗位安置"), "public_post"),
    (("就业带动人数", "其中", "高校毕业生子女政策性安置"), "graduate_placement"),
    (("享受低保兜底人数(含五保人口)",), "dibao"),
    (("人均纯收入统计分布", "5000元-5760之间的"), "inc_5000_5760"), (("人均纯收入统计分布", "5760元以上的"), "inc_gt_5760"),
]

# forms.md §4: (column, level, code).
FORM4_COLUMNS = [
    ("序号", "person", "seq"), ("县(市、区)", "household", "county"), ("乡镇", "household", "township"),
    ("村", "household", "village"), ("户主联系方式", "household", "head_contact"), ("家庭人口数", "household", "size"),
    ("姓名", "person", "name"), ("与户主关系", "person", "relation"), ("年龄", "person", "age"),
    ("致贫原因", "household", "cause"), ("健康状况", "person", "health"), ("有无劳动能力", "person", "labour"),
    ("主要脱贫措施", "household", "measures"), ("家庭收入情况(预估)", "household", "income"),
    ("帮扶责任人联系方式", "household", "helper_contact"), ("预计收入达到5000元以上时间", "household", "expected_month"),
]

# 填报说明 exactly as forms.md prints them (one paragraph each), split into items below.
FORM1_TEXT = """1. 本表只对上年度年人均纯收入5000元以下的已脱贫户(不含未脱贫户)巩固扶持情况进行调度,以村为最小填报单位。
2. 表中信息要如实填报,所填报信息均为截止上个月月底的即时数据。
3. 产业帮扶人数是指由财政专项扶贫资金、金融扶贫资金、定点(驻村)帮扶资金、社会扶贫资金和对口帮扶资金项目带动人口数或有相关帮扶性措施带动增收的项目,不包括自主生产经营、无任何帮扶措施的项目。
4. 就业人数是包括所有自主就业务工人数,也包括扶贫车间、公益岗位、产业园或龙头企业带动就业以及高校毕业生子女政策性安置等受到就业帮扶等人数。
5. 人均纯收入情况栏是对本年度累计到上个月月底的家庭人均纯收入情况。
6. 数据为0或无此类情况时填0,凡空白均视为0。"""
FORM2_TEXT = """1. 本表只对上年度年人均纯收入5000元-5760元之间的已脱贫户（不含未脱贫户）巩固扶持情况进行调度，以县（市、区）为最小填报单位。
2. 表中信息均要如实填报，所有填报信息均截止上个月月底的实时数据。
3. 产业帮扶人数是指由财政专项扶贫资金、金融扶贫资金、定点（驻村）帮扶资金、社会扶贫资金和对口帮扶资金项目带动人口数或有相关帮扶性措施带动增收的项目，不包括自主生产经营、无任何帮扶措施的项目。
4. 就业人数是包括所有自主就业务工人数，也包括扶贫车间、公益岗位、产业园或龙头企业带动就业以及高校毕业生子女政策安置等受到就业帮扶等人数。
5. 人均纯收入情况栏是对本年度累计到上个月月底的家庭人均纯收入情况。
6. 数据为0或无此类情况时填0，凡空白均视为0。"""
FORM4_TEXT = """1. 本表由县(市、区)填报, 将本年度辖区所有年人均收入5000元以下的已脱贫户的帮扶措施落实情况进行明细, 逐户填报。
2. 表中信息要如实填报, 所填报信息均为截止上个月月底的即时数据。3. 主要致贫或返贫原因包括因病、因残、因学、因房、收入较低(缺少收入来源或收入水平较低)、其他等6项。
4. 健康状况填写健康、残疾、大病、长期慢性病四种类型。5. 有无劳动能力填写普通劳动力、无劳动力(含丧失劳动力)、弱劳动力(含半劳动力)三种类型。
6. 家庭收入为预估数, 要根据当地实际合理测算。7. 预计收入达到5000元以上时间是指该户通过因户施策帮扶预计收入达到5000元以上的月份。
8. 如内容有变化, 须及时报送市扶贫办。9. 数据为0或无此类情况时填0, 凡空白均视为0。"""


def items(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"\s*(?=(?<![\d.])\d\. )", text) if s.strip()]


def paths(header: list[HeaderNode]) -> list[tuple[tuple[str, ...], str]]:
    out = []

    def walk(nodes, above):
        for n in nodes:
            if n.is_leaf:
                out.append(((*above, n.label), n.code))
            else:
                walk(n.children, (*above, n.label))

    walk(header, ())
    return out


def test_form1_header_tree_is_forms_md():
    assert paths(FORM1.header()) == FORM1_PATHS
    assert FORM1.header_rows() == 4


def test_form2_header_tree_has_industry_and_employment_top_level():
    assert paths(FORM2.header()) == FORM2_PATHS
    assert [n.label for n in FORM2.header()] == [
        "序号", "县(市、区)", "年人均纯收入5000元-5760元之间建档立卡总人数", SAN, "产业带动人数", "就业带动人数",
        "享受低保兜底人数(含五保人口)", "人均纯收入统计分布",
    ]
    assert FORM2.header_rows() == 3


def test_form4_columns_and_levels():
    assert [(n.label, FORM4.levels[n.code], n.code) for n in FORM4.header()] == FORM4_COLUMNS
    assert FORM4B.codes() == FORM4.codes()


def test_form3_our_design_columns():
    assert [n.label for n in FORM3.header()] == [
        "序号", "县(市、区)", "乡镇", "项目名称", "建设内容及规模", "资金来源", "计划投资(万元)", "已到位资金(万元)",
        "已拨付资金(万元)", "拨付进度(%)", "实施进度", "开工时间", "完工时间", "带动户数", "带动人数", "备注",
    ]


def test_kinds():
    kinds = {n.code: n.kind for n in leaves(FORM1.header())}
    assert kinds["seq"] == "seq" and kinds["village"] == "text" and kinds["total"] == "count"
    assert all(kinds[c] == "count" for c in FORM1.codes()[4:])
    assert {n.code: n.kind for n in FORM4.header()}["measures"] == "text"


@pytest.mark.parametrize(("lay", "text"), [(FORM1, FORM1_TEXT), (FORM2, FORM2_TEXT), (FORM4, FORM4_TEXT)])
def test_instructions_verbatim(lay, text):
    assert list(lay.instructions) == items(text)


def test_form4_has_nine_items_and_form1_form2_differ():
    assert len(FORM4.instructions) == 9 and FORM4B.instructions[1:] == FORM4.instructions[1:]
    assert "5000元-5760元之间" in FORM4B.instructions[0] and "5000元以下" not in FORM4B.instructions[0]
    assert FORM1.instructions[1] != FORM2.instructions[1]
    assert FORM1.instructions_label == "填报说明:" and FORM2.instructions_label == "填报说明："


def test_titles_generalise_the_seed():
    assert FORM1.title(scope="全市", year=2020, n=613) == "全市2020年度年人均收入5000元以下的613人帮扶情况调度表"
    assert FORM2.title(scope="全市", year=2020, n=1243) == "全市2020年度年人均收入5000元-5760元之间的1243人帮扶情况调度表"
    assert FORM4.title(scope="全市", year=2020, n=613) == "全市2020年度年人均收入5000元以下的613人精准脱贫增收挂图作战明细表"
    assert FORM3.title(scope="全县", year=2020) == "全县2020年度脱贫攻坚资金项目落实进度情况调度表"
    m = FORM1.title_regex().fullmatch(normalise_label("全县 2020 年度年人均收入 5000 元以下的 132 人帮扶情况调度表"))
    assert m and m["year"] == "2020" and m["n"] == "132" and m["scope"] == "全县"
    assert not FORM1.title_regex().fullmatch(FORM4.title(scope="全县", year=2020, n=1))


def test_scope_words():
    assert scope_word("county", "康平县") == "全县"
    assert scope_word("county", "新民市") == "全市"
    assert scope_word("township", "暖泉镇") == "全镇"
    assert scope_word("township", "沙金乡") == "全乡"


def test_file_names_follow_cli_md():
    assert FORM1.file_name("xlsx") == "附件1 帮扶情况调度表.xlsx"
    assert FORM2.file_name("pdf") == "附件2 帮扶情况调度表.pdf"
    assert FORM4B.file_name("xlsx").startswith("附件4（5000-5760元）")
    assert FORM1.file_name("xlsx", draft=True) == "附件1 帮扶情况调度表-草稿.xlsx"
    assert len({lay.file_stem for lay in LAYOUTS.values()}) == 5


def test_header_grid_as_seed_prints_it():
    grid = header_label_rows(FORM1)
    assert grid[0][5] == SAN and grid[0][9] == INC and grid[0][16] == "人均纯收入统计分布"
    assert grid[1][9] == "产业带动人数" and grid[1][12] == "就业带动人数" and grid[1][16] == "4400元以下的"
    assert grid[2][9] == "产业带动人数" and grid[2][10] == "其中" and grid[2][12] == "就业人数" and grid[2][13] == "其中"
    assert grid[3][10:12] == ["已开工项目带动人数", "已受益人数"] and grid[3][13:15] == ["公益岗位", "高校毕业生子女政策性安置"]


def test_summary_line_template():
    line = summary_line("全县(市、区)", (3, 10), {"产业带动": (2, 7), "其它": (1, 1)})
    assert line == (
        "全县(市、区)计划完成贫困人口3户10人的5000元以上增收任务。其中: 产业带动2户7人, 危房翻建0户0人, 低保兜底0户0人, "
        "教育资助0户0人, 健康扶贫0户0人, 扶贫小额信贷0户0人, 饮水安全0户0人, 其它1户1人。"
    )


def test_normalise_label_accepts_seed_typography():
    assert normalise_label("本年度“三保障”+安全饮水帮扶人数") == normalise_label(SAN)
    assert normalise_label("县 (市、区)") == "县(市、区)"
    assert normalise_label("享受低 保兜底 人数 （含五 保人 口）") == "享受低保兜底人数(含五保人口)"

"""Each official form described once (forms.md §1–§4): header tree, title, file name, 填报说明.

Writers (xlsx, pdf), the importer (which finds sheets and header rows by this text) and the counts
view all read the layouts from here. ``FormLayout.header()`` returns a fresh tree of
``HeaderNode`` whose leaf codes are exactly the codes of forms.md.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from .table import HeaderNode, header_grid, leaves

# forms.md §0: the line under the title; the unit name follows 填报单位 and the seal goes beside it.
HEADER_BLOCK = ("填报单位：", "填报人：", "联系电话：", "填报时间：")
SEAL_NOTE = "（盖章处）"
DRAFT_SUFFIX = "-草稿"
SANBAOZHANG = "本年度“三保障”+安全饮水帮扶人数"  # curly quotes, as the seed prints them


def _leaf(label: str, code: str, width: float = 8.0, kind: str = "count") -> HeaderNode:
    return HeaderNode(label, code=code, width=width, kind=kind)


def _group(label: str, *children: HeaderNode) -> HeaderNode:
    return HeaderNode(label, children=list(children))


def _form1_header() -> list[HeaderNode]:
    return [
        _leaf("序号", "seq", 5, "seq"),
        _leaf("县(市、区)", "county", 10, "text"),
        _leaf("乡镇", "township", 10, "text"),
        _leaf("村", "village", 10, "text"),
        _leaf("年人均纯收入5000元以下建档立卡总人数", "total", 11),
        _group(
            SANBAOZHANG,
            _leaf("住房安全帮扶人数", "housing"),
            _leaf("义务教育帮扶人数", "education"),
            _leaf("基本医疗解决人数", "medical"),
            _leaf("饮水安全解决人数", "water"),
        ),
        _group(
            "增收性措施帮扶人数",
            _group(
                "产业带动人数",
                _leaf("产业带动人数", "industry"),
                _group("其中", _leaf("已开工项目带动人数", "industry_started"), _leaf("已受益人数", "industry_benefited")),
            ),
            _group(
                "就业带动人数",
                _leaf("就业人数", "employment"),
                _group("其中", _leaf("公益岗位", "public_post"), _leaf("高校毕业生子女政策性安置", "graduate_placement", 10)),
            ),
        ),
        _leaf("享受低保兜底人数(含五保人口)", "dibao", 9),
        _group(
            "人均纯收入统计分布",
            _leaf("4400元以下的", "inc_lt_4400"),
            _leaf("4400-5000元", "inc_4400_5000"),
            _leaf("5000元以上的", "inc_ge_5000"),
        ),
    ]


def _form2_header() -> list[HeaderNode]:
    return [
        _leaf("序号", "seq", 5, "seq"),
        _leaf("县(市、区)", "county", 11, "text"),
        _leaf("年人均纯收入5000元-5760元之间建档立卡总人数", "total", 11),
        _group(
            SANBAOZHANG,
            _leaf("住房安全帮扶人数", "housing"),
            _leaf("义务教育帮扶人数", "education"),
            _leaf("基本医疗保险解决人数", "medical"),
            _leaf("饮水安全解决人数", "water"),
        ),
        _group(
            "产业带动人数",
            _leaf("产业带动人数", "industry"),
            _group("其中", _leaf("已开工项目带动人数", "industry_started"), _leaf("已受益人数", "industry_benefited")),
        ),
        _group(
            "就业带动人数",
            _leaf("就业人数", "employment"),
            _group("其中", _leaf("公益岗位安置", "public_post"), _leaf("高校毕业生子女政策性安置", "graduate_placement", 10)),
        ),
        _leaf("享受低保兜底人数(含五保人口)", "dibao", 9),
        _group("人均纯收入统计分布", _leaf("5000元-5760之间的", "inc_5000_5760", 9), _leaf("5760元以上的", "inc_gt_5760", 9)),
    ]


def _form3_header() -> list[HeaderNode]:
    """Our design (forms.md §3); codes are the FundProject attribute names (+ progress, derived)."""
    return [
        _leaf("序号", "seq", 5, "seq"),
        _leaf("县(市、区)", "county", 9, "text"),
        _leaf("乡镇", "township", 9, "text"),
        _leaf("项目名称", "name", 18, "text"),
        _leaf("建设内容及规模", "content", 22, "text"),
        _leaf("资金来源", "fund_source", 12, "text"),
        _leaf("计划投资(万元)", "planned", 10, "number"),
        _leaf("已到位资金(万元)", "received", 10, "number"),
        _leaf("已拨付资金(万元)", "disbursed", 10, "number"),
        _leaf("拨付进度(%)", "progress", 8, "number"),
        _leaf("实施进度", "stage", 8, "text"),
        _leaf("开工时间", "started_on", 10, "text"),
        _leaf("完工时间", "completed_on", 10, "text"),
        _leaf("带动户数", "households", 7),
        _leaf("带动人数", "persons", 7),
        _leaf("备注", "remark", 14, "text"),
    ]


def _form4_header() -> list[HeaderNode]:
    return [
        _leaf("序号", "seq", 6, "seq"),
        _leaf("县(市、区)", "county", 8, "text"),
        _leaf("乡镇", "township", 8, "text"),
        _leaf("村", "village", 9, "text"),
        _leaf("户主联系方式", "head_contact", 13, "text"),
        _leaf("家庭人口数", "size", 6, "number"),
        _leaf("姓名", "name", 8, "text"),
        _leaf("与户主关系", "relation", 7, "text"),
        _leaf("年龄", "age", 5, "number"),
        _leaf("致贫原因", "cause", 7, "text"),
        _leaf("健康状况", "health", 7, "text"),
        _leaf("有无劳动能力", "labour", 8, "text"),
        _leaf("主要脱贫措施", "measures", 30, "text"),
        _leaf("家庭收入情况(预估)", "income", 24, "text"),
        _leaf("帮扶责任人联系方式", "helper_contact", 13, "text"),
        _leaf("预计收入达到5000元以上时间", "expected_month", 10, "text"),
    ]


# 附件4: which columns belong to the household (merged vertically over its members) or the person.
FORM4_LEVELS = {
    "seq": "person", "county": "household", "township": "household", "village": "household",
    "head_contact": "household", "size": "household", "name": "person", "relation": "person",
    "age": "person", "cause": "household", "health": "person", "labour": "person",
    "measures": "household", "income": "household", "helper_contact": "household",
    "expected_month": "household",
}

FORM1_INSTRUCTIONS = (
    "1. 本表只对上年度年人均纯收入5000元以下的已脱贫户(不含未脱贫户)巩固扶持情况进行调度,以村为最小填报单位。",
    "2. 表中信息要如实填报,所填报信息均为截止上个月月底的即时数据。",
    "3. 产业帮扶人数是指由财政专项扶贫资金、金融扶贫资金、定点(驻村)帮扶资金、社会扶贫资金和对口帮扶资金项目带动人口数"
    "或有相关帮扶性措施带动增收的项目,不包括自主生产经营、无任何帮扶措施的项目。",
    "4. 就业人数是包括所有自主就业务工人数,也包括扶贫车间、公益岗位、产业园或龙头企业带动就业以及高校毕业生子女政策性安置"
    "等受到就业帮扶等人数。",
    "5. 人均纯收入情况栏是对本年度累计到上个月月底的家庭人均纯收入情况。",
    "6. 数据为0或无此类情况时填0,凡空白均视为0。",
)

FORM2_INSTRUCTIONS = (
    "1. 本表只对上年度年人均纯收入5000元-5760元之间的已脱贫户（不含未脱贫户）巩固扶持情况进行调度，以县（市、区）为最小填报单位。",
    "2. 表中信息均要如实填报，所有填报信息均截止上个月月底的实时数据。",
    "3. 产业帮扶人数是指由财政专项扶贫资金、金融扶贫资金、定点（驻村）帮扶资金、社会扶贫资金和对口帮扶资金项目带动人口数"
    "或有相关帮扶性措施带动增收的项目，不包括自主生产经营、无任何帮扶措施的项目。",
    "4. 就业人数是包括所有自主就业务工人数，也包括扶贫车间、公益岗位、产业园或龙头企业带动就业以及高校毕业生子女政策安置"
    "等受到就业帮扶等人数。",
    "5. 人均纯收入情况栏是对本年度累计到上个月月底的家庭人均纯收入情况。",
    "6. 数据为0或无此类情况时填0，凡空白均视为0。",
)

# 附件3 is our design (forms.md §3): the seed names the form but prints no 填报说明.
FORM3_INSTRUCTIONS = (
    "1. 本表从项目资金投入、资金拨付进度和项目实施进度三个方面填报，资金落实精准到项目、到乡镇。",
    "2. 金额单位为万元，最多保留4位小数；拨付进度＝已拨付资金÷计划投资×100，保留1位小数。",
    "3. 实施进度填写未开工、已开工、已完工、已验收四种情况；已开工及以后须填开工时间，已完工及以后须填完工时间。",
    "4. 表中信息要如实填报，所填报信息均为截止上个月月底的即时数据。",
    "5. 数据为0或无此类情况时填0，凡空白均视为0。",
)

FORM4_INSTRUCTIONS = (
    "1. 本表由县(市、区)填报, 将本年度辖区所有年人均收入5000元以下的已脱贫户的帮扶措施落实情况进行明细, 逐户填报。",
    "2. 表中信息要如实填报, 所填报信息均为截止上个月月底的即时数据。",
    "3. 主要致贫或返贫原因包括因病、因残、因学、因房、收入较低(缺少收入来源或收入水平较低)、其他等6项。",
    "4. 健康状况填写健康、残疾、大病、长期慢性病四种类型。",
    "5. 有无劳动能力填写普通劳动力、无劳动力(含丧失劳动力)、弱劳动力(含半劳动力)三种类型。",
    "6. 家庭收入为预估数, 要根据当地实际合理测算。",
    "7. 预计收入达到5000元以上时间是指该户通过因户施策帮扶预计收入达到5000元以上的月份。",
    "8. 如内容有变化, 须及时报送市扶贫办。",
    "9. 数据为0或无此类情况时填0, 凡空白均视为0。",
)

# The band-B detail (forms.md §0): 填报说明 1 names its own band.
FORM4B_INSTRUCTIONS = (
    "1. 本表由县(市、区)填报, 将本年度辖区所有年人均收入5000元-5760元之间的已脱贫户的帮扶措施落实情况进行明细, 逐户填报。",
    *FORM4_INSTRUCTIONS[1:],
)

# 附件4's summary line (forms.md §4); ``{scope}`` is 全县(市、区) for a county, 全镇/全乡 below it.
SUMMARY_CATEGORY_ORDER = ("产业带动", "危房翻建", "低保兜底", "教育资助", "健康扶贫", "扶贫小额信贷", "饮水安全", "其它")
SUMMARY_TEMPLATE = (
    "{scope}计划完成贫困人口{households}户{persons}人的5000元以上增收任务。其中: "
    + ", ".join(f"{c}{{{c}_h}}户{{{c}_p}}人" for c in SUMMARY_CATEGORY_ORDER)
    + "。"
)


@dataclass(frozen=True)
class FormLayout:
    """One official form: what is printed around and above the data rows."""

    key: str  # "1", "2", "3", "4", "4B"
    form: str  # "附件1" … "附件4"
    name: str  # short name: "帮扶情况调度表"
    file_stem: str  # "附件1 帮扶情况调度表" (cli.md package names)
    title_template: str  # with {scope} {year} {n}
    instructions: tuple[str, ...]
    instructions_label: str = "填报说明:"
    band: str | None = None  # "A"/"B" for the band forms, None for 附件3
    levels: dict[str, str] = field(default_factory=dict)  # 附件4: code → "household" | "person"
    summary_template: str | None = None
    _header: tuple[HeaderNode, ...] = ()

    def header(self) -> list[HeaderNode]:
        """A fresh header tree (HeaderNode is mutable; callers may adjust widths)."""
        return copy.deepcopy(list(self._header))

    def codes(self) -> list[str]:
        return [n.code or "" for n in leaves(list(self._header))]

    def header_rows(self) -> int:
        return header_grid(list(self._header))[0]

    def title(self, *, scope: str, year: int, n: int | None = None) -> str:
        return self.title_template.format(scope=scope, year=year, n=n if n is not None else 0)

    def file_name(self, ext: str, draft: bool = False) -> str:
        return f"{self.file_stem}{DRAFT_SUFFIX if draft else ''}.{ext}"

    def title_regex(self) -> re.Pattern[str]:
        """Matches any title of this form (any scope, year and N), tolerant of spaces."""
        parts = re.split(r"(\{scope\}|\{year\}|\{n\})", self.title_template)
        subs = {"{scope}": r"(?P<scope>全\S{0,6}?)?", "{year}": r"(?P<year>\d{4})", "{n}": r"(?P<n>\d+)"}
        body = "".join(subs.get(p, re.escape(normalise_label(p))) for p in parts)
        return re.compile(body)


def _layout(key: str, form: str, name: str, stem: str, title: str, header, instructions, **kw) -> FormLayout:
    return FormLayout(key, form, name, stem, title, tuple(instructions), _header=tuple(header()), **kw)


FORM1 = _layout(
    "1", "附件1", "帮扶情况调度表", "附件1 帮扶情况调度表",
    "{scope}{year}年度年人均收入5000元以下的{n}人帮扶情况调度表", _form1_header, FORM1_INSTRUCTIONS, band="A",
)
FORM2 = _layout(
    "2", "附件2", "帮扶情况调度表", "附件2 帮扶情况调度表",
    "{scope}{year}年度年人均收入5000元-5760元之间的{n}人帮扶情况调度表", _form2_header, FORM2_INSTRUCTIONS,
    instructions_label="填报说明：", band="B",
)
FORM3 = _layout(
    "3", "附件3", "资金项目落实进度调度表", "附件3 资金项目落实进度调度表",
    "{scope}{year}年度脱贫攻坚资金项目落实进度情况调度表", _form3_header, FORM3_INSTRUCTIONS,
    instructions_label="填报说明：",
)
FORM4 = _layout(
    "4", "附件4", "精准脱贫增收挂图作战明细表", "附件4 精准脱贫增收挂图作战明细表",
    "{scope}{year}年度年人均收入5000元以下的{n}人精准脱贫增收挂图作战明细表", _form4_header, FORM4_INSTRUCTIONS,
    band="A", levels=FORM4_LEVELS, summary_template=SUMMARY_TEMPLATE,
)
# Band B detail: "参照附件4内容自行制定" — the 附件4 layout, kept by the county for its own records.
FORM4B = _layout(
    "4B", "附件4", "精准脱贫增收挂图作战明细表", "附件4（5000-5760元）精准脱贫增收挂图作战明细表",
    "{scope}{year}年度年人均收入5000元-5760元之间的{n}人精准脱贫增收挂图作战明细表", _form4_header,
    FORM4B_INSTRUCTIONS, band="B", levels=FORM4_LEVELS, summary_template=SUMMARY_TEMPLATE,
)

LAYOUTS: dict[str, FormLayout] = {lay.key: lay for lay in (FORM1, FORM2, FORM3, FORM4, FORM4B)}


def layout(key: str | int) -> FormLayout:
    return LAYOUTS[str(key).upper()]


def scope_word(level: str, name: str) -> str:
    """全市/全县/全区/全镇/全乡/全街道/全村 by the exporting unit's level (and its name's ending)."""
    if level == "county":
        return "全市" if name.endswith("市") else "全区" if name.endswith("区") else "全县"
    if level == "township":
        return "全镇" if name.endswith("镇") else "全街道" if name.endswith("街道") else "全乡"
    if level == "village":
        return "全村"
    return "全市"


def summary_scope(level: str, name: str) -> str:
    """The summary line of 附件4 starts 全县(市、区) for a county (as printed), 全镇/全乡 below."""
    return "全县(市、区)" if level in ("county", "city") else scope_word(level, name)


def township_total_label(name: str) -> str:
    """全乡合计 / 全镇合计 / 全街道合计 for a township's total row (forms.md §0)."""
    return "全镇合计" if name.endswith("镇") else "全街道合计" if name.endswith("街道") else "全乡合计"


COUNTY_TOTAL_LABEL = "全县合计数"  # 附件1, 乡镇 column of the county row


def summary_line(scope: str, total: tuple[int, int], per_category: dict[str, tuple[int, int]]) -> str:
    """附件4's line under the table; ``total`` and each category are (households, persons)."""
    values: dict[str, object] = {"scope": scope, "households": total[0], "persons": total[1]}
    for c in SUMMARY_CATEGORY_ORDER:
        h, p = per_category.get(c, (0, 0))
        values[f"{c}_h"], values[f"{c}_p"] = h, p
    return SUMMARY_TEMPLATE.format(**values)


_LABEL_TRANS = str.maketrans({"“": '"', "”": '"', "（": "(", "）": ")", "，": ",", "：": ":", "－": "-", "—": "-"})


def normalise_label(text: str | None) -> str:
    """Header text as compared by importers: no whitespace, ASCII quotes/brackets/commas/colons."""
    if text is None:
        return ""
    return re.sub(r"\s+", "", str(text)).translate(_LABEL_TRANS)


def header_label_rows(lay: FormLayout) -> list[list[str]]:
    """The header as printed: one list of labels per header row ("" under a merged cell)."""
    rows, cells = header_grid(list(lay._header))
    width = len(lay.codes())
    grid = [[""] * width for _ in range(rows)]
    for c in cells:
        grid[c.row][c.col] = c.label
    return grid

"""The closed lists and column codes of forms.md, in one place.

Stored values are the exact strings of the spec; the hint text in brackets is only shown in the
UI and accepted on import (see ``canonical``).
"""

from __future__ import annotations

import re

LEVELS = ("county", "township", "village")
LEVEL_NAMES = {"county": "县(市、区)", "township": "乡镇", "village": "村"}

CAUSES = ("因病", "因残", "因学", "因房", "收入较低", "其他")
HEALTH = ("健康", "残疾", "大病", "长期慢性病")
LABOUR = ("普通劳动力", "无劳动力", "弱劳动力")
RELATIONS = (
    "户主", "配偶", "之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之外孙子", "之外孙女",
    "之父", "之母", "之公公", "之婆婆", "之岳父", "之岳母", "之祖父", "之祖母", "之外祖父", "之外祖母",
    "之兄弟姐妹", "其他",
)
MEASURE_CATEGORIES = (
    "产业带动", "危房翻建", "低保兜底", "教育资助", "健康扶贫", "扶贫小额信贷", "饮水安全", "就业", "公益岗位", "其它",
)
# The summary line of 附件4 names these categories, in this order; 就业 and 公益岗位 count as 其它 there.
SUMMARY_CATEGORIES = ("产业带动", "危房翻建", "低保兜底", "教育资助", "健康扶贫", "扶贫小额信贷", "饮水安全", "其它")
INCOME_CATEGORIES = (
    "种植业", "养殖业", "工资性收入", "产业分红", "低保", "残疾人补助", "养老金/退休金",
    "地力补贴", "粮食补贴", "救灾款", "土地流转", "其他转移性收入", "其他",
)
RISK_COLOURS = ("green", "yellow", "red")
RISK_COLOUR_NAMES = {"red": "红", "yellow": "黄", "green": "绿"}
RISK_REASONS = ("因病", "因学", "因灾", "因残", "因突发事件", "因产业失败", "因就业不稳", "因收入来源不稳定或不可持续")
HOUSING_GRADES = ("A", "B", "C", "D")
FUND_SOURCES = ("财政专项扶贫资金", "金融扶贫资金", "定点(驻村)帮扶资金", "社会扶贫资金", "对口帮扶资金", "其他")
PROJECT_STAGES = ("未开工", "已开工", "已完工", "已验收")
BANDS = ("A", "B")

# 动态调整 (household-records.md §1): kinds, whether each enters (+1) or leaves (−1), and their causes.
ADJUSTMENT_KINDS = ("新识别纳入", "返贫", "新增人口", "自然减少", "错评退出")
ADJUSTMENT_SIGN = {"新识别纳入": 1, "返贫": 1, "新增人口": 1, "自然减少": -1, "错评退出": -1}
ADJUSTMENT_CAUSES = {"新增人口": ("出生", "婚入", "其他"), "自然减少": ("死亡", "婚出", "迁出", "其他")}
# 入户走访 (§2)
SATISFACTION = ("满意", "基本满意", "不满意")
LOOK_RESULTS = ("正常", "有问题")
SATISFACTION_TARGET = 90.0  # % (seed 002)
VISIT_INTERVAL_DAYS = 30  # V-01 default
# 监测户 (§3)
MONITOR_KINDS = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")

# Hint text shown beside a stored value in the UI (forms.md §4).
HINTS = {
    "无劳动力": "无劳动力（含丧失劳动力）",
    "弱劳动力": "弱劳动力（含半劳动力）",
    "收入较低": "收入较低（缺少收入来源或收入水平较低）",
}

# Per-person monthly assistance (forms.md §5), the order of 附件1's columns.
ASSISTANCE = (
    "housing", "education", "medical", "water", "industry", "industry_started", "industry_benefited",
    "employment", "public_post", "graduate_placement", "dibao",
)
ASSISTANCE_NAMES = {
    "housing": "住房安全", "education": "义务教育", "medical": "基本医疗", "water": "饮水安全",
    "industry": "产业带动", "industry_started": "已开工项目带动", "industry_benefited": "已受益",
    "employment": "就业", "public_post": "公益岗位", "graduate_placement": "高校毕业生子女政策性安置",
    "dibao": "低保兜底",
}
FORM1_COUNTS = ("total", *ASSISTANCE, "inc_lt_4400", "inc_4400_5000", "inc_ge_5000")
FORM2_COUNTS = ("total", *ASSISTANCE, "inc_5000_5760", "inc_gt_5760")

# Prior-year per-capita income (yuan): band A below 5000, band B 5000–5760 inclusive; 附件1 and the
# wall chart split band A again at 4400 (forms.md §0).
BAND_A_LIMIT = 5000
BAND_B_LIMIT = 5760
BAND_A_SPLIT = 4400

# Field codes of 附件4 and their Chinese column names (used in messages).
FIELD_NAMES = {
    "county": "县(市、区)", "township": "乡镇", "village": "村", "head_contact": "户主联系方式",
    "size": "家庭人口数", "name": "姓名", "relation": "与户主关系", "age": "年龄", "cause": "致贫原因",
    "health": "健康状况", "labour": "有无劳动能力", "measures": "主要脱贫措施", "income": "家庭收入情况(预估)",
    "helper_contact": "帮扶责任人联系方式", "expected_month": "预计收入达到5000元以上时间",
    "id_number": "身份证号", "phone": "联系电话", "prior_income": "上年度人均纯收入", "housing_grade": "危房等级",
    "head_phone": "户主电话", "helper_name": "帮扶责任人", "helper_phone": "帮扶责任人电话",
}

_HINT_RE = re.compile(r"[（(].*?[)）]\s*$")


def canonical(value: str | None, allowed: tuple[str, ...]) -> str | None:
    """The closed-list value for ``value``, accepting the hint text, or None when it is not one."""
    if value is None:
        return None
    v = str(value).strip().replace(" ", "").replace("\u3000", "")
    if v in allowed:
        return v
    stripped = _HINT_RE.sub("", v)
    if stripped in allowed:
        return stripped
    return None


def display(value: str | None) -> str:
    """A stored value with its hint, as the UI shows it."""
    if value is None:
        return ""
    return HINTS.get(value, value)

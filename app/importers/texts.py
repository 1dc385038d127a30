"""The free-text cells of 附件4: numbered measure lines and income items with the stated totals.

``1、五小产业养羊。 2、低保兜底4人。`` → measures with a category inferred from keywords (else 其它);
``1. 种植业收入: 1100元 2. 养殖业: 6000元 … 10. 合计23300元, 人均5825元`` → income items with their
category, and the stated 合计/人均, which the rules engine compares (H-09), never corrects.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# A line number: "1、", "2.", "3．", "（4）", "⑤" — not a decimal point inside a number (4.5亩).
_ITEM = re.compile(r"(?:^|(?<=[\s。；;，,]))[（(]?(\d{1,2})[)）]?\s*[、.．:：)]\s*(?!\d)")
_CIRCLED = str.maketrans({ch: f" {i}、" for i, ch in enumerate("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮", 1)})

# The one keyword table of measure categories (docs/rules.md, "Categories of hand-made 附件4"):
# the first category with a keyword found in the line wins, so specific phrases come first
# (临时救助 is not 健康扶贫; 家庭医生签约 is). A line with no keyword is 其它.
MEASURE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("其它", ("临时救助", "电费补贴", "残疾人两项补贴", "两项补贴")),
    ("公益岗位", ("公益岗", "公益性岗位", "护林员", "保洁员", "护路员", "养护员")),
    ("扶贫小额信贷", ("小额信贷", "小额贷款", "扶贫贷款", "贴息贷款", "信贷")),
    ("危房翻建", ("危房", "翻建", "房屋改造", "住房改造", "改造房屋", "住房安全", "维修加固")),
    ("低保兜底", ("低保", "兜底", "五保", "特困")),
    ("教育资助", ("教育", "助学", "学费", "雨露计划", "资助", "学生")),
    ("健康扶贫", ("健康", "医疗", "医保", "大病", "慢病", "慢性病", "门诊", "报销", "医疗救助", "救治",
                  "家庭医生", "签约医生", "签约服务", "看病", "住院", "药")),
    ("饮水安全", ("饮水", "自来水", "水井", "吃水")),
    ("就业", ("就业", "务工", "打工", "扶贫车间", "劳务", "转移就业")),
    ("产业带动", ("产业", "养殖", "种植", "养羊", "养牛", "养猪", "养鸡", "合作社", "大棚", "光伏", "分红", "带动",
                  "托养", "庭院经济")),
)

# Income item categories by the item's label, the same way (docs/rules.md); a label with no keyword is 其他.
INCOME_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("其他转移性收入", ("其他转移", "其它转移")),
    ("养老金/退休金", ("养老", "退休")),
    ("残疾人补助", ("残疾",)),
    ("低保", ("低保", "五保", "特困")),
    ("地力补贴", ("地力",)),
    ("粮食补贴", ("粮食", "玉米", "水稻", "大豆", "种粮", "粮补")),
    ("救灾款", ("救灾", "灾")),
    ("土地流转", ("流转", "租地", "土地租金")),
    ("产业分红", ("分红", "入股", "股金")),
    ("工资性收入", ("工资", "务工", "打工", "劳务", "公益岗")),
    ("养殖业", ("养殖", "养羊", "养牛", "养猪", "养鸡")),
    ("种植业", ("种植", "种地")),
)


_MEASURE_RES = [(c, re.compile("|".join(map(re.escape, words)))) for c, words in MEASURE_KEYWORDS]
_INCOME_RES = [(c, re.compile("|".join(map(re.escape, words)))) for c, words in INCOME_KEYWORDS]


@lru_cache(maxsize=4096)
def measure_category(text: str) -> str:
    for category, pattern in _MEASURE_RES:
        if pattern.search(text):
            return category
    return "其它"


@lru_cache(maxsize=4096)
def income_category(label: str) -> str:
    for category, pattern in _INCOME_RES:
        if pattern.search(label):
            return category
    return "其他"


def split_items(text: Any) -> list[str]:
    """Numbered items of a cell, numbers dropped; a cell without numbers is one item per line."""
    if text is None:
        return []
    s = str(text).replace("\r", "\n").strip()
    s = s.translate(_CIRCLED)
    marks = list(_ITEM.finditer(s))
    if not marks:
        return [line.strip() for line in s.split("\n") if line.strip()]
    items = []
    head = s[: marks[0].start()].strip()
    if head:
        items.append(head)
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        part = s[m.end(): nxt.start() if nxt else len(s)].strip()
        if part:
            items.append(part)
    return items


def measures(text: Any) -> list[dict[str, str]]:
    out = []
    for item in split_items(text):
        clean = _WS.sub(" ", item).strip()
        out.append({"category": measure_category(clean), "text": clean})
    return out


_WS = re.compile(r"\s+")
_TOTALS = re.compile(r"合计|人均")
_COLON = re.compile(r"[:：]")
_AMOUNT = r"([+-]?\d[\d,]*(?:\.\d+)?)\s*(万元|元|万)?"
_TOTAL_RE = re.compile(r"合计[:：\s]*" + _AMOUNT)
_PER_RE = re.compile(r"人均[:：\s]*" + _AMOUNT)
_ITEM_RE = re.compile(r"^(?P<label>.*?)[:：\s]*" + _AMOUNT + r"[\s。；;，,]*$")


def _yuan(number: str, unit: str | None) -> float | int:
    n = float(number.replace(",", ""))
    if unit in ("万元", "万"):
        n *= 10000
    return int(n) if n.is_integer() else n


@dataclass
class Income:
    items: list[dict[str, Any]] = field(default_factory=list)  # {"category", "label", "amount"}
    stated_total: Any = None
    stated_per_capita: Any = None


def income(text: Any) -> Income:
    """Income items and the stated 合计/人均; an item whose amount cannot be read keeps its text."""
    out = Income()
    if text is None:
        return out
    if isinstance(text, int | float):
        out.items.append({"category": "其他", "label": None, "amount": text})
        return out
    s = unicodedata.normalize("NFKC", str(text))
    parts: list[str] = []
    for item in split_items(s):
        cut = _TOTALS.search(item)
        if cut and cut.start() > 0:
            parts.extend([item[: cut.start()].strip(" ,，;；。\n"), item[cut.start():]])  # 合计 on its own line
        else:
            parts.append(item)
    for item in parts:
        if "合计" in item or "人均" in item:
            t = _TOTAL_RE.search(item)
            p = _PER_RE.search(item)
            if t:
                out.stated_total = _yuan(t.group(1), t.group(2))
            elif "合计" in item:
                out.stated_total = item.split("合计", 1)[1].strip(" :：,，。")
            if p:
                out.stated_per_capita = _yuan(p.group(1), p.group(2))
            elif "人均" in item:
                out.stated_per_capita = item.split("人均", 1)[1].strip(" :：,，。")
            continue
        m = _ITEM_RE.match(item.strip())
        if m:
            label = m.group("label").strip(" :：,，") or None
            amount: Any = _yuan(m.group(2), m.group(3))
        else:
            label, rest = _COLON.split(item, maxsplit=1) if _COLON.search(item) else (item, "")
            label = label.strip() or None
            amount = rest.strip() or None  # unreadable: the rules report it (H-09)
        out.items.append({"category": income_category(label or ""), "label": label, "amount": amount})
    return out

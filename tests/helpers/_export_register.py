"""A small, clean register (no E findings) for export tests: 康平县 → 暖泉镇 (2 villages), 沙金乡 (1 village).

Five households of band A and two of band B in 2020-03, with measures, income items, a rare-character
name (王堃), a fund project and office settings. ``build(db)`` returns nothing; tests read it back.
"""

from __future__ import annotations

import datetime as dt

from app.models import FundProject, Household, IncomeItem, Measure, Office, Period, Person
from app.services.units import ensure_path

MAILBOX = "kpxfpb@163.com"
PREPARER = ("李明", "024-82703810")

# (village, band, prior_income, ytd, head phone, cause, expected, members, measures, income items)
# members: (name, relation, age, health, labour, assistance codes)
HOUSEHOLDS = [
    ("暖泉镇/前暖泉村", "A", 4200, 4100, "15140731234", "因残", "2020.08",
     [("于长海", "户主", 75, "健康", "普通劳动力", ["housing", "dibao"]),
      ("张秀兰", "配偶", 64, "残疾", "无劳动力", ["dibao", "medical"]),
      ("于国庆", "之子", 42, "残疾", "无劳动力", ["dibao"]),
      ("于国军", "之子", 32, "残疾", "无劳动力", ["dibao"])],
     [("产业带动", "五小产业养羊。"), ("产业带动", "盖州市味中鲜食品有限公司产业带动。"), ("低保兜底", "低保兜底4人。"),
      ("产业带动", "中顺物流产业带动。")],
     [("种植业", "种植业收入", 1100), ("养殖业", "养殖业", 6000), ("低保", "低保", 8000), ("残疾人补助", "残疾人补助", 3000),
      ("地力补贴", "地力补贴", 400), ("粮食补贴", "玉米补贴", 200), ("救灾款", "救灾款", 500),
      ("养老金/退休金", "退休金", 2500), ("土地流转", "土地流转", 1600)]),
    ("暖泉镇/前暖泉村", "A", 3900, 4500, "13804051234", "因病", "2020.10",
     [("王堃", "户主", 58, "长期慢性病", "弱劳动力", ["medical", "industry", "industry_started"]),
      ("李淑芬", "配偶", 55, "健康", "普通劳动力", ["employment", "public_post"])],
     [("健康扶贫", "慢病签约服务。"), ("公益岗位", "村保洁公益岗位。")],
     [("工资性收入", "公益岗位工资", 6000), ("种植业", "种植业收入", 3000)]),
    ("暖泉镇/后暖泉村", "A", 4800, 5100, "15998761234", "因学", "2020.06",
     [("赵文", "户主", 45, "健康", "普通劳动力", ["industry", "industry_benefited"]),
      ("钱丽", "配偶", 44, "健康", "普通劳动力", []),
      ("赵小宇", "之子", 15, "健康", "无劳动力", ["education"])],
     [("教育资助", "义务教育资助。"), ("扶贫小额信贷", "扶贫小额信贷5万元。")],
     [("养殖业", "养殖业", 9000), ("产业分红", "产业分红", 600), ("其他转移性收入", "教育补助", 1000)]),
    ("暖泉镇/后暖泉村", "B", 5300, 5400, "13904051234", "收入较低", "2020.05",
     [("孙强", "户主", 50, "健康", "普通劳动力", ["employment"])],
     [("就业", "外出务工。")],
     [("工资性收入", "务工收入", 12000)]),
    ("沙金乡/沙金村", "A", 3000, 4300, "18640221234", "因房", "2020.09",
     [("周福", "户主", 66, "健康", "弱劳动力", ["housing", "water"])],
     [("危房翻建", "C级危房翻建。"), ("饮水安全", "自来水入户。")],
     [("种植业", "种植业收入", 2500), ("其他", "其他", 1500)]),
    ("沙金乡/沙金村", "B", 5600, 5900, "13304051234", "因病", "2020.04",
     [("吴刚", "户主", 61, "大病", "弱劳动力", ["medical"]),
      ("郑红", "配偶", 60, "健康", "普通劳动力", [])],
     [("健康扶贫", "大病专项救治。")],
     [("种植业", "种植业收入", 8000), ("低保", "低保", 4000)]),
    ("沙金乡/沙金村", "A", 4500, 4700, "13504051234", "收入较低", "2020.07",
     [("冯贵", "户主", 52, "健康", "普通劳动力", ["industry", "industry_started", "industry_benefited"])],
     [("产业带动", "光伏扶贫电站收益分红。"), ("其它", "光伏板清洗。")],
     [("产业分红", "光伏分红", 3000), ("种植业", "种植业收入", 2000)]),
]


def build(db, *, formula: bool = False) -> None:
    """The register above in 2020-03 (``formula``: a measure text and remark start with ``=``/``@``)."""
    with db.session() as s:
        county = ensure_path(s, ["康平县"], ["210123000000"])
        nq = ensure_path(s, ["康平县", "暖泉镇"], ["210123000000", "210123101000"])
        sj = ensure_path(s, ["康平县", "沙金乡"], ["210123000000", "210123204000"])
        for path in ("暖泉镇/前暖泉村", "暖泉镇/后暖泉村", "沙金乡/沙金村"):
            ensure_path(s, ["康平县", *path.split("/")])
        period = Period(month="2020-03")
        s.add(period)
        s.flush()
        s.add(Office(id=1, unit_id=county.id, preparer=PREPARER[0], preparer_phone=PREPARER[1], upper_mailbox=MAILBOX))
        for pos, (path, band, prior, ytd, phone, cause, expected, members, measures, items) in enumerate(HOUSEHOLDS):
            village = ensure_path(s, ["康平县", *path.split("/")])
            h = Household(period_id=period.id, village_id=village.id, position=pos, band=band, prior_income=prior,
                          ytd_income=ytd, head_phone=phone, cause=cause, expected_month=expected,
                          helper_name="孙立新", helper_unit="暖泉镇政府", helper_phone="15141781234",
                          housing_grade="B")
            for i, (name, rel, age, health, labour, codes) in enumerate(members):
                p = Person(name=name, relation=rel, age=age, health=health, labour=labour, position=i)
                for c in codes:
                    setattr(p, c, True)
                h.members.append(p)
            for i, (cat, text) in enumerate(measures):
                if formula and pos == 0 and i == 0:
                    text = '=HYPERLINK("http://example.com","点击")'
                h.measures.append(Measure(category=cat, text=text, position=i, start_month="2020-03"))
            for i, (cat, label, amount) in enumerate(items):
                h.income_items.append(IncomeItem(category=cat, label=label, amount=amount, position=i))
            s.add(h)
        s.add(FundProject(period_id=period.id, township_id=nq.id, position=0, name="暖泉镇肉牛养殖项目",
                          content="新建牛舍2栋", fund_source="财政专项扶贫资金", planned=120.5, received=100,
                          disbursed=80.25, stage="已开工", planned_start="2020-03", started_on=dt.date(2020, 3, 10),
                          households=30, persons=85, remark="@SUM(1)" if formula else None))
        s.add(FundProject(period_id=period.id, township_id=sj.id, position=1, name="沙金乡光伏电站",
                          content="村级光伏电站100千瓦", fund_source="社会扶贫资金", planned=80, received=80,
                          disbursed=80, stage="已完工", planned_start="2020-01", started_on=dt.date(2020, 1, 5),
                          completed_on=dt.date(2020, 3, 1), households=20, persons=50))

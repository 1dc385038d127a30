"""The parts of a demo household and of the demo's fund projects, and the bulk writer.

Pure functions of a ``random.Random`` (called in a fixed order by ``demo._Generator``, so a seed
gives the same register); see ``app.services.demo``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import Date

from app.domain import ASSISTANCE
from app.models.dialect import insert_rows, insert_value, is_postgres

from . import demo_data as W


@dataclass(frozen=True, slots=True)
class DemoMonths:
    """The demo's two data months (``prev`` reported and locked, ``latest`` open), in one year.

    The classic demo is February and March 2020; other months shift every month-valued thing
    (expected close-out months, project starts) by the same number of months, so the register
    reads the same at any time of the year and the random draws stay those of the classic one.
    """

    prev: str = "2020-02"
    latest: str = "2020-03"
    today: dt.date | None = None  # close-out dates are never after it

    @property
    def year(self) -> int:
        return int(self.latest[:4])

    @property
    def latest_no(self) -> int:
        return int(self.latest[5:7])

    @property
    def prev_no(self) -> int:
        return int(self.prev[5:7])

    def shifted(self, classic_month: int) -> int:
        """A month number of the classic (March) demo moved to this one's, kept inside the year."""
        return min(12, max(1, classic_month + self.latest_no - 3))

    def close_date(self, month: int, day: int) -> dt.date:
        d = dt.date(self.year, month, day)
        return min(d, self.today) if self.today else d

    @classmethod
    def of_year(cls, year: int) -> DemoMonths:
        return cls(f"{year}-02", f"{year}-03")

    @classmethod
    def before(cls, today: dt.date) -> DemoMonths:
        """The data month being reported now (the next due date on or after ``today``: the 5th of
        the month after) and the one before it, sent. In January the two are November and
        December of the year before, so both stay in one year as the demo's rules need."""
        latest = dt.date(today.year, today.month, 1) if today.day > 5 else (
            dt.date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1))
        if latest.month == 1:
            latest = dt.date(latest.year - 1, 12, 1)
        return cls(f"{latest.year}-{latest.month - 1:02d}", f"{latest.year}-{latest.month:02d}", today)


CLASSIC = DemoMonths()


def household_measures(rng: random.Random, members: list[dict], grade: str, band: str) -> list[tuple[str, str]]:
    """1–4 measure lines whose categories follow the household (危房, 低保, school-age, sick, workers)."""
    cats: list[str] = []
    if grade in "CD":
        cats.append("危房翻建")
    if any(p["labour"] == "无劳动力" and p["age"] >= 16 for p in members) and rng.random() < 0.6:
        cats.append("低保兜底")
    if any(6 <= p["age"] <= 22 for p in members) and rng.random() < 0.7:
        cats.append("教育资助")
    if any(p["health"] in ("大病", "长期慢性病") for p in members) and rng.random() < 0.6:
        cats.append("健康扶贫")
    able = any(16 <= p["age"] <= 60 and p["labour"] != "无劳动力" for p in members)
    for cat, prob in (("产业带动", 0.55), ("就业", 0.4 if able else 0), ("公益岗位", 0.15 if able else 0),
                      ("扶贫小额信贷", 0.1), ("饮水安全", 0.05), ("其它", 0.05)):
        if rng.random() < prob:
            cats.append(cat)
    if not cats and (band == "A" or rng.random() < 0.8):
        cats.append("产业带动")
    out = []
    for cat in cats[:4]:
        text = rng.choice(W.MEASURE_TEXTS[cat])
        n_dibao = sum(1 for p in members if p["labour"] != "普通劳动力") or 1
        text = text.format(company=rng.choice(W.COMPANIES), n=min(n_dibao, len(members)))
        out.append((cat, text))
    return out


def household_income(rng: random.Random, members: list[dict], measures: list[tuple[str, str]], total: float) -> list[tuple]:
    """Income items (category, label, yuan) summing to about ``total``: fixed transfers, then work."""
    cats = {c for c, _ in measures}
    fixed: list[tuple[str, str, float]] = [("地力补贴", "地力补贴", rng.choice((200, 300, 400, 600)))]
    if rng.random() < 0.6:
        fixed.append(("粮食补贴", "玉米补贴", rng.choice((100, 200, 300))))
    if "低保兜底" in cats:
        n_dibao = max(1, sum(1 for p in members if p["labour"] != "普通劳动力"))
        fixed.append(("低保", "低保", 2400.0 * n_dibao))
    if any(p["health"] == "残疾" for p in members):
        fixed.append(("残疾人补助", "残疾人补助", rng.choice((1200, 1800, 3000))))
    if any(p["age"] >= 60 for p in members):
        fixed.append(("养老金/退休金", rng.choice(("养老金", "退休金")), rng.choice((1300, 1800, 2500))))
    if rng.random() < 0.3:
        fixed.append(("土地流转", "土地流转", rng.choice((800, 1200, 1600))))
    if "产业带动" in cats and rng.random() < 0.5:
        fixed.append(("产业分红", "产业分红", rng.choice((500, 800, 1000))))
    if rng.random() < 0.04:
        fixed.append(("救灾款", "救灾款", 500))
    main = ["种植业"]
    if "产业带动" in cats:
        main.append("养殖业")
    if "就业" in cats or "公益岗位" in cats:
        main.append("工资性收入")
    rest = max(total - sum(a for *_x, a in fixed), 100 * len(main))
    shares = [rng.uniform(0.5, 1.5) for _ in main]
    items = []
    for cat, share in zip(main, shares, strict=True):
        label = {"种植业": "种植业收入", "养殖业": "养殖业", "工资性收入": "务工收入"}[cat]
        items.append((cat, label, float(round(rest * share / sum(shares), -2))))
    return items + [(c, lab, float(a)) for c, lab, a in fixed]


def assign_assistance(rng: random.Random, hh: dict) -> None:
    """Per-person monthly flags from the measures, keeping the 其中 columns subsets."""
    cats = {c for c, _ in hh["_measures"]}
    started, benefited = rng.random() < 0.8, rng.random() < 0.6
    dibao_left = next((int("".join(ch for ch in t if ch.isdigit()) or 1)
                       for c, t in hh["_measures"] if c == "低保兜底"), 0)
    posts = 1 if "公益岗位" in cats else 0
    for p in hh["_members"]:
        a = dict.fromkeys(ASSISTANCE, False)
        a["housing"] = "危房翻建" in cats
        a["water"] = "饮水安全" in cats
        a["education"] = 6 <= p["age"] <= 15 and rng.random() < 0.9
        a["medical"] = p["health"] in ("大病", "长期慢性病") or ("健康扶贫" in cats and rng.random() < 0.5)
        if "产业带动" in cats:
            a["industry"], a["industry_started"] = True, started
            a["industry_benefited"] = started and benefited
        worker = 16 <= p["age"] <= 60 and p["labour"] != "无劳动力"
        if worker and ("就业" in cats or posts):
            a["employment"] = True
            if posts:
                a["public_post"], posts = True, 0
            elif 21 <= p["age"] <= 26 and rng.random() < 0.1:
                a["graduate_placement"] = True
        if dibao_left and p["labour"] != "普通劳动力":
            a["dibao"], dibao_left = True, dibao_left - 1
        p.update(a)


def make_projects(rng: random.Random, units: list[dict], new_uuid) -> list[dict]:
    """6–10 附件3 projects (our design), spread over the townships."""
    towns = [u for u in units if u["level"] == "township"]
    out = []
    for k, ti in enumerate(rng.sample(range(len(W.PROJECTS)), rng.randint(6, 10))):
        name, content, source = W.PROJECTS[ti]
        town = towns[k % len(towns)]
        planned = round(rng.uniform(30, 400), 2)
        stage = rng.choice(("未开工", "已开工", "已开工", "已完工", "已验收"))
        hh = rng.randint(5, 80)
        out.append(dict(
            uuid=new_uuid(), town=town, name=town["name"].rstrip("镇乡") + name if k % 2 else name,
            content=content.format(n=rng.randint(2, 9), m=rng.randint(3, 30) * 100), source=source,
            planned=planned, stage=stage, households=hh, persons=hh * rng.randint(2, 3),
            start=rng.randint(4, 6) if stage == "未开工" else rng.randint(1, 2),
            received=rng.uniform(0.5, 1.0), disbursed=rng.uniform(0.3, 0.9),
        ))
    return out


def project_row(proj: dict, pid: int, month: str, fid: int, pos: int, months: DemoMonths = CLASSIC) -> dict:
    """The project's row in one period: the earlier month is earlier in its stage and payments."""
    stage = proj["stage"]
    early = month == months.prev
    year, start = months.year, months.shifted(proj["start"])
    if early and stage in ("已完工", "已验收"):
        stage = "已开工"
    started = stage != "未开工"
    received = round(proj["planned"] * (proj["received"] if started else 0.2), 4)
    disbursed = round(received * proj["disbursed"] * (0.7 if early else 1.0), 4) if started else 0.0
    return dict(
        id=fid, uuid=proj["uuid"], period_id=pid, township_id=proj["town"]["id"], position=pos,
        name=proj["name"], content=proj["content"], fund_source=proj["source"], planned=proj["planned"],
        received=received, disbursed=disbursed, stage=stage, planned_start=f"{year}-{start:02d}",
        started_on=dt.date(year, start, 10) if started else None,
        completed_on=dt.date(year, months.prev_no, 25) if stage in ("已完工", "已验收") else None,
        households=proj["households"], persons=proj["persons"], remark=None,
    )


def bulk_insert(conn, table, rows: list[dict]) -> None:
    """Core executemany of plain tuples, skipping per-value type processing (10x faster here).

    Values are stored as SQLAlchemy stores them: on SQLite dates as ISO text (app.models.dialect).
    """
    if not rows:
        return
    cols = list(rows[0])
    dates = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, Date)]
    out = [tuple(r.values()) for r in rows]
    if dates and not is_postgres(conn):
        out = [tuple(insert_value(conn, v) if i in dates else v for i, v in enumerate(t)) for t in out]
    insert_rows(conn, table.name, cols, out)

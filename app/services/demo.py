"""A realistic demo register (`guatu demo`, tests, benchmarks), deterministic for a given seed.

One county (康平县) with 4–8 townships and villages scaled with ``persons``; households of 1–7 with
consistent relations, ages, health and labour; band A (prior income < 5000) and band B
(5000–5760); measures, income items, helper cadres (one per ~5 households), 危房 grades, 红黄绿
risk colours, closed-out households, some 身份证号, 附件3 fund projects and the office settings.
Two periods: 2020-02 (locked, as if reported) and 2020-03 (open, latest) — or any two months of a
year in the same shape (``DemoMonths``; ``guatu demo`` dates them to the month being reported now
and the one before, ``--year`` to February and March of that year). March copies February
with month-over-month changes: a few persons gain assistance, households whose expected month
has come are closed out, projects progress, and one village's 已受益 count drops sharply (M-07).

Deliberate violations, each in exactly one household (in both periods) and listed in the summary
under ``"violations"`` as {code: household uuid}:
  H-01 a spouse is also recorded as 户主 (two heads)     H-03 a digit in a member's name
  H-05 a spouse aged 130                                H-07 a 之子 five years older than the head
  H-10 a head phone of 10 digits                        H-11 expected month 2021.05 (not in 2020)
  H-13 band A with prior income 5200                    H-14 housing grade D, not renovated
  H-15 a 身份证号 with a wrong check digit
With ``clean=True`` (`guatu demo --clean`) they are left out, so the open month has no E finding
and a final export (and faults during one) can be tried on it. Everything else is generated to pass the rules; H-12 (same name and age) can occur by chance in
big registers, as in real ones.

Speed: rows are built as dicts with ids assigned here and written with Core executemany in one
transaction (100,000 persons in seconds).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid as _uuid
from collections import Counter
from typing import Any

from sqlalchemy import func, insert, select

from app.domain import ASSISTANCE, RISK_REASONS
from app.kernel.month import Month
from app.models import FundProject, Household, IncomeItem, Measure, Office, Period, Person, Unit
from app.models.dialect import is_postgres, sync_ids

from . import demo_data as W
from .demo_parts import (
    CLASSIC,
    DemoMonths,
    assign_assistance,
    bulk_insert,
    household_income,
    household_measures,
    make_projects,
    project_row,
)
from .demo_people import make_household_members, new_id_number
from .errors import Refused
from .register import fill_measure_starts

VERSION = 4  # bump when the output changes (bench/ caches by it)
_DELIBERATE = ("H-01", "H-03", "H-05", "H-07", "H-10", "H-11", "H-13", "H-14", "H-15")
_SIZE_WEIGHTS = ((1, 10), (2, 22), (3, 25), (4, 22), (5, 12), (6, 6), (7, 3))


def generate(database, persons: int = 3000, seed: int = 1, months: DemoMonths = CLASSIC, *,
             clean: bool = False) -> dict:
    """Fill an empty, open, writable ``Database``; returns a summary (periods, households, …).

    ``months``: the two data months (February and March 2020 unless given; ``guatu demo`` gives
    the month being reported now and the one before). ``clean``: without the deliberate violations
    (a register a final export accepts)."""
    gen = _Generator(random.Random(seed), max(10, persons), months, clean=clean)
    gen.build()
    with database.engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(Unit.__table__)).scalar() or conn.execute(
            select(func.count()).select_from(Period.__table__)
        ).scalar():
            raise Refused("数据库中已有数据，演示数据只能生成到空数据库中。")
        if is_postgres(conn):
            gen.write(conn)
            sync_ids(conn, GENERATED_TABLES)
            fill_measure_starts(conn)
        else:
            _write_sqlite(conn, gen)
    from .demo_ledgers import generate_ledgers
    from .demo_records import add_records

    summary = gen.summary()
    with database.session() as s:
        summary["records"] = add_records(s, seed, set(gen.violations.values()), summary["m07_village"])
    with database.session() as session:  # the year's lists, problems and 督战对象 (supervision.md §1–3)
        summary["ledgers"] = generate_ledgers(session, seed)
    with database.session() as session:
        summary["analysis_sent"] = _send_earlier_analysis(session, months)
    return summary


def _send_earlier_analysis(session, months: DemoMonths) -> str:
    """The locked month's analysis as the office sent it by the 20th of the month after (supervision.md §4):
    the latest month's "上月" figures come from it, as in a register in use (its 反馈单 are not sent)."""
    from app.kernel.ledgers import REPORT_DAY

    from .analysis import analyse, freeze
    from .register_scope import unit_or_default

    period = session.scalars(select(Period).where(Period.month == months.prev)).one()
    unit = unit_or_default(session, None)
    due = Month.parse(months.prev).next()
    sent = dt.datetime(due.year, due.month, REPORT_DAY - 2, 16, 30)
    freeze(session, analyse(session, period, unit), period, unit, sent)
    return months.prev


# The tables the generator fills with ids of its own choosing.
GENERATED_TABLES = ["units", "periods", "households", "persons", "measures", "income_items", "fund_projects"]


def _write_sqlite(conn, gen: _Generator) -> None:
    """A big page cache for this connection, and the register's secondary indexes built once after
    the rows rather than kept up row by row (uuids and names arrive in random order)."""
    conn.exec_driver_sql("PRAGMA cache_size=-262144")
    indexes = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        "('households', 'persons', 'measures', 'income_items')").all()
    try:
        for name, _sql in indexes:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        gen.write(conn)
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)
        # after the indexes: without them each measure's lookup of its earlier months is a scan
        fill_measure_starts(conn)
    finally:
        conn.exec_driver_sql("PRAGMA cache_size=-2000")


class _Generator:
    def __init__(self, rng: random.Random, persons: int, months: DemoMonths = CLASSIC, clean: bool = False):
        self.rng = rng
        self.months = months
        self._id_year = (months.year, months.latest_no)
        self.clean = clean
        self.target = persons
        self.units: list[dict] = []
        self.villages: list[dict] = []  # unit rows of villages, with "_township"
        self.households: list[dict] = []  # base (February) households with nested lists
        self.violations: dict[str, str] = {}
        self.drop_village: dict | None = None

    # ------------------------------------------------------------------ helpers
    def uuid(self) -> str:
        return str(_uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def phone(self) -> str:
        return self.rng.choice(W.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    # ------------------------------------------------------------------ units
    def build_units(self) -> None:
        rng = self.rng
        county_name, county_code = W.COUNTY
        self.units.append(dict(id=1, name=county_name, level="county", parent_id=None,
                               division_code=county_code, position=0))
        n_town = rng.randint(4, 8)
        towns = sorted(rng.sample(range(len(W.TOWNSHIPS)), n_town))
        n_vill = max(2 * n_town, min(self.target // 150, 98 * n_town))
        per_town = [n_vill // n_town + (1 if i < n_vill % n_town else 0) for i in range(n_town)]
        next_id = 2
        for tpos, (ti, nv) in enumerate(zip(towns, per_town, strict=True)):
            tname, tcode = W.TOWNSHIPS[ti]
            town = dict(id=next_id, name=tname, level="township", parent_id=1,
                        division_code=county_code[:6] + tcode + "000", position=tpos)
            self.units.append(town)
            next_id += 1
            names: list[str] = []
            while len(names) < nv:
                pre, root, mid = (rng.choice(W.VILLAGE_PREFIXES), rng.choice(W.VILLAGE_ROOTS),
                                  rng.choice(W.VILLAGE_MIDDLES))
                if (pre and (pre in root or (pre in "东西南北" and root[0] in "东西南北"))) or (mid and mid[-1] in root):
                    continue  # no 新新立, 北东风, 二道沟沟
                name = pre + root + mid + "村"
                if name not in names:
                    names.append(name)
            for vpos, vname in enumerate(names):
                v = dict(id=next_id, name=vname, level="village", parent_id=town["id"],
                         division_code=town["division_code"][:9] + f"{201 + vpos:03d}", position=vpos)
                self.units.append(v)
                self.villages.append({**v, "_township": tname})
                next_id += 1

    # ------------------------------------------------------------------ households
    def build_households(self) -> None:
        rng = self.rng
        sizes: list[int] = []
        left = self.target
        sizes_, weights = zip(*_SIZE_WEIGHTS, strict=True)
        while left > 0:
            s = min(left, rng.choices(sizes_, weights)[0])
            sizes.append(s)
            left -= s
        # Contiguous blocks of households per village, by random village weights (each ≥ 1).
        vw = [rng.uniform(0.5, 1.5) for _ in self.villages]
        total_w = sum(vw)
        n = len(sizes)
        bounds, acc = [], 0.0
        for w in vw:
            acc += w
            bounds.append(round(acc / total_w * n))
        start = 0
        village_of: list[dict] = []
        for i, v in enumerate(self.villages):
            end = max(bounds[i], start + 1) if i < len(self.villages) - 1 else n
            end = min(end, n - (len(self.villages) - 1 - i))
            village_of.extend([v] * (end - start))
            start = end
        cadres = self._cadres(n, village_of)
        positions: Counter = Counter()
        for i, size in enumerate(sizes):
            v = village_of[i]
            hh = self._household(size, v, positions[v["id"]], cadres[i // 5])
            positions[v["id"]] += 1
            self.households.append(hh)
        self._specials()

    def _cadres(self, n: int, village_of: list[dict]) -> list[tuple[str, str, str]]:
        from .demo_people import person_name

        out = []
        for c in range((n + 4) // 5):
            unit = self.rng.choice(W.CADRE_UNITS).format(township=village_of[min(c * 5, n - 1)]["_township"])
            name, _ = person_name(self.rng, self.rng.choice(W.SURNAMES), self.rng.choice("MF"))
            out.append((name, unit, self.phone()))
        return out

    def _household(self, size: int, village: dict, position: int, cadre: tuple[str, str, str]) -> dict:
        rng = self.rng
        band = "A" if rng.random() < 0.35 else "B"
        prior = round(rng.uniform(3300, 4990) if band == "A" else rng.uniform(5000, 5760))
        members, cause = make_household_members(rng, size)
        grade = rng.choices("ABCD", (50, 35, 10, 5))[0]
        measures = household_measures(rng, members, grade, band)
        est_pc = rng.uniform(4700, 8200)
        income = household_income(rng, members, measures, round(est_pc * size, -2))
        exp_m = rng.choices(range(1, 13), (2, 3, 4, 5, 7, 8, 9, 10, 12, 14, 14, 12))[0]
        colour = rng.choices(("green", "yellow", "red"), (85, 11, 4))[0]
        reasons = "、".join(rng.sample(W_RISK, rng.randint(1, 2))) if colour != "green" else None
        head_phone = self.phone()
        hh = dict(
            uuid=self.uuid(), village_id=village["id"], position=position, band=band, prior_income=float(prior),
            head_phone=head_phone, cause=cause, helper_name=cadre[0], helper_unit=cadre[1],
            helper_phone=cadre[2], expected_month=f"{self.months.year}.{self.months.shifted(exp_m):02d}", ytd_income=None,
            closed_out=False, closed_out_on=None, risk_colour=colour, risk_reasons=reasons,
            housing_grade=grade, housing_renovated=grade in "CD", remark=None,
            _village=village, _members=members, _measures=measures, _income=income,
            _ytd_factor=rng.uniform(0.8, 1.3), _close_day=rng.randint(1, 28),
        )
        for p in members:
            p["uuid"] = self.uuid()
            if p["relation"] == "户主":
                p["phone"] = head_phone
            elif p["age"] >= 18 and rng.random() < 0.25:
                p["phone"] = self.phone()
            if rng.random() < 0.4:
                p["id_number"] = new_id_number(rng, W.COUNTY[1][:6], p["age"], p["sex"], *self._id_year)
        assign_assistance(rng, hh)
        return hh

    # ------------------------------------------------------------------ specials
    def _specials(self) -> None:
        """Rare characters, minority names, the M-07 village and the deliberate violations."""
        from .demo_people import minority_names

        rng = self.rng
        used: set[int] = set()
        hhs = self.households

        def pick(cond) -> dict:
            cands = [i for i, h in enumerate(hhs) if i not in used and cond(h)]
            i = rng.choice(cands) if cands else next(i for i in range(len(hhs)) if i not in used)
            used.add(i)
            return hhs[i]

        for surname, given, _sex in W.RARE_NAMES:
            h = pick(lambda h: h["_members"][0]["sex"] == "M")
            h["_members"][0]["name"] = surname + given
            for p in h["_members"][1:]:
                if p["relation"] in ("之子", "之女", "之孙子", "之孙女"):
                    p["name"] = surname + p["name"][1:]
        for _ in range(2 if len(hhs) > 20 else 1):
            h = pick(lambda h: h["_members"][0]["sex"] == "M")
            minority_names(rng, h["_members"])
        # The village whose 已受益 falls in March: its band-A households all in industry in February.
        counts = Counter(h["_village"]["id"] for h in hhs if h["band"] == "A")
        vid = max(counts, key=lambda k: (counts[k], -k))
        self.drop_village = next(v for v in self.villages if v["id"] == vid)
        for h in hhs:
            if h["_village"]["id"] == vid and h["band"] == "A":
                if not any(c == "产业带动" for c, _ in h["_measures"]):
                    h["_measures"] = [*h["_measures"][:3], ("产业带动", "肉牛托养入股分红")]
                for p in h["_members"]:
                    p.update(industry=True, industry_started=True, industry_benefited=True)
        if self.clean:
            return
        # Deliberate violations (never in the M-07 village, so its counts stay clean).
        ok = lambda h: h["_village"]["id"] != vid and h["band"] == "B"  # noqa: E731
        h = pick(lambda h: ok(h) and len(h["_members"]) > 1 and h["_members"][1]["relation"] == "配偶")
        h["_members"][1]["relation"] = "户主"
        self.violations["H-01"] = h["uuid"]
        h = pick(ok)
        m = h["_members"][-1]
        m["name"] = m["name"][:1] + "2" + m["name"][1:]
        self.violations["H-03"] = h["uuid"]
        h = pick(lambda h: ok(h) and len(h["_members"]) > 1 and h["_members"][1]["relation"] == "配偶")
        h["_members"][1].update(age=130, id_number=None)
        self.violations["H-05"] = h["uuid"]
        h = pick(lambda h: ok(h) and any(p["relation"] == "之子" for p in h["_members"]) and
                 h["_members"][0]["age"] < 90)
        son = next(p for p in h["_members"] if p["relation"] == "之子")
        son.update(age=h["_members"][0]["age"] + 5, id_number=None, health="健康", labour="普通劳动力")
        self.violations["H-07"] = h["uuid"]
        h = pick(ok)
        h["head_phone"] = h["_members"][0]["phone"] = "1381234567"
        self.violations["H-10"] = h["uuid"]
        h = pick(ok)
        h["expected_month"] = f"{self.months.year + 1}.05"
        self.violations["H-11"] = h["uuid"]
        h = pick(lambda h: h["_village"]["id"] != vid and h["band"] == "A")
        h["prior_income"] = 5200.0
        self.violations["H-13"] = h["uuid"]
        h = pick(ok)
        h.update(housing_grade="D", housing_renovated=False)
        if not any(c == "危房翻建" for c, _ in h["_measures"]):
            h["_measures"] = [("危房翻建", "D级危房原址翻建"), *h["_measures"][:3]]
        self.violations["H-14"] = h["uuid"]
        h = pick(ok)
        p = h["_members"][0]
        good = new_id_number(rng, W.COUNTY[1][:6], p["age"], p["sex"], *self._id_year)
        p["id_number"] = good[:17] + ("0" if good[17] != "0" else "1")
        self.violations["H-15"] = h["uuid"]

    # ------------------------------------------------------------------ periods
    def march_changes(self) -> None:
        """February → March: assistance gains, the M-07 drop, and most 红 households given a measure
        started this month (R-01 then names the few that have none, as an office's register would)."""
        rng = self.rng
        for h in self.households:
            if h["uuid"] in self.violations.values():
                continue
            own = random.Random(h["uuid"])  # its own draw: the rest of the demo stays as it was
            if h["risk_colour"] == "red" and not h["closed_out"] and own.random() < 0.9:
                had = {text for _c, text in h["_measures"]}
                cat, text = own.choice([m for m in NEW_RED_MEASURES if m[1] not in had] or NEW_RED_MEASURES[:1])
                h["_measures"] = [*h["_measures"][:3], (cat, text)]
            in_drop = self.drop_village and h["_village"]["id"] == self.drop_village["id"] and h["band"] == "A"
            drop = in_drop and rng.random() < 0.8
            for p in h["_members"]:
                if drop:
                    p["industry_benefited"] = False
                elif not in_drop and p["industry"] and not p["industry_benefited"] and rng.random() < 0.15:
                    p["industry_started"] = p["industry_benefited"] = True
                elif (16 <= p["age"] <= 60 and p["labour"] == "普通劳动力" and not p["employment"]
                      and rng.random() < 0.02):
                    p["employment"] = True
        if self.drop_village:
            # Make the drop certain even in tiny registers: at most one benefited person left.
            kept = 0
            for h in self.households:
                if h["_village"]["id"] == self.drop_village["id"] and h["band"] == "A":
                    for p in h["_members"]:
                        if p["industry_benefited"]:
                            kept += 1
                            p["industry_benefited"] = kept <= 1

    def build(self) -> None:
        self.build_units()
        self.build_households()

    def write(self, conn) -> None:
        conn.execute(insert(Unit.__table__), self.units)
        ids = {"h": 0, "p": 0, "m": 0, "i": 0, "f": 0}
        projects = make_projects(self.rng, self.units, self.uuid)
        periods = (self.months.prev, self.months.latest)
        for pid, month in enumerate(periods, start=1):
            latest = month == periods[-1]
            conn.execute(insert(Period.__table__), [dict(
                id=pid, month=month, state="open" if latest else "locked",
                opened_at=dt.datetime.combine(Month.parse(month).first_day, dt.time(8, 30)),
                locked_at=None if latest else dt.datetime.combine(Month.parse(month).next().first_day.replace(day=4),
                                                                  dt.time(16, 20)),
            )])
            if latest:
                self.march_changes()
            self._write_period(conn, pid, month, ids)
            rows = []
            for k, proj in enumerate(projects):
                ids["f"] += 1
                rows.append(project_row(proj, pid, month, ids["f"], k, self.months))
            conn.execute(insert(FundProject.__table__), rows)
        conn.execute(insert(Office.__table__), [dict(
            id=1, unit_id=1, preparer="孙丽华", preparer_phone="024-87312116",
            upper_mailbox="sysfpkfbgs@163.com", mailbox="kpxfpb@163.com", export_dir=None)])

    def _write_period(self, conn, pid: int, month: str, ids: dict) -> None:
        m_no = Month.parse(month).month
        hh_rows, p_rows, m_rows, i_rows = [], [], [], []
        for h in self.households:
            ids["h"] += 1
            hid = ids["h"]
            row = {k: v for k, v in h.items() if not k.startswith("_")}
            row.update(id=hid, period_id=pid)
            exp = h["expected_month"]
            expected = Month.parse(exp)
            if expected.year == self.months.year and expected.month <= m_no:
                row["closed_out"] = True
                row["closed_out_on"] = self.months.close_date(expected.month, h["_close_day"])
            total = sum(a for *_x, a in h["_income"])
            # as far into the year as the classic demo's month (so H-11's "already reached" stays rare)
            row["ytd_income"] = float(round(total / len(h["_members"]) * (m_no - self.months.latest_no + 3) / 12
                                            * h["_ytd_factor"]))
            hh_rows.append(row)
            for pos, p in enumerate(h["_members"]):
                ids["p"] += 1
                p_rows.append(dict(
                    id=ids["p"], uuid=p["uuid"], household_id=hid, position=pos, name=p["name"],
                    relation=p["relation"], age=p["age"], health=p["health"], labour=p["labour"],
                    id_number=p.get("id_number"), phone=p.get("phone"), **{f: p[f] for f in ASSISTANCE}))
            for pos, (cat, text) in enumerate(h["_measures"]):
                ids["m"] += 1
                m_rows.append(dict(id=ids["m"], household_id=hid, position=pos, category=cat, text=text))
            for pos, (cat, label, amount) in enumerate(h["_income"]):
                ids["i"] += 1
                i_rows.append(dict(id=ids["i"], household_id=hid, position=pos, category=cat, label=label,
                                   amount=amount))
        for model, rows in ((Household, hh_rows), (Person, p_rows), (Measure, m_rows), (IncomeItem, i_rows)):
            bulk_insert(conn, model.__table__, rows)

    # ------------------------------------------------------------------ summary
    def summary(self) -> dict[str, Any]:
        n_p = sum(len(h["_members"]) for h in self.households)
        return {
            "periods": [self.months.prev, self.months.latest],
            "households": len(self.households),
            "persons": n_p,
            "townships": sum(1 for u in self.units if u["level"] == "township"),
            "villages": len(self.villages),
            "violations": dict(self.violations),
            "m07_village": f"{self.drop_village['_township']}/{self.drop_village['name']}" if self.drop_village else None,
        }


# What an office adds for a household that turned 红 this month (seed 000's 动态预警 → 帮扶措施).
NEW_RED_MEASURES = (("其它", "临时救助"), ("健康扶贫", "大病专项救治"), ("公益岗位", "村保洁员公益岗位"),
                    ("就业", "县内企业务工"), ("低保兜底", "纳入低保兜底"))

W_RISK = RISK_REASONS

"""Household rules H-01 … H-16 (forms.md §4): one small function per rule, named by its code.

Each takes a ``HouseholdData`` (register or file) and the ``Context`` and returns findings; values
from files may be of any type, so every rule judges what it is given and never raises. H-12 (the
same person in two households) looks across households and lives in ``duplicates.py``.

Beside each rule is its *common-case test* (``*_ok``): the values it reads, and True when they can
give no finding under the rule. The rule itself takes its fast path on that test, and ``SCREENS``
(at the end) names each test with the columns it reads, from which ``app.rules.screen`` derives the
period-wide screen: a test is written once and serves both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from app.domain import BAND_A_LIMIT, CAUSES, HEALTH, LABOUR, RELATIONS
from app.kernel.derive import band_for, per_capita
from app.kernel.month import Month, last_day

from . import ids
from .cells import (  # noqa: F401 - re-exported: other modules and the GUI read cells the same way
    _CAUSE,
    _HEALTH,
    _LABOUR,
    _REL,
    _all_ok,
    _missing,
    _stored,
    as_int,
    as_number,
    blank,
    canon,
    finding,
    head_name,
    head_of,
    pname,
    shown,
    who,
)
from .data import Context, HouseholdData, PersonData
from .findings import Finding
from .phones import is_valid_phone, normalise_phone


# --- rules -------------------------------------------------------------------------------------
def heads_ok(relations: tuple) -> bool:
    """H-01's common case: members listed, every relation a stored one, the first the head and the
    only one."""
    return (relations[:1] == ("户主",) and relations.count("户主") == 1
            and all(_stored(r, _REL) for r in relations))


def h01_head(h: HouseholdData, ctx: Context) -> list[Finding]:
    if heads_ok(tuple(p.relation for p in h.members)):
        return []
    heads = [i for i, p in enumerate(h.members) if p.relation == "户主" or canon(p.relation, RELATIONS) == "户主"]
    if not h.members:
        return [finding("H-01", h, f"{who(h)}没有成员，至少应有户主一人", field="relation")]
    if not heads:
        return [finding("H-01", h, f"{who(h)}没有户主：应有一名成员的与户主关系为“户主”", field="relation")]
    if len(heads) > 1:
        names = "、".join(pname(h.members[i]) for i in heads)
        return [finding("H-01", h, f"{who(h)}有{len(heads)}名户主（{names}），只能有一名", field="relation")]
    if heads[0] != 0:
        p = h.members[heads[0]]
        return [finding("H-01", h, f"户主{pname(p)}应排在本户第一行，现在第{heads[0] + 1}行", p, "relation")]
    return []


def h02_size(h: HouseholdData, ctx: Context) -> list[Finding]:
    if blank(h.stated_size):
        return []
    n = len(h.members)
    stated = as_int(h.stated_size)
    if stated != n:
        return [finding("H-02", h, f"{who(h)}家庭人口数填的是{shown(h.stated_size)}，但列出的成员有{n}人", field="size")]
    return []


_DIGIT_RE = re.compile(r"\d")
PLAIN_NAME_RE = re.compile(r"^[\u3400-\u9fff·\U00020000-\U0003ffff]{2,20}$")
_CJK_RE = re.compile(r"[\u3400-\u9fff\U00020000-\U0003ffff]")


def name_ok(name: Any) -> bool:
    """H-03's common case: 2–20 Chinese characters (and ·)."""
    return name.__class__ is str and PLAIN_NAME_RE.match(name) is not None


def h03_name(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    for p in h.members:
        if name_ok(p.name):
            continue
        if blank(p.name):
            out.append(finding("H-03", h, f"{who(h)}有成员未填写姓名", p, "name"))
            continue
        name = str(p.name).strip()
        problem = None
        if not 2 <= len(name) <= 20:
            problem = f"应为2至20个字，现为{len(name)}个字"
        elif _DIGIT_RE.search(name):
            problem = "不能含数字"
        elif _CJK_RE.search(name) and any(c.isspace() for c in name):
            problem = "汉字姓名中间不能有空格（少数民族姓名用间隔号“·”）"
        if problem:
            out.append(finding("H-03", h, f"姓名“{name}”{problem}", p, "name"))
    return out


def h04_font(h: HouseholdData, ctx: Context) -> list[Finding]:
    if _all_ok(h):
        return []  # the common case; the cells are looked at one by one only on a miss
    out = []

    def check(text: Any, what: str, p: PersonData | None, field: str) -> None:
        chars = _missing(text)
        if chars:
            out.append(finding("H-04", h, f"{what}“{text}”中的“{''.join(chars)}”字表格字体中没有，打印会成空框；"
                                           "请核实是否录入有误，或改用同音常用字并在备注中说明", p, field))

    for p in h.members:
        check(p.name, "姓名", p, "name")
    check(h.head_name, "户主姓名", None, "head_contact")
    check(h.cause, "致贫原因", None, "cause")
    check(h.helper_name, "帮扶责任人", None, "helper_name")
    for category, text in h.measures:
        check(category, "措施类别", None, "measures")
        check(text, "脱贫措施", None, "measures")
    for category, _amount in h.income_items:
        check(category, "收入项目", None, "income")
    for field, text in h.texts.items():
        check(text, "文字", None, field)
    return out


def age_ok(age: Any) -> bool:
    """H-05's common case: a whole number 0–120."""
    return age.__class__ is int and 0 <= age <= 120


def h05_age(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    for p in h.members:
        if age_ok(p.age):
            continue
        age = as_int(p.age)
        if age is None or not 0 <= age <= 120:
            out.append(finding("H-05", h, f"{pname(p)}的年龄应为0至120的整数，现为{shown(p.age)}", p, "age"))
    return out


_LISTS = (("relation", RELATIONS, "与户主关系"), ("health", HEALTH, "健康状况"), ("labour", LABOUR, "有无劳动能力"))


def cause_ok(cause: Any) -> bool:
    """H-06's common case for the household: a stored 致贫原因."""
    return _stored(cause, _CAUSE)


def member_lists_ok(relation: Any, health: Any, labour: Any) -> bool:
    """H-06's common case for a member: stored 与户主关系, 健康状况 and 劳动能力."""
    return _stored(relation, _REL) and _stored(health, _HEALTH) and _stored(labour, _LABOUR)


def h06_lists(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    if not cause_ok(h.cause) and canon(h.cause, CAUSES) is None:
        out.append(finding("H-06", h, f"{who(h)}的致贫原因应为{'、'.join(CAUSES)}之一，现为{shown(h.cause)}",
                           field="cause"))
    for p in h.members:
        if member_lists_ok(p.relation, p.health, p.labour):
            continue
        for field, allowed, label in _LISTS:
            value = getattr(p, field)
            if canon(value, allowed) is None:
                choices = "、".join(allowed) if len(allowed) < 8 else "规定的选项（户主、配偶、之子、之女……）"
                out.append(finding("H-06", h, f"{pname(p)}的{label}应为{choices}之一，现为{shown(value)}",
                                   p, field))
    return out


_KIN = {"之子": "儿子", "之女": "女儿", "之父": "父亲", "之母": "母亲"}
# Relations no age edit of H-07 looks at.
_QUIET = frozenset(RELATIONS) - {"配偶", "之子", "之女", "之父", "之母"}


_CHILD, _PARENT, _SICK = frozenset(("之子", "之女")), frozenset(("之父", "之母")), frozenset(("大病", "长期慢性病"))


def member_plausible(relation: Any, age: Any, health: Any, labour: Any, head_age: Any) -> bool:
    """H-07's common case for a member (stored values, a whole-number age): nothing implausible
    against the head's age (``head_age``: the first member's), the age or the health."""
    if age.__class__ is not int or not member_lists_ok(relation, health, labour):
        return False
    if age < 16 and (relation == "配偶" or labour == "普通劳动力"):
        return False
    if 16 <= age <= 60 and health == "健康" and labour == "无劳动力":
        return False
    if relation in _CHILD or relation in _PARENT:
        if head_age.__class__ is not int:
            return False
        return age <= head_age - 12 if relation in _CHILD else age >= head_age + 12
    return True


def cause_plausible(cause: Any, healths: frozenset, school_age: bool) -> bool:
    """H-07's common case for the household: a stored 致贫原因 its members explain (因残: a disabled
    member, 因病: a sick one, 因学: one aged 6–22)."""
    if not _stored(cause, _CAUSE):
        return False
    if cause == "因残":
        return "残疾" in healths
    if cause == "因病":
        return not _SICK.isdisjoint(healths)
    return cause != "因学" or school_age


def h07_consistency(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    first_age = h.members[0].age if h.members else None
    if (all(member_plausible(p.relation, p.age, p.health, p.labour, first_age) for p in h.members)
            and h.members and h.members[0].relation == "户主"
            and cause_plausible(h.cause, frozenset(p.health for p in h.members),
                                any(p.age.__class__ is int and 6 <= p.age <= 22 for p in h.members))):
        return []
    head = head_of(h)
    head_age = as_int(head.age) if head is not None else None
    # Stored values pass through as they are (the register); anything else goes through canon().
    people = [(p,
               p.relation if type(p.relation) is str and p.relation in _REL else canon(p.relation, RELATIONS),
               p.age if type(p.age) is int else as_int(p.age),
               p.health if type(p.health) is str and p.health in _HEALTH else canon(p.health, HEALTH),
               p.labour if type(p.labour) is str and p.labour in _LABOUR else canon(p.labour, LABOUR))
              for p in h.members]
    for p, rel, age, health, labour in people:
        if age is None or (16 < age < 60 and rel in _QUIET and labour != "无劳动力"):
            continue  # nothing below can fire: the common case
        n = pname(p)
        if rel == "配偶" and age < 16:
            out.append(finding("H-07", h, f"配偶{n}只有{age}岁（不满16岁），请核实年龄或关系", p, "age"))
        if head_age is not None and rel in ("之子", "之女") and age > head_age - 12:
            out.append(finding("H-07", h, f"{_KIN[rel]}{n}{age}岁，户主{head_age}岁，子女比户主小不到12岁，请核实",
                               p, "age"))
        if head_age is not None and rel in ("之父", "之母") and age < head_age + 12:
            out.append(finding("H-07", h, f"{_KIN[rel]}{n}{age}岁，户主{head_age}岁，父母比户主大不到12岁，请核实",
                               p, "age"))
        if age < 16 and labour == "普通劳动力":
            out.append(finding("H-07", h, f"{n}只有{age}岁（不满16岁），却填为普通劳动力，请核实", p, "labour"))
        if 16 <= age <= 60 and health == "健康" and labour == "无劳动力":
            out.append(finding("H-07", h, f"{n}{age}岁、健康，却填为无劳动力，请核实", p, "labour"))
    cause = canon(h.cause, CAUSES)
    healths = {x[3] for x in people}
    if cause == "因残" and "残疾" not in healths:
        out.append(finding("H-07", h, f"{who(h)}致贫原因为因残，但没有成员的健康状况为残疾，请核实", field="cause"))
    if cause == "因病" and not healths & {"大病", "长期慢性病"}:
        out.append(finding("H-07", h, f"{who(h)}致贫原因为因病，但没有成员患大病或长期慢性病，请核实", field="cause"))
    if cause == "因学" and not any(x[2] is not None and 6 <= x[2] <= 22 for x in people):
        out.append(finding("H-07", h, f"{who(h)}致贫原因为因学，但没有6至22岁的成员，请核实", field="cause"))
    return out


def h08_measures(h: HouseholdData, ctx: Context) -> list[Finding]:
    if h.band != "A":
        return []
    if any(not blank(text) or not blank(cat) for cat, text in h.measures):
        return []
    return [finding("H-08", h, f"{who(h)}是5000元以下户，至少要填一条主要脱贫措施", field="measures")]


def h09_income(h: HouseholdData, ctx: Context) -> list[Finding]:
    if (blank(h.stated_total) and blank(h.stated_per_capita)
            and all(type(a) in (int, float) and a >= 0 for _c, a in h.income_items)):
        return []  # the register: amounts are numbers and nothing is stated
    out = []
    total = Decimal(0)
    for i, (category, amount) in enumerate(h.income_items, 1):
        value = as_number(amount)
        label = category if not blank(category) else f"第{i}项"
        if value is None or value < 0:
            out.append(finding("H-09", h, f"{who(h)}收入“{label}”的金额应为不小于0的元数，现为{shown(amount)}",
                               field="income"))
        else:
            total += value
    if out:
        return out
    if not blank(h.stated_total):
        stated = as_number(h.stated_total)
        if stated is None or abs(stated - total) >= Decimal("0.005"):
            out.append(finding("H-09", h, f"{who(h)}收入合计填的是{shown(h.stated_total)}，各项相加为{_yuan(total)}元",
                               field="income"))
    if not blank(h.stated_per_capita) and h.members:
        expected = per_capita(float(total), len(h.members))
        stated = as_number(h.stated_per_capita)
        if stated is None or stated != expected:
            out.append(finding("H-09", h, f"{who(h)}人均收入填的是{shown(h.stated_per_capita)}，应为{_yuan(total)}÷"
                                          f"{len(h.members)}人={expected}元", field="income"))
    return out


def _yuan(d: Decimal) -> str:
    return f"{d:f}".rstrip("0").rstrip(".") if "." in f"{d:f}" else f"{d:f}"


def phone_ok(phone: Any) -> bool:
    """H-10's common case for a phone: a valid number."""
    return normalise_phone(phone) is not None


def helper_name_ok(name: Any) -> bool:
    """H-10's common case for the helper cadre: a name is written."""
    return name.__class__ is str and bool(name.strip())


def h10_contacts(h: HouseholdData, ctx: Context) -> list[Finding]:
    if (phone_ok(h.head_phone) and phone_ok(h.helper_phone) and helper_name_ok(h.helper_name)
            and head_name(h)):
        return []
    out = []
    name = head_name(h)
    if not name:
        out.append(finding("H-10", h, "户主联系方式缺少户主姓名", field="head_contact"))
    if not is_valid_phone(h.head_phone):
        out.append(finding("H-10", h, f"{who(h)}户主电话{_phone_problem(h.head_phone)}", field="head_phone"))
    if blank(h.helper_name):
        out.append(finding("H-10", h, f"{who(h)}未填写帮扶责任人姓名", field="helper_name"))
    if not is_valid_phone(h.helper_phone):
        out.append(finding("H-10", h, f"{who(h)}帮扶责任人电话{_phone_problem(h.helper_phone)}", field="helper_phone"))
    return out


def _phone_problem(v: Any) -> str:
    if blank(v):
        return "未填写"
    return f"“{v}”不是有效号码（手机为1开头11位，座机如024-82703810）"


_MONTH_RE = re.compile(r"^(\d{4})\.(\d{2})$")


@lru_cache(maxsize=64)
def _expected_months(period: str) -> tuple[frozenset[str], frozenset[str]]:
    """The report year's months as 预计 writes them (YYYY.MM): (after the period, up to it)."""
    m = Month.parse(period)
    later = frozenset(f"{m.year}.{i:02d}" for i in range(m.month + 1, 13))
    reached = frozenset(f"{m.year}.{i:02d}" for i in range(1, m.month + 1))
    return later, reached


def expected_ok(period: str, expected: Any, ytd: Any, closed_out: Any) -> bool:
    """H-11's common case: a month of the report year written YYYY.MM; still to come with the
    year-to-date income below 5000 (or not given), or reached and the household closed out."""
    later, reached = _expected_months(period)
    if expected in later:
        return ytd is None or (ytd.__class__ in (int, float) and ytd < BAND_A_LIMIT)
    return expected in reached and bool(closed_out)


def h11_expected_month(h: HouseholdData, ctx: Context) -> list[Finding]:
    v = h.expected_month
    if v.__class__ is str and expected_ok(ctx.period, v, h.ytd_income, h.closed_out):
        return []
    if type(v) is float:  # a spreadsheet number: 2020.1 is what Excel keeps of 2020.10
        v = f"{v:.2f}"
    text = "" if v is None else str(v).strip()
    m = _MONTH_RE.match(text)
    label = "预计收入达到5000元以上时间"
    if not m:
        return [finding("H-11", h, f"{who(h)}{label}应写成YYYY.MM（如{ctx.year}.09），现为{shown(v)}",
                        field="expected_month")]
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return [finding("H-11", h, f"{who(h)}{label}“{text}”不是真实月份", field="expected_month")]
    if year != ctx.year:
        return [finding("H-11", h, f"{who(h)}{label}“{text}”应在本年度（{ctx.year}年）内", field="expected_month")]
    period_month = Month.parse(ctx.period).month
    out = []
    ytd = h.ytd_income if type(h.ytd_income) in (int, float) else as_number(h.ytd_income)
    if month > period_month and ytd is not None and ytd >= BAND_A_LIMIT:
        # "already ≥ 5000": the year-to-date per-capita income (填报说明 5), not the annual estimate,
        # which is meant to exceed 5000 by the expected month (the seed's own row: 人均5825元, 2020.08).
        out.append(finding("H-11", h, f"{who(h)}本年累计人均纯收入已达{_yuan(ytd)}元，预计达到5000元的时间却是{text}，"
                                      "请核实是否提前", field="expected_month", severity="W"))
    if month <= period_month and not h.closed_out:
        out.append(finding("H-11", h, f"{who(h)}预计{text}收入达到5000元以上，该月已到但尚未销号，请核实",
                           field="expected_month", severity="W"))
    return out


def band_ok(prior_income: Any, band: Any) -> bool:
    """H-13's common case: no prior-year income given, or a number 0 or more in the household's band."""
    if prior_income is None:
        return True
    return prior_income.__class__ in (int, float) and prior_income >= 0 and band_for(prior_income) == band


def h13_band(h: HouseholdData, ctx: Context) -> list[Finding]:
    if band_ok(h.prior_income, h.band) or blank(h.prior_income):
        return []  # 附件4 files carry no prior-year income; the register always asks for it
    v = h.prior_income
    income = Decimal(str(v)) if type(v) is float else (Decimal(v) if type(v) is int else as_number(v))
    if income is None or income < 0:
        return [finding("H-13", h, f"{who(h)}上年度人均纯收入应为元数，现为{shown(h.prior_income)}", field="prior_income")]
    if band_for(float(income)) == h.band:
        return []
    want = "5000元以下" if h.band == "A" else "5000至5760元"
    return [finding("H-13", h, f"{who(h)}列在{want}档，但上年度人均纯收入为{_yuan(income)}元，不在此档",
                    field="prior_income")]


def housing_ok(grade: Any, renovated: Any) -> bool:
    """H-14's common case: renovated, or not a C/D grade (危房)."""
    return bool(renovated) or grade in (None, "", "A", "B")


def h14_housing(h: HouseholdData, ctx: Context) -> list[Finding]:
    if housing_ok(h.housing_grade, h.housing_renovated):
        return []
    grade = (h.housing_grade or "").strip().upper()
    if grade in ("C", "D") and not h.housing_renovated:
        return [finding("H-14", h, f"{who(h)}住房为{grade}级危房，改造尚未完成", field="housing_grade")]
    return []


def _cn(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@lru_cache(maxsize=64)
def _last_day(period: str) -> dt.date:
    return last_day(period)


@lru_cache(maxsize=262144)  # H-15 and H-16 ask the same question; the GUI re-checks after every edit
def _id_problem(value: Any, period: str) -> str | None:
    return ids.id_problem(value, _last_day(period))


@lru_cache(maxsize=262144)
def _age_from_id(value: Any, period: str) -> int | None:
    """Full years on the period's last day by the birth date of a valid 身份证号, else None."""
    return ids.age_if_valid(value, _last_day(period))


def id_ok(period: str, id_number: Any, age: Any) -> bool:
    """H-15 and H-16's common case: no 身份证号, or a valid one whose birth date gives the age."""
    if age.__class__ is int and id_number.__class__ is str and ids.PLAIN_ID.match(id_number):
        return ids.plain_age(id_number, _last_day(period)) == age
    if id_number is None or blank(id_number):
        return True
    return _age_from_id(id_number, period) == age and age.__class__ is int


def age_from_id(value: Any, period: str) -> int | None:
    """The age a valid 身份证号 gives on the last day of ``period`` (None for an invalid number)."""
    return _age_from_id(value, period)


def h15_id_number(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    for p in h.members:
        if p.id_number is None or blank(p.id_number):
            continue
        problem = _id_problem(p.id_number, ctx.period)
        if problem:
            out.append(finding("H-15", h, f"{pname(p)}的身份证号{problem}", p, "id_number"))
    return out


def h16_age_vs_id(h: HouseholdData, ctx: Context) -> list[Finding]:
    out = []
    for p in h.members:
        if p.id_number is None or blank(p.id_number):
            continue
        real = _age_from_id(p.id_number, ctx.period)
        age = as_int(p.age)
        if real is None or age is None:
            continue
        if real != age:
            born, day = ids.birth_date(p.id_number), _last_day(ctx.period)
            out.append(finding("H-16", h, f"{pname(p)}年龄填{age}岁，按身份证号出生日期{_cn(born)}"
                                          f"应为{real}岁（截至{_cn(day)}）", p, "age"))
    return out


HOUSEHOLD_RULES = (
    h01_head, h02_size, h03_name, h04_font, h05_age, h06_lists, h07_consistency, h08_measures,
    h09_income, h10_contacts, h11_expected_month, h13_band, h14_housing, h15_id_number, h16_age_vs_id,
)


# --- the screen's part of each rule ----------------------------------------------------------------
@dataclass(frozen=True)
class Screen:
    """A rule's common-case test over stored columns, for the period-wide screen.

    ``level`` "member": ``reads`` are persons columns, plus ``head_age`` (the household's first
    member's age); "household": households columns, plus ``relations`` (the members' relations in
    order), ``healths`` (their health values) and ``school_age`` (a member aged 6–22). ``period``:
    the test takes the period first. ``text``: the values must be printable (H-04), tested over a
    whole column at once.
    """

    code: str
    level: str
    reads: tuple[str, ...]
    test: Callable[..., bool] | None = None
    period: bool = False
    text: bool = False


SCREENS = (
    Screen("H-01", "household", ("relations",), heads_ok),
    Screen("H-03", "member", ("name",), name_ok),
    Screen("H-04", "member", ("name",), text=True),
    Screen("H-04", "household", ("cause", "helper_name", "helper_unit", "remark"), text=True),
    Screen("H-05", "member", ("age",), age_ok),
    Screen("H-06", "member", ("relation", "health", "labour"), member_lists_ok),
    Screen("H-06", "household", ("cause",), cause_ok),
    Screen("H-07", "member", ("relation", "age", "health", "labour", "head_age"), member_plausible),
    Screen("H-07", "household", ("cause", "healths", "school_age"), cause_plausible),
    Screen("H-10", "household", ("head_phone",), phone_ok),
    Screen("H-10", "household", ("helper_phone",), phone_ok),
    Screen("H-10", "household", ("helper_name",), helper_name_ok),
    Screen("H-11", "household", ("expected_month", "ytd_income", "closed_out"), expected_ok, period=True),
    Screen("H-13", "household", ("prior_income", "band"), band_ok),
    Screen("H-14", "household", ("housing_grade", "housing_renovated"), housing_ok),
    Screen("H-15", "member", ("id_number", "age"), id_ok, period=True),
)
# Not in SCREENS, and why: H-02 and H-09's stated figures come from files only (the register holds
# none); H-08, H-09's amounts and H-04 on measures and income texts read the measures and income
# items tables, screened in SQL by ``app.services.check_screen``; H-10's head name is the head
# member's (H-03); H-16 is H-15's test (the age by the 身份证号).
UNSCREENED = {"H-02": "files only", "H-08": "measures (SQL)", "H-09": "income items (SQL)", "H-16": "H-15",
              "H-12": "across households (screen.twin_suspects)"}

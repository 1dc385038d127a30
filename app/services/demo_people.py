"""Members of a demo household: relations, ages, health and labour that pass the H-07 edits.

Children are 20+ years younger than the head, parents 22+ older, spouses adults; labour follows
age and health; the cause of poverty is made consistent with the members (因残 needs a 残疾
member, 因病 a sick one, 因学 someone aged 6–22). Also 身份证号 with a GB 11643 check digit.
"""

from __future__ import annotations

import datetime as dt
import random

from app.rules.ids import check_digit

from . import demo_data as W


def new_id_number(rng: random.Random, region: str, age: int, sex: str, year_of: int = 2020, latest: int = 3) -> str:
    """A valid 身份证号 whose birth date gives ``age`` on the last days of both demo months
    (``latest`` and the month before it, in ``year_of``).

    Birthdays fall outside the latest month (and never on 29 Feb), so the age is the same in both.
    """
    month = rng.choice(tuple(m for m in range(1, 13) if m != latest))
    day = rng.randint(1, 28)
    year = year_of - age if month < latest else year_of - age - 1
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
    first = f"{region}{dt.date(year, month, day):%Y%m%d}{seq:03d}"
    return first + check_digit(first)


def person_name(rng: random.Random, surname: str, sex: str) -> tuple[str, str]:
    pool = W.MALE_CHARS if sex == "M" else W.FEMALE_CHARS
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.9 else "")  # few 1-char names: fewer H-12 twins
    return surname + given, sex


def _health(rng: random.Random, age: int) -> str:
    if age < 16:
        w = (95, 3, 1, 1)
    elif age <= 60:
        w = (74, 10, 5, 11)
    else:
        w = (40, 15, 10, 35)
    return rng.choices(("健康", "残疾", "大病", "长期慢性病"), w)[0]


def _labour(rng: random.Random, age: int, health: str) -> str:
    if age < 16:
        return "无劳动力"
    if age <= 60:
        if health == "健康":
            return "普通劳动力" if rng.random() < 0.9 else "弱劳动力"
        if health == "长期慢性病":
            return rng.choice(("弱劳动力", "普通劳动力"))
        return rng.choice(("无劳动力", "弱劳动力"))
    if health == "健康":
        return "普通劳动力" if age <= 65 and rng.random() < 0.5 else "弱劳动力"
    return "无劳动力" if rng.random() < 0.7 else "弱劳动力"


def _person(rng: random.Random, name: str, sex: str, relation: str, age: int) -> dict:
    age = max(0, min(age, 98))
    return {"name": name, "sex": sex, "relation": relation, "age": age, "phone": None, "id_number": None}


def make_household_members(rng: random.Random, size: int) -> tuple[list[dict], str]:
    """(members with head first, cause of poverty) for a household of ``size``."""
    surname = rng.choice(W.SURNAMES)
    head_sex = "M" if rng.random() < 0.8 else "F"
    head_age = rng.randint(45, 80) if size >= 5 else rng.randint(28, 85)
    out = [_person(rng, person_name(rng, surname, head_sex)[0], head_sex, "户主", head_age)]
    left = size - 1
    if left and rng.random() < 0.85:
        sex = "F" if head_sex == "M" else "M"
        age = max(20, head_age + rng.randint(-5, 5))
        out.append(_person(rng, person_name(rng, rng.choice(W.SURNAMES), sex)[0], sex, "配偶", age))
        left -= 1
    if left and head_age < 52 and rng.random() < 0.35:
        sex = rng.choice("MF")
        age = head_age + rng.randint(22, 32)
        name = person_name(rng, surname if sex == "M" else rng.choice(W.SURNAMES), sex)[0]
        out.append(_person(rng, name, sex, "之父" if sex == "M" else "之母", age))
        left -= 1
    while left:
        sex = rng.choice("MF")
        age = head_age - rng.randint(20, min(38, head_age))
        out.append(_person(rng, person_name(rng, surname, sex)[0], sex, "之子" if sex == "M" else "之女", age))
        left -= 1
        if left >= 2 and age >= 24 and rng.random() < 0.5:
            in_law_sex = "F" if sex == "M" else "M"
            out.append(_person(rng, person_name(rng, rng.choice(W.SURNAMES), in_law_sex)[0], in_law_sex,
                               "之儿媳" if sex == "M" else "之女婿", max(20, age + rng.randint(-3, 3))))
            left -= 1
            kid_surname = surname if sex == "M" else out[-1]["name"][0]
            for _ in range(min(left, rng.randint(1, 2))):
                ksex = rng.choice("MF")
                rel = ("之孙子" if ksex == "M" else "之孙女") if sex == "M" else ("之外孙子" if ksex == "M" else "之外孙女")
                out.append(_person(rng, person_name(rng, kid_surname, ksex)[0], ksex, rel,
                                   age - rng.randint(20, min(32, age))))
                left -= 1
    for p in out:
        p["health"] = _health(rng, p["age"])
    cause = rng.choices(("因病", "因残", "因学", "因房", "收入较低", "其他"), (30, 20, 8, 7, 25, 10))[0]
    if cause == "因残" and not any(p["health"] == "残疾" for p in out):
        rng.choice(out)["health"] = "残疾"
    elif cause == "因病" and not any(p["health"] in ("大病", "长期慢性病") for p in out):
        rng.choice(out)["health"] = rng.choice(("大病", "长期慢性病"))
    elif cause == "因学" and not any(6 <= p["age"] <= 22 for p in out):
        cause = "收入较低"
    for p in out:
        p["labour"] = _labour(rng, p["age"], p["health"])
    return out, cause


def minority_names(rng: random.Random, members: list[dict]) -> None:
    """Rename a household in the Uyghur style: own name · father's name (买买提·吐尔逊)."""
    head = members[0]
    head_given = rng.choice(W.MINORITY_MALE)
    head["name"] = f"{head_given}·{rng.choice(W.MINORITY_MALE)}"
    for p in members[1:]:
        own = rng.choice(W.MINORITY_MALE if p["sex"] == "M" else W.MINORITY_FEMALE)
        father = head_given if p["relation"] in ("之子", "之女") else rng.choice(W.MINORITY_MALE)
        p["name"] = f"{own}·{father}"

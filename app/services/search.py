"""Find a person in one month's register by name, phone fragment or 身份证号. No Qt.

Hits carry the unit path, household and person ids to jump to; the 身份证号 is masked in hits
(shown in full only in the person's editor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.kernel.views import parse_payload
from app.models import Household, Person
from app.rules import ids

from . import pinyin_index

LIMIT = 200


@dataclass(frozen=True, slots=True)
class Hit:
    person_id: int
    household_id: int
    village_id: int
    unit: str  # "乡镇/村"
    name: str
    relation: str | None
    age: int | None
    phone: str | None
    id_masked: str
    matched: str  # "姓名", "拼音首字母", "电话", "身份证号", "二维码"


def mask_id(id_number: str | None) -> str:
    """110105********1234: the region and the last four, never the birth date."""
    return ids.mask_id(id_number) if id_number else ""


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def scanned_uuid(text: str | None) -> str | None:
    """The household (or person) uuid of a scanned 明白卡 payload ``GUATU1|uuid|unit|month`` or a bare uuid."""
    t = (text or "").strip()
    if payload := parse_payload(t):
        return payload["household"]
    return t.lower() if _UUID.fullmatch(t) else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def warm(session: Session, period_id: int) -> None:
    """Build the month's initials index now (the window does it in the background after opening)."""
    pinyin_index.period_index(session, period_id)


def search(session: Session, period_id: int, text: str, limit: int = LIMIT) -> list[Hit]:
    """People matching ``text``: digits search phones and 身份证号 (fragment), two to eight letters the
    pinyin initials of names (``ljg`` → 李建国; see app.services.pinyin_index), other text names."""
    from app.services.browse import unit_paths

    scanned = scanned_uuid(text)
    t = re.sub(r"[\s\-]", "", text or "")
    if not t:
        return []
    like = f"%{_escape(t)}%"
    digits = bool(re.fullmatch(r"[0-9xX]+", t))
    initials_of: dict[str, int] = {}  # name → 0 exact initials, 1 initials prefix
    if not scanned and not digits and pinyin_index.is_initials_query(t):
        exact, prefix = pinyin_index.period_index(session, period_id).find(t)
        initials_of = {**{n: 1 for n in prefix}, **{n: 0 for n in exact}}
    if initials_of:
        cond = Person.name.in_(list(initials_of))
    elif scanned:  # a 明白卡 QR code read by a scanner into the box, or a pasted uuid
        cond = or_(Household.uuid == scanned, Person.uuid == scanned)
    elif digits:
        cond = or_(Person.phone.like(like, escape="\\"),
                   Person.phone.like(f"%{_escape(text.strip())}%", escape="\\"),
                   Person.id_number.like(f"%{_escape(t.upper())}%", escape="\\"),
                   Household.head_phone.like(like, escape="\\"))
    else:
        cond = Person.name.like(like, escape="\\")
    q = (select(Person.id, Person.household_id, Household.village_id, Person.name, Person.relation, Person.age,
                Person.phone, Person.id_number, Household.head_phone)
         .join(Household, Household.id == Person.household_id)
         .where(Household.period_id == period_id, cond)
         .order_by(Household.village_id, Household.position, Person.position)
         .limit(limit))
    paths = unit_paths(session)
    hits = []
    for pid, hid, vid, name, rel, age, phone, idn, head_phone in session.execute(q):
        if scanned:
            matched = "二维码"
        elif initials_of:
            matched = "拼音首字母"
        elif not digits:
            matched = "姓名"
        elif idn and t.upper() in idn:
            matched = "身份证号"
        else:
            matched = "电话"
        if digits and matched == "电话" and not (phone and t in re.sub(r"\D", "", phone)) and rel != "户主":
            # matched only through the head's phone: report the head instead of every member
            continue
        hits.append(Hit(pid, hid, vid, paths.get(vid, ""), name, rel, age, phone or (head_phone if rel == "户主" else None),
                        mask_id(idn), matched))
    if initials_of:  # whole initials first, then names that start so
        return sorted(hits, key=lambda h: initials_of.get(h.name, 2))
    exact = [h for h in hits if h.name == t]
    return exact + [h for h in hits if h.name != t]

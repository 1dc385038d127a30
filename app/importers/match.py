"""Match a file's households with the register's, merge what the file states, list the differences.

A package is matched by UUID and replaces every field. A hand-made workbook has no UUIDs: its
households are matched by the head's name (then phone) within the village and its members by
name, so re-importing the same workbook keeps every UUID; fields the form does not show
(assistance, risk colour, 身份证号 …) are kept from the register.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from .incoming import InHousehold

SKIP = {"id", "period_id", "village_id", "household_id"}


def new_uuid() -> str:
    """A random (version 4) UUID as text, like ``str(uuid.uuid4())`` at a fraction of its cost."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
CHILD_KEYS = ("members", "measures", "income_items")
NAMES = {
    "band": "档次", "head_phone": "户主电话", "cause": "致贫原因", "helper_name": "帮扶责任人",
    "helper_phone": "帮扶责任人电话", "expected_month": "预计时间", "name": "姓名", "relation": "与户主关系",
    "age": "年龄", "health": "健康状况", "labour": "劳动能力", "measures": "脱贫措施", "income_items": "收入",
}


@dataclass
class VillagePlan:
    records: list[dict] = field(default_factory=list)  # merged full records to write, in order
    delete_ids: list[int] = field(default_factory=list)  # existing household ids replaced
    households: dict[str, int] = field(default_factory=lambda: dict(added=0, changed=0, unchanged=0, removed=0))
    persons: dict[str, int] = field(default_factory=lambda: dict(added=0, changed=0, unchanged=0, removed=0))
    differences: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.delete_ids:
            return "added"
        h = self.households
        return "unchanged" if not (h["added"] or h["changed"] or h["removed"]) else "changed"


def _plain(rec: dict) -> dict:
    return {k: v for k, v in rec.items() if k not in SKIP and k not in CHILD_KEYS}


def _head_name(rec: dict) -> str | None:
    return next((m.get("name") for m in rec.get("members", []) if m.get("relation") == "户主"), None)


def merge(existing: dict | None, inc: InHousehold, position: int) -> dict:
    """The full record to store for ``inc``, keeping from ``existing`` what the file does not state."""
    if inc.carried is None:
        rec = dict(inc.fields)
        rec["members"] = [dict(m) for m in inc.members]
        if inc.kept:
            olds = {m.get("uuid"): m for m in (existing or {}).get("members", [])}
            for m in rec["members"]:
                old = olds.get(m.get("uuid"), {})
                for k in inc.kept:
                    m[k] = old.get(k)
    else:
        rec = _plain(existing) if existing else {"uuid": new_uuid()}
        rec.update(inc.fields)
        old = list(existing.get("members", [])) if existing else []
        members = []
        for m in inc.members:
            hit = next((o for o in old if o.get("name") == m.get("name") and o.get("relation") == m.get("relation")),
                       None) or next((o for o in old if o.get("name") == m.get("name")), None)
            if hit is not None:
                old.remove(hit)
                merged = _plain(hit)
            else:
                merged = {"uuid": new_uuid()}
            merged.update({k: m.get(k) for k in (inc.member_carried or m.keys())})
            members.append(merged)
        rec["members"] = members
    rec["position"] = position
    for i, m in enumerate(rec["members"]):
        m["position"] = i
    # A category is not printed on 附件4: where the register has the same text, its category stands.
    known = {m.get("text"): m.get("category") for m in (existing or {}).get("measures", [])} \
        if inc.carried is not None else {}
    # A start month comes with a package's line, else from the register's same text (filled after the write).
    started = {m.get("text"): m.get("start_month") for m in (existing or {}).get("measures", [])}
    rec["measures"] = [{"category": known.get(m.get("text"), m.get("category")), "text": m.get("text"), "position": i,
                        "start_month": m.get("start_month") or started.get(m.get("text"))}
                       for i, m in enumerate(inc.measures)]
    known = {x.get("label"): x.get("category") for x in (existing or {}).get("income_items", [])} \
        if inc.carried is not None else {}
    rec["income_items"] = [{"category": known.get(x.get("label"), x.get("category")), "label": x.get("label"),
                            "amount": x.get("amount"), "position": i} for i, x in enumerate(inc.income_items)]
    return rec


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def diff(old: dict, new: dict, who: str) -> list[str]:
    """Readable differences between two full records (positions ignored, UUIDs compared)."""
    out = []
    for k, v in _plain(new).items():
        if k == "position":
            continue
        if not _same(old.get(k), v):
            out.append(f"{who}：{NAMES.get(k, k)} {old.get(k)!s} → {v!s}")
    for key, fields in (("measures", ("category", "text")), ("income_items", ("category", "label", "amount"))):
        a = [tuple(float(x[f]) if f == "amount" and isinstance(x.get(f), int | float) else x.get(f) for f in fields)
             for x in old.get(key, [])]
        b = [tuple(float(x[f]) if f == "amount" and isinstance(x.get(f), int | float) else x.get(f) for f in fields)
             for x in new.get(key, [])]
        if a != b:
            out.append(f"{who}：{NAMES[key]}有变化")
    return out


def _person_diff(old: dict, new: dict) -> list[str]:
    return [k for k, v in _plain(new).items() if k != "position" and not _same(old.get(k), v)]


def plan_village(existing: list[dict], incoming: list[InHousehold], moved: dict[str, dict] | None = None) -> VillagePlan:
    """What importing ``incoming`` over the village's ``existing`` households does."""
    plan = VillagePlan(delete_ids=[h["id"] for h in existing])
    by_uuid = {h["uuid"]: h for h in existing}
    pool = list(existing)
    for pos, inc in enumerate(incoming):
        if inc.carried is None:
            old = by_uuid.get(inc.fields.get("uuid"))
            if old is None and moved:
                old = moved.get(inc.fields.get("uuid"))
                if old is not None:
                    plan.delete_ids.append(old["id"])
        else:
            name = inc.head_name
            old = next((h for h in pool if name and _head_name(h) == name), None) or next(
                (h for h in pool if inc.fields.get("head_phone") and h.get("head_phone") == inc.fields["head_phone"]),
                None)
        if old is not None and old in pool:
            pool.remove(old)
        rec = merge(old, inc, pos)
        plan.records.append(rec)
        who = f"{_head_name(rec) or '某'}户"
        if old is None:
            plan.households["added"] += 1
            plan.persons["added"] += len(rec["members"])
            if existing:
                plan.differences.append(f"新增{who}（{len(rec['members'])}人）")
            continue
        changes = diff(old, rec, who)
        olds = {m["uuid"]: m for m in old.get("members", [])}
        for m in rec["members"]:
            o = olds.pop(m["uuid"], None)
            if o is None:
                plan.persons["added"] += 1
                changes.append(f"{who}：新增成员{m.get('name')}")
            elif _person_diff(o, m):
                plan.persons["changed"] += 1
                changes.append(f"{who}：成员{m.get('name')}的" + "、".join(NAMES.get(k, k) for k in _person_diff(o, m))
                               + "有变化")
            else:
                plan.persons["unchanged"] += 1
        for o in olds.values():
            plan.persons["removed"] += 1
            changes.append(f"{who}：减少成员{o.get('name')}")
        plan.households["changed" if changes else "unchanged"] += 1
        plan.differences.extend(changes)
    for h in pool:
        plan.households["removed"] += 1
        plan.persons["removed"] += len(h.get("members", []))
        plan.differences.append(f"减少{_head_name(h) or '某'}户（{len(h.get('members', []))}人）")
    return plan

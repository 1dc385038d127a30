"""动态调整 (household-records.md §1): every person or household entering or leaving the register.

The register's add/remove operations (``app.services.register``) and imports call the ``on_*``
hooks, so a record exists whichever way the change was made — never a bare delete. A record is
created with its kind inferred, its date today (within the data month) and no reason: A-01 stays
open until the reason is filled (``set_details``). A change taken back in the same open month — a
row added then removed, or undone — cancels the record instead of adding a second one; an import
into an empty unit or month creates none (the records a package carries are taken over as they
are: ``take_package_records``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import ADJUSTMENT_CAUSES, ADJUSTMENT_KINDS, ADJUSTMENT_SIGN
from app.kernel.month import Month
from app.models import Adjustment, Household, Office, Period, Person, Unit
from app.models.units import unit_path, villages_under
from app.rules.findings import Finding
from app.rules.ids import mask_id
from app.rules.records import LEAVES, AdjustmentData, check_adjustments

from . import audit
from .errors import Refused, UsageError
from .periods import require_open
from .units import period_and_unit

ENTRIES = ("新识别纳入", "返贫")  # household-level kinds that bring persons in


class AdjustmentRefused(Refused):
    """An adjustment that cannot be stored as asked (unknown kind, a date outside the month)."""


@dataclass(frozen=True, slots=True)
class AdjustmentChange:
    """What a hook or an edit did: records created, cancelled (deleted) or updated, by UUID."""

    created: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class SetDetails:
    """Fill or correct a record: reason, kind, cause, date, approval (None leaves a value as is)."""

    uuid: str
    reason: str | None = None
    kind: str | None = None
    cause: str | None = None
    effective_on: dt.date | None = None
    approved_on: dt.date | None = None
    approval_no: str | None = None


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    """One line of the 动态调整名单, as listed and exported (身份证号 already masked)."""

    uuid: str
    seq: int
    township: str
    village: str
    head: str
    name: str
    id_masked: str
    kind: str
    cause: str | None
    persons: int
    effective_on: str
    reason: str
    approval_no: str
    open: bool  # A-01 still open

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass
class AdjustmentList:
    period: str
    unit: str
    rows: list[AdjustmentRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # kind → records
    persons_in: int = 0
    persons_out: int = 0

    @property
    def net(self) -> int:
        return self.persons_in - self.persons_out

    def summary(self) -> str:
        parts = [f"{k}{n}条" for k, n in self.counts.items() if n]
        return (f"本月动态调整{sum(self.counts.values())}条" + (f"（{'，'.join(parts)}）" if parts else "")
                + f"；调入{self.persons_in}人，调出{self.persons_out}人，净{'增加' if self.net >= 0 else '减少'}"
                  f"{abs(self.net)}人")

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "unit": self.unit, "counts": self.counts, "persons_in": self.persons_in,
                "persons_out": self.persons_out, "net": self.net, "rows": [r.to_dict() for r in self.rows]}


# -- defaults -------------------------------------------------------------------------------------


def default_date(period: Period, today: dt.date | None = None) -> dt.date:
    """Today, kept within the data month (a change typed after the month's end dates to its last day)."""
    m = Month.parse(period.month)
    d = today or dt.date.today()
    return min(max(d, m.first_day), m.last_day)


def _who(session: Session) -> str | None:
    office = session.get(Office, 1)
    return office.preparer if office else None


def _pending(session: Session, period: Period, *, household: str, person: str | None = None,
             kinds: tuple[str, ...] | frozenset[str] | None = None) -> list[Adjustment]:
    q = select(Adjustment).where(Adjustment.period_id == period.id, Adjustment.household_uuid == household)
    q = q.where(Adjustment.person_uuid.is_(None) if person is None else Adjustment.person_uuid == person)
    if kinds is not None:
        q = q.where(Adjustment.kind.in_(list(kinds)))
    return list(session.scalars(q))


def _cancel(session: Session, period: Period, records: list[Adjustment]) -> tuple[str, ...]:
    out = []
    for r in records:
        out.append(r.uuid)
        audit.record(session, "delete", period=period.month, table="adjustments", record=r.uuid,
                     old=f"{r.kind} {r.person_name or r.head_name or ''}".strip())
        session.delete(r)
    session.flush()
    return tuple(out)


def _create(session: Session, period: Period, **values: Any) -> Adjustment:
    rec = Adjustment(period_id=period.id, effective_on=default_date(period), recorded_by=_who(session), **values)
    session.add(rec)
    session.flush()
    audit.record(session, "insert", period=period.month, table="adjustments", record=rec.uuid,
                 new=f"{rec.kind} {rec.person_name or rec.head_name or ''}".strip())
    return rec


def _head_name(hh: Household) -> str | None:
    head = hh.head
    return head.name if head else None


def infer_cause(kind: str, age: int | None, relation: str | None) -> str | None:
    """新增人口: a newborn is 出生, a 儿媳/妻 joining is 婚入; otherwise left for the clerk."""
    if kind == "新增人口":
        if age == 0:
            return "出生"
        if relation in ("之儿媳", "之女婿", "配偶"):
            return "婚入"
    return None


def _closed_before(session: Session, period: Period, household_uuid: str) -> bool:
    q = (select(Household.id).join(Period, Period.id == Household.period_id)
         .where(Household.uuid == household_uuid, Household.closed_out.is_(True), Period.month < period.month)
         .limit(1))
    return session.scalar(q) is not None


def establishing(session: Session, period: Period, village_id: int) -> bool:
    """Whether the village's register is being set up this month (no household in any earlier
    month): its first entries are the register itself, not adjustments of it."""
    q = (select(Household.id).join(Period, Period.id == Household.period_id)
         .where(Household.village_id == village_id, Period.month < period.month).limit(1))
    return session.scalar(q) is None


# -- hooks called by the register's operations ------------------------------------------------------


def on_person_added(session: Session, period: Period, hh: Household, person: Person,
                    source: str = "window") -> AdjustmentChange:
    """A member joined ``hh``: takes back a removal of the same person this month (undo), counts
    the person into a household that itself entered this month, or records 新增人口."""
    back = _pending(session, period, household=hh.uuid, person=person.uuid, kinds=LEAVES)
    if back:
        return AdjustmentChange(cancelled=_cancel(session, period, back))
    if establishing(session, period, hh.village_id):
        return AdjustmentChange()
    entry = _pending(session, period, household=hh.uuid, kinds=ENTRIES)
    if entry:
        entry[0].persons += 1
        return AdjustmentChange(updated=(entry[0].uuid,))
    rec = _create(session, period, village_id=hh.village_id, kind="新增人口", household_uuid=hh.uuid,
                  person_uuid=person.uuid, head_name=_head_name(hh), person_name=person.name or None,
                  id_number=person.id_number, age=person.age, persons=1, source=source,
                  cause=infer_cause("新增人口", person.age, person.relation))
    return AdjustmentChange(created=(rec.uuid,))


def on_person_removed(session: Session, period: Period, hh: Household, values: dict[str, Any],
                      source: str = "window") -> AdjustmentChange:
    """A member left ``hh`` (``values``: the removed person's fields and uuid): cancels a 新增人口 of
    this month, counts the person out of a household that entered this month, or records 自然减少."""
    uuid = values["uuid"]
    added = _pending(session, period, household=hh.uuid, person=uuid, kinds=("新增人口",))
    if added:
        return AdjustmentChange(cancelled=_cancel(session, period, added))
    entry = _pending(session, period, household=hh.uuid, kinds=ENTRIES)
    if entry:
        entry[0].persons = max(0, entry[0].persons - 1)
        return AdjustmentChange(updated=(entry[0].uuid,))
    if establishing(session, period, hh.village_id):
        return AdjustmentChange()
    rec = _create(session, period, village_id=hh.village_id, kind="自然减少", household_uuid=hh.uuid,
                  person_uuid=uuid, head_name=_head_name(hh), person_name=values.get("name"),
                  id_number=values.get("id_number"), age=values.get("age"), persons=1, source=source,
                  cause="死亡" if (values.get("age") or 0) > 100 else None)
    return AdjustmentChange(created=(rec.uuid,))


def on_household_added(session: Session, period: Period, hh: Household, source: str = "window") -> AdjustmentChange:
    """A household entered: takes back its removal this month (undo), else 返贫 when it was closed
    out in an earlier month, else 新识别纳入."""
    back = _pending(session, period, household=hh.uuid, kinds=LEAVES)
    if back:
        return AdjustmentChange(cancelled=_cancel(session, period, back))
    if establishing(session, period, hh.village_id):
        return AdjustmentChange()
    kind = "返贫" if _closed_before(session, period, hh.uuid) else "新识别纳入"
    rec = _create(session, period, village_id=hh.village_id, kind=kind, household_uuid=hh.uuid,
                  head_name=_head_name(hh), persons=len(hh.members), source=source)
    return AdjustmentChange(created=(rec.uuid,))


def on_household_removed(session: Session, period: Period, values: dict[str, Any],
                         members: list[dict[str, Any]], source: str = "window") -> AdjustmentChange:
    """A household left (``values``: its fields, uuid and village_id; ``members``: its persons):
    cancels its entry of this month, else records 错评退出 for the members it had last month."""
    uuid = values["uuid"]
    entry = _pending(session, period, household=uuid, kinds=ENTRIES)
    if entry:
        joined = [a for a in session.scalars(select(Adjustment).where(
            Adjustment.period_id == period.id, Adjustment.household_uuid == uuid, Adjustment.person_uuid.is_not(None)))]
        return AdjustmentChange(cancelled=_cancel(session, period, entry + joined))
    joined = [a for a in session.scalars(select(Adjustment).where(
        Adjustment.period_id == period.id, Adjustment.household_uuid == uuid, Adjustment.kind == "新增人口"))]
    cancelled = _cancel(session, period, joined)
    if establishing(session, period, values["village_id"]):
        return AdjustmentChange(cancelled=cancelled)
    head = next((m for m in members if m.get("relation") == "户主"), members[0] if members else {})
    rec = _create(session, period, village_id=values["village_id"], kind="错评退出", household_uuid=uuid,
                  head_name=head.get("name"), person_name=head.get("name"), id_number=head.get("id_number"),
                  age=head.get("age"), persons=len(members) - len(joined), source=source)
    return AdjustmentChange(created=(rec.uuid,), cancelled=cancelled)


def on_import(session: Session, period: Period, before: list[dict[str, Any]], after: list[tuple[int, dict]]
              ) -> AdjustmentChange:
    """An import replaced households: ``before`` the replaced records (uuid, village_id, members),
    ``after`` (village_id, record) written. Households and persons that appear or disappear are
    recorded (source 导入); an import into an empty unit or month passes no ``before`` and records nothing."""
    if not before:
        return AdjustmentChange()
    old = {h["uuid"]: h for h in before}
    new = {r["uuid"]: (vid, r) for vid, r in after}
    created: list[str] = []
    for uuid, (_vid, r) in new.items():
        o = old.get(uuid)
        if o is None:
            hh = session.scalar(select(Household).where(Household.period_id == period.id, Household.uuid == uuid))
            if hh is not None:
                created.extend(on_household_added(session, period, hh, "import").created)
            continue
        old_members = {m["uuid"]: m for m in o.get("members", [])}
        new_members = {m["uuid"]: m for m in r.get("members", [])}
        hh = None
        for pu in new_members.keys() - old_members.keys():
            hh = hh or session.scalar(select(Household).where(Household.period_id == period.id, Household.uuid == uuid))
            p = next((m for m in hh.members if m.uuid == pu), None) if hh else None
            if p is not None:
                created.extend(on_person_added(session, period, hh, p, "import").created)
        for pu in old_members.keys() - new_members.keys():
            hh = hh or session.scalar(select(Household).where(Household.period_id == period.id, Household.uuid == uuid))
            if hh is not None:
                created.extend(on_person_removed(session, period, hh, old_members[pu], "import").created)
    for uuid, o in old.items():
        if uuid not in new:
            created.extend(on_household_removed(session, period, o, o.get("members", []), "import").created)
    return AdjustmentChange(created=tuple(created))


# Fields a package's record brings (the register's own bookkeeping — id, period, village — stays).
CARRIED = ("uuid", "kind", "cause", "household_uuid", "person_uuid", "head_name", "person_name", "id_number", "age",
           "persons", "effective_on", "reason", "approved_on", "approval_no", "recorded_by", "recorded_at")


DESCRIBED = ("head_name", "person_name", "id_number", "age")  # kept here when the package has none


def take_package_records(session: Session, period: Period, records: list[tuple[int, dict[str, Any]]]
                         ) -> AdjustmentChange:
    """A package's 动态调整 records of the month, ``(village_id, record)``, taken over with their
    kind, reason and approval: the same record (by UUID), else the record this register inferred
    for the same change (household, person, in or out) — it takes the package's UUID, so a later
    package matches it — else a new one. A name, age or 身份证号 the package lacks is kept from here.
    They are the sender's records, not changes this import makes: a register being set up from
    packages takes them too (and infers none itself)."""
    existing = list(session.scalars(select(Adjustment).where(Adjustment.period_id == period.id)))
    by_uuid = {a.uuid: a for a in existing}
    taken = {r.get("uuid") for _v, r in records}
    created: list[str] = []
    updated: list[str] = []
    for vid, rec in records:
        kind = rec.get("kind")
        if kind not in ADJUSTMENT_KINDS:
            continue
        a = by_uuid.get(rec.get("uuid"))
        if a is None and rec.get("uuid") and session.scalar(select(Adjustment.id).where(
                Adjustment.uuid == rec["uuid"], Adjustment.period_id != period.id)) is not None:
            continue  # a record of another month: not this package's to change
        if a is None:
            a = next((x for x in existing if x.uuid not in taken and x.household_uuid == rec.get("household_uuid")
                      and x.person_uuid == rec.get("person_uuid")
                      and ADJUSTMENT_SIGN.get(x.kind) == ADJUSTMENT_SIGN[kind]), None)
        if a is None:
            a = Adjustment(period_id=period.id, village_id=vid, source="import")
            session.add(a)
            existing.append(a)
            created.append(rec.get("uuid") or "")
        else:
            updated.append(a.uuid)
        for key in CARRIED:
            if key in rec and not (key in DESCRIBED and rec[key] is None and getattr(a, key) is not None):
                setattr(a, key, rec[key])
        a.village_id, a.source = vid, "import"  # how it entered this register
        by_uuid[a.uuid] = a
        taken.add(a.uuid)
    session.flush()
    if created or updated:
        audit.record(session, "import", period=period.month, table="adjustments", record=period.month,
                     new=f"{len(created)}条新增，{len(updated)}条更新")
    return AdjustmentChange(created=tuple(created), updated=tuple(updated))


def snapshot_households(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The households about to be replaced by an import, as ``on_import`` compares them."""
    out = []
    for start in range(0, len(ids), 500):
        for hh in session.scalars(select(Household).where(Household.id.in_(ids[start:start + 500]))):
            out.append({"uuid": hh.uuid, "village_id": hh.village_id, "members": [
                {"uuid": p.uuid, "name": p.name, "id_number": p.id_number, "age": p.age, "relation": p.relation}
                for p in hh.members]})
    return out


# -- edits ---------------------------------------------------------------------------------------


def set_details(session: Session, req: SetDetails) -> AdjustmentChange:
    """Fill the reason (closing A-01), or correct kind, cause, date or approval of a record."""
    rec = session.scalar(select(Adjustment).where(Adjustment.uuid == req.uuid))
    if rec is None:
        raise UsageError(f"没有编号为 {req.uuid} 的动态调整记录。")
    period = session.get(Period, rec.period_id)
    require_open(period)
    if req.kind is not None and req.kind not in ADJUSTMENT_KINDS:
        raise AdjustmentRefused(f"调整类型只能是{'、'.join(ADJUSTMENT_KINDS)}，现为“{req.kind}”。")
    kind = req.kind or rec.kind
    if req.kind is not None and ADJUSTMENT_SIGN[req.kind] != ADJUSTMENT_SIGN[rec.kind]:
        raise AdjustmentRefused(f"“{rec.kind}”不能改为“{req.kind}”：一个是调入，一个是调出。")
    allowed = ("新增人口", "自然减少") if rec.person_uuid else ("新识别纳入", "返贫", "错评退出", "自然减少")
    if req.kind is not None and req.kind not in allowed:
        raise AdjustmentRefused(f"“{req.kind}”不适用于此记录（{'整户' if rec.person_uuid is None else '个人'}）。")
    if req.cause is not None and req.cause and req.cause not in ADJUSTMENT_CAUSES.get(kind, ()):
        allowed = "、".join(ADJUSTMENT_CAUSES.get(kind, ())) or "无"
        raise AdjustmentRefused(f"“{kind}”的原因类别只能是{allowed}，现为“{req.cause}”。")
    m = Month.parse(period.month)
    if req.effective_on is not None and not (m.first_day <= req.effective_on <= m.last_day):
        raise AdjustmentRefused(f"生效日期应在{m.year}年{m.month}月内，现为{req.effective_on.isoformat()}。")
    before = check_one(session, rec)
    for name in ("reason", "kind", "cause", "effective_on", "approved_on", "approval_no"):
        value = getattr(req, name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip() or None
        old = getattr(rec, name)
        if old != value:
            setattr(rec, name, value)
            audit.record(session, "update", period=period.month, table="adjustments", record=rec.uuid, field=name,
                         old=old, new=value)
    session.flush()
    after = check_one(session, rec)
    changed = tuple(set(before) ^ set(after))
    return AdjustmentChange(updated=(rec.uuid,), findings=changed)


# -- reading -------------------------------------------------------------------------------------


def _village_ids(unit: Unit | None, session: Session) -> list[int] | None:
    return None if unit is None else [v.id for v in villages_under(session, unit)]


def records_of(session: Session, period: Period, unit: Unit | None = None) -> list[Adjustment]:
    q = select(Adjustment).where(Adjustment.period_id == period.id)
    ids = _village_ids(unit, session)
    if ids is not None:
        q = q.where(Adjustment.village_id.in_(ids))
    return list(session.scalars(q.order_by(Adjustment.village_id, Adjustment.recorded_at, Adjustment.id)))


def _live(session: Session, period: Period, recs: list[Adjustment]) -> tuple[dict[str, Household], dict[str, Person]]:
    """The households and persons of entries still in the month's register: their names as now typed."""
    uuids = {r.household_uuid for r in recs if ADJUSTMENT_SIGN.get(r.kind, 0) > 0}
    hhs: dict[str, Household] = {}
    persons: dict[str, Person] = {}
    if uuids:
        for hh in session.scalars(select(Household).where(Household.period_id == period.id,
                                                          Household.uuid.in_(list(uuids)))):
            hhs[hh.uuid] = hh
            for p in hh.members:
                persons[p.uuid] = p
    return hhs, persons


def _data(session: Session, period: Period, recs: list[Adjustment]) -> list[AdjustmentData]:
    hhs, persons = _live(session, period, recs)
    units = {u.id: unit_path(u) for u in session.scalars(select(Unit).where(
        Unit.id.in_({r.village_id for r in recs})))} if recs else {}
    out = []
    for r in recs:
        p = persons.get(r.person_uuid or "")
        hh = hhs.get(r.household_uuid)
        name = (p.name if p else None) or r.person_name or ((_head_name(hh) if hh else None) or r.head_name)
        age = p.age if p else r.age
        out.append(AdjustmentData(r.uuid, period.month, r.kind, r.cause, r.household_uuid, r.person_uuid, name, age,
                                  r.effective_on, r.reason, units.get(r.village_id)))
    return out


def findings(session: Session, period: Period, unit: Unit | None = None) -> list[Finding]:
    """A-01…A-03 over the month's records (of ``unit``)."""
    recs = records_of(session, period, unit)
    if not recs:
        return []
    data = _data(session, period, recs)
    persons = [r.person_uuid for r in recs if r.person_uuid and r.cause == "死亡"]
    later: set[str] = set()
    if persons:
        later = set(session.scalars(
            select(Person.uuid).join(Household, Household.id == Person.household_id)
            .join(Period, Period.id == Household.period_id)
            .where(Period.month > period.month, Person.uuid.in_(persons))))
    keys = [r.person_uuid or r.household_uuid for r in recs if r.kind in LEAVES]
    earlier: set[str] = set()
    if keys:
        q = (select(Adjustment.person_uuid, Adjustment.household_uuid).join(Period, Period.id == Adjustment.period_id)
             .where(Period.month < period.month, Adjustment.kind.in_(list(LEAVES))))
        for pu, hu in session.execute(q):
            earlier.add(pu or hu)
    returned = [r for r in recs if r.kind == "返贫"]
    # a 返贫 record taken from a package into a village this register holds no earlier month of: the
    # sender's register had the 销号, this one cannot judge it
    closed = {r.household_uuid for r in returned if _closed_before(session, period, r.household_uuid)
              or (r.source == "import" and establishing(session, period, r.village_id))}
    return check_adjustments(data, later_persons=later, earlier_leaves=earlier, closed_before=closed)


def check_one(session: Session, rec: Adjustment) -> list[Finding]:
    period = session.get(Period, rec.period_id)
    return [f for f in findings(session, period) if f.target == rec.uuid]


def listing(session: Session, period: Period, unit: Unit) -> AdjustmentList:
    """The month's 动态调整名单 of ``unit``: rows with 身份证号 masked, counts by kind, persons in/out."""
    recs = records_of(session, period, unit)
    hhs, persons = _live(session, period, recs)
    open_ids = {f.target for f in findings(session, period, unit) if f.code == "A-01"}
    villages = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({r.village_id for r in recs})))}
    out = AdjustmentList(period.month, unit_path(unit), counts={k: 0 for k in ADJUSTMENT_KINDS})
    for i, r in enumerate(recs, 1):
        v = villages.get(r.village_id)
        hh = hhs.get(r.household_uuid)
        p = persons.get(r.person_uuid or "")
        head = ((_head_name(hh) if hh else None) or r.head_name or "")
        if r.person_uuid:
            name, idn = (p.name, p.id_number) if p else (r.person_name, r.id_number)
        elif hh is not None:
            name, idn = f"全户{r.persons}人", (hh.head.id_number if hh.head else None)
        else:
            name, idn = f"全户{r.persons}人", r.id_number
        out.counts[r.kind] = out.counts.get(r.kind, 0) + 1
        if ADJUSTMENT_SIGN.get(r.kind, 0) > 0:
            out.persons_in += r.persons
        else:
            out.persons_out += r.persons
        kind = f"{r.kind}（{r.cause}）" if r.cause else r.kind
        out.rows.append(AdjustmentRow(
            r.uuid, i, v.parent.name if v and v.parent else "", v.name if v else "", head, name or "",
            mask_id(idn) if idn else "", kind, r.cause, r.persons,
            r.effective_on.isoformat() if r.effective_on else "", r.reason or "", r.approval_no or "",
            r.uuid in open_ids))
    return out


def m07_note(session: Session, period: Period, unit: Unit) -> str | None:
    """The 核实说明 to pre-fill for an M-07 总人数 change of ``unit``: the month's net adjustments."""
    lst = listing(session, period, unit)
    if not lst.rows:
        return None
    return lst.summary() + "。"


def net_persons(session: Session, period: Period, unit: Unit) -> int:
    lst = listing(session, period, unit)
    return lst.net


def count_by_kind(recs: list[Adjustment]) -> Counter:
    return Counter(r.kind for r in recs)


@dataclass(frozen=True, slots=True)
class ExportList:
    """Export the 动态调整名单 of a unit and month to ``out`` (a folder, or a .xlsx/.pdf path)."""

    period: str | None
    unit: str | None
    out: str


@dataclass(frozen=True, slots=True)
class ExportResult:
    files: tuple[str, ...]
    rows: int
    open_records: int  # still without a reason


def export_list(session: Session, req: ExportList) -> ExportResult:
    """Write the 名单 as .xlsx and PDF (身份证号 masked); audited as an export."""
    from pathlib import Path

    from app.exporters.adjustments import AdjustmentSheet, write


    period, unit = period_and_unit(session, req.period, req.unit)
    lst = listing(session, period, unit)
    office = session.get(Office, 1)
    sheet = AdjustmentSheet(unit.name, period.month, [r.to_dict() for r in lst.rows], lst.summary(),
                            preparer=(office.preparer or "") if office else "",
                            preparer_phone=(office.preparer_phone or "") if office else "")
    out = Path(req.out)
    m = Month.parse(period.month)
    stem = f"{unit.name}{m.year}年{m.month}月动态调整名单"
    if out.suffix.lower() in (".xlsx", ".pdf"):
        xlsx, pdf = out.with_suffix(".xlsx"), out.with_suffix(".pdf")
    else:
        out.mkdir(parents=True, exist_ok=True)
        xlsx, pdf = out / f"{stem}.xlsx", out / f"{stem}.pdf"
    files = write(sheet, xlsx, pdf)
    audit.record(session, "export", period=period.month, table="adjustments", record=unit_path(unit),
                 new=f"{len(lst.rows)}条")
    return ExportResult(tuple(str(f) for f in files), len(lst.rows), sum(1 for r in lst.rows if r.open))


def suggested_note(session: Session, month: str | None, finding: Finding) -> str | None:
    """The 核实说明 offered for a finding before the clerk types one: for an M-07 change of 总人数,
    the month's net adjustments of that unit (household-records.md §1); None for anything else."""
    if finding.code != "M-07" or finding.field != "total" or not finding.unit or finding.note:
        return None
    from .periods import get_period
    from .units import find_unit

    try:
        period = get_period(session, month)
        unit = find_unit(session, finding.unit)
    except UsageError:
        return None
    return m07_note(session, period, unit)

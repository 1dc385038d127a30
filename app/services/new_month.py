"""Open a new month from the previous one (结转): copy the register forward with the same UUIDs.

Carried: households (closed-out ones stay marked), members with their monthly assistance,
measures, income items, and — within a year — the fund projects. Not carried: hand-typed
附件1/附件2 counts (they are the month's own figures; the summary lists the units that need them
typed again) and verification notes (they acknowledge one month's warnings).

Crossing a year (12 → 1): each household's band for the new year is decided by its prior-year
per-capita income (H-13). It is taken from ``prior_incomes`` (uuid → yuan) where given, else —
when carrying from December — from December's year-to-date income, which is the whole year's.
If any household has neither, nothing is written and the refusal lists them. Households whose
income is above 5760 yuan leave the register's scope and are not carried (listed in the
summary); year-to-date figures are cleared.
"""

from __future__ import annotations

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from app.kernel.derive import band_for
from app.kernel.month import Month
from app.models import FundProject, HandCount, Household, IncomeItem, Measure, Period, Person, Unit
from app.models.dialect import reserve_ids, sync_ids
from app.models.units import unit_path
from app.services.backup import backup_before

from . import audit
from .errors import Refused, UsageError, month_label
from .periods import check_month, get_period, previous_period, require_open


def _cols(model, skip: tuple[str, ...]) -> list[str]:
    return [c.name for c in model.__table__.columns if c.name not in skip]


def _q(names: list[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _heads(session: Session, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        q = select(Person.household_id, Person.name).where(Person.household_id.in_(ids[start:start + 500]),
                                                            Person.relation == "户主")
        out.update(dict(session.execute(q).all()))
    return out


def _bands(session: Session, src: Period, prior_incomes: dict[str, float] | None) -> dict[int, tuple[float, str | None]]:
    """household id → (prior-year income, band or None when out of scope); refuses when any is missing."""
    rows = session.execute(select(Household.id, Household.uuid, Household.ytd_income, Household.village_id)
                           .where(Household.period_id == src.id)).all()
    given = {str(k): v for k, v in (prior_incomes or {}).items()}
    out: dict[int, tuple[float, str | None]] = {}
    missing = []
    for hid, uuid, ytd, vid in rows:
        income = given.get(uuid)
        if income is None and src.month_number == 12 and ytd is not None:
            income = ytd
        if income is None:
            missing.append((hid, vid))
            continue
        out[hid] = (float(income), band_for(float(income)))
    if missing:
        heads = _heads(session, [m[0] for m in missing])
        units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({m[1] for m in missing})))}
        lines = [f"{unit_path(units[v])} {heads.get(h, '（无户主）')}户" for h, v in missing[:50]]
        more = f"\n  …共{len(missing)}户" if len(missing) > 50 else ""
        raise Refused(
            f"跨年度结转到新一年，需要每户的上年度人均纯收入来确定收入档次（H-13）。以下{len(missing)}户缺少"
            f"（可在12月数据中填写本年累计人均纯收入，或在结转时填写各户上年度人均纯收入）：\n  " + "\n  ".join(lines) + more)
    return out


def new_month(session: Session, from_month: str, to_month: str,
              prior_incomes: dict[str, float] | None = None) -> dict:
    """Copy ``from_month`` into a new, open ``to_month``; returns what was carried and what changed since."""
    check_month(to_month)
    src = get_period(session, from_month)
    if to_month <= from_month:
        raise UsageError(f"新月份 {to_month} 应晚于 {from_month}。")
    target = session.scalars(select(Period).where(Period.month == to_month)).first()
    if target is not None:
        require_open(target)
        if session.scalar(select(func.count()).select_from(Household).where(Household.period_id == target.id)):
            raise Refused(f"{month_label(to_month)}已经有台账，不能再次结转。")
    crossing = Month.parse(to_month).year != src.year
    bands = _bands(session, src, prior_incomes) if crossing else {}
    backup_before(session, "new-month")  # reliability: a consistent backup before the carry-forward
    if target is None:
        target = Period(month=to_month, state="open")
        session.add(target)
        session.flush()
    reserve_ids(session, ["households"])  # ids are chosen here: other clerks' inserts wait (PostgreSQL)
    off = (session.scalar(select(func.max(Household.id))) or 0)
    conn = session.connection()
    hcols = _cols(Household, ("id", "period_id"))
    conn.execute(text(f'INSERT INTO households (id, period_id, {_q(hcols)}) SELECT id + :off, :pid, {_q(hcols)} '
                      f'FROM households WHERE period_id = :src'), {"off": off, "pid": target.id, "src": src.id})
    for model in (Person, Measure, IncomeItem):
        t = model.__table__.name
        cols = _cols(model, ("id", "household_id"))
        picked = ", ".join(f'c."{x}"' for x in cols)
        conn.execute(text(f'INSERT INTO {t} (household_id, {_q(cols)}) SELECT c.household_id + :off, {picked} '
                          f'FROM {t} c JOIN households h ON h.id = c.household_id WHERE h.period_id = :src '
                          f'ORDER BY c.id'), {"off": off, "src": src.id})
    sync_ids(session, ["households"])
    left_scope = []
    if crossing:
        rows = [{"i": hid + off, "p": inc, "b": band} for hid, (inc, band) in bands.items() if band]
        if rows:
            conn.execute(text("UPDATE households SET prior_income = :p, band = :b WHERE id = :i"), rows)
        gone = [hid + off for hid, (_inc, band) in bands.items() if band is None]
        heads = _heads(session, gone)
        left_scope = [heads.get(h, "") for h in gone]
        for start in range(0, len(gone), 500):
            conn.execute(Household.__table__.delete().where(Household.id.in_(gone[start:start + 500])))
        session.execute(update(Household).where(Household.period_id == target.id).values(ytd_income=None))
    projects = 0
    if not crossing:
        pcols = _cols(FundProject, ("id", "period_id"))
        projects = conn.execute(text(f'INSERT INTO fund_projects (period_id, {_q(pcols)}) SELECT :pid, {_q(pcols)} '
                                     f'FROM fund_projects WHERE period_id = :src'),
                                {"pid": target.id, "src": src.id}).rowcount
    households, persons, closed = _sizes(session, target.id)
    hand = [unit_path(u) for u in session.scalars(
        select(Unit).join(HandCount, HandCount.unit_id == Unit.id).where(HandCount.period_id == src.id).distinct())]
    audit.record(session, "new_month", period=to_month, table="periods", record=to_month, old=from_month,
                 new=f"{households}户{persons}人")
    return {
        "period": to_month, "households": households, "persons": persons, "closed_out": closed,
        "from": from_month, "year_crossed": crossing, "fund_projects": projects,
        "left_scope": left_scope, "hand_counts_to_retype": hand, "since": since(session, src),
    }


def _sizes(session: Session, period_id: int) -> tuple[int, int, int]:
    h = session.scalar(select(func.count()).select_from(Household).where(Household.period_id == period_id)) or 0
    p = session.scalar(select(func.count()).select_from(Person).join(Household)
                       .where(Household.period_id == period_id)) or 0
    c = session.scalar(select(func.count()).select_from(Household)
                       .where(Household.period_id == period_id, Household.closed_out.is_(True))) or 0
    return h, p, c


def since(session: Session, period: Period) -> dict:
    """What changed in ``period`` against the month before it: households in/out, close-outs, persons."""
    prev = previous_period(session, period)
    if prev is None:
        return {"previous": None}

    def state(pid: int) -> tuple[dict[str, bool], set[str]]:
        hs = dict(session.execute(select(Household.uuid, Household.closed_out).where(Household.period_id == pid)).all())
        ps = set(session.scalars(select(Person.uuid).join(Household).where(Household.period_id == pid)))
        return hs, ps

    (h1, p1), (h0, p0) = state(period.id), state(prev.id)
    return {
        "previous": prev.month,
        "households_added": len(h1.keys() - h0.keys()), "households_removed": len(h0.keys() - h1.keys()),
        "closed_out": sum(1 for u, c in h1.items() if c and not h0.get(u, False)),
        "persons_added": len(p1 - p0), "persons_removed": len(p0 - p1),
    }

"""Reporting periods: find, open, lock, reopen (the month lifecycle)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.kernel.month import Month
from app.models import Period

from .errors import LockedPeriod, UsageError

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(text: str) -> str:
    if not MONTH_RE.match(text or ""):
        raise UsageError(f"月份“{text}”格式不对，应为 YYYY-MM，例如 2020-03。")
    return text


def latest_period(session: Session) -> Period | None:
    return session.scalars(select(Period).order_by(Period.month.desc()).limit(1)).first()


def get_period(session: Session, month: str | None) -> Period:
    """The period ``month``, or the latest when None; usage error when there is none."""
    if month is None:
        p = latest_period(session)
        if p is None:
            raise UsageError("数据库中还没有任何月份，请先导入或新建月份。")
        return p
    check_month(month)
    p = session.scalars(select(Period).where(Period.month == month)).first()
    if p is None:
        have = "、".join(session.scalars(select(Period.month).order_by(Period.month)))
        raise UsageError(f"数据库中没有 {month} 的数据{('（已有：' + have + '）') if have else ''}。")
    return p


def ensure_period(session: Session, month: str) -> Period:
    check_month(month)
    p = session.scalars(select(Period).where(Period.month == month)).first()
    if p is None:
        p = Period(month=month, state="open")
        session.add(p)
        session.flush()
    return p


def require_open(period: Period) -> None:
    if period.locked:
        raise LockedPeriod(period.month)


def previous_month(month: str) -> str:
    return str(Month.parse(month).previous())


def next_month(month: str) -> str:
    return str(Month.parse(month).next())


def previous_period(session: Session, period: Period) -> Period | None:
    return session.scalars(
        select(Period).where(Period.month < period.month).order_by(Period.month.desc()).limit(1)
    ).first()


def days_left(period: Period, today: dt.date | None = None) -> int:
    return (period.due - (today or dt.date.today())).days


def _period(session: Session, period: Period | str) -> Period:
    return period if isinstance(period, Period) else get_period(session, period)


ADMIN_ROLE = "guatu_county_admin"  # app.services.server.ADMIN_ROLE


def require_admin(session: Session, what: str) -> None:
    """On the county server only a county administrator locks, reopens or exports a month as final
    (the database refuses the others too: row-level security on ``periods``); say so plainly."""
    from .errors import Refused

    if session.get_bind().dialect.name != "postgresql":
        return
    allowed = session.execute(text(
        "SELECT coalesce((SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = :r), true)"),
        {"r": ADMIN_ROLE}).scalar()
    if not allowed:
        raise Refused(f"只有县管理员可以{what}；请联系县管理员。")


def lock_row(session: Session, period: Period) -> Period:
    """The month read again under a row lock: a second clerk's final export or reopen of the same
    month waits here for the first one's transaction, then sees what it did."""
    session.refresh(period, with_for_update=True)
    return period


def locked_by(session: Session, period: Period) -> tuple[str | None, dt.datetime | None]:
    """Who locked the month (the audit log) and when."""
    from app.models import AuditEntry

    who = session.scalar(select(AuditEntry.who).where(AuditEntry.action == "lock", AuditEntry.period == period.month)
                         .order_by(AuditEntry.id.desc()).limit(1))
    return who, period.locked_at


def lock_period(session: Session, period: Period | str, reason: str = "") -> Period:
    """Lock a month (已报送: exported as final); it never changes until reopened. Audited."""
    from . import audit

    require_admin(session, "锁定月份（导出正式月报）")
    p = lock_row(session, _period(session, period))
    if p.locked:
        return p
    p.state, p.locked_at = "locked", dt.datetime.now()
    audit.record(session, "lock", period=p.month, table="periods", record=p.month, field="state",
                 old="open", new=(reason or "").strip() or "locked")
    session.flush()
    return p


def reopen_period(session: Session, period: Period | str, reason: str) -> Period:
    """Reopen a locked month for changes; needs a stated reason, which the audit log keeps."""
    from . import audit
    from .errors import Refused

    reason = (reason or "").strip()
    if not reason:
        raise UsageError("重新打开已报送的月份必须说明原因。")
    require_admin(session, "重新打开已报送的月份")
    p = lock_row(session, _period(session, period))
    if not p.locked:
        raise Refused(f"{p.month} 没有锁定（仍在填报中），不需要重新打开。")
    p.state, p.locked_at = "open", None
    audit.record(session, "reopen", period=p.month, table="periods", record=p.month, field="state",
                 old="locked", new=reason)
    session.flush()
    return p


def state_label(period: Period) -> str:
    """填报中 / 已报送 as the UI shows the month's state."""
    return "已报送" if period.locked else "填报中"


def open_first_period(session: Session, month: str) -> Period:
    """The register's first month, empty and open: only on a database without any month (a new
    office starting from scratch); afterwards months come from 新建月份 (结转) or an import. Audited."""
    from . import audit
    from .errors import Refused, month_label

    check_month(month)
    have = latest_period(session)
    if have is not None:
        raise Refused(f"数据库中已有月份（最新为{month_label(have.month)}），请用“新建月份”从上个月结转。")
    p = Period(month=month, state="open")
    session.add(p)
    session.flush()
    audit.record(session, "insert", period=month, table="periods", record=month, field="state", new="open")
    return p

"""The month lifecycle: 填报中 → 已报送 (locked) → reopened only with a reason, which the audit log keeps."""

from __future__ import annotations

import pytest
from _counts_register import build
from sqlalchemy import select

from app.models import AuditEntry, Household, Period
from app.services import counts
from app.services.errors import LockedPeriod, Refused, UsageError
from app.services.periods import get_period, lock_period, reopen_period, require_open, state_label
from app.services.units import find_unit


@pytest.fixture
def register(db):
    build(db)
    return db


def _audit(s, action):
    return s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_lock_then_reopen_with_reason(register):
    with register.session() as s:
        period = lock_period(s, "2020-03", "2020年3月正式报送")
        assert (period.state, period.locked, state_label(period)) == ("locked", True, "已报送")
        assert period.locked_at is not None
        assert lock_period(s, period, "again") is period and len(_audit(s, "lock")) == 1  # idempotent
        with pytest.raises(LockedPeriod) as e:
            require_open(period)
        assert "2020年3月数据" in e.value.message and "重新打开该月份" in e.value.message
    with register.session() as s:  # the lock is stored
        assert get_period(s, "2020-03").locked and not get_period(s, "2020-02").locked
        with pytest.raises(UsageError):
            reopen_period(s, "2020-03", "   ")
        period = reopen_period(s, "2020-03", "乡里更正了后暖泉村的就业人数")
        assert (period.state, period.locked_at, state_label(period)) == ("open", None, "填报中")
        entry = _audit(s, "reopen")[-1]
        assert (entry.period, entry.table, entry.old, entry.new) == ("2020-03", "periods", "locked", "乡里更正了后暖泉村的就业人数")
        with pytest.raises(Refused):
            reopen_period(s, "2020-03", "再开一次")  # not locked: nothing to reopen


def test_locked_month_refuses_edits_and_keeps_its_counts(register):
    from app.services import register as reg

    with register.session() as s:
        before = counts.rows(s, get_period(s, "2020-03"), find_unit(s, "康平县"), 1)
        lock_period(s, "2020-03", "报送")
    with register.session() as s:
        period = get_period(s, "2020-03")
        household = s.scalars(select(Household).where(Household.period_id == period.id)).first()
        with pytest.raises(LockedPeriod):
            counts.set_hand_count(s, period, find_unit(s, "暖泉镇/前暖泉村"), 1, "total", 9)
        with pytest.raises(LockedPeriod):
            reg.update_household(s, household.id, "ytd_income", 100)
        with pytest.raises(LockedPeriod):
            counts.clear_hand_counts(s, period, find_unit(s, "沙金乡/手填村"), 1)
        assert counts.rows(s, period, find_unit(s, "康平县"), 1) == before
        feb = get_period(s, "2020-02")  # another month stays open
        counts.set_hand_count(s, feb, find_unit(s, "暖泉镇/前暖泉村"), 1, "total", 9)


def test_reopen_cli(register, db_path, capsys):
    from app.cli import main

    with register.session() as s:
        lock_period(s, "2020-03", "报送")
    register.close()
    args = ["reopen", "--db", str(db_path), "--period", "2020-03"]
    assert main([*args, "--reason", ""]) == 2  # a reason is required
    assert main(["reopen", "--db", str(db_path), "--period", "2020-3", "--reason", "x"]) == 2
    assert main([*args, "--reason", "更正数据"]) == 0
    assert "已重新打开" in capsys.readouterr().err
    assert main([*args, "--reason", "更正数据"]) == 1  # already open
    from app.storage import Database

    with Database(db_path, write=False) as db, db.session() as s:
        assert s.scalars(select(Period.state).where(Period.month == "2020-03")).one() == "open"
        assert [e.new for e in _audit(s, "reopen")] == ["更正数据"]

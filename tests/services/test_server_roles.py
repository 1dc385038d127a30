"""Who may do what on the county server: a township clerk's login writes its own townships' rows and
the database itself refuses the others (row-level security made by ``guatu server init``); the audit
log's "who" is that login; only county administrators lock a month, and two final exports of one
month take turns on its row lock, the second refused naming the first."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from _query import execute as sql_execute
from _query import query
from sqlalchemy import select

from app.cli import main
from app.models import Household, Period, Unit
from app.services import periods
from app.services import register_ops as ops
from app.services.errors import NotPermitted, Refused
from app.services.export import final_turn
from app.services.operations import execute
from app.storage import Database


def _login(url: str, tmp_path, name: str, role: str, *townships: str) -> str:
    pw = tmp_path / f"{name}.txt"
    pw.write_text("a-long-pass-1\n", encoding="utf-8")
    args = ["server", "add-login", "--db", url, name, "--role", role, "--password-file", str(pw)]
    for t in townships:
        args += ["--township", t]
    assert main(args) == 0
    return url.replace("postgres@", f"{name}@")


@pytest.fixture
def county(pg_cluster, _pg_demo_template):
    """A county register on the server (the demo register), after ``guatu server init``."""
    name = pg_cluster.new_database(_pg_demo_template, prefix="county")
    url = pg_cluster.url(name)
    assert main(["server", "init", "--db", url]) == 0
    yield name, url
    pg_cluster.drop_database(name)


def _household_in(db, township_id: int) -> tuple[int, int, str, int]:
    with db.read_session() as s:
        row = s.execute(select(Household.id, Household.period_id, Household.uuid, Household.version)
                        .join(Unit, Unit.id == Household.village_id).join(Period, Period.id == Household.period_id)
                        .where(Unit.parent_id == township_id, Period.month == "2020-03")
                        .order_by(Household.id)).first()
        return tuple(row)


def test_a_township_clerk_writes_only_their_townships_and_the_database_refuses_the_rest(county, tmp_path):
    name, url = county
    (own_id, own_name), (other_id, _other_name) = query(
        url, "SELECT id, name FROM units WHERE level = 'township' ORDER BY id")[:2]
    clerk = f"clerk_{name}"
    as_clerk = _login(url, tmp_path, clerk, "township-clerk", own_name)
    with Database(as_clerk) as db:
        hid, period, own, version = _household_in(db, own_id)
        ohid, _p, other, other_version = _household_in(db, other_id)
        execute(db, ops.SetHouseholdField(period, own, "remark", "本乡镇录入", base_version=version))
        with pytest.raises(NotPermitted) as err:
            execute(db, ops.SetHouseholdField(period, other, "remark", "外乡镇", base_version=other_version))
        assert "只能修改分配给您的乡镇" in err.value.message
        with pytest.raises(NotPermitted):  # nor a member of a household there
            with db.read_session() as s:
                head = s.scalar(select(Household).where(Household.id == ohid)).members[0].uuid
            execute(db, ops.SetMemberField(period, other, head, "age", 33))
        with pytest.raises(Refused, match="只有县管理员"), db.session() as s:  # nor lock the month
            periods.lock_period(s, "2020-03")
    # the database itself refuses, whatever program the clerk's login uses
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql_execute(as_clerk, "UPDATE households SET remark = 'x' WHERE id = ?", ohid)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql_execute(as_clerk, "UPDATE periods SET state = 'locked'")
    # nor move a household of another township into their own village, nor its member into their household
    own_village = query(url, "SELECT village_id FROM households WHERE id = ?", hid)[0][0]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql_execute(as_clerk, "UPDATE households SET village_id = ? WHERE id = ?", own_village, ohid)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql_execute(as_clerk, "UPDATE persons SET household_id = ? WHERE household_id = ?", hid, ohid)
    # nor keep the household records of another township's village (a visit, here)
    visit = "SELECT min(id) FROM visits WHERE village_id IN (SELECT id FROM units WHERE parent_id = ?)"
    assert query(url, visit, other_id)[0][0] is not None  # the demo's cadres visited there
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql_execute(as_clerk, f"UPDATE visits SET visitor = '王' WHERE id = ({visit})", other_id)
    assert query(url, "SELECT remark, changed_by FROM households WHERE id = ?", hid) == [("本乡镇录入", clerk)]
    assert query(url, "SELECT count(*) FROM households WHERE remark IN ('外乡镇', 'x')") == [(0,)]
    assert query(url, "SELECT who FROM audit_log WHERE record = ? AND field = 'remark' ORDER BY id DESC LIMIT 1",
                 own) == [(clerk,)]  # the audit log's who is the clerk's login


def test_two_final_exports_of_one_month_take_turns_and_the_second_is_refused(county, tmp_path):
    name, url = county
    first = _login(url, tmp_path, f"admin_a_{name}", "county-admin")
    second = _login(url, tmp_path, f"admin_b_{name}", "county-admin")
    outcome: list = []
    with Database(first) as db_a, Database(second) as db_b:
        with db_a.session() as s:  # the first export: the month's row lock held for its transaction
            per = periods.get_period(s, "2020-03")
            if per.locked:
                periods.reopen_period(s, per, "测试")
        with db_a.session() as s:
            per = periods.get_period(s, "2020-03")
            final_turn(s, per)

            def other_export() -> None:
                try:
                    with db_b.session() as s2:
                        final_turn(s2, periods.get_period(s2, "2020-03"))
                    outcome.append("exported")
                except Refused as e:
                    outcome.append(e.message)

            t = threading.Thread(target=other_export)
            t.start()
            time.sleep(0.5)
            assert t.is_alive() and not outcome  # the second waits for the first
            periods.lock_period(s, per, reason="导出正式月报")
        t.join(10)
    assert len(outcome) == 1 and outcome[0].startswith("2020年3月") and f"admin_a_{name}" in outcome[0]
    assert "不能再作为正式月报导出" in outcome[0]

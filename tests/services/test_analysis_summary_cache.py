"""The month's check summary kept for the analysis (``CheckSummary``): reused while nothing the
check reads is written, deleted by the triggers of 0007_ledger_dates when something is, per month."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from _small_register import build_register
from sqlalchemy import text

from app.models import CheckSummary, Person, Visit
from app.services import register
from app.services.analysis import analyse
from app.services.checks import check_period
from app.services.periods import ensure_period
from app.services.units import ensure_path

MIGRATION = importlib.import_module("app.migrations.versions.0007_ledger_dates")
# Tables the check of a month never reads: writing them must not cost the kept summaries.
NOT_READ = {"alembic_version", "analysis_reports", "audit_log", "changes", "check_summaries", "office",
            "problems", "responsibility_lists", "supervision_entries", "supervision_targets", "task_progress",
            "task_units", "tasks"}

# The kept figures and their triggers are SQLite's (on a server everything is computed each time).
pytestmark = pytest.mark.sqlite_only


def _total(a) -> int:
    return sum(f.count for f in a.findings)


def _summaries(s) -> dict[int, CheckSummary]:
    return {r.period_id: r for r in s.query(CheckSummary)}


def test_kept_summary_is_reused_and_an_edit_of_the_month_drops_it(db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        a = analyse(s, "2020-03")
        assert _total(a) == len(check_period(s, "2020-03")) > 0
        assert set(_summaries(s)) == {ids["period"]}
    # the kept row is what the next analysis reads: a marked row comes back as it is
    with db.session() as s:
        s.connection().execute(text("UPDATE check_summaries SET summary = :j"), {"j": json.dumps(
            {"counts": [["H-99", "E", "暖泉镇", 7]], "anomalies": []})})
    with db.session() as s:
        a = analyse(s, "2020-03")
        assert [(f.code, f.count) for f in a.findings] == [("H-99", 7)]
        assert a.townships[0].findings_e == 7
    # an edit of a household of the month: the summary is dropped and the check runs again
    h11 = sum(f.code == "H-11" for f in check_period_of(db))
    with db.session() as s:
        register.update_household(s, ids["households"][0], "expected_month", "2020.12")
        assert _summaries(s) == {}
    with db.session() as s:
        a = analyse(s, "2020-03")
        got = {f.code: f.count for f in a.findings}
        assert "H-99" not in got and got["H-11"] == h11 - 1
    # a member's edit (persons, through its household's month) drops it too
    with db.session() as s:
        pid = s.query(Person.id).filter(Person.name == "刘小红").scalar()
        register.update_person(s, pid, "phone", "13800001111")
        assert _summaries(s) == {}
        a = analyse(s, "2020-03")
        assert a.findings != () and _summaries(s)


def check_period_of(db):
    with db.session() as s:
        return check_period(s, "2020-03")


def test_an_edit_of_a_month_drops_it_and_the_next_and_a_visit_drops_all(db):
    ids = build_register(db, "2020-03")
    with db.session() as s:
        feb = ensure_period(s, "2020-02")
        v = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        hid = register.add_household(s, feb.id, v.id).household_id
        register.update_household(s, hid, "cause", "因病")
        analyse(s, "2020-03")
        analyse(s, "2020-02")
        assert set(_summaries(s)) == {ids["period"], feb.id}
        states = dict(s.connection().execute(text("SELECT id, state FROM periods")).all())
        s.connection().execute(text("UPDATE periods SET state = 'locked'"))  # locking a month keeps them
        assert set(_summaries(s)) == {ids["period"], feb.id}
        for pid, state in states.items():
            s.connection().execute(text("UPDATE periods SET state = :s WHERE id = :i"), {"s": state, "i": pid})
    with db.session() as s:  # March is kept: an edit of March leaves February's figures
        register.update_household(s, ids["households"][1], "cause", "因学")
        assert set(_summaries(s)) == {feb.id}
        analyse(s, "2020-03")
    with db.session() as s:  # an edit of February: March compares with it (M-07), so both go
        register.update_household(s, hid, "cause", "因残")
        assert _summaries(s) == {}
    with db.session() as s:  # the figures too come from the register as it is now
        assert {c.key: c.now for c in analyse(s, "2020-02").causes} == {"cause:因残": 1}
        s.add(Visit(visited_on=dt.date(2020, 3, 5), household_uuid="x", village_id=v.id, visitor="赵干部"))
        s.flush()
        assert _summaries(s) == {}
        analyse(s, "2020-03")
        assert _summaries(s)
        ensure_period(s, "2020-01")  # a month added: which month comes before another may change
        assert _summaries(s) == {}


def test_a_summary_of_another_day_or_version_is_not_reused(db):
    build_register(db, "2020-03")
    with db.session() as s:
        analyse(s, "2020-03")
        s.connection().execute(text("UPDATE check_summaries SET as_of = '2020-03-01', summary = :j"),
                               {"j": json.dumps({"counts": [["H-99", "E", "", 1]], "anomalies": []})})
    with db.session() as s:
        assert "H-99" not in {f.code for f in analyse(s, "2020-03").findings}


def test_every_table_is_either_watched_or_not_read_by_the_check(db):
    with db.session() as s:
        conn = s.connection()
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))}
        triggers = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}
    watched = set(MIGRATION.BY_PERIOD) | set(MIGRATION.EVERY_PERIOD)
    assert tables - NOT_READ == watched, "a new table: does the check read it? add it to 0007's triggers or NOT_READ"
    for t in watched:
        for event in MIGRATION.EVENTS.get(t, ("INSERT", "UPDATE", "DELETE")):
            assert f"trg_check_summaries_{t}_{event.lower()}" in triggers


def test_figures_computed_in_a_read_session_are_kept_unless_a_write_overtook_them(db):
    from app.services.analysis import keep_figures, reserve_figures

    ids = build_register(db, "2020-03")
    with db.session() as s:
        feb = ensure_period(s, "2020-02")
        v = ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
        register.add_household(s, feb.id, v.id)
        feb_id = feb.id
    # the window's way: placeholders written, the figures computed in a read session, then kept
    with db.session() as s:
        tokens = reserve_figures(s, "2020-03", None)
    assert set(tokens) == {ids["period"], feb_id}
    computed: dict = {}
    with db.read_session() as s:
        first = analyse(s, "2020-03", computed=computed)
    assert set(computed) == {ids["period"], feb_id}
    with db.session() as s:
        assert keep_figures(s, None, tokens, computed) == 2
        assert reserve_figures(s, "2020-03", None) == {}  # all kept: nothing to reserve
    again: dict = {}
    with db.read_session() as s:
        assert analyse(s, "2020-03", computed=again).findings == first.findings
    assert again == {}  # read, not computed

    # a write after the placeholders: its month's figures (computed before it) are not kept
    with db.session() as s:
        s.connection().execute(text("DELETE FROM check_summaries"))
        tokens = reserve_figures(s, "2020-03", None)
    computed = {}
    with db.read_session() as s:
        analyse(s, "2020-03", computed=computed)
    with db.session() as s:
        register.update_household(s, ids["households"][0], "expected_month", "2020.12")
    with db.session() as s:
        assert keep_figures(s, None, tokens, computed) == 1  # February's only
        assert set(_summaries(s)) == {feb_id}
    with db.read_session() as s:
        h11 = {f.code: f.count for f in analyse(s, "2020-03").findings}["H-11"]
    assert h11 == {f.code: f.count for f in first.findings}["H-11"] - 1

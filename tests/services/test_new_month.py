"""New month (结转): the register carried forward with the same UUIDs; crossing a year needs incomes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.models import FundProject, HandCount, Household, IncomeItem, Measure, Period, Person
from app.services.errors import Refused, UsageError
from app.services.new_month import new_month
from app.services.periods import get_period
from app.storage import Database


def snapshot(s, month: str) -> dict:
    """Everything of a period's register that must carry, keyed by UUID (ids differ by design)."""
    p = get_period(s, month)
    out = {}
    for h in s.scalars(select(Household).where(Household.period_id == p.id)):
        out[h.uuid] = (
            h.village_id, h.band, h.cause, h.head_phone, h.expected_month, h.closed_out, h.closed_out_on, h.risk_colour,
            h.housing_grade, h.prior_income,
            tuple((m.uuid, m.name, m.relation, m.age, m.housing, m.dibao, m.employment, m.id_number) for m in h.members),
            tuple((x.category, x.text) for x in h.measures),
            tuple((i.category, i.label, i.amount) for i in h.income_items),
        )
    return out


def test_carry_forward_keeps_uuids_and_everything(demo_db: Database):
    with demo_db.session() as s:
        before = snapshot(s, "2020-03")
        projects = sorted(s.scalars(select(FundProject.uuid).where(FundProject.period_id == get_period(s, "2020-03").id)))
        p = get_period(s, "2020-03")
        s.add(HandCount(period_id=p.id, unit_id=s.scalars(select(Household.village_id)).first(), form=1, total=3))
    with demo_db.session() as s:
        result = new_month(s, "2020-03", "2020-04")
    assert result["period"] == "2020-04"
    assert result["households"] == len(before)
    assert result["persons"] == sum(len(v[10]) for v in before.values())
    assert result["closed_out"] == sum(1 for v in before.values() if v[5])
    assert result["year_crossed"] is False and result["hand_counts_to_retype"]
    with demo_db.session() as s:
        assert snapshot(s, "2020-04") == before
        assert snapshot(s, "2020-03") == before  # the source month is untouched
        new = get_period(s, "2020-04")
        assert new.state == "open"
        assert sorted(s.scalars(select(FundProject.uuid).where(FundProject.period_id == new.id))) == projects
        assert s.scalar(select(func.count()).select_from(HandCount).where(HandCount.period_id == new.id)) == 0


def test_target_with_a_register_is_refused(demo_db: Database):
    with demo_db.session() as s:
        new_month(s, "2020-03", "2020-04")
    with demo_db.session() as s, pytest.raises(Refused):
        new_month(s, "2020-03", "2020-04")
    with demo_db.session() as s, pytest.raises(UsageError):
        new_month(s, "2020-04", "2020-03")


def _to_december(db: Database) -> None:
    """Move the demo's 2020-03 register to 2020-12 (the month before a year crossing)."""
    with db.session() as s:
        get_period(s, "2020-03").month = "2020-12"


def test_year_crossing_without_incomes_is_refused_and_writes_nothing(demo_db: Database):
    _to_december(demo_db)
    with demo_db.session() as s:
        p = get_period(s, "2020-12")
        first = s.scalars(select(Household).where(Household.period_id == p.id)).first()
        first.ytd_income = None
        head = first.head.name
        periods = s.scalar(select(func.count()).select_from(Period))
    with demo_db.session() as s, pytest.raises(Refused) as e:
        new_month(s, "2020-12", "2021-01")
    assert "上年度人均纯收入" in e.value.message and head in e.value.message and "H-13" in e.value.message
    with demo_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Period)) == periods


def test_year_crossing_sets_bands_clears_ytd_and_drops_out_of_scope(demo_db: Database):
    _to_december(demo_db)
    with demo_db.session() as s:
        p = get_period(s, "2020-12")
        hs = s.scalars(select(Household).where(Household.period_id == p.id).order_by(Household.id)).all()
        hs[0].ytd_income = None  # supplied below instead
        hs[1].ytd_income = 5300.0  # band B next year
        hs[2].ytd_income = 4000.0  # band A
        hs[3].ytd_income = 9000.0  # above 5760: leaves the register's scope
        ids = [h.uuid for h in hs[:4]]
        total = len(hs)
    with demo_db.session() as s:
        result = new_month(s, "2020-12", "2021-01", prior_incomes={ids[0]: 4500})
    assert result["year_crossed"] and result["households"] == total - 1 and len(result["left_scope"]) == 1
    with demo_db.session() as s:
        p = get_period(s, "2021-01")
        got = {h.uuid: h for h in s.scalars(select(Household).where(Household.period_id == p.id))}
        assert (got[ids[0]].prior_income, got[ids[0]].band) == (4500, "A")
        assert (got[ids[1]].prior_income, got[ids[1]].band) == (5300, "B")
        assert (got[ids[2]].prior_income, got[ids[2]].band) == (4000, "A")
        assert ids[3] not in got
        assert all(h.ytd_income is None for h in got.values())
        assert s.scalar(select(func.count()).select_from(FundProject).where(FundProject.period_id == p.id)) == 0
        assert s.scalar(select(func.count()).select_from(Measure).join(Household).where(Household.period_id == p.id))
        assert s.scalar(select(func.count()).select_from(IncomeItem).join(Household).where(Household.period_id == p.id))
        assert s.scalar(select(func.count()).select_from(Person).join(Household).where(Household.period_id == p.id))


def test_cli_new_month_json(demo_db_path: Path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["new-month", "--db", str(demo_db_path), "--from", "2020-03", "--to", "2020-04", "--json"])
    assert rc == 0
    doc = json.loads(out.getvalue())
    assert doc["period"] == "2020-04" and doc["households"] > 0 and doc["persons"] >= doc["households"]
    assert "closed_out" in doc and doc["since"]["previous"] == "2020-02"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["new-month", "--db", str(demo_db_path), "--from", "2020-03", "--to", "2020-04", "--json"]) == 1
        assert main(["new-month", "--db", str(demo_db_path), "--from", "2020-3", "--to", "2020-04"]) == 2

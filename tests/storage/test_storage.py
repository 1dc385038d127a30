from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text

from app.migrations import current_revision, head_revision, upgrade
from app.models import Household, Period, Person, Unit
from app.storage import Database, DatabaseInUse, StorageError


def test_new_database_is_at_head_with_wal_and_foreign_keys(db):
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_second_writer_is_refused_and_reader_is_not(db_path):
    with Database(db_path):
        with pytest.raises(DatabaseInUse) as e:
            Database(db_path)
        assert "另一个" in str(e.value)
        Database(db_path, write=False).close()


def test_lock_of_a_killed_process_is_not_a_live_lock(db_path):
    code = (
        "import os, sys; from app.storage import Database; "
        f"Database({str(db_path)!r}); print('held', flush=True); os.kill(os.getpid(), 9)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "held" in out.stdout and out.returncode == -9
    Database(db_path).close()  # the stale lock file does not stop the next writer


def test_not_a_database_is_a_storage_error(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("hello, this is not sqlite")
    with pytest.raises(StorageError):
        Database(bad)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("create table t(x)")
    con.commit()
    con.close()
    with pytest.raises(StorageError):
        Database(other)


def test_first_revision_upgrades_to_head_keeping_data(tmp_path):
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(text("insert into periods(id, month, state, opened_at) values (1, '2020-03', 'open', '2020-03-01')"))
        conn.execute(text("insert into units(id, name, level, position) values (1, '康平县', 'county', 0)"))
        conn.execute(text(
            "insert into households(id, uuid, period_id, village_id, position, band, closed_out, risk_colour,"
            " housing_renovated) values (1, 'h-1', 1, 1, 0, 'A', 0, 'green', 0)"
        ))
        conn.execute(text(
            "insert into persons(id, uuid, household_id, position, name, relation, age, housing, education, medical,"
            " water, industry, industry_started, industry_benefited, employment, public_post, graduate_placement,"
            " dibao) values (1, 'p-1', 1, 0, '于海', '户主', 75, 0,0,0,0,0,0,0,0,0,0,0)"
        ))
    engine.dispose()
    with Database(path) as database:  # opening upgrades to head
        assert current_revision(database.engine) == head_revision() != "0001"
        with database.session() as s:
            assert s.get(Person, 1).name == "于海"
            assert s.get(Household, 1).members[0].age == 75
            assert s.get(Period, 1).month == "2020-03"
            assert s.get(Unit, 1).name == "康平县"


def test_database_from_a_newer_version_is_refused_clearly(db_path):
    con = sqlite3.connect(db_path)
    con.execute("update alembic_version set version_num = '9999'")
    con.commit()
    con.close()
    with pytest.raises(StorageError) as e:
        Database(db_path)
    assert "更新版本" in str(e.value)

"""The county register on PostgreSQL: the migration chain on an empty server database, init's roles
enforced by the server, backup/restore round trip with its refusals, moving a SQLite register over,
read-only sessions, saved connection profiles."""

from __future__ import annotations

import itertools
import os
import stat

import pytest
from _query import execute, query
from sqlalchemy import text

from app.cli import main
from app.services.errors import Refused
from app.storage import Database, ReadOnlyDatabase

_names = itertools.count(1)


def _fresh_url(cluster) -> tuple[str, str]:
    name = f"srv{next(_names)}_{os.getpid()}"
    return name, cluster.url(name)


def test_the_whole_migration_chain_runs_on_an_empty_server_database(pg_cluster):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.migrations import head_revision
    from app.models import Base

    url = pg_cluster.url(pg_cluster.new_database())
    with Database(url) as db:
        assert db.is_server and db.path is None
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_a_read_only_session_is_refused_a_write_by_the_server(pg_cluster, _pg_demo_template):
    url = pg_cluster.url(pg_cluster.new_database(_pg_demo_template))
    with Database(url, write=False) as db:
        with pytest.raises(ReadOnlyDatabase), db.session() as s:
            s.execute(text("UPDATE households SET remark = 'x'"))
        with db.read_session() as s:
            assert s.execute(text("SELECT count(*) FROM households")).scalar() > 0
    assert query(url, "SELECT count(*) FROM households WHERE remark = 'x'") == [(0,)]


def test_init_makes_the_roles_and_the_server_enforces_them(pg_cluster, tmp_path):
    name, url = _fresh_url(pg_cluster)
    assert main(["server", "init", "--db", url]) == 0
    assert main(["server", "init", "--db", url]) == 0  # again: what exists is kept
    pw = tmp_path / "pw.txt"
    pw.write_text("clerk-pass-1\n", encoding="utf-8")
    clerk = f"clerk_{name}"
    assert main(["server", "add-login", "--db", url, clerk, "--role", "township-clerk", "--password-file", str(pw)]) == 0
    owners = query(url, "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    assert owners == [("guatu_county_admin",)]
    as_clerk = url.replace("postgres@", f"{clerk}@")
    with Database(as_clerk) as db, db.session() as s:  # a clerk writes rows
        from app.services.units import ensure_path

        ensure_path(s, ["康平县", "暖泉镇", "前暖泉村"])
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        query(as_clerk, "DROP TABLE audit_log")
    assert main(["server", "add-login", "--db", url, "Bad-Name", "--role", "township-clerk",
                 "--password-file", str(pw)]) == 2


def test_backup_and_restore_round_trip_keep_the_pre_restore_backup(pg_cluster, tmp_path, capsys):
    name, url = _fresh_url(pg_cluster)
    assert main(["server", "init", "--db", url]) == 0
    with Database(url) as db:
        from app.services.demo import generate

        generate(db, persons=60, seed=3)
    households = query(url, "SELECT count(*) FROM households")[0][0]
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["server", "backup", "--db", url, "--out", str(folder)]) == 0
    [dump] = list(folder.glob("*.dump"))
    assert dump.read_bytes()[:5] == b"PGDMP" and not list(folder.glob("*.part"))
    execute(url, "DELETE FROM households WHERE id IN (SELECT id FROM households LIMIT 5)")
    assert main(["server", "restore", "--db", url, "--backup", str(dump)]) == 0
    assert query(url, "SELECT count(*) FROM households") == [(households,)]
    [before] = list(folder.glob("*-pre-restore.dump"))
    assert before.stat().st_size > 0
    # a damaged dump is refused before anything is replaced, and leaves no scratch database behind
    torn = tmp_path / "torn.dump"
    torn.write_bytes(dump.read_bytes()[: dump.stat().st_size // 3])
    execute(url, "UPDATE households SET remark = 'kept' WHERE id = (SELECT min(id) FROM households)")
    capsys.readouterr()
    assert main(["server", "restore", "--db", url, "--backup", str(torn)]) == 1
    assert "损坏" in capsys.readouterr().err
    assert query(url, "SELECT count(*) FROM households WHERE remark = 'kept'") == [(1,)]
    assert not query(url, "SELECT datname FROM pg_database WHERE datname LIKE ?", f"{name}_%")
    # laptops' file commands point to the server's
    assert main(["backup", "--db", url, "--out", str(tmp_path / "x.db")]) == 2


def test_a_sqlite_register_moves_onto_the_server_with_the_same_findings(pg_cluster, _demo_template, tmp_path):
    from app.services.checks import check_period

    _name, url = _fresh_url(pg_cluster)
    assert main(["server", "init", "--db", url]) == 0
    assert main(["server", "import-sqlite", "--db", url, "--from", str(_demo_template)]) == 0
    for table in ("households", "persons", "measures", "audit_log", "visits"):
        assert query(url, f"SELECT count(*) FROM {table}") == query(_demo_template, f"SELECT count(*) FROM {table}")

    def findings(where):
        with Database(where, write=False) as db, db.read_session() as s:
            return [f.to_dict() for f in check_period(s, "2020-03")]

    assert findings(url) == findings(_demo_template)
    with Database(url) as db, db.session() as s:  # new rows take ids after the moved ones
        from app.services.units import ensure_path

        assert ensure_path(s, ["康平县", "新乡", "新村"]).id > query(_demo_template, "SELECT max(id) FROM units")[0][0]
    with pytest.raises(Refused):  # only into an empty server register
        from app.services.server import import_sqlite

        import_sqlite(_demo_template, url)


def test_a_saved_profile_opens_the_server_and_keeps_the_password_out_of_the_settings(
        pg_cluster, _pg_empty_template, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GUATU_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("PGPASSFILE", raising=False)
    dbname = pg_cluster.new_database(_pg_empty_template)
    pw = tmp_path / "pw.txt"
    pw.write_text("s3cret:pass\n", encoding="utf-8")
    assert main(["server", "connect", "县台账", "--host", str(pg_cluster.sock), "--port", str(pg_cluster.port),
                 "--dbname", dbname, "--user", "postgres", "--password-file", str(pw)]) == 0
    settings = (tmp_path / "cfg" / "connections.json").read_text(encoding="utf-8")
    assert "s3cret" not in settings and dbname in settings
    pgpass = tmp_path / "cfg" / "pgpass"
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    assert pgpass.read_text(encoding="utf-8").strip().endswith(r"postgres:s3cret\:pass")
    assert main(["init", "--db", "县台账", "--unit", "康平县/暖泉镇"]) == 0
    assert "postgres@" in capsys.readouterr().err
    with Database("县台账") as db:
        assert db.is_server and db.label.endswith(f"/{dbname}")
    assert query(pg_cluster.url(dbname), "SELECT name FROM units ORDER BY id") == [("康平县",), ("暖泉镇",)]


def test_demo_and_check_from_the_command_line_on_a_server(pg_cluster, _pg_empty_template, tmp_path, capsys):
    url = pg_cluster.url(pg_cluster.new_database(_pg_empty_template))
    assert main(["demo", "--db", url, "--persons", "60", "--year", "2020"]) == 0
    assert "postgres@" in capsys.readouterr().err  # named without a password, never a file path
    lite = tmp_path / "same.db"
    assert main(["demo", "--db", str(lite), "--persons", "60", "--year", "2020"]) == 0
    capsys.readouterr()
    def check(where) -> tuple[int, list[tuple]]:
        import json

        rc = main(["check", "--db", where, "--json"])
        doc = json.loads(capsys.readouterr().out)
        # the demo's uuids are random: the findings compared by what they say and where
        return rc, [(f["code"], f["severity"], f["message"], f["unit"], f["field"]) for f in doc["findings"]]

    (rc_server, on_server), (rc_file, on_file) = check(url), check(str(lite))
    # sorted: T-01's lines come in uuid order, and the two demos' uuids differ
    assert rc_server == rc_file == 0 and sorted(on_server) == sorted(on_file) and len(on_server) > 50
    assert main(["restore", "--db", url, "--backup", str(lite)]) == 2  # the file commands are the file's


def test_an_older_sqlite_register_moves_from_an_up_to_date_copy_and_stays_as_it_was(pg_cluster, _demo_template,
                                                                                    tmp_path):
    """A laptop register of an older version (here before the row versions) is brought up to date
    in a copy for the move; the office's own file is not changed."""
    import hashlib
    import shutil

    from alembic import command
    from sqlalchemy import create_engine

    from app import migrations

    old = tmp_path / "old.db"
    shutil.copy(_demo_template, old)
    engine = create_engine(f"sqlite:///{old}")
    cfg = migrations._config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007_ledger_dates")
    engine.dispose()
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    _name, url = _fresh_url(pg_cluster)
    assert main(["server", "init", "--db", url]) == 0
    assert main(["server", "import-sqlite", "--db", url, "--from", str(old)]) == 0
    assert query(url, "SELECT count(*) FROM persons") == query(old, "SELECT count(*) FROM persons")
    assert query(url, "SELECT min(version) FROM persons") == [(1,)]
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before
    assert query(old, "SELECT version_num FROM alembic_version") == [("0007_ledger_dates",)]

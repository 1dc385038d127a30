"""Shared fixtures: real SQLite files, a demo register built once and copied per test, offscreen Qt.

The registers of the services, rules, import and export tests are on both engines: each such
test runs once on a SQLite file and once on a database of a throwaway PostgreSQL cluster
(``engine`` param; tests/helpers/_pg_server.py). ``db_path`` is then a ``postgresql+psycopg://``
URL, which ``Database`` and ``_query.query`` take as they take a path. Without PostgreSQL's
binaries the PostgreSQL runs are skipped on a laptop and fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Automatic backups (before import, new month, …) of test registers go to a temp folder, not the user's.
os.environ.setdefault("GUATU_BACKUP_DIR", tempfile.mkdtemp(prefix="guatu-test-backups-"))
# The window remembers the last village/household per register (QSettings): not in the user's own.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="guatu-test-config-")


def _private_settings() -> None:
    """Window layout settings (app.ui.layout) of tests go to a temp folder, not the user's."""
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="guatu-test-settings-"))


_private_settings()


# Folders whose register tests run on both engines (SQLite file-level fault tests stay SQLite's).
BOTH_ENGINES = ("services", "rules", "importers", "exporters")
_REGISTER_FIXTURES = {"db_path", "db", "demo_db_path", "demo_db"}
# Tests about the SQLite file itself (its bytes, its -wal, its backups) inside those folders.
SQLITE_ONLY_MARK = "sqlite_only"


def pytest_configure(config):
    config.addinivalue_line("markers", f"{SQLITE_ONLY_MARK}: a test about the SQLite file itself (not run on PostgreSQL)")


def pytest_generate_tests(metafunc):
    folder = Path(str(metafunc.definition.path)).parent.name
    wants = _REGISTER_FIXTURES & set(metafunc.fixturenames)
    both = (folder in BOTH_ENGINES and wants and os.environ.get("GUATU_TEST_ENGINES", "both") != "sqlite"
            and metafunc.definition.get_closest_marker(SQLITE_ONLY_MARK) is None)
    if both:
        metafunc.parametrize("engine", ["sqlite", "postgresql"], indirect=True, scope="function")


@pytest.fixture
def engine(request) -> str:
    """``sqlite`` or ``postgresql``: the engine of this test's register."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_cluster():
    """The throwaway PostgreSQL cluster of this test run (started on first use)."""
    from _pg_server import Cluster, bin_dir

    found = bin_dir()
    if found is None:
        message = "PostgreSQL is not installed (bash scripts/dev.sh setup installs it)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = Cluster(found)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def _pg_empty_template(pg_cluster) -> str:
    from app.storage import Database

    name = pg_cluster.new_database(prefix="empty_template")
    Database(pg_cluster.url(name), create=True).close()
    return name


@pytest.fixture(scope="session")
def _pg_demo_template(pg_cluster, _pg_empty_template) -> str:
    from app.services.demo import generate
    from app.storage import Database

    name = pg_cluster.new_database(_pg_empty_template, prefix="demo_template")
    with Database(pg_cluster.url(name)) as database:
        generate(database, persons=400, seed=7)
    return name


def _pg_database(request, template_fixture: str) -> str:
    """A fresh database copied from a template, dropped when the test ends (the cluster stays small)."""
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.new_database(request.getfixturevalue(template_fixture))
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.url(name)


@pytest.fixture
def db_path(request, engine: str, tmp_path: Path) -> Path | str:
    """A new, empty register (schema at head, write lock released): a SQLite file's path, or on
    PostgreSQL the URL of a fresh database."""
    from app.storage import Database

    if engine == "postgresql":
        return _pg_database(request, "_pg_empty_template")
    path = tmp_path / "register.db"
    Database(path, create=True).close()
    return path


@pytest.fixture
def db(db_path: Path):
    """An open writable Database on a new, empty register."""
    from app.storage import Database

    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from app.services.demo import generate
    from app.storage import Database

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Database(path, create=True) as database:
        generate(database, persons=400, seed=7)
    return path


@pytest.fixture
def demo_db_path(request, engine: str, tmp_path: Path) -> Path | str:
    """A private copy of a small demo register (400 persons, seed 7), closed."""
    if engine == "postgresql":
        return _pg_database(request, "_pg_demo_template")
    _demo_template = request.getfixturevalue("_demo_template")
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_db_path: Path):
    from app.storage import Database

    database = Database(demo_db_path)
    yield database
    database.close()

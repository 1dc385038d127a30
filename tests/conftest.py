"""Shared fixtures: real SQLite files, a demo register built once and copied per test, offscreen Qt."""

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


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Path of a new, empty register (schema at head, write lock released)."""
    from app.storage import Database

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
def demo_db_path(_demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of a small demo register (400 persons, seed 7), closed."""
    path = tmp_path / "demo.db"
    shutil.copy(_demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_db_path: Path):
    from app.storage import Database

    database = Database(demo_db_path)
    yield database
    database.close()

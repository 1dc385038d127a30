"""Logging to a rotating file in the user log folder; the one place unexpected errors are written.

Both the command line and the GUI call ``setup_logging()`` first. Logging must never stop the
app: if the log folder cannot be written (disk full, read-only profile), the app runs without a
log file rather than failing.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sqlite3
import sys
from pathlib import Path

import platformdirs

LOG_DIR_ENV = "GUATU_LOG_DIR"
_configured = False


def log_dir() -> Path:
    env = os.environ.get(LOG_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_log_dir("guatu", appauthor=False))


def setup_logging() -> Path:
    """Add the rotating file handler once per process; log the versions in use (SQLite first)."""
    global _configured
    path = log_dir() / "guatu.log"
    if _configured:
        return path
    _configured = True
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return path  # no log file this time; never fail the app for it
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    from app import __version__

    frozen = " (frozen)" if getattr(sys, "frozen", False) else ""
    logging.getLogger("guatu").info(
        "start guatu %s%s; Python %s; SQLite %s", __version__, frozen, sys.version.split()[0],
        sqlite3.sqlite_version,
    )
    return path


def log_exception(exc: BaseException) -> Path:
    path = setup_logging()
    logging.getLogger("guatu").error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return path

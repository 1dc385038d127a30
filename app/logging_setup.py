"""Logging to a rotating file in the user log folder; the one place unexpected errors are written."""

from __future__ import annotations

import logging
import logging.handlers
import sqlite3
from pathlib import Path

import platformdirs

_configured = False


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir("guatu", appauthor=False))


def setup_logging() -> Path:
    global _configured
    path = log_dir() / "guatu.log"
    if _configured:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    _configured = True
    logging.getLogger("guatu").info("start; SQLite %s", sqlite3.sqlite_version)
    return path


def log_exception(exc: BaseException) -> Path:
    path = setup_logging()
    logging.getLogger("guatu").error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return path

"""Logging to a rotating file in the user log folder; the one place unexpected errors are written.

Both the command line and the GUI call ``setup_logging()`` first. Logging must never stop the
app: if the log folder cannot be written (disk full, read-only profile), the app runs without a
log file rather than failing.

No personal data in the log: SQL errors carry no parameters (the engines are made with
``hide_parameters=True``), and every record — message, arguments and traceback — passes
``PersonalDataFilter``, which masks anything shaped like a 身份证号 or a phone number the way
the public outputs do (``app.rules.ids.mask_id``, ``app.rules.phones.mask_phone``).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sqlite3
import sys
from pathlib import Path

import platformdirs

LOG_DIR_ENV = "GUATU_LOG_DIR"
_configured = False


# Shapes only (no check digit, no prefix list): a log line is masked when in doubt.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
_LANDLINE_RE = re.compile(r"(?<![0-9-])(0\d{2,3}-?\d{7,8})(?![0-9-])")


def mask_text(text: str) -> str:
    """``text`` with every 身份证号- or phone-shaped number masked (first/last digits only)."""
    from app.rules.ids import mask_id
    from app.rules.phones import mask_phone

    text = _ID_RE.sub(lambda m: mask_id(m.group(1)), text)
    text = _MOBILE_RE.sub(lambda m: mask_phone(m.group(1)), text)
    return _LANDLINE_RE.sub(lambda m: mask_phone(m.group(1)), text)


class PersonalDataFilter(logging.Filter):
    """Masks 身份证号 and phone numbers in a record's message and traceback before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


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
    handler.addFilter(PersonalDataFilter())
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

"""What runs once when the app starts, before any window: versions logged, XML defences verified,
the register checked (``PRAGMA quick_check``) and backed up. No Qt.

The GUI calls ``startup_checks(db_path)`` before it opens the register; a damaged register is
moved aside by ``open_checked`` and the report carries the newest good backup to offer.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from app.services.errors import GuatuError

log = logging.getLogger("guatu.startup")


class StartupError(GuatuError):
    """The installation is not safe to run (a missing defence); exit 2."""

    exit_code = 2


@dataclass
class StartupReport:
    sqlite_version: str
    log_path: Path
    check: object | None = None  # backup.StartCheck of the register, when one was given
    backup: Path | None = None  # the start-up backup made
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check is None or self.check.ok


def check_xml_defences() -> None:
    """Spreadsheets from outside are XML inside a zip: refuse to run without defusedxml in openpyxl
    (entity expansion / XML bombs)."""
    try:
        import defusedxml  # noqa: F401
        import defusedxml.ElementTree  # noqa: F401
    except ImportError:
        raise StartupError("安装不完整：缺少 defusedxml（防御恶意表格文件），请重新安装挂图作战。") from None
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise StartupError(
            "openpyxl 没有启用 defusedxml（可能设置了 OPENPYXL_DEFUSEDXML=False），为防御恶意表格文件，程序不能启动。"
        )


def startup_checks(db_path: str | Path | None = None, *, backup: bool = True) -> StartupReport:
    """Log versions, check the XML defences, quick_check the register and make the start-up backup.

    A damaged register is moved aside (``report.check.ok`` is False, ``report.check.message`` says
    what to do). A failed start-up backup is a warning, never a reason not to start."""
    from app.logging_setup import setup_logging
    from app.services import backup as bk

    log_path = setup_logging()
    report = StartupReport(sqlite3.sqlite_version, log_path)
    log.info("SQLite %s", sqlite3.sqlite_version)
    check_xml_defences()
    log.info("defusedxml active in openpyxl")
    if db_path is None:
        return report
    bk.clean_stale_parts(bk.backups_dir(db_path))  # what killed backups left (logged)
    report.check = bk.open_checked(Path(db_path))
    if not report.check.ok:
        log.error("start-up check failed: %s", report.check.message)
        return report
    if backup and Path(db_path).exists():
        try:
            report.backup = bk.backup(db_path, "start")
        except bk.BackupError as e:
            log.warning("start-up backup failed: %s", e.message)
            report.warnings.append(e.message)
    return report

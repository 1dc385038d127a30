"""Which errors are environment faults told in Chinese, and which stay bugs."""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import OperationalError

from app.services.faults import describe, save_failed_message


def test_environment_faults_are_recognised_through_sqlalchemy_wrappers():
    assert describe(OSError(errno.ENOSPC, "No space left", "/media/usb/x.xlsx")) == "磁盘空间已满：/media/usb/x.xlsx"
    assert describe(OSError(errno.EROFS, "Read-only file system")) == "目标位置是只读的"
    assert describe(sqlite3.OperationalError("database or disk is full")) == "磁盘空间已满"
    wrapped = OperationalError("UPDATE households …", {}, sqlite3.OperationalError("disk I/O error"))
    assert describe(wrapped).startswith("读写磁盘出错")
    assert "本次修改没有写入" in save_failed_message(wrapped)


def test_bugs_are_not_faults():
    assert describe(ValueError("bad")) is None
    assert describe(OSError(errno.ENOENT, "No such file")) is None
    assert describe(sqlite3.OperationalError("no such table: x")) is None

"""Environment faults (disk full, unwritable target, read-only medium) told to people in Chinese.

Saves and exports can fail for reasons that are not bugs: the disk is full, the USB stick was
pulled, the folder is read-only. These get one clear sentence instead of an internal error.
"""

from __future__ import annotations

import errno
import sqlite3

_ERRNO = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EFBIG: "文件超过了允许的大小（磁盘或配额已满）",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EROFS: "目标位置是只读的",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EIO: "读写设备出错（U盘或硬盘可能已拔出或损坏）",
    errno.ENOTDIR: "目标路径不是文件夹",
    errno.EISDIR: "目标是一个文件夹",
}

_SQLITE = (
    ("database or disk is full", "磁盘空间已满"),
    ("disk i/o error", "读写磁盘出错（磁盘可能已满或已拔出）"),
    ("attempt to write a readonly database", "数据库文件是只读的"),
    ("unable to open database file", "无法打开数据库文件（文件夹不存在或没有权限）"),
)


def _root(exc: BaseException) -> BaseException:
    """The DB-API error inside a SQLAlchemy wrapper, or the exception itself."""
    return getattr(exc, "orig", None) or exc


def describe(exc: BaseException) -> str | None:
    """A Chinese sentence for an environment fault, or None if ``exc`` is not one (then it is a bug)."""
    exc = _root(exc)
    if isinstance(exc, OSError) and exc.errno in _ERRNO:
        where = f"：{exc.filename}" if exc.filename else ""
        return _ERRNO[exc.errno] + where
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        text = str(exc).lower()
        for needle, message in _SQLITE:
            if needle in text:
                return message
    return None


def is_fault(exc: BaseException) -> bool:
    return describe(exc) is not None


def save_failed_message(exc: BaseException) -> str:
    """For a failed save: what went wrong and that nothing of this change was written."""
    reason = describe(exc) or f"{type(_root(exc)).__name__}: {_root(exc)}"
    return f"保存失败：{reason}。本次修改没有写入，之前保存的数据完好。请腾出磁盘空间或换一个位置后重试。"

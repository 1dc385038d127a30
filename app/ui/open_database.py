"""文件 › 打开数据库…: another register — a file on this laptop, a saved server connection
(``guatu server connect``) or a ``postgresql+psycopg://`` address — opens in a window of its own.

A window belongs to one register for its whole life (its write lock, its read-only state, its undo
history), so the other register gets a new guatu process rather than this window being rewired.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QProcess
from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

LOCAL_FILE = "本机文件…"


def launch_command(target: str) -> list[str]:
    """The command line of a guatu window on ``target`` (the installed program, or ``python -m app``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--db", target]
    return [sys.executable, "-m", "app", "--db", target]


def choose_target(parent: QWidget | None) -> str | None:
    """Saved connections first, then 本机文件…; an address can be typed into the box."""
    from app.connections import ConnectionError_, load_profiles

    try:
        names = sorted(load_profiles())
    except ConnectionError_:
        names = []
    item, ok = QInputDialog.getItem(parent, "打开数据库", "已保存的服务器连接、本机文件，或输入服务器地址\n"
                                    "（postgresql+psycopg://用户@服务器:5432/guatu）：", [*names, LOCAL_FILE], 0, True)
    if not ok or not item.strip():
        return None
    if item == LOCAL_FILE:
        path, _ = QFileDialog.getOpenFileName(parent, "打开数据库文件", "", "挂图作战数据库 (*.db);;所有文件 (*)")
        return path or None
    return item.strip()


def open_elsewhere(parent: QWidget | None, dialogs, target: str) -> bool:
    """Start a guatu window on ``target``; say so (or that it could not be started)."""
    program, *args = launch_command(target)
    started, _pid = QProcess.startDetached(program, args)
    if started:
        dialogs.info(parent, "打开数据库", f"已在新窗口中打开：{target.split('@')[-1] if '://' in target else target}")
    else:
        dialogs.error(parent, "打开数据库", f"无法启动挂图作战：{program}")
    return started

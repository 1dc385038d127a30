"""Expected failures of operations, each with a Chinese message and a CLI exit code (cli.md)."""

from __future__ import annotations

from app.kernel.month import month_label

__all__ = ["GuatuError", "LockedPeriod", "NotPermitted", "Refused", "UsageError", "month_label"]


class GuatuError(Exception):
    exit_code = 1

    def __init__(self, message: str, findings: list | None = None):
        super().__init__(message)
        self.message = message
        self.findings = findings or []


class Refused(GuatuError):
    """Refused by the data: E findings, a rejected file, a locked month, a failed verification."""

    exit_code = 1


class UsageError(GuatuError):
    """Bad flags, unknown or ambiguous unit, missing period, unreadable database."""

    exit_code = 2


class LockedPeriod(Refused):
    def __init__(self, month: str):
        super().__init__(f"{month_label(month)}已报送并锁定，不能修改；如需修改请先重新打开该月份。")
        self.month = month



class NotPermitted(Refused):
    """The county server refused the write: the clerk's login may not change that township's rows
    (row-level security) or lock and reopen months (county administrators only)."""

    def __init__(self, message: str = "数据库拒绝了这次修改：您的账号只能修改分配给您的乡镇的数据"
                                      "（锁定、重新打开月份只有县管理员可以）。"):
        super().__init__(message)

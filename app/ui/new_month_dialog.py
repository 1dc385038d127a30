"""工具 › 新建月份…: the 结转 dialog, which lives with the import wizard (one work area)."""

from __future__ import annotations

from app.ui.import_wizard import NewMonthDialog, open_new_month_dialog

open_dialog = open_new_month_dialog

__all__ = ["NewMonthDialog", "open_dialog"]

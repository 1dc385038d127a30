"""Reading a register file straight with sqlite3, as an outside program would (tests only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def query(path: Path, sql: str, *args) -> list[tuple]:
    """All rows of one SQL statement on the database file at ``path`` (a fresh connection, closed after)."""
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()

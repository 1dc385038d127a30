"""Reading a register file straight with sqlite3, as an outside program would (tests only)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def query(path: Path | str, sql: str, *args) -> list[tuple]:
    """All rows of one SQL statement on the database file at ``path`` (a fresh connection, closed after).
    A ``postgresql+psycopg://`` URL is read the same way through psycopg (``?`` placeholders as here)."""
    if isinstance(path, str) and path.startswith("postgresql"):
        return _pg_query(path, sql, args)
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def _pg_query(url: str, sql: str, args: tuple) -> list[tuple]:
    import psycopg
    from sqlalchemy.engine import make_url

    from app.models.dialect import qmark_to_format

    u = make_url(url)
    with psycopg.connect(host=u.query["host"], port=int(u.query["port"]), user=u.username, dbname=u.database) as con:
        return con.execute(qmark_to_format(sql), args).fetchall()

"""Reading a register file straight with sqlite3, as an outside program would (tests only)."""

from __future__ import annotations

import datetime as dt
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


def execute(path: Path | str, sql: str, *args) -> None:
    """One writing statement on the register at ``path`` (file or PostgreSQL URL), committed."""
    if isinstance(path, str) and path.startswith("postgresql"):
        _pg_query(path, sql, args, fetch=False)
        return
    con = sqlite3.connect(path)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


def _pg_query(url: str, sql: str, args: tuple, fetch: bool = True) -> list[tuple]:
    import psycopg
    from sqlalchemy.engine import make_url

    from app.models.dialect import qmark_to_format

    u = make_url(url)
    with psycopg.connect(host=u.query["host"], port=int(u.query["port"]), user=u.username, dbname=u.database) as con:
        cur = con.execute(qmark_to_format(sql), args)
        return [tuple(map(_as_sqlite, row)) for row in cur.fetchall()] if fetch else []


def _as_sqlite(v):
    """A value as the same column reads back from SQLite (booleans 0/1, dates ISO text), so an
    assertion reads the same on both engines."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v

"""What differs between SQLite and PostgreSQL, in one place, so services and importers write one
query for both engines.

- ``group_concat(expr, sep)``: SQLite's ``group_concat``, PostgreSQL's ``string_agg`` (text).
- ``raw(session_or_conn)``: the DB-API connection for the hot paths that read plain tuples
  (check screen, analysis). Their SQL is written with ``?`` placeholders; on PostgreSQL they are
  turned into psycopg's ``%s``.
- ``bulk_insert_sql`` / ``insert_value``: plain executemany inserts with the driver's placeholders
  and values each engine takes (SQLite: ISO text dates; PostgreSQL: dates, booleans).
- ``reserve_ids`` / ``sync_ids``: bulk writers that choose ids themselves (max(id)+1) keep other
  clerks' inserts out meanwhile and move PostgreSQL's id sequences past what they wrote.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import Integer, String, cast, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class group_concat(FunctionElement):  # noqa: N801 - reads as the SQL function it stands for
    """``group_concat(expr, sep)`` on SQLite, ``string_agg(expr::text, sep)`` on PostgreSQL."""

    type = String()
    inherit_cache = True


@compiles(group_concat)
def _group_concat_sqlite(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(group_concat, "postgresql")
def _group_concat_pg(element, compiler, **kw):
    expr, sep = list(element.clauses)
    return f"string_agg({compiler.process(cast(expr, String()), **kw)}, {compiler.process(sep, **kw)})"


class sum_true(FunctionElement):  # noqa: N801
    """How many rows have a boolean column true: ``sum(col)`` on SQLite (0/1), ``sum(col::int)`` on PostgreSQL."""

    type = Integer()
    inherit_cache = True


@compiles(sum_true)
def _sum_true_sqlite(element, compiler, **kw):
    return f"sum({compiler.process(element.clauses, **kw)})"


@compiles(sum_true, "postgresql")
def _sum_true_pg(element, compiler, **kw):
    return f"sum(CAST({compiler.process(element.clauses, **kw)} AS INTEGER))"


def is_postgres(bind) -> bool:
    return bind.dialect.name == "postgresql"


class _QmarkConnection:
    """A psycopg connection that takes SQLite-style ``?`` placeholders (as the hot-path SQL is written)."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql: str, params=()):
        if isinstance(params, dict):
            return self._conn.execute(qmark_to_format(sql, named=True), params)
        return self._conn.execute(qmark_to_format(sql), tuple(params))

    def cursor(self):
        return self._conn.cursor()


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def qmark_to_format(sql: str, *, named: bool = False) -> str:
    """``?`` (or, ``named``, ``:name``) → psycopg's ``%s`` (``%(name)s``) outside string literals;
    a literal ``%`` doubled."""
    parts = sql.split("'")
    for i in range(0, len(parts), 2):  # outside quotes
        part = parts[i].replace("%", "%%")
        parts[i] = _NAMED.sub(r"%(\1)s", part) if named else part.replace("?", "%s")
    for i in range(1, len(parts), 2):
        parts[i] = parts[i].replace("%", "%%")
    return "'".join(parts)


def raw(bind):
    """The DB-API connection of a Session or Connection, taking ``?`` placeholders on both engines."""
    conn = bind.connection() if hasattr(bind, "get_bind") else bind
    dbapi = conn.connection.dbapi_connection
    return _QmarkConnection(dbapi) if is_postgres(conn) else dbapi


def placeholders(bind, n: int) -> str:
    """``?, ?, …`` (sqlite3) or ``%s, %s, …`` (psycopg) for ``exec_driver_sql``."""
    mark = "?" if bind.dialect.paramstyle == "qmark" else "%s"
    return ", ".join([mark] * n)


def insert_rows(conn, table: str, cols: list[str], rows: list[tuple]) -> None:
    """Plain rows (complete tuples in ``cols`` order) into ``table``: one executemany on SQLite,
    ``COPY … FROM STDIN`` on PostgreSQL (several times faster than row inserts over the network)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in cols)
    if not is_postgres(conn):
        conn.exec_driver_sql(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders(conn, len(cols))})", rows)
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def insert_value(bind, v: Any) -> Any:
    """A value as the engine takes it in a plain DB-API insert: SQLite stores dates as ISO text
    (as SQLAlchemy's Date does there); PostgreSQL takes the date itself."""
    if is_postgres(bind):
        return v
    if isinstance(v, dt.datetime):
        return v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def reserve_ids(session, tables: list[str]) -> None:
    """Before choosing ids as max(id)+1 on PostgreSQL: hold other writers' inserts into ``tables``
    until this transaction ends (reads go on)."""
    conn = session.connection() if hasattr(session, "get_bind") else session
    if is_postgres(conn):
        conn.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")


def sync_ids(session, tables: list[str]) -> None:
    """After rows were written with chosen ids: PostgreSQL's id sequence continues after the largest."""
    conn = session.connection() if hasattr(session, "get_bind") else session
    if not is_postgres(conn):
        return
    for t in tables:
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), coalesce(max(id), 0) + 1, false) FROM {t}")


def month_of(expr):
    """The ``YYYY-MM`` of a date column: text on SQLite, a date on PostgreSQL."""
    return func.substr(cast(expr, String()), 1, 7)

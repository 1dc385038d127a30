"""The few SQL spellings that differ between SQLite and PostgreSQL (app.models.dialect)."""

from __future__ import annotations

from sqlalchemy import column, select
from sqlalchemy.dialects import postgresql, sqlite

from app.models.dialect import group_concat, qmark_to_format, sum_true


def test_qmark_placeholders_become_psycopg_ones_outside_literals():
    assert qmark_to_format("SELECT ? , '?%' , x LIKE '50%' WHERE a = ?") == \
        "SELECT %s , '?%%' , x LIKE '50%%' WHERE a = %s"
    assert qmark_to_format("SELECT :pid, x::text, ':no' FROM t WHERE b = :b", named=True) == \
        "SELECT %(pid)s, x::text, ':no' FROM t WHERE b = %(b)s"


def test_group_concat_and_boolean_sums_per_engine():
    q = select(group_concat(column("amount"), "|"), sum_true(column("dibao")))
    assert "group_concat(amount, ?)" in str(q.compile(dialect=sqlite.dialect()))
    assert "sum(dibao)" in str(q.compile(dialect=sqlite.dialect()))
    pg = str(q.compile(dialect=postgresql.dialect()))
    assert "string_agg(CAST(amount AS VARCHAR), %(param_1)s" in pg
    assert "sum(CAST(dibao AS INTEGER))" in pg

"""The screen of a full check: which households of a period may have a finding (``app.rules.screen``).

Reads plain tuples straight from the DB-API cursor (no Row objects): the households' own columns,
the members' eight rule columns, and for measures and income items only what H-04, H-08 and H-09
can object to, answered by SQLite (a blank-only measure list; a negative or non-numeric amount
and the texts, in one pass over the income items; characters outside the fonts). ``checks.check_period`` then runs the rules on the named households.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rules import screen

# Every character Python's str.strip() removes (all below U+3001): SQLite's trim() must remove the
# same to agree with ``cells.blank`` on H-08's "no measure line".
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())

_H_SQL = f"SELECT {', '.join(screen.HOUSEHOLD_COLUMNS)} FROM households h WHERE {{where}}"
_P_SQL = (f"SELECT {', '.join(screen.PERSON_COLUMNS)} FROM persons WHERE household_id IN "
          "(SELECT h.id FROM households h WHERE {where}) ORDER BY household_id, id")
_DETAIL_SQL = """SELECT h.id FROM households h WHERE {where} AND h.band = 'A' AND NOT EXISTS (
  SELECT 1 FROM measures m WHERE m.household_id = h.id
  AND ({trim}(coalesce(m.category, ''), ?) <> '' OR {trim}(coalesce(m.text, ''), ?) <> ''))"""
# One pass over a table: its texts as one string each (H-04) and, for income items, the households
# with an amount that is not a number >= 0 (H-09), comma-separated.
_TEXTS_SQL = ("SELECT {concat}(category, ''), {concat}({second}, ''){extra} FROM {table} "
              "WHERE household_id IN (SELECT h.id FROM households h WHERE {where})")
_BAD_AMOUNTS = (", group_concat(CASE WHEN typeof(amount) IN ('integer', 'real') AND amount >= 0 "
                "THEN NULL ELSE household_id END)")
# PostgreSQL: amounts are typed numbers; a NULL amount is as bad as on SQLite.
_BAD_AMOUNTS_PG = ", string_agg(CASE WHEN amount >= 0 THEN NULL ELSE household_id::text END, ',')"


@dataclass(frozen=True)
class _Words:
    """The SQL functions that are spelt differently: SQLite's, PostgreSQL's."""

    trim: str
    concat: str
    instr: str
    bad_amounts: str
    false: str


_SQLITE = _Words("trim", "group_concat", "instr({0}, ?)", _BAD_AMOUNTS, "0")
_POSTGRES = _Words("btrim", "string_agg", "strpos({0}, ?)", _BAD_AMOUNTS_PG, "FALSE")
_HAS_SQL = ("SELECT DISTINCT household_id FROM {table} WHERE household_id IN "
            "(SELECT h.id FROM households h WHERE {where}) AND ({test})")


@dataclass
class Suspects:
    """Household ids for the household rules (``rules``) and for H-12 (``twins``); the counts seen."""

    rules: set[int]
    twins: set[int]
    households: int
    persons: int


def suspects(dbapi, period_id: int, month: str, villages: list[int] | None, *,
             postgres: bool = False) -> Suspects:
    """Screen the households of ``period_id`` (in ``villages`` when given) with plain DB-API queries
    (``?`` placeholders: ``app.models.dialect.raw``)."""
    w = _POSTGRES if postgres else _SQLITE
    where, params = "h.period_id = ?", [period_id]
    if villages is not None:
        where += f" AND h.village_id IN ({', '.join('?' * len(villages))})" if villages else f" AND {w.false}"
        params += villages
    households = dbapi.execute(_H_SQL.format(where=where), params).fetchall()
    persons = dbapi.execute(_P_SQL.format(where=where), params).fetchall()
    members = screen.Members(persons)
    rules = screen.rule_suspects(households, members, month)
    rules.update(r[0] for r in dbapi.execute(_DETAIL_SQL.format(where=where, trim=w.trim), [*params, WHITESPACE, WHITESPACE]))
    for table, second, extra in (("measures", "text", ""), ("income_items", "label", w.bad_amounts)):
        sql = _TEXTS_SQL.format(table=table, second=second, extra=extra, where=where, concat=w.concat)
        first, other, *bad = dbapi.execute(sql, params).fetchone()
        if bad and bad[0] is not None:
            rules.update(map(int, bad[0].split(",")))
        missing = screen.unprintable(f"{first or ''}{other or ''}")
        if missing:  # rare: the households whose measures or income texts hold one of them
            chars = sorted(missing)
            test = " OR ".join(f"{w.instr.format('category')} > 0 OR {w.instr.format(second)} > 0" for _c in chars)
            args = [*params, *(c for c in chars for _twice in range(2))]
            rules.update(r[0] for r in dbapi.execute(_HAS_SQL.format(table=table, where=where, test=test), args))
    return Suspects(rules, screen.twin_suspects(members), len(households), len(persons))

"""The screen of a full check: which households of a period may have a finding (``app.rules.screen``).

Reads plain tuples straight from the DB-API cursor (no Row objects): the households' own columns,
the members' eight rule columns, and for measures and income items only what H-04, H-08 and H-09
can object to, answered by SQLite (a blank-only measure list, a negative or non-numeric amount,
characters outside the fonts). ``checks.check_period`` then runs the rules on the named households.
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
_DETAIL_SQL = """SELECT h.id FROM households h WHERE {where} AND (
  (h.band = 'A' AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.household_id = h.id
     AND (trim(coalesce(m.category, ''), ?) <> '' OR trim(coalesce(m.text, ''), ?) <> '')))
  OR EXISTS (SELECT 1 FROM income_items i WHERE i.household_id = h.id
     AND NOT (typeof(i.amount) IN ('integer', 'real') AND i.amount >= 0)))"""
_TEXTS_SQL = ("SELECT group_concat(category, ''), group_concat({second}, '') FROM {table} "
              "WHERE household_id IN (SELECT h.id FROM households h WHERE {where})")
_HAS_SQL = ("SELECT DISTINCT household_id FROM {table} WHERE household_id IN "
            "(SELECT h.id FROM households h WHERE {where}) AND ({test})")


@dataclass
class Suspects:
    """Household ids for the household rules (``rules``) and for H-12 (``twins``); the counts seen."""

    rules: set[int]
    twins: set[int]
    households: int
    persons: int


def suspects(dbapi, period_id: int, month: str, villages: list[int] | None) -> Suspects:
    """Screen the households of ``period_id`` (in ``villages`` when given) with plain DB-API queries."""
    where, params = "h.period_id = ?", [period_id]
    if villages is not None:
        where += f" AND h.village_id IN ({', '.join('?' * len(villages))})" if villages else " AND 0"
        params += villages
    households = dbapi.execute(_H_SQL.format(where=where), params).fetchall()
    persons = dbapi.execute(_P_SQL.format(where=where), params).fetchall()
    members = screen.Members(persons)
    rules = screen.person_suspects(members, month)
    rules |= screen.household_suspects(households, members, month)
    rules.update(r[0] for r in dbapi.execute(_DETAIL_SQL.format(where=where), [*params, WHITESPACE, WHITESPACE]))
    for table, second in (("measures", "text"), ("income_items", "label")):
        first, other = dbapi.execute(_TEXTS_SQL.format(table=table, second=second, where=where), params).fetchone()
        missing = screen.unprintable(f"{first or ''}{other or ''}")
        if missing:  # rare: the households whose measures or income texts hold one of them
            chars = sorted(missing)
            test = " OR ".join(f"instr(category, ?) > 0 OR instr({second}, ?) > 0" for _c in chars)
            args = [*params, *(c for c in chars for _twice in range(2))]
            rules.update(r[0] for r in dbapi.execute(_HAS_SQL.format(table=table, where=where, test=test), args))
    return Suspects(rules, screen.twin_suspects(members), len(households), len(persons))

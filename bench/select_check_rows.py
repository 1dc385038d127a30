"""The baseline of ``guatu check``'s whole-process timing: a bare SELECT of the rows a full check
reads (the latest period's households, members, measures and income items), fetched with sqlite3
in a fresh interpreter. Usage: python bench/select_check_rows.py DB [--records]

``--records`` adds the rows the household-records rules of the month's check read (household-records.md:
T-01/T-02 the members with 大病/长期慢性病 and the year's treatment records, V-01/V-02 the visits and
the band-A households with their heads), the larger part of what those rules read."""

import sqlite3
import sys

HOUSEHOLDS = ("id, band, prior_income, head_phone, cause, helper_name, helper_unit, helper_phone, expected_month, "
              "closed_out, housing_grade, housing_renovated, ytd_income, remark")
PERSONS = "household_id, name, relation, age, health, labour, id_number, phone, position"
IN_PERIOD = "household_id IN (SELECT id FROM households WHERE period_id = ?)"

con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
period = con.execute("SELECT id FROM periods ORDER BY month DESC LIMIT 1").fetchone()[0]
rows = con.execute(f"SELECT {HOUSEHOLDS} FROM households WHERE period_id = ?", (period,)).fetchall()
rows += con.execute(f"SELECT {PERSONS} FROM persons WHERE {IN_PERIOD} ORDER BY household_id, id", (period,)).fetchall()
rows += con.execute(f"SELECT household_id, category, text FROM measures WHERE {IN_PERIOD}", (period,)).fetchall()
rows += con.execute(f"SELECT household_id, category, label, amount FROM income_items WHERE {IN_PERIOD}",
                    (period,)).fetchall()
if "--records" in sys.argv[2:]:
    month = con.execute("SELECT month FROM periods WHERE id = ?", (period,)).fetchone()[0]
    rows += con.execute("SELECT h.uuid, h.village_id, p.uuid, p.name, p.health FROM households h JOIN persons p "
                        "ON p.household_id = h.id WHERE h.period_id = ? AND p.health IN ('大病', '长期慢性病')",
                        (period,)).fetchall()
    rows += con.execute("SELECT person_uuid FROM treatment_records WHERE year = ?", (int(month[:4]),)).fetchall()
    rows += con.execute("SELECT max(visited_on), household_uuid FROM visits GROUP BY household_uuid").fetchall()
    rows += con.execute("SELECT h.uuid, h.village_id, p.name FROM households h LEFT JOIN persons p ON "
                        "p.household_id = h.id AND p.relation = '户主' WHERE h.period_id = ? AND h.band = 'A' "
                        "AND NOT h.closed_out", (period,)).fetchall()
print(len(rows))

"""The baseline of ``guatu check``'s whole-process timing: a bare SELECT of the rows a full check
reads (the latest period's households, members, measures and income items), fetched with sqlite3
in a fresh interpreter. Usage: python bench/select_check_rows.py DB"""

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
print(len(rows))

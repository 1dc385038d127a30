"""Ledger dates and the month's kept check summary.

- ``problems.opened_on`` (问题 entered on) and ``tasks.created_on``: "本月新增问题" in the analysis and
  D-05's grace for a 长期坚持 task created this month. Rows made before this revision keep NULL
  (the date is not known; they count as opened before any month analysed and D-05 judges them as before).
- ``problems.feedback_month``: the data month whose 反馈单 a 分析反馈 problem came from, until now kept
  as the 整改措施 text "分析反馈 YYYY-MM"; that text is moved into the column (and 整改措施 cleared).
- ``check_summaries``: a month's register figures and its findings counted by code, severity and
  township (and the M-07 anomalies), kept per unit so the monthly analysis does not re-run the whole
  check. Triggers delete the summaries of a month, and of the month after it (M-07 compares a month
  with the one before), when anything the check reads for that month is written (the register and
  its lines, fund projects, hand counts, notes, 动态调整); and every summary when a table that is not
  kept by month is written (units, visits, treatment records, 监测户), or a month is added or removed
  (which month is "the one before" changes).

Revision ID: 0007_ledger_dates
Revises: 0006_measure_start
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_ledger_dates"
down_revision = "0006_measure_start"
branch_labels = None
depends_on = None

# table -> the SQL of the period a row belongs to ({row} is NEW or OLD); None: every month
BY_PERIOD = {
    "households": "{row}.period_id",
    "fund_projects": "{row}.period_id",
    "hand_counts": "{row}.period_id",
    "verification_notes": "{row}.period_id",
    "adjustments": "{row}.period_id",
    "persons": "(SELECT period_id FROM households WHERE id = {row}.household_id)",
    "measures": "(SELECT period_id FROM households WHERE id = {row}.household_id)",
    "income_items": "(SELECT period_id FROM households WHERE id = {row}.household_id)",
}
EVERY_PERIOD = ("units", "visits", "visit_problems", "work_log", "treatment_records", "monitored_households",
                "monitor_measures", "periods")
# periods: a month added or removed changes which month comes before another; its state (the lock) is
# not read by the check, so an UPDATE (locking, reopening) keeps the summaries
EVENTS = {"periods": ("INSERT", "DELETE")}
# the month after a period (the next one there is): its M-07 compares with this one
NEXT = "(SELECT n.id FROM periods n WHERE n.month > (SELECT q.month FROM periods q WHERE q.id = {p}) ORDER BY n.month LIMIT 1)"


def _triggers() -> list[tuple[str, str]]:
    out = []
    for table in (*BY_PERIOD, *EVERY_PERIOD):
        for event in EVENTS.get(table, ("INSERT", "UPDATE", "DELETE")):
            name = f"trg_check_summaries_{table}_{event.lower()}"
            rows = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}[event]
            if table in BY_PERIOD:
                own = [BY_PERIOD[table].format(row=r) for r in rows]
                periods = ", ".join([*own, *(NEXT.format(p=p) for p in own)])
                body = f"DELETE FROM check_summaries WHERE period_id IN ({periods});"
            else:
                body = "DELETE FROM check_summaries;"
            # the WHEN keeps a bulk write cheap: one probe of an (often empty) table per row
            out.append((name, f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                              f"WHEN EXISTS (SELECT 1 FROM check_summaries) BEGIN {body} END"))
    return out


def upgrade() -> None:
    with op.batch_alter_table("problems") as batch:
        batch.add_column(sa.Column("opened_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("feedback_month", sa.String(length=7), nullable=True))
    with op.batch_alter_table("tasks") as batch:
        batch.add_column(sa.Column("created_on", sa.Date(), nullable=True))
    op.execute("UPDATE problems SET feedback_month = substr(measures, 6, 7), measures = NULL "
               "WHERE source = '分析反馈' AND measures LIKE '分析反馈 ____-__'")
    op.create_table(
        "check_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("app_version", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_check_summaries_period_id_periods"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_check_summaries_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_summaries")),
        sa.UniqueConstraint("period_id", "unit_id", name=op.f("uq_check_summaries_period_id")),
    )
    if op.get_bind().dialect.name == "sqlite":  # elsewhere no summary is kept (analysis.month_figures)
        for _name, sql in _triggers():
            op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, _sql in _triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("check_summaries")
    op.execute("UPDATE problems SET measures = '分析反馈 ' || feedback_month "
               "WHERE feedback_month IS NOT NULL AND measures IS NULL")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("created_on")
    with op.batch_alter_table("problems") as batch:
        batch.drop_column("feedback_month")
        batch.drop_column("opened_on")

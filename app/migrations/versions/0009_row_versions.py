"""Row versions for concurrent clerks: households, persons, count rows (hand_counts) and ledger rows
(tasks, problems) get ``version`` (existing rows start at 1), who changed them last and when, and
through which open register; ``changes`` is the sequence of committed operations other open
windows poll to repaint what changed.

Revision ID: 0009_row_versions
Revises: 0007_ledger_dates (re-chained after main's 0007 landed)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_row_versions"
down_revision = "0007_ledger_dates"
branch_labels = None
depends_on = None

TABLES = ("households", "persons", "hand_counts", "tasks", "problems")


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): SQLite adds a NOT NULL column with a default in place,
    # and a rebuild would trip over the triggers other tables keep on these (0007).
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        op.add_column(table, sa.Column("changed_by", sa.String(length=80), nullable=True))
        op.add_column(table, sa.Column("changed_at", sa.DateTime(), nullable=True))
        op.add_column(table, sa.Column("changed_via", sa.String(length=32), nullable=True))
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("via", sa.String(length=32), nullable=True),
        sa.Column("who", sa.String(length=80), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
    )


def downgrade() -> None:
    op.drop_table("changes")
    for table in TABLES:  # plain DROP COLUMN (SQLite 3.35+), as the upgrade added them
        for column in ("changed_via", "changed_at", "changed_by", "version"):
            op.drop_column(table, column)

"""analysis reports: the figures frozen on export and the clerk's edits, per month and unit

Revision ID: 0005_analysis
Revises: 0005_ledgers
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_analysis"
down_revision = "0005_ledgers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analysis_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.Column("exported_at", sa.DateTime(), nullable=True),
        sa.Column("edits", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["period_id"], ["periods.id"], name=op.f("fk_analysis_reports_period_id_periods"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_analysis_reports_unit_id_units"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_reports")),
        sa.UniqueConstraint("period_id", "unit_id", name=op.f("uq_analysis_reports_period_id")),
    )


def downgrade() -> None:
    op.drop_table("analysis_reports")

"""measures.start_month: the month a household's measure was first seen, so R-01 and the analysis can
tell "no new measure this month"; existing lines take the first month the same household (by UUID)
had the same measure text.

Revision ID: 0006_measure_start
Revises: 0005_analysis
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_measure_start"
down_revision = "0005_analysis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("measures") as batch:
        batch.add_column(sa.Column("start_month", sa.String(length=7), nullable=True))
    op.execute(
        "UPDATE measures SET start_month = ("
        "SELECT min(p2.month) FROM measures m2 JOIN households h2 ON h2.id = m2.household_id "
        "JOIN periods p2 ON p2.id = h2.period_id "
        "WHERE m2.text = measures.text AND h2.uuid = "
        "(SELECT h.uuid FROM households h WHERE h.id = measures.household_id))")


def downgrade() -> None:
    with op.batch_alter_table("measures") as batch:
        batch.drop_column("start_month")

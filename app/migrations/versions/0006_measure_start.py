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
    # grouped once and joined: a correlated subquery per line is quadratic (hours on 100,000 persons)
    op.execute(
        "UPDATE measures SET start_month = s.first FROM ("
        " SELECT m.id AS id, f.first AS first FROM measures m JOIN households h ON h.id = m.household_id"
        " JOIN (SELECT h2.uuid AS uuid, m2.text AS text, min(p2.month) AS first"
        "  FROM measures m2 JOIN households h2 ON h2.id = m2.household_id JOIN periods p2 ON p2.id = h2.period_id"
        "  WHERE m2.text IS NOT NULL GROUP BY h2.uuid, m2.text) f ON f.uuid = h.uuid AND f.text = m.text) s"
        " WHERE s.id = measures.id")


def downgrade() -> None:
    with op.batch_alter_table("measures") as batch:
        batch.drop_column("start_month")

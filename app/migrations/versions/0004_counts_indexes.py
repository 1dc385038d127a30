"""covering indexes for the 附件1/附件2 GROUP BY (app.services.counts): under 1 s for 100,000 persons

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ASSISTANCE = (
    "housing", "education", "medical", "water", "industry", "industry_started", "industry_benefited",
    "employment", "public_post", "graduate_placement", "dibao",
)


def upgrade() -> None:
    op.create_index("ix_households_counts", "households", ["period_id", "band", "village_id", "ytd_income"])
    op.create_index("ix_persons_assistance", "persons", ["household_id", *ASSISTANCE])


def downgrade() -> None:
    op.drop_index("ix_persons_assistance", table_name="persons")
    op.drop_index("ix_households_counts", table_name="households")

"""the office's own mailbox (the mail draft's From:)

Revision ID: 0005_office_mailbox
Revises: 0004
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_office_mailbox"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.add_column(sa.Column("mailbox", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("office") as batch:
        batch.drop_column("mailbox")

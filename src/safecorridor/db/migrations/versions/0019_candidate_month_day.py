"""a candidate's day and month when its report gives no year ("--10-27"): the extractor keeps
it instead of making a year up, and the reviewer sets the year

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(sa.Column("month_day", sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("month_day")

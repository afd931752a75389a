"""movement risk at approval, as the approver's organisation sees it; one head again

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
#: joins the four branches that grew from 0002, so the history has a single head from here
down_revision = ("0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval_risk_level", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("approval_risk_score", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("approval_risk_details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("movements", schema=None) as batch_op:
        batch_op.drop_column("approval_risk_details")
        batch_op.drop_column("approval_risk_score")
        batch_op.drop_column("approval_risk_level")

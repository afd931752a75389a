"""risk policies: the history of the deployment's active risk policy

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("activated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_policies")),
    )
    with op.batch_alter_table("risk_policies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_policies_version"), ["version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_policies_version"))
    op.drop_table("risk_policies")

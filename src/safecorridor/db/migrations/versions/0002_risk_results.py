"""risk results

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("subject_name", sa.String(length=300), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(length=100), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_results")),
    )
    with op.batch_alter_table("risk_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_results_policy_sha256"), ["policy_sha256"], unique=False
        )
        batch_op.create_index(
            "ix_risk_results_subject", ["kind", "subject_id", "as_of"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_results", schema=None) as batch_op:
        batch_op.drop_index("ix_risk_results_subject")
        batch_op.drop_index(batch_op.f("ix_risk_results_policy_sha256"))

    op.drop_table("risk_results")

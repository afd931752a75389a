"""risk_served_fits: the policies served each quarter, fitted on one reader's history and
kept in the store so that every process (web workers, the alert worker, the CLI) reads the
fit instead of fitting it again (7-14 s each for 10,000-100,000 incidents).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "risk_served_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("quarter", sa.Date(), nullable=False),
        sa.Column("data_sha256", sa.String(length=64), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_served_fits")),
        sa.UniqueConstraint(
            "policy_sha256",
            "quarter",
            "data_sha256",
            name=op.f("uq_risk_served_fits_policy_sha256"),
        ),
    )
    with op.batch_alter_table("risk_served_fits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_served_fits_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_served_fits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_served_fits_created_at"))
    op.drop_table("risk_served_fits")

"""the process (pid, host) of each ingest run, as import runs have had since 0013, so an
ingest whose process died ends as interrupted rather than running forever

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hostname", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ingest_runs") as batch:
        batch.drop_column("hostname")
        batch.drop_column("pid")

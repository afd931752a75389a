"""a document's publication day read from its own text ("Published in Dawn, May 7th, 2024")
when neither its source nor the user gave one, and marked as such

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 12:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(
            sa.Column(
                "published_from_text", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("published_from_text")

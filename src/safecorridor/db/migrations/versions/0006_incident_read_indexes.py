"""incident read indexes: a covering index for filtered counts, updated_at for change stamps

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_status_date_tlp",
            ["status", "event_date", "tlp", "owner_org_id", "event_type"],
            unique=False,
        )
        batch_op.create_index("ix_incidents_updated_at", ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_updated_at")
        batch_op.drop_index("ix_incidents_status_date_tlp")

"""a meeting's number is unique within the organisation that records it, not across the store
(another organisation's record of a meeting, perhaps under a marking the writer may not read,
is no reason to refuse one, and the refusal told the writer that it existed)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 16:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jwg_meetings") as batch:
        batch.drop_constraint("uq_jwg_meetings_series", type_="unique")
        batch.create_unique_constraint(
            "uq_jwg_meetings_owner_org_id", ["owner_org_id", "series", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("jwg_meetings") as batch:
        batch.drop_constraint("uq_jwg_meetings_owner_org_id", type_="unique")
        batch.create_unique_constraint("uq_jwg_meetings_series", ["series", "number"])

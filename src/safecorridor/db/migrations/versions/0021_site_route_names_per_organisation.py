"""site and route names are unique within their organisation, not across the store (a name
another organisation holds, perhaps under a marking the writer may not read, is no reason to
refuse one, and the refusal told the writer that it existed)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = ("sites", "routes")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_name", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_owner_org_id", ["owner_org_id", "name"])


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_owner_org_id", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_name", ["name"])

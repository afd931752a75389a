"""the keyed audit chain: each event's hash scheme (the events so far are plain sha256, every
new one HMAC-SHA256 under a key kept outside the database); checkpoints of the logs (count and
head, sealed with the key), and the count of plain events the audit log held when upgraded;
the process (pid, host) of each import run, so a run whose process died can end as interrupted

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 03:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(
            sa.Column("scheme", sa.String(length=16), nullable=False, server_default="sha256")
        )
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("hostname", sa.String(length=255), nullable=True))
    checkpoints = op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("log", sa.String(length=20), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("head_id", sa.Integer(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("mac", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    # the plain events the audit log holds now: the only ones that may ever verify unkeyed
    conn = op.get_bind()
    count = conn.scalar(sa.text("SELECT count(*) FROM audit_events")) or 0
    if count:
        head = conn.execute(
            sa.text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")
        ).one()
        op.bulk_insert(
            checkpoints,
            [
                {
                    "created_at": datetime.now(UTC).replace(tzinfo=None),
                    "kind": "legacy",
                    "log": "audit log",
                    "event_count": count,
                    "head_id": head.id,
                    "head_hash": head.hash,
                    "mac": None,
                }
            ],
        )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("hostname")
        batch.drop_column("pid")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("scheme")

"""interop: partner feeds with their bookmarks, feed runs, TAXII status resources, and the
index TAXII collections are read in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("collection", sa.String(length=200), nullable=True),
        sa.Column("token", sa.String(length=500), nullable=True),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("default_tlp", sa.String(length=12), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("bookmark", sa.String(length=100), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("last_polled_at", sa.DateTime(), nullable=True),
        sa.Column("last_status", sa.String(length=10), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_feeds_owner_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feeds")),
        sa.UniqueConstraint("name", name=op.f("uq_feeds_name")),
    )
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feeds_next_poll_at"), ["next_poll_at"], unique=False)

    op.create_table(
        "feed_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("bookmark_from", sa.String(length=100), nullable=True),
        sa.Column("bookmark_to", sa.String(length=100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_feed_runs_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_runs")),
    )
    with op.batch_alter_table("feed_runs", schema=None) as batch_op:
        batch_op.create_index("ix_feed_runs_feed_started", ["feed_id", "started_at"], unique=False)

    op.create_table(
        "taxii_statuses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("request_timestamp", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("success_count", sa.Integer(), nullable=False),
        sa.Column("failure_count", sa.Integer(), nullable=False),
        sa.Column("pending_count", sa.Integer(), nullable=False),
        sa.Column("successes", sa.JSON(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("pendings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_taxii_statuses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxii_statuses")),
    )
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_taxii_statuses_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_collection_order", ["status", "tlp", "updated_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_collection_order")
    with op.batch_alter_table("taxii_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taxii_statuses_user_id"))
    op.drop_table("taxii_statuses")
    with op.batch_alter_table("feed_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_runs_feed_started")
    op.drop_table("feed_runs")
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feeds_next_poll_at"))
    op.drop_table("feeds")

"""candidates and ingest runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("documents_new", sa.Integer(), nullable=False),
        sa.Column("documents_duplicate", sa.Integer(), nullable=False),
        sa.Column("documents_near_duplicate", sa.Integer(), nullable=False),
        sa.Column("documents_failed", sa.Integer(), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_runs")),
    )
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=True),
        sa.Column("sub_event_type", sa.String(length=60), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("date_precision", sa.String(length=5), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("admin1", sa.String(length=100), nullable=True),
        sa.Column("admin2", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("geo_precision", sa.Integer(), nullable=True),
        sa.Column("perpetrator", sa.String(length=300), nullable=True),
        sa.Column("perpetrator_parent", sa.String(length=300), nullable=True),
        sa.Column("claimed_by", sa.String(length=300), nullable=True),
        sa.Column("actors", sa.JSON(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("fatalities", sa.Integer(), nullable=True),
        sa.Column("foreign_fatalities", sa.Integer(), nullable=True),
        sa.Column("foreign_nationality", sa.String(length=100), nullable=True),
        sa.Column("injured", sa.Integer(), nullable=True),
        sa.Column("abducted", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("span", sa.JSON(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("field_confidence", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("extractor", sa.String(length=100), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_candidates_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_candidates_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_candidates_owner_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidates")),
        sa.UniqueConstraint("document_id", "position", name=op.f("uq_candidates_document_id")),
    )
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidates_confidence"), ["confidence"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_candidates_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_candidates_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_candidates_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidates_status"))
        batch_op.drop_index(batch_op.f("ix_candidates_incident_id"))
        batch_op.drop_index(batch_op.f("ix_candidates_document_id"))
        batch_op.drop_index(batch_op.f("ix_candidates_confidence"))

    op.drop_table("candidates")
    op.drop_table("ingest_runs")

"""alerts that never miss: a transactional outbox of incidents to evaluate, filled by a
trigger on ``incidents`` in the inserting transaction (every path: ORM, COPY, importers)

The rules' ``cursor`` changes meaning from "highest incident id evaluated" to "last outbox
event before the rule": the confirmed incidents some incident rule has not yet evaluated are
queued (in id order), and each rule's cursor becomes the last event of an incident it had
evaluated, so no rule hears of an incident twice or misses one across the upgrade.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INCIDENT_KINDS = "('incident_near', 'foreign_fatalities')"

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER incidents_outbox_insert AFTER INSERT ON incidents
    WHEN NEW.status = 'confirmed'
    BEGIN
        INSERT INTO incident_outbox (incident_id, created_at, attempts)
        VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0);
    END
    """,
    """
    CREATE TRIGGER incidents_outbox_confirm AFTER UPDATE OF status ON incidents
    WHEN NEW.status = 'confirmed' AND OLD.status IS NOT 'confirmed'
    BEGIN
        INSERT INTO incident_outbox (incident_id, created_at, attempts)
        VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0);
    END
    """,
)

PG_FUNCTION = """
CREATE FUNCTION incident_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'confirmed'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'confirmed') THEN
        INSERT INTO incident_outbox (incident_id, created_at, attempts)
        VALUES (NEW.id, clock_timestamp() AT TIME ZONE 'UTC', 0);
    END IF;
    RETURN NULL;
END
$$
"""
PG_TRIGGER = """
CREATE TRIGGER incidents_outbox AFTER INSERT OR UPDATE OF status ON incidents
FOR EACH ROW EXECUTE FUNCTION incident_outbox_enqueue()
"""


def upgrade() -> None:
    op.create_table(
        "incident_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(), server_default=sa.func.current_timestamp(), nullable=False
        ),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_outbox_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_outbox")),
    )
    with op.batch_alter_table("incident_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_outbox_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_outbox_processed_at"), ["processed_at"], unique=False
        )
        batch_op.create_index(
            "ix_incident_outbox_pending",
            ["id"],
            unique=False,
            sqlite_where=sa.text("processed_at IS NULL"),
            postgresql_where=sa.text("processed_at IS NULL"),
        )
    # what the incident rules have not evaluated yet is queued, in id order
    op.execute(
        "INSERT INTO incident_outbox (incident_id, created_at, attempts) "
        "SELECT id, CURRENT_TIMESTAMP, 0 FROM incidents "
        "WHERE status = 'confirmed' AND id > (SELECT COALESCE(MIN(cursor), 0) FROM alert_rules "
        f"WHERE is_active AND kind IN {INCIDENT_KINDS}) "
        "AND EXISTS (SELECT 1 FROM alert_rules "
        f"WHERE is_active AND kind IN {INCIDENT_KINDS}) ORDER BY id"
    )
    # each rule starts after the last queued incident it had already evaluated
    op.execute(
        "UPDATE alert_rules SET cursor = COALESCE((SELECT MAX(o.id) FROM incident_outbox o "
        "WHERE o.incident_id <= alert_rules.cursor), 0) "
        f"WHERE kind IN {INCIDENT_KINDS}"
    )
    # the backfilled rows that every rule had evaluated need no evaluation
    op.execute(
        "UPDATE incident_outbox SET processed_at = CURRENT_TIMESTAMP WHERE id <= "
        "(SELECT COALESCE(MIN(cursor), 0) FROM alert_rules "
        f"WHERE is_active AND kind IN {INCIDENT_KINDS})"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for ddl in SQLITE_TRIGGERS:
            op.execute(ddl)


def downgrade() -> None:
    # back to "highest incident id evaluated": the last incident before the rule or processed
    op.execute(
        "UPDATE alert_rules SET cursor = COALESCE((SELECT MAX(o.incident_id) "
        "FROM incident_outbox o WHERE o.id <= alert_rules.cursor "
        "OR o.processed_at IS NOT NULL), 0) "
        f"WHERE kind IN {INCIDENT_KINDS}"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox ON incidents")
        op.execute("DROP FUNCTION IF EXISTS incident_outbox_enqueue()")
    else:
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox_insert")
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox_confirm")
    with op.batch_alter_table("incident_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_outbox_pending")
        batch_op.drop_index(batch_op.f("ix_incident_outbox_processed_at"))
        batch_op.drop_index(batch_op.f("ix_incident_outbox_incident_id"))
    op.drop_table("incident_outbox")

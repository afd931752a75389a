"""a new partner hears of the AMBER incidents it may now read: when an organisation lists
another as a partner, its confirmed TLP:AMBER incidents are queued for the incident rules
again, as a widened marking is (0023). Alerts are keyed by (rule, incident): a rule that heard
of one before makes nothing new.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 16:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

AMBER_OF_OWNER = (
    "FROM incidents WHERE owner_org_id = NEW.organisation_id "
    "AND tlp = 'AMBER' AND status = 'confirmed'"
)

SQLITE_TRIGGER = f"""
CREATE TRIGGER partners_outbox AFTER INSERT ON organisation_partners
BEGIN
    INSERT INTO incident_outbox (incident_id, created_at, attempts)
    SELECT id, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0 {AMBER_OF_OWNER} ORDER BY id;
END
"""

PG_FUNCTION = f"""
CREATE FUNCTION partners_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incident_outbox (incident_id, created_at, attempts)
    SELECT id, clock_timestamp() AT TIME ZONE 'UTC', 0 {AMBER_OF_OWNER} ORDER BY id;
    RETURN NULL;
END
$$
"""
PG_TRIGGER = """
CREATE TRIGGER partners_outbox AFTER INSERT ON organisation_partners
FOR EACH ROW EXECUTE FUNCTION partners_outbox_enqueue()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS partners_outbox ON organisation_partners")
        op.execute("DROP FUNCTION IF EXISTS partners_outbox_enqueue()")
    else:
        op.execute("DROP TRIGGER IF EXISTS partners_outbox")

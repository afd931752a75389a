"""an incident rule hears of a confirmed incident again when it changes in a way that may make
it fire for other organisations: its marking or owner (a partner may now read it), its place
(it may now lie near a watched site) or its foreign fatalities. The outbox trigger fired only
when an incident was confirmed, so an incident an owner widened from AMBER+STRICT to GREEN
never reached the rules of the organisations that could now read it. Alerts are keyed by
(rule, incident): a rule that heard of it before makes nothing new.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 16:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

#: the columns whose change may make an incident rule fire where it did not
WATCHED = ("tlp", "owner_org_id", "latitude", "longitude", "foreign_fatalities")

SQLITE_TRIGGER = f"""
CREATE TRIGGER incidents_outbox_change AFTER UPDATE OF {", ".join(WATCHED)} ON incidents
WHEN NEW.status = 'confirmed' AND OLD.status = 'confirmed'
     AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in WATCHED)})
BEGIN
    INSERT INTO incident_outbox (incident_id, created_at, attempts)
    VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now'), 0);
END
"""

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION incident_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'confirmed'
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'confirmed'
            OR {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in WATCHED)}) THEN
        INSERT INTO incident_outbox (incident_id, created_at, attempts)
        VALUES (NEW.id, clock_timestamp() AT TIME ZONE 'UTC', 0);
    END IF;
    RETURN NULL;
END
$$
"""
PG_TRIGGER = f"""
CREATE TRIGGER incidents_outbox AFTER INSERT OR UPDATE OF status, {", ".join(WATCHED)}
ON incidents FOR EACH ROW EXECUTE FUNCTION incident_outbox_enqueue()
"""

PG_FUNCTION_0014 = """
CREATE OR REPLACE FUNCTION incident_outbox_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
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
PG_TRIGGER_0014 = """
CREATE TRIGGER incidents_outbox AFTER INSERT OR UPDATE OF status ON incidents
FOR EACH ROW EXECUTE FUNCTION incident_outbox_enqueue()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox ON incidents")
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox ON incidents")
        op.execute(PG_FUNCTION_0014)
        op.execute(PG_TRIGGER_0014)
    else:
        op.execute("DROP TRIGGER IF EXISTS incidents_outbox_change")

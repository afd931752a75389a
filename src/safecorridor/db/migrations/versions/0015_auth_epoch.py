"""revocation on every node at once: one ``auth_epoch`` row that triggers bump in the
transaction of every change that ends or narrows a credential (a token revoked, shortened,
moved or deleted; a user deactivated, deleted, or given another role, organisation or
e-mail address). A process trusts a token it checked before only while the epoch is
unchanged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

#: the changes that bump the epoch: (table, columns whose change counts)
WATCHED = (
    ("api_tokens", ("revoked_at", "expires_at", "user_id", "token_hash")),
    ("users", ("is_active", "role", "organisation_id", "email")),
)

#: the row may be missing (a table emptied by hand): the bump puts it back
SQLITE_BUMP = (
    "INSERT OR IGNORE INTO auth_epoch (id, epoch) VALUES (1, 0); "
    "UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1;"
)

PG_FUNCTION = """
CREATE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO auth_epoch (id, epoch) VALUES (1, 1)
    ON CONFLICT (id) DO UPDATE SET epoch = auth_epoch.epoch + 1;
    RETURN NULL;
END
$$
"""


def _changed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


def upgrade() -> None:
    op.create_table(
        "auth_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_epoch")),
    )
    op.execute("INSERT INTO auth_epoch (id, epoch) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table, columns in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_auth_epoch_update AFTER UPDATE OF {', '.join(columns)} "
                f"ON {table} FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM')}) "
                "EXECUTE FUNCTION auth_epoch_bump()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_auth_epoch_delete AFTER DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION auth_epoch_bump()"
            )
    else:
        for table, columns in WATCHED:
            op.execute(
                f"CREATE TRIGGER {table}_auth_epoch_update AFTER UPDATE OF {', '.join(columns)} "
                f"ON {table} WHEN {_changed(columns, 'IS NOT')} BEGIN {SQLITE_BUMP} END"
            )
            op.execute(
                f"CREATE TRIGGER {table}_auth_epoch_delete AFTER DELETE ON {table} "
                f"BEGIN {SQLITE_BUMP} END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, _columns in WATCHED:
        for event in ("update", "delete"):
            on = f" ON {table}" if postgres else ""
            op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_epoch_{event}{on}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS auth_epoch_bump()")
    op.drop_table("auth_epoch")

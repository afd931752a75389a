"""one name may stand for several actor records: an actor known only from records some
readers may not read is not lent to a record those readers read (its stored spelling, aliases
and description would tell them of it), so a second actor of that name is made; names and
alias keys are indexed rather than unique (unique per actor). An actor is in the register
(read by every signed-in user) by a flag, no longer by being named by no incident: a
restricted record's actor no longer joins the register when that record goes. The flag is
set for the actors that were in the register (named by no incident) and those an open (CLEAR
or GREEN) incident names, whom every signed-in user reads already. Incidents' claimants are
indexed, as their other actors are (the actor register and the export read them by actor).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


NAMED = (
    "(incidents.actor1_id = actors.id OR incidents.actor2_id = actors.id "
    "OR incidents.claimed_by_id = actors.id)"
)


def upgrade() -> None:
    with op.batch_alter_table("actors") as batch:
        batch.drop_constraint("uq_actors_name", type_="unique")
        batch.create_index("ix_actors_name", ["name"], unique=False)
        batch.add_column(
            sa.Column("in_register", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute(
        "UPDATE actors SET in_register = false "
        f"WHERE EXISTS (SELECT 1 FROM incidents WHERE {NAMED}) "
        f"AND NOT EXISTS (SELECT 1 FROM incidents WHERE {NAMED} "
        "AND incidents.tlp IN ('CLEAR', 'GREEN'))"
    )
    with op.batch_alter_table("actor_aliases") as batch:
        batch.drop_constraint("uq_actor_aliases_key", type_="unique")
        batch.create_index("ix_actor_aliases_key", ["key"], unique=False)
        batch.create_unique_constraint("uq_actor_aliases_actor_id", ["actor_id", "key"])
    with op.batch_alter_table("incidents") as batch:
        batch.create_index("ix_incidents_claimed_by_id", ["claimed_by_id"], unique=False)


def downgrade() -> None:
    # fails, as it should, while two actors share a name or an alias key
    with op.batch_alter_table("incidents") as batch:
        batch.drop_index("ix_incidents_claimed_by_id")
    with op.batch_alter_table("actor_aliases") as batch:
        batch.drop_constraint("uq_actor_aliases_actor_id", type_="unique")
        batch.drop_index("ix_actor_aliases_key")
        batch.create_unique_constraint("uq_actor_aliases_key", ["key"])
    with op.batch_alter_table("actors") as batch:
        batch.drop_column("in_register")
        batch.drop_index("ix_actors_name")
        batch.create_unique_constraint("uq_actors_name", ["name"])

"""the Joint Working Group's work: meetings, delegations, agenda items, decisions, action
items with their history and links, briefing packs; the register of protective measures of
sites and routes (the typed posture of each site carried over into measures in place); a
language per user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: the measure each typed posture dimension becomes
CARRIED = (
    ("perimeter", "perimeter"),
    ("guard_force", "guard_force"),
    ("hardening", "hardened_accommodation"),
)
CARRIED_NOTE = (
    "Carried over from the posture typed on the site before the register of measures "
    "(migration 0011); replace it with the real measures."
)


def _carry_posture_over() -> None:
    """Each site's typed perimeter, guard force and hardening become measures in place (since
    before the register), so no figure changes when the posture starts to be derived."""
    conn = op.get_bind()
    sites = sa.table(
        "sites",
        sa.column("id", sa.Integer),
        sa.column("perimeter", sa.String),
        sa.column("guard_force", sa.String),
        sa.column("hardening", sa.String),
        sa.column("tlp", sa.String),
        sa.column("owner_org_id", sa.Integer),
        sa.column("personnel_is_illustrative", sa.Boolean),
    )
    measures = sa.table(
        "protective_measures",
        sa.column("site_id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("grade", sa.String),
        sa.column("description", sa.Text),
        sa.column("provider", sa.String),
        sa.column("state", sa.String),
        sa.column("is_illustrative", sa.Boolean),
        sa.column("is_carried_over", sa.Boolean),
        sa.column("tlp", sa.String),
        sa.column("owner_org_id", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    now = sa.func.current_timestamp()
    rows = []
    for site in conn.execute(sa.select(sites)).mappings():
        for column, kind in CARRIED:
            grade = site[column]
            if grade in ("standard", "hardened"):
                rows.append(
                    {
                        "site_id": site["id"],
                        "kind": kind,
                        "grade": grade,
                        "description": CARRIED_NOTE,
                        "provider": "",
                        "state": "in_place",
                        "is_illustrative": bool(site["personnel_is_illustrative"]),
                        "is_carried_over": True,
                        "tlp": site["tlp"],
                        "owner_org_id": site["owner_org_id"],
                    }
                )
    for row in rows:
        conn.execute(measures.insert().values(**row, created_at=now, updated_at=now))


def upgrade() -> None:
    op.create_table(
        "jwg_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_links")),
        sa.UniqueConstraint(
            "item_type",
            "item_id",
            "record_type",
            "record_id",
            "role",
            name=op.f("uq_jwg_links_item_type"),
        ),
    )
    op.create_index("ix_jwg_links_record", "jwg_links", ["record_type", "record_id"], unique=False)
    op.create_table(
        "jwg_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=200), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("chair", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("is_illustrative", sa.Boolean(), nullable=False),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_jwg_meetings_owner_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_meetings")),
        sa.UniqueConstraint("series", "number", name=op.f("uq_jwg_meetings_series")),
    )
    op.create_index(op.f("ix_jwg_meetings_held_on"), "jwg_meetings", ["held_on"], unique=False)
    op.create_index(
        op.f("ix_jwg_meetings_owner_org_id"), "jwg_meetings", ["owner_org_id"], unique=False
    )
    op.create_table(
        "jwg_agenda_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["jwg_meetings.id"],
            name=op.f("fk_jwg_agenda_items_meeting_id_jwg_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_agenda_items")),
    )
    op.create_index(
        op.f("ix_jwg_agenda_items_meeting_id"), "jwg_agenda_items", ["meeting_id"], unique=False
    )
    op.create_table(
        "jwg_briefings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("built_by", sa.String(length=254), nullable=False),
        sa.Column("records", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["jwg_meetings.id"],
            name=op.f("fk_jwg_briefings_meeting_id_jwg_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_jwg_briefings_owner_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_briefings")),
    )
    op.create_index(
        op.f("ix_jwg_briefings_meeting_id"), "jwg_briefings", ["meeting_id"], unique=False
    )
    op.create_index(
        op.f("ix_jwg_briefings_owner_org_id"), "jwg_briefings", ["owner_org_id"], unique=False
    )
    op.create_table(
        "jwg_delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=100), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["jwg_meetings.id"],
            name=op.f("fk_jwg_delegations_meeting_id_jwg_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_jwg_delegations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_delegations")),
        sa.UniqueConstraint(
            "meeting_id", "organisation_id", name=op.f("uq_jwg_delegations_meeting_id")
        ),
    )
    op.create_index(
        op.f("ix_jwg_delegations_meeting_id"), "jwg_delegations", ["meeting_id"], unique=False
    )
    op.create_table(
        "jwg_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["jwg_agenda_items.id"],
            name=op.f("fk_jwg_decisions_agenda_item_id_jwg_agenda_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["jwg_meetings.id"],
            name=op.f("fk_jwg_decisions_meeting_id_jwg_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_decisions")),
    )
    op.create_index(
        op.f("ix_jwg_decisions_meeting_id"), "jwg_decisions", ["meeting_id"], unique=False
    )
    op.create_table(
        "jwg_action_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_org_id", sa.Integer(), nullable=True),
        sa.Column("responsible_role", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("overdue_since", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("evidence_note", sa.Text(), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["jwg_decisions.id"],
            name=op.f("fk_jwg_action_items_decision_id_jwg_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["jwg_meetings.id"],
            name=op.f("fk_jwg_action_items_meeting_id_jwg_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_jwg_action_items_owner_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_org_id"],
            ["organisations.id"],
            name=op.f("fk_jwg_action_items_recorded_by_org_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_action_items")),
    )
    op.create_index(
        op.f("ix_jwg_action_items_decision_id"), "jwg_action_items", ["decision_id"], unique=False
    )
    op.create_index(
        op.f("ix_jwg_action_items_meeting_id"), "jwg_action_items", ["meeting_id"], unique=False
    )
    op.create_index(
        op.f("ix_jwg_action_items_owner_org_id"), "jwg_action_items", ["owner_org_id"], unique=False
    )
    op.create_index(
        "ix_jwg_action_items_status_due", "jwg_action_items", ["status", "due_on"], unique=False
    )
    op.create_table(
        "jwg_action_item_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["jwg_action_items.id"],
            name=op.f("fk_jwg_action_item_changes_action_item_id_jwg_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jwg_action_item_changes")),
    )
    op.create_index(
        op.f("ix_jwg_action_item_changes_action_item_id"),
        "jwg_action_item_changes",
        ["action_item_id"],
        unique=False,
    )
    op.create_table(
        "protective_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("route_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("strength", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("planned_for", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("in_place_from", sa.Date(), nullable=True),
        sa.Column("lapsed_on", sa.Date(), nullable=True),
        sa.Column("action_item_id", sa.Integer(), nullable=True),
        sa.Column("is_illustrative", sa.Boolean(), nullable=False),
        sa.Column("is_carried_over", sa.Boolean(), nullable=False),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("owner_org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_item_id"],
            ["jwg_action_items.id"],
            name=op.f("fk_protective_measures_action_item_id_jwg_action_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["organisations.id"],
            name=op.f("fk_protective_measures_owner_org_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["routes.id"],
            name=op.f("fk_protective_measures_route_id_routes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_protective_measures_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protective_measures")),
    )
    op.create_index(
        op.f("ix_protective_measures_action_item_id"),
        "protective_measures",
        ["action_item_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_protective_measures_owner_org_id"),
        "protective_measures",
        ["owner_org_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_protective_measures_route_id"), "protective_measures", ["route_id"], unique=False
    )
    op.create_index(
        op.f("ix_protective_measures_site_id"), "protective_measures", ["site_id"], unique=False
    )
    op.create_table(
        "protective_measure_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("from_state", sa.String(length=20), nullable=True),
        sa.Column("to_state", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["protective_measures.id"],
            name=op.f("fk_protective_measure_changes_measure_id_protective_measures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protective_measure_changes")),
    )
    op.create_index(
        op.f("ix_protective_measure_changes_measure_id"),
        "protective_measure_changes",
        ["measure_id"],
        unique=False,
    )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=10), nullable=True))
    _carry_posture_over()


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locale")

    op.drop_index(
        op.f("ix_protective_measure_changes_measure_id"), table_name="protective_measure_changes"
    )
    op.drop_table("protective_measure_changes")
    op.drop_index(op.f("ix_protective_measures_site_id"), table_name="protective_measures")
    op.drop_index(op.f("ix_protective_measures_route_id"), table_name="protective_measures")
    op.drop_index(op.f("ix_protective_measures_owner_org_id"), table_name="protective_measures")
    op.drop_index(op.f("ix_protective_measures_action_item_id"), table_name="protective_measures")
    op.drop_table("protective_measures")
    op.drop_index(
        op.f("ix_jwg_action_item_changes_action_item_id"), table_name="jwg_action_item_changes"
    )
    op.drop_table("jwg_action_item_changes")
    op.drop_index("ix_jwg_action_items_status_due", table_name="jwg_action_items")
    op.drop_index(op.f("ix_jwg_action_items_owner_org_id"), table_name="jwg_action_items")
    op.drop_index(op.f("ix_jwg_action_items_meeting_id"), table_name="jwg_action_items")
    op.drop_index(op.f("ix_jwg_action_items_decision_id"), table_name="jwg_action_items")
    op.drop_table("jwg_action_items")
    op.drop_index(op.f("ix_jwg_decisions_meeting_id"), table_name="jwg_decisions")
    op.drop_table("jwg_decisions")
    op.drop_index(op.f("ix_jwg_delegations_meeting_id"), table_name="jwg_delegations")
    op.drop_table("jwg_delegations")
    op.drop_index(op.f("ix_jwg_briefings_owner_org_id"), table_name="jwg_briefings")
    op.drop_index(op.f("ix_jwg_briefings_meeting_id"), table_name="jwg_briefings")
    op.drop_table("jwg_briefings")
    op.drop_index(op.f("ix_jwg_agenda_items_meeting_id"), table_name="jwg_agenda_items")
    op.drop_table("jwg_agenda_items")
    op.drop_index(op.f("ix_jwg_meetings_owner_org_id"), table_name="jwg_meetings")
    op.drop_index(op.f("ix_jwg_meetings_held_on"), table_name="jwg_meetings")
    op.drop_table("jwg_meetings")
    op.drop_index("ix_jwg_links_record", table_name="jwg_links")
    op.drop_table("jwg_links")

"""Who sees a movement: the read rule of its pages, its lists and the alerts about it (a
module of its own, below the services, so the alert inbox applies the same rule)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select

from safecorridor.accounts.models import User, organisation_escorts
from safecorridor.movements.choices import MovementState
from safecorridor.movements.models import Movement
from safecorridor.sharing.policy import Viewer, visible
from safecorridor.taxonomy.choices import Role


def decides_for(user: User) -> Any:
    """The movements whose requests ``user``'s organisation decides: its own, and those of
    the organisations that designate it as an escort organisation."""
    return or_(
        Movement.owner_org_id == user.organisation_id,
        Movement.owner_org_id.in_(_designating(user.organisation_id)),
    )


def can_see(user: User) -> Any:
    """The condition under which ``user`` sees a movement: their organisation requested,
    escorts or decided it (an approver may name another organisation as the escort), TLP
    sharing allows it, or they are an escort officer of an organisation that decides its
    requests (once submitted)."""
    conds = [*_its_own(user.organisation_id), visible(Movement, Viewer.of(user))]
    if user.role == Role.ESCORT_OFFICER:
        conds.append(and_(Movement.state != MovementState.DRAFT, decides_for(user)))
    return or_(*conds)


def organisation_sees(organisation_id: int) -> Any:
    """The movements an organisation's own addresses (an alert rule's, an escort's contact)
    may be told of: those it requests, escorts or decides, and those TLP sharing shows it."""
    return or_(
        *_its_own(organisation_id),
        Movement.owner_org_id.in_(_designating(organisation_id)),
        visible(Movement, Viewer.for_organisation(organisation_id)),
    )


def _its_own(organisation_id: int) -> list[Any]:
    """The movements an organisation requested, escorts, or decided (a member of it approved
    or rejected them)."""
    members = select(User.id).where(User.organisation_id == organisation_id)
    return [
        Movement.owner_org_id == organisation_id,
        Movement.escort_org_id == organisation_id,
        Movement.decided_by_id.in_(members),
    ]


def _designating(organisation_id: int) -> Any:
    """The organisations that designate ``organisation_id`` as an escort organisation."""
    return select(organisation_escorts.c.organisation_id).where(
        organisation_escorts.c.escort_id == organisation_id
    )

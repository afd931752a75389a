"""Services over sharing: naming the users who may read a TLP:RED record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.sharing.models import RecordGrant
from safecorridor.sharing.policy import Viewer, record_type
from safecorridor.taxonomy.choices import TLP


def grant_record(
    *, session: Session, record_type: str, record_id: int, user_id: int, granted_by: str
) -> RecordGrant:
    """Let ``user_id`` read a RED record (idempotent: an existing grant is returned)."""
    existing = session.scalar(
        select(RecordGrant).where(
            RecordGrant.record_type == record_type,
            RecordGrant.record_id == record_id,
            RecordGrant.user_id == user_id,
        )
    )
    if existing is not None:
        return existing
    grant = RecordGrant(
        record_type=record_type, record_id=record_id, user_id=user_id, granted_by=granted_by
    )
    session.add(grant)
    session.flush()
    return grant


def keep_readable_by_writer(session: Session, viewer: Viewer, obj: Any) -> None:
    """A record its writer marks RED (an incident, a site, a route) stays readable by that
    writer: RED is read only by the users named on it."""
    if str(obj.tlp) == TLP.RED and viewer.user_id:  # a person (not an organisation's work)
        grant_record(
            session=session,
            record_type=record_type(type(obj)),
            record_id=obj.id,
            user_id=viewer.user_id,
            granted_by=viewer.email,
        )


def has_grant(session: Session, *, record_type: str, record_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(RecordGrant.id).where(
                RecordGrant.record_type == record_type,
                RecordGrant.record_id == record_id,
                RecordGrant.user_id == user_id,
            )
        )
        is not None
    )

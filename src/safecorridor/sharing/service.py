"""Services over sharing: naming the users who may read a TLP:RED record, and which record
a new one may not duplicate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.models import RecordGrant
from safecorridor.sharing.policy import Viewer, record_type, visible
from safecorridor.taxonomy.choices import TLP


def grant_record(
    *,
    session: Session,
    record_type: str,
    record_id: int,
    user_id: int,
    granted_by: str,
    viewer: Viewer | None = None,
    audited: bool = True,
) -> RecordGrant:
    """Let ``user_id`` read a RED record (idempotent: an existing grant is returned). A new
    grant is audited with its state (by ``viewer``, else as ``granted_by``): who reads a RED
    record is what ``audit verify`` must see changed behind the services' back. ``audited``
    False: the caller audits the grant with its own write."""
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
    if audited:
        audit_write(session=session, viewer=viewer, action="grant", obj=grant, actor=granted_by)
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
            viewer=viewer,
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


def clash(
    session: Session,
    model: Any,
    same: ColumnElement[bool],
    *,
    owner_org_id: int | None,
    reader: Viewer | None,
) -> tuple[Any, bool] | None:
    """A record of ``model`` for which ``same`` holds (the same name, the same meeting) that a
    new one owned by ``owner_org_id`` may not duplicate, and whether it is that organisation's
    own: its own organisation's, else one ``reader`` may read (two records the writer would
    have to tell apart). A record only of others, which ``reader`` may not read, is none:
    refusing for it would tell the writer that it exists. ``reader`` None: own records only."""
    owner = model.owner_org_id
    ours = owner.is_(None) if owner_org_id is None else owner == owner_org_id
    own = session.scalar(select(model).where(same, ours).limit(1))
    if own is not None:
        return own, True
    if reader is not None:
        seen = session.scalar(select(model).where(same, visible(model, reader)).limit(1))
        if seen is not None:
            return seen, False
    return None

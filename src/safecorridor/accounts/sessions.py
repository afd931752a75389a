"""Web sessions kept in the database: started at sign-in, looked up on every request, ended
at sign-out (or when the user is deactivated) on every server at once.

The browser holds only a signed cookie carrying a random id; the store keeps the id's sha256,
the session's CSRF token, when it started and when it expires. Times come from the caller's
clock (naive UTC, as stored).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User, WebSession
from safecorridor.accounts.security import token_digest
from safecorridor.settings import get_settings

#: how stale ``last_seen_at`` may get before a request refreshes it
LAST_SEEN_RESOLUTION = timedelta(minutes=5)


def start_session(
    *, session: Session, user: User, now: datetime, address: str = ""
) -> tuple[str, WebSession]:
    """A new session of ``user``: (the id for the cookie, shown once; the stored row)."""
    token = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=token_digest(token),
        user_id=user.id,
        csrf=secrets.token_urlsafe(24),
        address=address[:64],
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=get_settings().session_hours),
    )
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str, *, now: datetime) -> tuple[User, WebSession] | None:
    """The active user and the live (unexpired, unrevoked) session of ``token``, else None."""
    found = session.execute(
        select(User, WebSession)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.token_hash == token_digest(token),
            WebSession.revoked_at.is_(None),
            WebSession.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()
    if found is None:
        return None
    user, row = found
    if now - row.last_seen_at > LAST_SEEN_RESOLUTION:
        row.last_seen_at = now
    return user, row


def end_session(session: Session, token: str, *, now: datetime) -> bool:
    """Revoke the session of ``token``; whether there was a live one."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.token_hash == token_digest(token), WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_user_sessions(session: Session, user_id: int, *, now: datetime) -> int:
    """Revoke every live session of a user (deactivated, role changed, password reset)."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]

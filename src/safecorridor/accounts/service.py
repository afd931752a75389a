"""Services over accounts: users, passwords, sign-in with rate limits, API tokens."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import ApiToken, AuthEpoch, LoginAttempt, Organisation, User
from safecorridor.accounts.security import (
    WeakPasswordError,
    device_email,
    hash_password,
    new_token,
    sign_device,
    token_digest,
    verify_password,
)
from safecorridor.accounts.sessions import end_session, end_user_sessions, start_session
from safecorridor.db.base import utcnow
from safecorridor.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    NotSignedInError,
    RateLimitedError,
)
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import append_event, audit_write, sha256_json
from safecorridor.sharing.policy import Viewer, require_write
from safecorridor.taxonomy.choices import Role
from safecorridor.validation import MAX_ID, email_address, whole_number

#: how stale ``ApiToken.last_used_at`` may get before a request refreshes it
LAST_USED_RESOLUTION = timedelta(minutes=10)
#: how long a process may trust a bearer token it has checked while the auth epoch stays
#: unchanged (see :class:`TokenCache`); the epoch, not this, makes revocations take effect
TOKEN_CACHE_SECONDS = 300.0


def read_auth_epoch(conn: Connection | Session) -> int:
    """The deployment's auth epoch (:class:`AuthEpoch`): one primary-key read; 0 when the
    row is missing (the next bump inserts it)."""
    found = conn.execute(select(AuthEpoch.epoch).where(AuthEpoch.id == 1)).scalar()
    return int(found or 0)


class TokenCache:
    """Who a bearer token signs in, remembered per process with the auth epoch it was
    checked under.

    The hot read endpoints (the incident list) look a token up here and then read the
    deployment's auth epoch (one primary-key read) instead of the token, its user and their
    organisation. An entry is trusted only while the epoch is the one it was stored with:
    every revocation, deactivation or change of role, organisation or e-mail, made by any
    process on any node, bumps the epoch in its own transaction (database triggers, migration
    0015), so it takes effect everywhere at the next request. An entry also lives at most
    ``ttl`` seconds (so ``last_used_at`` stays fresh) and never past the token's expiry.
    """

    def __init__(self, ttl: float = TOKEN_CACHE_SECONDS, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[Any, tuple[Any, int, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any) -> tuple[Any, int] | None:
        """(value, the epoch it was checked under), or None when unknown or too old."""
        hit = self._entries.get(key)
        if hit is None:
            return None
        if hit[2] <= time.monotonic():
            with self._lock:
                self._entries.pop(key, None)
            return None
        return hit[0], hit[1]

    def put(self, key: Any, value: Any, *, epoch: int, expires_at: datetime, now: datetime) -> None:
        """Remember ``value``, checked under ``epoch`` at ``now`` (naive UTC, as
        ``expires_at``)."""
        left = (expires_at - now).total_seconds()
        if left <= 0 or self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (value, epoch, time.monotonic() + min(self.ttl, left))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


token_cache = TokenCache()


class AccountError(InvalidInputError):
    """A user or organisation cannot be created or found as asked."""


class DuplicateAccountError(ConflictError, AccountError):
    """A user with that e-mail address exists."""


class TokenNotFoundError(NotFoundError):
    """No such token among the user's."""


class LoginRateLimitedError(RateLimitedError):
    """Too many failed sign-ins for the account or from the address; try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)


class InvalidCredentialsError(NotSignedInError):
    """The e-mail and password do not match an active account."""


class DeactivatedAccountError(InvalidCredentialsError):
    """The password is right, but an administrator deactivated the account. Said only once
    the password matched, so it tells nothing to whoever does not know it."""


#: what a person whose account is deactivated is told when they sign in with the right password
DEACTIVATED = (
    "this account is deactivated; ask an administrator of your organisation to reactivate it"
)


def find_organisation(session: Session, ref: int | str) -> Organisation:
    """An organisation by id, or by name or short name in any case (organisations are not
    secret): the one lookup of every face (the CLI, the JWG's delegations and action owners).
    An id no record can have ("²", 10**30) names none; AccountError names what was given."""
    number = ref if isinstance(ref, int) else whole_number(ref)
    org = session.get(Organisation, number) if number and 0 < number <= MAX_ID else None
    if org is None and isinstance(ref, str):
        name = ref.strip().lower()
        org = session.scalar(
            select(Organisation).where(
                (func.lower(Organisation.name) == name)
                | (func.lower(Organisation.short_name) == name)
            )
        )
    if org is None:
        raise AccountError(f"no organisation {ref!r}; give its id, name or short name")
    return org


def create_user(
    *,
    session: Session,
    email: str,
    organisation_id: int,
    role: Role | str,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    """A new user; the password (if given) is stored as an Argon2 hash."""
    try:
        email = email_address(email).lower()  # one address: no spaces, second @ or NUL
    except ValueError as exc:
        raise AccountError(str(exc)) from None
    try:
        role = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {role!r}; one of: {roles}") from None
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DuplicateAccountError(f"a user with e-mail {email} already exists")
    if session.get(Organisation, organisation_id) is None:
        raise AccountError(f"no organisation with id {organisation_id}")
    user = User(
        email=email,
        display_name=display_name or email.split("@")[0],
        organisation_id=organisation_id,
        role=str(role),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    session.flush()


def replace_password(
    *,
    session: Session,
    user: User,
    password: str,
    now: datetime,
    viewer: Viewer | None = None,
    actor: str | None = None,
) -> None:
    """Set ``user``'s password, end their web sessions (their tokens stay: revoke them apart)
    and chain the user's new state (else `audit verify` names the row as changed), by
    ``viewer`` or, for a trusted caller, ``actor``. WeakPasswordError when too short."""
    set_password(session=session, user=user, password=password)
    end_user_sessions(session, user.id, now=now)
    audit_write(session=session, viewer=viewer, action="password", obj=user, actor=actor)


def new_password(
    *,
    session: Session,
    viewer: Viewer,
    user_id: int,
    password: str,
    current: str | None = None,
    now: datetime,
) -> User:
    """Give a user a new password: their own (with ``current``, the one they sign in with),
    or, for an administrator, a member of their organisation's (the reset the lock-out
    message points to), through :func:`replace_password`."""
    if len(password) > 1000:
        raise InvalidInputError("a password has at most 1,000 characters")
    user = session.get(User, user_id)
    if user_id == viewer.user_id and user is not None:
        if current is None or not verify_password(user.password_hash, current):
            raise ForbiddenError("the current password is not right")
    else:
        require_write(viewer, "user")
        if user is None or user.organisation_id != viewer.organisation_id:
            raise NotFoundError(f"no user with id {user_id} in your organisation")
    try:
        replace_password(session=session, user=user, password=password, now=now, viewer=viewer)
    except WeakPasswordError as exc:
        raise InvalidInputError(str(exc)) from None
    return user


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def list_users(session: Session, *, organisation_id: int | None = None) -> list[User]:
    q = select(User).order_by(User.email)
    if organisation_id is not None:
        q = q.where(User.organisation_id == organisation_id)
    return list(session.scalars(q).all())


# --- sign-in --------------------------------------------------------------------------------


def _failures(session: Session, since: datetime, **where: str) -> int:
    q = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.attempted_at >= since, LoginAttempt.is_success.is_(False))
    )
    for column, value in where.items():
        q = q.where(getattr(LoginAttempt, column) == value)
    return int(session.scalar(q) or 0)


def check_login_rate(
    session: Session,
    *,
    email: str,
    address: str,
    now: datetime | None = None,
    known_device: bool = False,
) -> None:
    """Raise :class:`LoginRateLimitedError` when a sign-in should wait.

    - One account from one address: after ``login_max_failures_per_account`` failures in the
      window, a back-off that doubles with each further failure (from 30 seconds up to the
      window).
    - One address, any accounts: ``login_max_failures_per_address`` failures in the window.
    - One account from every address: ``login_max_failures_per_account_all_addresses``
      failures — unless the browser proves it signed in as this account before (its device
      cookie), so that failures from elsewhere cannot lock the owner out.
    """
    s = get_settings()
    now = now or utcnow()
    window = timedelta(minutes=s.login_window_minutes)
    since = now - window
    here = _failures(session, since, email=email, address=address)
    if here >= s.login_max_failures_per_account:
        wait = min(30 * 2 ** (here - s.login_max_failures_per_account), int(window.total_seconds()))
        last = session.scalar(
            select(func.max(LoginAttempt.attempted_at)).where(
                LoginAttempt.email == email,
                LoginAttempt.address == address,
                LoginAttempt.is_success.is_(False),
            )
        )
        left = int((last + timedelta(seconds=wait) - now).total_seconds()) if last else 0
        if left > 0:
            raise LoginRateLimitedError(
                f"too many failed sign-ins for {email} from this address; wait {left} seconds "
                "or ask an administrator of your organisation to reset the password",
                left,
            )
    if _failures(session, since, address=address) >= s.login_max_failures_per_address:
        raise LoginRateLimitedError(
            f"too many failed sign-ins from this address; wait {s.login_window_minutes} minutes",
            int(window.total_seconds()),
        )
    if not known_device and (
        _failures(session, since, email=email) >= s.login_max_failures_per_account_all_addresses
    ):
        raise LoginRateLimitedError(
            f"too many failed sign-ins for {email} from several addresses; sign in from a "
            f"browser you used before, or wait {s.login_window_minutes} minutes",
            int(window.total_seconds()),
        )


def authenticate(
    *,
    session: Session,
    email: str,
    password: str,
    address: str,
    now: datetime | None = None,
    known_device: bool = False,
) -> User:
    """The active user with these credentials; every attempt is recorded (and rate-limited).
    The right password of a deactivated account is refused with
    :class:`DeactivatedAccountError` (a failed attempt all the same).

    The attempt row is written in the caller's transaction, which must commit even when this
    raises :class:`InvalidCredentialsError` (the API does so), or failures would not count.
    """
    email = email.strip().lower()[:254]
    address = address[:64]
    check_login_rate(session, email=email, address=address, now=now, known_device=known_device)
    user = find_user(session, email)
    right = verify_password(user.password_hash if user else None, password) and user is not None
    ok = right and user is not None and user.is_active
    session.add(
        LoginAttempt(email=email, address=address, is_success=ok, attempted_at=now or utcnow())
    )
    session.flush()
    if right and not ok:
        raise DeactivatedAccountError(DEACTIVATED)
    if not ok or user is None:
        raise InvalidCredentialsError("the e-mail address or the password is wrong")
    return user


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in: the user, their new web session (its id goes in the cookie, its
    CSRF token in the page) and the device cookie that proves this browser signed in."""

    user: User
    session_id: str
    csrf: str
    device: str


def sign_in(
    *,
    session: Session,
    email: str,
    password: str,
    address: str,
    now: datetime | None = None,
    device: str | None = None,
) -> SignedIn:
    """:func:`authenticate`, a new web session, and the sign-in in the audit chain. A refused
    attempt is committed before the refusal is raised, so failures count even though the
    caller's transaction ends with the error."""
    now = now or utcnow()
    known = device_email(device) == email.strip().lower()
    try:
        user = authenticate(
            session=session,
            email=email,
            password=password,
            address=address,
            now=now,
            known_device=known,
        )
    except DeactivatedAccountError:
        session.commit()
        raise
    except InvalidCredentialsError:
        session.commit()
        raise InvalidCredentialsError(
            "the e-mail address or the password is wrong; check both, or ask an administrator "
            "of your organisation"
        ) from None
    sid, web_session = start_session(session=session, user=user, now=now, address=address)
    append_event(
        session=session,
        viewer=Viewer.of(user),
        action="login",
        record_type="user",
        record_id=user.id,
        state=sha256_json({"user": user.id}),
    )
    return SignedIn(
        user=user, session_id=sid, csrf=web_session.csrf, device=sign_device(user.email)
    )


def sign_out(*, session: Session, session_id: str | None, now: datetime | None = None) -> None:
    """End the web session (on every server: the next request with its cookie is anonymous)."""
    if session_id:
        end_session(session, session_id, now=now or utcnow())


# --- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown once and never stored."""

    token: str
    record: ApiToken


def create_token(
    *, session: Session, user: User, name: str = "api", days: int | None = None
) -> IssuedToken:
    token, prefix, digest = new_token()
    lifetime = days if days is not None else get_settings().token_days
    record = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest,
        prefix=prefix,
        expires_at=utcnow() + timedelta(days=lifetime),
    )
    session.add(record)
    session.flush()
    return IssuedToken(token=token, record=record)


def revoke_token(*, session: Session, token_id: int, user_id: int | None = None) -> ApiToken:
    """Revoke a token (of ``user_id`` when given); revoking twice keeps the first time."""
    record = session.get(ApiToken, token_id)
    if record is None or (user_id is not None and record.user_id != user_id):
        mine = " among your tokens" if user_id is not None else ""
        raise TokenNotFoundError(f"no token with id {token_id}{mine}")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
    session.flush()  # the trigger bumps the auth epoch: every node drops its cached entry
    return record


def revoke_user_tokens(
    *,
    session: Session,
    user_id: int,
    now: datetime,
    viewer: Viewer | None = None,
    actor: str | None = None,
) -> list[ApiToken]:
    """Revoke every token of a user not yet revoked (a deactivation: reactivating the user
    must not bring them back), each chained as a ``revoke`` by ``viewer`` or, for a trusted
    caller, ``actor``; the tokens revoked, expired ones included (nothing may renew them)."""
    records = list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )
    for record in records:
        record.revoked_at = now
    session.flush()  # the trigger bumps the auth epoch: every node drops its cached entries
    for record in records:
        audit_write(session=session, viewer=viewer, action="revoke", obj=record, actor=actor)
    return records


def list_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
        ).all()
    )


def user_for_token(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The active user owning a live (unexpired, unrevoked) token, else None."""
    found = token_owner(session, token, now=now)
    return found[0] if found else None


def token_owner(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[User, datetime] | None:
    """The active user owning a live token and the token's expiry (naive UTC), else None."""
    now = now or utcnow()
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == token_digest(token),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    record, user = row
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        record.last_used_at = now
    return user, record.expires_at


# --- administration by a signed-in admin ----------------------------------------------------


def add_member(
    *,
    session: Session,
    viewer: Viewer,
    email: str,
    role: Role | str,
    display_name: str | None = None,
    password: str | None = None,
) -> User:
    """A new user of the admin's own organisation."""
    require_write(viewer, "user")
    if viewer.organisation_id is None:
        raise ForbiddenError("you belong to no organisation")
    try:
        user = create_user(
            session=session,
            email=email,
            organisation_id=viewer.organisation_id,
            role=role,
            display_name=display_name,
            password=password,
        )
    except WeakPasswordError as exc:
        raise AccountError(str(exc)) from None
    audit_write(session=session, viewer=viewer, action="create", obj=user)
    return user


def change_member(
    *,
    session: Session,
    viewer: Viewer,
    user_id: int,
    changes: dict[str, Any],
    now: datetime | None = None,
) -> User:
    """Change a user of the admin's own organisation (role, name, activity). A deactivation
    ends the user's web sessions and revokes their API tokens for good (each revocation
    audited): a reactivated user signs in again and is given new tokens."""
    require_write(viewer, "user")
    user = session.get(User, user_id)
    if user is None or user.organisation_id != viewer.organisation_id:
        raise NotFoundError(f"no user with id {user_id} in your organisation")
    demoted = changes.get("is_active") is False or (
        changes.get("role") is not None and str(changes["role"]) != Role.ADMIN
    )
    if user.role == Role.ADMIN and user.is_active and demoted:
        admins = session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.organisation_id == user.organisation_id,
                User.role == Role.ADMIN,
                User.is_active.is_(True),
            )
        )
        if (admins or 0) <= 1:
            raise ConflictError(
                "this is your organisation's last active administrator: make another member "
                "an administrator first (or nobody could manage its members)"
            )
    now = now or utcnow()
    for name, value in changes.items():
        if value is not None:
            setattr(user, name, str(value) if name == "role" else value)
    if changes.get("is_active") is False or "role" in changes:
        end_user_sessions(session, user.id, now=now)  # sign in again with the new rights
    if changes.get("is_active") is False:
        revoke_user_tokens(session=session, user_id=user.id, now=now, viewer=viewer)
    # a change of role or activity bumps the auth epoch (trigger), so the user's tokens
    # cached by any process are checked again at their next request
    audit_write(session=session, viewer=viewer, action="update", obj=user)
    return user


def set_partners(
    *, session: Session, viewer: Viewer, organisation_id: int, partner_ids: list[int]
) -> Organisation:
    """The organisations that may read the admin's organisation's TLP:AMBER records."""
    require_write(viewer, "organisation")
    if organisation_id != viewer.organisation_id:
        raise ForbiddenError("you can set the partners of your own organisation only")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    wanted = sorted(set(partner_ids) - {org.id})
    found = list(session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    missing = sorted(set(wanted) - {o.id for o in found})
    if missing:
        raise InvalidInputError(f"no organisation with id(s) {missing}")
    org.partners = found
    session.flush()
    # the organisation's state holds its partners: `audit verify` names one added in the table
    audit_write(session=session, viewer=viewer, action="update", obj=org)
    return org


def issue_token(
    *,
    session: Session,
    viewer: Viewer,
    user: User,
    name: str = "api",
    days: int | None = None,
    signed_in_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """A new API token of the signed-in user (audited). Only from a fresh sign-in (within
    ``token_fresh_minutes`` of ``signed_in_at``: a stolen session or token cannot mint a
    long-lived credential) and for at most ``token_max_days``."""
    settings = get_settings()
    now = now or utcnow()
    if signed_in_at is None:
        raise ForbiddenError(
            "tokens are created from a signed-in web session (or the CLI `safecorridor users "
            "token`), not with another token"
        )
    if now - signed_in_at > timedelta(minutes=settings.token_fresh_minutes):
        raise ForbiddenError(
            f"sign in again to create a token: the sign-in must be less than "
            f"{settings.token_fresh_minutes} minutes old"
        )
    lifetime = days if days is not None else settings.token_days
    if not 1 <= lifetime <= settings.token_max_days:
        raise InvalidInputError(
            f"field days: a token lives from 1 to {settings.token_max_days} days (got {lifetime})"
        )
    issued = create_token(session=session, user=user, name=name, days=days)
    audit_write(session=session, viewer=viewer, action="create", obj=issued.record)
    return issued


def withdraw_token(*, session: Session, viewer: Viewer, token_id: int) -> ApiToken:
    """Revoke one of the signed-in user's tokens (audited)."""
    if viewer.user_id is None:
        raise NotSignedInError("sign in first")
    record = revoke_token(session=session, token_id=token_id, user_id=viewer.user_id)
    audit_write(session=session, viewer=viewer, action="revoke", obj=record)
    return record

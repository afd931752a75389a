"""FastAPI dependencies: the database session and who is asking (bearer token or session)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User
from safecorridor.accounts.security import (
    CSRF_HEADER,
    DEVICE_COOKIE,
    DEVICE_DAYS,
    SESSION_COOKIE,
    read_session,
    same_secret,
    token_digest,
)
from safecorridor.accounts.service import read_auth_epoch, token_cache, token_owner
from safecorridor.accounts.sessions import find_session
from safecorridor.api.problems import ProblemError
from safecorridor.clock import Clock, naive_now, system_clock
from safecorridor.db.session import get_engine, session_scope
from safecorridor.errors import ForbiddenError
from safecorridor.ops.logs import note_viewer
from safecorridor.settings import get_settings
from safecorridor.sharing.policy import Viewer

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="sc_…",
    description="An API token (`safecorridor users token EMAIL` or POST /api/v1/users/me/tokens).",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="A web session (POST /api/v1/auth/login); writes also need the X-CSRF-Token "
    "header returned at sign-in.",
)


def get_session(request: Request) -> Iterator[Session]:
    """The request's session; writes (POST, PATCH, ...) take SQLite's write lock up front.

    Committed when the route function returns, before the response is sent
    (``scope="function"``; FastAPI's default for a dependency with ``yield`` ends it after
    the response): a client told 201 or 204 can read its write through any node at once,
    and a commit that fails is a 500, not a success already sent."""
    with session_scope(write=request.method not in SAFE_METHODS) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_clock(request: Request) -> Clock:
    """The app's clock (``create_app(clock=...)``): what "today" is for this request."""
    clock: Clock = getattr(request.app.state, "clock", system_clock)
    return clock


ClockDep = Annotated[Clock, Depends(get_clock)]

AsOf = Annotated[
    date | None, Query(description="Use the incidents known before this day (default: today).")
]

NOT_SIGNED_IN = (
    "sign in first: send `Authorization: Bearer <token>` (create one with "
    "`safecorridor users token EMAIL`) or sign in at /login"
)


def _unknown_token() -> ProblemError:
    return ProblemError(
        401,
        "the API token is unknown, expired or revoked; create a new one with "
        "`safecorridor users token EMAIL`",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def optional_user(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> User | None:
    """The signed-in user, or None; a bad or expired credential is an error, not anonymity.

    A bearer token is checked against the stored tokens; a session cookie against the stored
    web sessions (a signed-out or expired session is no session). Writes with a cookie need
    the session's CSRF token in the ``X-CSRF-Token`` header.
    """
    now = naive_now(get_clock(request))
    if bearer is not None:
        found = token_owner(session, bearer.credentials, now=now)
        if found is None:
            raise _unknown_token()
        request.state.auth = "token"
        note_viewer(found[0].id, found[0].organisation_id)
        return found[0]
    sid = read_session(cookie)
    if sid is None:
        return None
    live = find_session(session, sid, now=now)
    if live is None:
        return None
    user, web_session = live
    if request.method not in SAFE_METHODS and not same_secret(
        request.headers.get(CSRF_HEADER), web_session.csrf
    ):
        raise ForbiddenError(
            f"a write with a session cookie needs the {CSRF_HEADER} header holding the "
            "csrf_token returned at sign-in (reload the page if it has expired)"
        )
    request.state.csrf = web_session.csrf
    request.state.auth = "session"
    request.state.session_started = web_session.created_at
    request.state.session_id = sid
    note_viewer(user.id, user.organisation_id)
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise ProblemError(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def current_viewer(user: CurrentUser) -> Viewer:
    return Viewer.of(user)


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def _token_viewer(token: str, now: datetime, hit: tuple[Any, int] | None) -> Viewer:
    """The viewer of a bearer token: the cached one while the auth epoch is the one it was
    checked under (one primary-key read), else looked up again (its own short session)."""
    engine = get_engine()
    if hit is not None and isinstance(hit[0], Viewer):
        with engine.connect() as conn:
            if read_auth_epoch(conn) == hit[1]:
                return hit[0]
    with session_scope(engine) as session:
        # the epoch first: the token and user read next are at least as new, so a change
        # committed after this read bumps the epoch past the one stored with the entry
        epoch = read_auth_epoch(session)
        found = token_owner(session, token, now=now)
        if found is None:
            raise _unknown_token()
        user, expires_at = found
        viewer = Viewer.of(user)
    token_cache.put(
        (id(engine), token_digest(token)), viewer, epoch=epoch, expires_at=expires_at, now=now
    )
    return viewer


def _cookie_viewer(request: Request, cookie: str | None) -> Viewer:
    with session_scope(write=request.method not in SAFE_METHODS) as session:
        user = optional_user(request, session, None, cookie)
        return current_viewer(current_user(user))


async def cached_viewer(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Viewer:
    """:func:`current_viewer` for hot read endpoints, without a request-long session.

    A bearer token is looked up in the process's :data:`token_cache` and trusted while the
    deployment's auth epoch is unchanged (see ``TokenCache``: one primary-key read instead
    of the token, user and organisation, so a revocation on any node counts at once), else
    in the database, in one threadpool call; a session cookie is checked as by
    :func:`optional_user` (sessions are read from the database at every request). The same
    401s as :data:`CurrentViewer`.
    """
    if bearer is not None:
        hit = token_cache.get((id(get_engine()), token_digest(bearer.credentials)))
        now = naive_now(get_clock(request))
        viewer = await run_in_threadpool(_token_viewer, bearer.credentials, now, hit)
        note_viewer(viewer.user_id, viewer.organisation_id)
        return viewer
    return await run_in_threadpool(_cookie_viewer, request, cookie)


CachedViewer = Annotated[Viewer, Depends(cached_viewer)]


def short_viewer(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Viewer | None:
    """Who is asking (or None), resolved in a short write transaction of its own.

    For requests whose work writes through connections of its own (ingest): they cannot hold
    the request's write session (SQLite's write lock) meanwhile. A write transaction, because
    a token's ``last_used_at`` may be updated.
    """
    with session_scope(write=True) as session:
        user = optional_user(request, session, bearer, cookie)
        return Viewer.of(user) if user is not None else None


ShortViewer = Annotated[Viewer | None, Depends(short_viewer)]


# --- HTTP helpers of both faces ---------------------------------------------------------------


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, value: str, device: str | None = None) -> None:
    """The signed session cookie (HttpOnly, SameSite=Lax, Secure in production) and, after a
    sign-in, the long-lived device cookie (proof that this browser signed in before)."""
    settings = get_settings()
    secure = settings.environment == "production"
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    if device is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_DAYS * 86400,
            httponly=True,
            samesite="strict",
            secure=secure,
        )

"""/api/v1/auth, /api/v1/users and /api/v1/organisations: sign-in, members, tokens, partners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safecorridor.accounts import service as accounts
from safecorridor.accounts.models import ApiToken, Organisation, User
from safecorridor.accounts.security import DEVICE_COOKIE, SESSION_COOKIE, sign_session
from safecorridor.accounts.service import (
    add_member,
    change_member,
    issue_token,
    list_tokens,
    list_users,
    new_password,
    sign_in,
    sign_out,
    withdraw_token,
)
from safecorridor.api.deps import (
    ClockDep,
    CurrentUser,
    CurrentViewer,
    SessionDep,
    client_address,
    set_session_cookie,
)
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.schemas import (
    LoginIn,
    OrganisationPublic,
    OrganisationsPublic,
    PartnersIn,
    PasswordIn,
    SessionPublic,
    TokenCreate,
    TokenIssued,
    TokenPublic,
    TokensPublic,
    UserCreate,
    UserPublic,
    UsersPublic,
    UserUpdate,
)
from safecorridor.clock import naive_now
from safecorridor.sharing.policy import Viewer

router = APIRouter(responses=responses(401, 422))

Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]


def user_public(u: User) -> UserPublic:
    return UserPublic.model_validate(u, from_attributes=True)


def token_public(t: ApiToken) -> TokenPublic:
    return TokenPublic.model_validate(t, from_attributes=True)


# --- sign-in --------------------------------------------------------------------------------


@router.post(
    "/api/v1/auth/login",
    response_model=SessionPublic,
    tags=["auth"],
    summary="Sign in (web session)",
    responses=responses(429),
)
def login(request: Request, session: SessionDep, clock: ClockDep, body: LoginIn) -> Response:
    """Start a web session: sets a signed cookie; send the returned ``csrf_token`` in the
    X-CSRF-Token header of every write. Machines use bearer tokens instead."""
    signed = sign_in(
        session=session,
        email=body.email,
        password=body.password,
        address=client_address(request),
        now=naive_now(clock),
        device=request.cookies.get(DEVICE_COOKIE),
    )
    response = JSONResponse(
        SessionPublic(user=user_public(signed.user), csrf_token=signed.csrf).model_dump(mode="json")
    )
    set_session_cookie(response, sign_session(signed.session_id), signed.device)
    return response


@router.post(
    "/api/v1/auth/logout",
    status_code=204,
    response_class=Response,
    tags=["auth"],
    summary="Sign out",
)
def logout(request: Request, session: SessionDep, clock: ClockDep, _user: CurrentUser) -> Response:
    """End the web session: its cookie no longer signs anyone in, on any server."""
    sign_out(
        session=session,
        session_id=getattr(request.state, "session_id", None),
        now=naive_now(clock),
    )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- users ----------------------------------------------------------------------------------


@router.get("/api/v1/users/me", response_model=UserPublic, tags=["users"], summary="Who am I")
def me(user: CurrentUser) -> UserPublic:
    return user_public(user)


@router.get("/api/v1/users", response_model=UsersPublic, tags=["users"], summary="List users")
def users(session: SessionDep, viewer: CurrentViewer) -> UsersPublic:
    """The members of your organisation."""
    rows = list_users(session, organisation_id=viewer.organisation_id)
    return UsersPublic(data=[user_public(u) for u in rows], count=len(rows))


@router.post(
    "/api/v1/users",
    response_model=UserPublic,
    status_code=201,
    tags=["users"],
    summary="Add a user to your organisation",
    responses=responses(403, 409),
)
def add_user(session: SessionDep, viewer: CurrentViewer, body: UserCreate) -> UserPublic:
    user = add_member(
        session=session,
        viewer=viewer,
        email=body.email,
        role=body.role,
        display_name=body.display_name,
        password=body.password,
    )
    return user_public(user)


@router.patch(
    "/api/v1/users/{user_id}",
    response_model=UserPublic,
    tags=["users"],
    summary="Change a user of your organisation",
    responses=responses(403, 404),
)
def change_user(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, user_id: Ident, body: UserUpdate
) -> UserPublic:
    user = change_member(
        session=session,
        viewer=viewer,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True),
        now=naive_now(clock),  # (a deactivation's token revocations are dated by the app clock)
    )
    return user_public(user)


@router.post(
    "/api/v1/users/{user_id}/password",
    status_code=204,
    response_class=Response,
    tags=["users"],
    summary="Set a password",
    responses=responses(403, 404),
)
def set_user_password(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, user_id: Ident, body: PasswordIn
) -> Response:
    """Your own password (give ``current``), or, as an administrator, a member's of your
    organisation (a reset: ``current`` is not asked). The user's web sessions end."""
    new_password(
        session=session,
        viewer=viewer,
        user_id=user_id,
        password=body.password,
        current=body.current,
        now=naive_now(clock),
    )
    return Response(status_code=204)


@router.get(
    "/api/v1/users/me/tokens", response_model=TokensPublic, tags=["users"], summary="My tokens"
)
def my_tokens(session: SessionDep, user: CurrentUser) -> TokensPublic:
    rows = list_tokens(session, user_id=user.id)
    return TokensPublic(data=[token_public(t) for t in rows], count=len(rows))


@router.post(
    "/api/v1/users/me/tokens",
    response_model=TokenIssued,
    status_code=201,
    tags=["users"],
    summary="Create an API token",
    responses=responses(403),
)
def new_token(
    request: Request, session: SessionDep, clock: ClockDep, user: CurrentUser, body: TokenCreate
) -> TokenIssued:
    """A bearer token for a machine; the token itself is shown only in this response. Only
    from a web session signed in a few minutes ago (not with another token)."""
    issued = issue_token(
        session=session,
        viewer=Viewer.of(user),
        user=user,
        name=body.name,
        days=body.days,
        signed_in_at=getattr(request.state, "session_started", None),
        now=naive_now(clock),
    )
    return TokenIssued(**token_public(issued.record).model_dump(), token=issued.token)


@router.delete(
    "/api/v1/users/me/tokens/{token_id}",
    status_code=204,
    response_class=Response,
    tags=["users"],
    summary="Revoke an API token",
    responses=responses(404),
)
def drop_token(session: SessionDep, user: CurrentUser, token_id: Ident) -> Response:
    withdraw_token(session=session, viewer=Viewer.of(user), token_id=token_id)
    return Response(status_code=204)


# --- organisations --------------------------------------------------------------------------


def organisation_public(o: Organisation) -> OrganisationPublic:
    return OrganisationPublic(
        id=o.id,
        name=o.name,
        short_name=o.short_name,
        kind=o.kind,
        country=o.country,
        partner_ids=[p.id for p in o.partners],
    )


def _organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise ProblemError(404, f"no organisation with id {organisation_id}")
    return org


@router.get(
    "/api/v1/organisations",
    response_model=OrganisationsPublic,
    tags=["organisations"],
    summary="List organisations",
)
def organisations(session: SessionDep, _viewer: CurrentViewer) -> OrganisationsPublic:
    """Every organisation and the partners it shares TLP:AMBER records with."""
    rows = list(
        session.scalars(
            select(Organisation)
            .options(selectinload(Organisation.partners))
            .order_by(Organisation.name)
        )
    )
    return OrganisationsPublic(data=[organisation_public(o) for o in rows], count=len(rows))


@router.get(
    "/api/v1/organisations/{organisation_id}",
    response_model=OrganisationPublic,
    tags=["organisations"],
    summary="Get an organisation",
    responses=responses(404),
)
def organisation(
    session: SessionDep, _viewer: CurrentViewer, organisation_id: Ident
) -> OrganisationPublic:
    return organisation_public(_organisation(session, organisation_id))


@router.put(
    "/api/v1/organisations/{organisation_id}/partners",
    response_model=OrganisationPublic,
    tags=["organisations"],
    summary="Set your organisation's partners",
    responses=responses(403, 404),
)
def set_partners_api(
    session: SessionDep, viewer: CurrentViewer, organisation_id: Ident, body: PartnersIn
) -> OrganisationPublic:
    """The organisations that may read your TLP:AMBER records (administrators)."""
    org = accounts.set_partners(
        session=session,
        viewer=viewer,
        organisation_id=organisation_id,
        partner_ids=body.partner_ids,
    )
    return organisation_public(org)

"""/api/v1/auth, /api/v1/users and /api/v1/organisations: sign-in, members, tokens, partners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safecorridor.accounts.models import ApiToken, Organisation, User
from safecorridor.accounts.security import SESSION_COOKIE, sign_session
from safecorridor.accounts.service import (
    AccountError,
    InvalidCredentialsError,
    LoginRateLimitedError,
    authenticate,
    create_token,
    create_user,
    list_tokens,
    list_users,
    revoke_token,
    token_cache,
)
from safecorridor.api.deps import CurrentUser, CurrentViewer, SessionDep, require_writer
from safecorridor.api.problems import ProblemError, problem, responses
from safecorridor.api.schemas import (
    LoginIn,
    OrganisationPublic,
    OrganisationsPublic,
    PartnersIn,
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
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import append_event, audit_write, sha256_json
from safecorridor.sharing.policy import Viewer

router = APIRouter(responses=responses(401, 422))

Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]


def user_public(u: User) -> UserPublic:
    return UserPublic.model_validate(u, from_attributes=True)


def token_public(t: ApiToken) -> TokenPublic:
    return TokenPublic.model_validate(t, from_attributes=True)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- sign-in --------------------------------------------------------------------------------


def login_user(session: Session, request: Request, email: str, password: str) -> User | Response:
    """The user, or the problem response to send (the attempt is recorded either way)."""
    try:
        return authenticate(
            session=session, email=email, password=password, address=client_address(request)
        )
    except LoginRateLimitedError as exc:
        return problem(429, str(exc), headers={"Retry-After": str(exc.retry_after)})
    except InvalidCredentialsError as exc:
        return problem(401, f"{exc}; check both, or ask an administrator of your organisation")


def set_session_cookie(response: Response, value: str) -> None:
    settings = get_settings()
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.environment == "production",
    )


@router.post(
    "/api/v1/auth/login",
    response_model=SessionPublic,
    tags=["auth"],
    summary="Sign in (web session)",
    responses=responses(429),
)
def login(request: Request, session: SessionDep, body: LoginIn) -> Response:
    """Start a web session: sets a signed cookie; send the returned ``csrf_token`` in the
    X-CSRF-Token header of every write. Machines use bearer tokens instead."""
    user = login_user(session, request, body.email, body.password)
    if isinstance(user, Response):
        return user
    value, csrf = sign_session(user.id)
    response = JSONResponse(
        SessionPublic(user=user_public(user), csrf_token=csrf).model_dump(mode="json")
    )
    set_session_cookie(response, value)
    append_event(
        session=session,
        viewer=Viewer.of(user),
        action="login",
        record_type="user",
        record_id=user.id,
        state=sha256_json({"user": user.id}),
    )
    return response


@router.post(
    "/api/v1/auth/logout",
    status_code=204,
    response_class=Response,
    tags=["auth"],
    summary="Sign out",
)
def logout(_user: CurrentUser) -> Response:
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
    require_writer(viewer, "user")
    assert viewer.organisation_id is not None
    try:
        user = create_user(
            session=session,
            email=body.email,
            organisation_id=viewer.organisation_id,
            role=body.role,
            display_name=body.display_name,
            password=body.password,
        )
    except AccountError as exc:
        status = 409 if "already exists" in str(exc) else 422
        raise ProblemError(status, str(exc)) from None
    audit_write(session=session, viewer=viewer, action="create", obj=user)
    return user_public(user)


@router.patch(
    "/api/v1/users/{user_id}",
    response_model=UserPublic,
    tags=["users"],
    summary="Change a user of your organisation",
    responses=responses(403, 404),
)
def change_user(
    session: SessionDep, viewer: CurrentViewer, user_id: Ident, body: UserUpdate
) -> UserPublic:
    require_writer(viewer, "user")
    user = session.get(User, user_id)
    if user is None or user.organisation_id != viewer.organisation_id:
        raise ProblemError(404, f"no user with id {user_id} in your organisation")
    for name, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(user, name, str(value) if name == "role" else value)
    audit_write(session=session, viewer=viewer, action="update", obj=user)
    token_cache.clear()  # the user's cached tokens carry the old role / activity
    return user_public(user)


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
)
def new_token(session: SessionDep, user: CurrentUser, body: TokenCreate) -> TokenIssued:
    """A bearer token for a machine; the token itself is shown only in this response."""
    issued = create_token(session=session, user=user, name=body.name, days=body.days)
    audit_write(session=session, viewer=Viewer.of(user), action="create", obj=issued.record)
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
    try:
        record = revoke_token(session=session, token_id=token_id, user_id=user.id)
    except AccountError as exc:
        raise ProblemError(404, f"{exc} among your tokens") from None
    audit_write(session=session, viewer=Viewer.of(user), action="revoke", obj=record)
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
def set_partners(
    session: SessionDep, viewer: CurrentViewer, organisation_id: Ident, body: PartnersIn
) -> OrganisationPublic:
    """The organisations that may read your TLP:AMBER records (administrators)."""
    require_writer(viewer, "organisation")
    if organisation_id != viewer.organisation_id:
        raise ProblemError(403, "you can set the partners of your own organisation only")
    org = _organisation(session, organisation_id)
    wanted = sorted(set(body.partner_ids) - {org.id})
    found = list(session.scalars(select(Organisation).where(Organisation.id.in_(wanted))))
    missing = sorted(set(wanted) - {o.id for o in found})
    if missing:
        raise ProblemError(422, f"no organisation with id(s) {missing}")
    org.partners = found
    session.flush()
    append_event(
        session=session,
        viewer=viewer,
        action="update",
        record_type="organisation",
        record_id=org.id,
        state=sha256_json({"partners": wanted}),
    )
    return organisation_public(org)

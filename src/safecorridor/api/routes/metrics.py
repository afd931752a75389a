"""/metrics: the Prometheus exposition, protected like the API (the token or session of an
admin of the organisation that runs the server, or the metrics token of the settings for the
scraper)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.security import same_secret
from safecorridor.api import problems
from safecorridor.api.deps import SessionDep, bearer_scheme, cookie_scheme, optional_user
from safecorridor.api.problems import ProblemError
from safecorridor.db.session import get_engine
from safecorridor.ops.metrics import CONTENT_TYPE_LATEST, render
from safecorridor.settings import get_settings
from safecorridor.taxonomy.choices import Role

router = APIRouter(tags=["health"])


def metrics_reader(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> None:
    """The scraper's metrics token, or a signed-in admin; 401 for anyone else unsigned."""
    token = get_settings().metrics_token
    if bearer is not None and token and same_secret(bearer.credentials, token):
        return
    user = optional_user(request, session, bearer, cookie)
    if user is None:
        raise ProblemError(
            401,
            "Sign in as an admin or send the metrics token as a bearer token.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if user.role != Role.ADMIN or user.organisation_id != operator_org_id(session):
        # (the figures count every organisation's requests, ingests and candidates: an admin
        # of a partner agency may not learn another's activity from them)
        raise ProblemError(
            403,
            "The metrics are for the admins of the organisation that runs this server and the "
            "metrics scraper.",
        )


def operator_org_id(session: Session) -> int | None:
    """The id of the organisation that runs the server (``SAFECORRIDOR_OPERATOR_ORG``, by
    short name or name; unset: the first organisation created)."""
    wanted = get_settings().operator_org
    q = select(Organisation.id).order_by(Organisation.id).limit(1)
    if wanted:
        q = q.where((Organisation.short_name == wanted) | (Organisation.name == wanted))
    return session.scalar(q)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    dependencies=[Depends(metrics_reader)],
    responses={
        200: {
            "description": "The metrics in Prometheus' text exposition format.",
            "content": {CONTENT_TYPE_LATEST.split(";")[0]: {"schema": {"type": "string"}}},
        },
        **problems.responses(401, 403),
    },
)
async def metrics() -> Response:
    """Request latency, the outbox's depth, deliveries by state, worker runs and step
    durations, audit chain lengths, in Prometheus' text format."""
    body = await run_in_threadpool(render, get_engine())
    return Response(body, media_type=CONTENT_TYPE_LATEST)

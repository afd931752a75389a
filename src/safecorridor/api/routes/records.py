"""/api/v1/actors and /api/v1/documents: the actor register and the source documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from safecorridor.api.deps import CurrentViewer, SessionDep
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.schemas import ActorPublic, ActorsPublic, DocumentPublic, DocumentsPublic
from safecorridor.incidents.actors import actor_readable, alias_key
from safecorridor.incidents.models import Actor, ActorAlias
from safecorridor.sources.models import Document
from safecorridor.sources.service import get_document, page_of_documents

router = APIRouter(responses=responses(401, 422))

Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]


def actor_public(a: Actor) -> ActorPublic:
    return ActorPublic(
        id=a.id,
        name=a.name,
        kind=a.kind,
        parent_id=a.parent_id,
        countries=a.countries,
        aliases=[x.alias for x in a.aliases],
    )


@router.get("/api/v1/actors", response_model=ActorsPublic, tags=["actors"], summary="List actors")
def list_actors(
    session: SessionDep,
    viewer: CurrentViewer,
    search: Annotated[str | None, Query(max_length=300, description="Name or alias.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> ActorsPublic:
    """Actors (organisations and categories, never persons) with aliases: those of the
    register and those named by incidents the reader may read (a name known only from records
    the reader may not read is not listed)."""
    q = (
        select(Actor)
        .options(selectinload(Actor.aliases))
        .where(actor_readable(viewer))
        .order_by(Actor.name)
    )
    if search:
        key = alias_key(search)
        q = q.where(
            func.lower(Actor.name).contains(search.lower(), autoescape=True)
            | Actor.id.in_(
                select(ActorAlias.actor_id).where(ActorAlias.key.contains(key, autoescape=True))
            )
        )
    rows = list(session.scalars(q.limit(limit)))
    return ActorsPublic(data=[actor_public(a) for a in rows], count=len(rows))


@router.get(
    "/api/v1/actors/{actor_id}",
    response_model=ActorPublic,
    tags=["actors"],
    summary="Get an actor",
    responses=responses(404),
)
def get_actor(session: SessionDep, viewer: CurrentViewer, actor_id: Ident) -> ActorPublic:
    actor = session.scalar(
        select(Actor)
        .options(selectinload(Actor.aliases))
        .where(Actor.id == actor_id, actor_readable(viewer))
    )
    if actor is None:
        raise ProblemError(404, f"no actor with id {actor_id}")
    return actor_public(actor)


def document_public(d: Document, *, with_text: bool = False) -> DocumentPublic:
    return DocumentPublic(
        id=d.id,
        sha256=d.sha256,
        url=d.url,
        publisher=d.publisher,
        title=d.title,
        published_at=d.published_at,
        published_from_text=d.published_from_text,
        language=d.language,
        reliability=d.reliability,
        ingested_at=d.ingested_at,
        owner_org_id=d.owner_org_id,
        tlp=d.tlp,
        text=d.text if with_text else None,
    )


@router.get(
    "/api/v1/documents",
    response_model=DocumentsPublic,
    tags=["documents"],
    summary="List documents",
)
def list_documents(
    session: SessionDep,
    viewer: CurrentViewer,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> DocumentsPublic:
    """Source documents you may read, newest ingested first (without their text)."""
    rows, total = page_of_documents(session, viewer, limit=limit, offset=offset)
    return DocumentsPublic(data=[document_public(d) for d in rows], count=total)


@router.get(
    "/api/v1/documents/{document_id}",
    response_model=DocumentPublic,
    tags=["documents"],
    summary="Get a document with its text",
    responses=responses(404),
)
def get_document_api(
    session: SessionDep, viewer: CurrentViewer, document_id: Ident
) -> DocumentPublic:
    doc = get_document(session, document_id, viewer=viewer, action="read")
    return document_public(doc, with_text=True)

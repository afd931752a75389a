"""/taxii2/: a TAXII 2.1 server (discovery, API root, collections, objects, manifests, status).

Media types and headers follow TAXII 2.1: responses are ``application/taxii+json;version=2.1``,
Get Objects and Get Manifest send ``X-TAXII-Date-Added-First`` and ``-Last``, errors are TAXII
error message resources (with the same media type). A client signs in with an API token
(``Authorization: Bearer ...``) or HTTP Basic (its e-mail and password; every attempt counts
against the sign-in rate limits). The logic lives in :mod:`safecorridor.interop.taxii`; this
module only speaks HTTP.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy import select
from starlette.exceptions import HTTPException as StarletteHTTPException

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import (
    InvalidCredentialsError,
    LoginRateLimitedError,
    authenticate,
    user_for_token,
)
from safecorridor.api.deps import SessionDep
from safecorridor.api.problems import ProblemError
from safecorridor.db.session import session_scope
from safecorridor.interop import taxii
from safecorridor.interop.intake import (
    CandidateOptions,
    IntakeReport,
    store_actors,
    store_candidates,
)
from safecorridor.interop.models import TaxiiStatus
from safecorridor.interop.stix import check_each, interpret
from safecorridor.interop.stix import status_entry as _entry
from safecorridor.interop.taxii import MEDIA_TAXII, ObjectFilter, TaxiiError
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.policy import Viewer
from safecorridor.sources.models import Document

ROOT = "/taxii2/"
API_ROOT = "/taxii2/api/"
_CHALLENGE = 'Basic realm="SafeCorridor TAXII", Bearer'
MAX_FILTER = 2000


def taxii_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        media_type=MEDIA_TAXII,
        headers=headers,
    )


def error_response(exc: TaxiiError, headers: dict[str, str] | None = None) -> Response:
    return taxii_response(exc.resource(), exc.status, headers)


class TaxiiRoute(APIRoute):
    """Answers every error of the TAXII endpoints as a TAXII error message resource."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except TaxiiError as exc:
                return error_response(exc, _headers_for(exc.status))
            except ProblemError as exc:
                return error_response(
                    TaxiiError(exc.status, exc.title, exc.detail),
                    exc.headers or _headers_for(exc.status),
                )
            except RequestValidationError as exc:
                detail = "; ".join(str(e.get("msg", "")) for e in exc.errors()[:3])
                return error_response(TaxiiError(400, "Bad request", detail or "bad request"))
            except StarletteHTTPException as exc:
                return error_response(TaxiiError(exc.status_code, "Error", str(exc.detail)))

        return route


def _headers_for(status: int) -> dict[str, str] | None:
    return {"WWW-Authenticate": _CHALLENGE} if status == 401 else None


#: the TAXII endpoints follow the TAXII 2.1 specification (their own media type and error
#: resources), not the JSON API's OpenAPI description: they are left out of it
router = APIRouter(route_class=TaxiiRoute, tags=["taxii"], include_in_schema=False)


def _accepts_taxii(request: Request) -> None:
    accept = request.headers.get("accept", "*/*").lower().replace(" ", "")
    for part in accept.split(","):
        media = part.split(";q=")[0]
        if media in ("*/*", "application/*", "application/taxii+json") or media.startswith(
            "application/taxii+json;version=2.1"
        ):
            return
    raise TaxiiError(
        406, "Not acceptable", f"this server answers {MEDIA_TAXII}; send it in the Accept header"
    )


def taxii_viewer(request: Request) -> Viewer:
    """The signed-in user of a TAXII request: bearer token or HTTP Basic (e-mail, password)."""
    _accepts_taxii(request)
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        with session_scope() as session:
            user = user_for_token(session, value.strip())
            if user is None:
                raise TaxiiError(
                    401, "Unauthorized", "the API token is unknown, expired or revoked"
                )
            return Viewer.of(user)
    if scheme.lower() == "basic" and value.strip():
        try:
            email, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise TaxiiError(
                401, "Unauthorized", "the Basic credentials are not base64 of email:password"
            ) from None
        address = request.client.host if request.client else "unknown"
        failure: TaxiiError | None = None
        viewer: Viewer | None = None
        with session_scope(write=True) as session:  # the attempt is recorded even when it fails
            try:
                viewer = Viewer.of(
                    authenticate(session=session, email=email, password=password, address=address)
                )
            except LoginRateLimitedError as exc:
                failure = TaxiiError(429, "Too many attempts", str(exc))
            except InvalidCredentialsError as exc:
                failure = TaxiiError(401, "Unauthorized", str(exc))
        if failure is not None:
            raise failure
        assert viewer is not None
        return viewer
    raise TaxiiError(
        401,
        "Unauthorized",
        "sign in with an API token (Authorization: Bearer ...) or HTTP Basic (your e-mail and "
        "password)",
    )


TaxiiViewer = Annotated[Viewer, Depends(taxii_viewer)]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get(ROOT, summary="TAXII discovery")
def discovery(request: Request, _viewer: TaxiiViewer) -> Response:
    return taxii_response(
        {
            "title": "SafeCorridor TAXII 2.1 server",
            "description": "Incidents of the SafeCorridor record as STIX 2.1, one collection "
            "per sharing scope; an inbox whose reports go to the review queue.",
            "contact": "the administrators of this SafeCorridor instance",
            "default": _base(request) + API_ROOT,
            "api_roots": [_base(request) + API_ROOT],
        }
    )


@router.get(API_ROOT, summary="TAXII API root")
def api_root(_viewer: TaxiiViewer) -> Response:
    return taxii_response(
        {
            "title": "SafeCorridor incidents",
            "description": "STIX 2.1 reports of incidents, with their places, actors and targets.",
            "versions": [MEDIA_TAXII],
            "max_content_length": taxii.MAX_CONTENT_LENGTH,
        }
    )


@router.get(API_ROOT + "collections/", summary="TAXII collections")
def get_collections(session: SessionDep, viewer: TaxiiViewer) -> Response:
    return taxii_response(
        {"collections": [c.resource() for c in taxii.collections_for(session, viewer)]}
    )


@router.get(API_ROOT + "collections/{collection_id}/", summary="A TAXII collection")
def get_collection(session: SessionDep, viewer: TaxiiViewer, collection_id: str) -> Response:
    return taxii_response(taxii.find_collection(session, viewer, collection_id[:100]).resource())


def _filter(request: Request, *, object_id: str | None = None) -> ObjectFilter:
    q = request.query_params
    for key, value in q.multi_items():
        if len(value) > MAX_FILTER:
            raise TaxiiError(400, "Bad filter", f"{key} is longer than {MAX_FILTER} characters")
        if key not in (
            "added_after", "limit", "next", "match[id]", "match[type]", "match[version]",
            "match[spec_version]",
        ):  # fmt: skip
            raise TaxiiError(400, "Bad filter", f"unknown parameter {key!r}")

    def listed(name: str) -> list[str]:
        return [v.strip() for raw in q.getlist(name) for v in raw.split(",") if v.strip()]

    flt = ObjectFilter(
        ids=listed("match[id]"),
        types=listed("match[type]"),
        versions=listed("match[version]") or ["last"],
        spec_versions=listed("match[spec_version]"),
        next=q.get("next") or None,
    )
    if object_id is not None:
        flt.ids = [object_id]
    if q.get("added_after"):
        flt.added_after = taxii.parse_time(q["added_after"])
    if q.get("limit"):
        try:
            flt.limit = int(q["limit"])
        except ValueError:
            raise TaxiiError(400, "Bad limit", "limit must be a whole number") from None
        if flt.limit < 1:
            raise TaxiiError(400, "Bad limit", "limit must be at least 1")
    return flt


def _readable(session: SessionDep, viewer: Viewer, collection_id: str) -> taxii.Collection:
    collection = taxii.find_collection(session, viewer, collection_id[:100])
    if not collection.can_read:
        raise TaxiiError(403, "Forbidden", f"collection {collection.alias} is write-only")
    return collection


@router.get(API_ROOT + "collections/{collection_id}/objects/", summary="TAXII Get Objects")
def get_objects(
    request: Request, session: SessionDep, viewer: TaxiiViewer, collection_id: str
) -> Response:
    collection = _readable(session, viewer, collection_id)
    page = taxii.read_page(session, viewer, collection, _filter(request))
    return taxii_response(taxii.envelope(page), headers=taxii.date_headers(page))


@router.get(
    API_ROOT + "collections/{collection_id}/objects/{object_id}/", summary="TAXII Get An Object"
)
def get_object(
    request: Request, session: SessionDep, viewer: TaxiiViewer, collection_id: str, object_id: str
) -> Response:
    collection = _readable(session, viewer, collection_id)
    page = taxii.read_page(session, viewer, collection, _filter(request, object_id=object_id[:300]))
    if not page.items:
        raise TaxiiError(
            404, "Not found", f"no object {object_id[:300]} in {collection.alias} that you may read"
        )
    return taxii_response(taxii.envelope(page), headers=taxii.date_headers(page))


@router.get(
    API_ROOT + "collections/{collection_id}/objects/{object_id}/versions/",
    summary="TAXII Get Object Versions",
)
def get_versions(
    request: Request, session: SessionDep, viewer: TaxiiViewer, collection_id: str, object_id: str
) -> Response:
    collection = _readable(session, viewer, collection_id)
    flt = _filter(request, object_id=object_id[:300])
    flt.versions = ["all"]
    page = taxii.read_page(session, viewer, collection, flt)
    if not page.items:
        raise TaxiiError(
            404, "Not found", f"no object {object_id[:300]} in {collection.alias} that you may read"
        )
    versions = sorted({str(o.get("modified") or o.get("created")) for _, o in page.items})
    return taxii_response({"more": False, "versions": versions}, headers=taxii.date_headers(page))


@router.get(API_ROOT + "collections/{collection_id}/manifest/", summary="TAXII Get Manifest")
def get_manifest(
    request: Request, session: SessionDep, viewer: TaxiiViewer, collection_id: str
) -> Response:
    collection = _readable(session, viewer, collection_id)
    page = taxii.read_page(session, viewer, collection, _filter(request))
    return taxii_response(taxii.manifest(page), headers=taxii.date_headers(page))


@router.post(
    API_ROOT + "collections/{collection_id}/objects/",
    status_code=202,
    summary="TAXII Add Objects (to the review queue)",
)
async def add_objects(request: Request, collection_id: str) -> Response:
    viewer = await run_in_threadpool(taxii_viewer, request)
    content_type = request.headers.get("content-type", "").lower().replace(" ", "")
    if not content_type.startswith("application/taxii+json"):
        raise TaxiiError(415, "Unsupported media type", f"send the envelope as {MEDIA_TAXII}")
    size = int(request.headers.get("content-length") or 0)
    if size > taxii.MAX_CONTENT_LENGTH:
        raise TaxiiError(
            413, "Too large", f"the envelope is over {taxii.MAX_CONTENT_LENGTH:,} bytes"
        )
    raw = await request.body()
    if len(raw) > taxii.MAX_CONTENT_LENGTH:
        raise TaxiiError(
            413, "Too large", f"the envelope is over {taxii.MAX_CONTENT_LENGTH:,} bytes"
        )
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TaxiiError(400, "Not JSON", f"the envelope is not JSON: {exc}") from None
    except RecursionError:
        raise TaxiiError(400, "Not JSON", "the envelope is nested too deeply") from None
    if not isinstance(body, dict) or not isinstance(body.get("objects", []), list):
        raise TaxiiError(400, "Not an envelope", 'send a TAXII envelope: {"objects": [...]}')
    objects = body.get("objects", [])
    return await run_in_threadpool(_add_in_session, viewer, collection_id, objects)


def _add_in_session(viewer: Viewer, collection_id: str, objects: list[Any]) -> Response:
    with session_scope(write=True) as session:
        collection = taxii.find_collection(session, viewer, collection_id[:100])
        if not collection.can_write:
            raise TaxiiError(
                403,
                "Forbidden",
                f"you may not add objects to {collection.alias}; "
                "the inbox takes analysts' envelopes",
            )
        status = _add(session, viewer, objects)
        body_out = _status_resource(status)
    return taxii_response(body_out, 202)


def _add(session: Any, viewer: Viewer, objects: list[Any]) -> TaxiiStatus:
    good, failures = check_each(objects)
    successes: list[dict[str, Any]] = []
    parsed = interpret(good, label="envelope")
    org = session.get(Organisation, viewer.organisation_id) if viewer.organisation_id else None
    report = IntakeReport()
    store_actors(session, parsed.actors, report, viewer=viewer)
    options = CandidateOptions(
        owner_org_id=viewer.organisation_id,
        source_label=f"TAXII inbox ({org.name if org else viewer.email})",
        grant_user_id=viewer.user_id,
        granted_by=viewer.email,
        extractor="taxii-2.1",
    )
    store_candidates(session, parsed.incidents, options, report=report)
    for doc in session.scalars(select(Document).where(Document.id.in_(report.document_ids))):
        audit_write(session=session, viewer=viewer, action="taxii-add", obj=doc)
    for obj in good:
        ident, version = obj["id"], obj.get("modified")
        if ident in report.outcomes:
            successes.append(_entry(ident, version, report.outcomes[ident]))
        elif ident in parsed.skipped:
            failures.append(_entry(ident, version, f"not kept: {parsed.skipped[ident]}"))
        else:
            successes.append(_entry(ident, version, "kept as context of the reports"))
    assert viewer.user_id is not None
    status = TaxiiStatus(
        id=taxii.new_status_id(),
        collection_id=taxii.find_collection(session, viewer, taxii.INBOX).id,
        user_id=viewer.user_id,
        status="complete",
        total_count=len(successes) + len(failures),
        success_count=len(successes),
        failure_count=len(failures),
        pending_count=0,
        successes=successes,
        failures=failures,
        pendings=[],
    )
    session.add(status)
    session.flush()
    return status


def _status_resource(status: TaxiiStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "status": status.status,
        "request_timestamp": taxii.taxii_time(status.request_timestamp),
        "total_count": status.total_count,
        "success_count": status.success_count,
        "successes": status.successes,
        "failure_count": status.failure_count,
        "failures": status.failures,
        "pending_count": status.pending_count,
        "pendings": status.pendings,
    }


@router.get(API_ROOT + "status/{status_id}/", summary="TAXII Get Status")
@router.get(API_ROOT + "status/{status_id}", include_in_schema=False)
def get_status(session: SessionDep, viewer: TaxiiViewer, status_id: str) -> Response:
    status = session.get(TaxiiStatus, status_id[:36])
    if status is None or status.user_id != viewer.user_id:
        raise TaxiiError(404, "Not found", f"no status {status_id[:36]} of yours")
    return taxii_response(_status_resource(status))

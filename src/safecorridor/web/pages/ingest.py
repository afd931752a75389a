"""The ingest page: paste a text, give a URL or upload a file; the candidates found come back.

The work is ``sources.service.ingest_report``'s (the same as ``POST /api/v1/documents``). The
post resolves its user in a short transaction of its own (``ShortViewer``): ingest writes
through connections of its own and must not wait behind this request's write lock.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from safecorridor.accounts.models import User
from safecorridor.api.deps import ClockDep, SessionDep, ShortViewer
from safecorridor.clock import today
from safecorridor.db.session import get_engine, session_scope
from safecorridor.errors import InvalidInputError, ServiceError
from safecorridor.settings import get_settings
from safecorridor.sharing.policy import Viewer, require_write
from safecorridor.sources.service import IngestOutcome, Upload, ingest_report
from safecorridor.taxonomy.choices import TLP
from safecorridor.validation import FIRST_YEAR
from safecorridor.web.deps import LoginRequiredError, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.templating import MARKINGS, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request, session: SessionDep, user: PageUser, clock: ClockDep) -> Response:
    require_write(Viewer.of(user), "document")
    return render(
        request,
        session,
        user,
        "ingest/index.html",
        markings=MARKINGS,
        today=today(clock).isoformat(),
        first_day=date(FIRST_YEAR, 1, 1).isoformat(),  # validation.publication_day's bounds
    )


def _read_upload(file: UploadFile | None) -> Upload | None:
    if file is None or not file.filename:
        return None
    limit = get_settings().ingest_max_bytes
    content = file.file.read(limit + 1)
    if len(content) > limit:
        raise InvalidInputError(f"field file: the file is larger than {limit:,} bytes")
    return Upload(filename=file.filename, content=content)


@router.post("/ingest", response_class=HTMLResponse)
def ingest_submit(
    request: Request,
    viewer: ShortViewer,
    text: Annotated[str, Form(max_length=2_000_000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    published: Annotated[str, Form(max_length=10)] = "",
    publisher: Annotated[str, Form(max_length=300)] = "",
    tlp: Annotated[str, Form(max_length=12)] = "AMBER",
    file: UploadFile | None = None,
    *,
    clock: ClockDep,
) -> Response:
    """Ingest pasted text, a URL or an uploaded file; the candidates it found come back."""
    if viewer is None or viewer.user_id is None:
        raise LoginRequiredError
    request.state.user_id = viewer.user_id
    outcome: IngestOutcome | None = None
    error = None
    status = 200
    try:
        try:
            day = date.fromisoformat(published) if published.strip() else None
        except ValueError:
            raise InvalidInputError(f"field published: not a date {published!r}") from None
        try:
            marking = TLP(tlp)
        except ValueError:
            raise InvalidInputError(f"field tlp: not a TLP marking {tlp!r}") from None
        outcome = ingest_report(
            engine=get_engine(),
            viewer=viewer,
            text=text,
            url=url,
            upload=_read_upload(file),
            published=day,
            publisher=publisher.strip() or None,
            tlp=marking,
            today=today(clock),
        )
    except InvalidInputError as exc:
        error, status = str(exc), 422
    except ServiceError:
        raise
    with session_scope() as session:
        return render(
            request,
            session,
            session.get(User, viewer.user_id),
            "ingest/_result.html",
            status_code=status,
            headers={"HX-Trigger": "review-decided"},
            report=outcome.report if outcome else None,
            error=error,
            candidates=outcome.candidates if outcome else [],
            ingest_errors=outcome.errors if outcome else [],
        )

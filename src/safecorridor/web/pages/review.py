"""The review queue: pending candidates with their evidence highlighted in the text, and the
decisions on them (accept with edits, reject with a reason, merge into a named incident).

Decisions call ``review.service`` with the signed-in viewer: the same role, ownership, merge
eligibility, RED grant and audit rules as the API's; a refusal shows the service's message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from safecorridor.api.deps import SessionDep
from safecorridor.errors import InvalidInputError, NotFoundError, ServiceError, http_status
from safecorridor.i18n import N_
from safecorridor.review.models import Candidate
from safecorridor.review.service import (
    accept_candidate,
    get_candidate,
    merge_candidate,
    page_of_candidates,
    pending_count,
    reject_candidate,
    suggestion_for,
)
from safecorridor.sharing.policy import Viewer, require_write
from safecorridor.validation import whole_number
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.evidence import evidence_fields, highlight
from safecorridor.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: the fields a reviewer may correct in the queue, in the card's order
REVIEW_EDITABLE = (
    "event_type",
    "sub_event_type",
    "event_date",
    "date_precision",
    "location",
    "admin1",
    "latitude",
    "longitude",
    "perpetrator",
    "claimed_by",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
)
QUEUE_SIZE = 200


def _card(session: Session, viewer: Viewer, c: Candidate) -> dict[str, Any]:
    text = c.document.text or "" if c.document is not None else ""
    spans = [(s, e, name) for name, (s, e) in (c.evidence or {}).items()]
    window = (0, len(text))
    if c.span:
        window = (max(0, c.span[0] - 400), min(len(text), c.span[1] + 400))
    return {
        "c": c,
        "pieces": highlight(text, spans),
        "window": window,
        "fields": evidence_fields(c),
        "suggested": suggestion_for(session, viewer, c),
    }


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    viewer = Viewer.of(user)
    require_write(viewer, "candidate")
    rows, _total = page_of_candidates(session, viewer, limit=QUEUE_SIZE)
    cards = [_card(session, viewer, c) for c in rows]
    template = "review/_queue.html" if is_htmx(request) else "review/queue.html"
    return render(request, session, user, template, cards=cards, editable=REVIEW_EDITABLE)


@router.get("/review/count", response_class=HTMLResponse)
def review_count(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The header's badge (HTMX refreshes it after each decision)."""
    viewer = Viewer.of(user)
    n = pending_count(session, viewer)
    return render(request, session, user, "review/_count.html", pending=n)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@router.post("/review/{candidate_id}/{action}", response_class=HTMLResponse)
def review_decide(
    request: Request,
    session: SessionDep,
    user: PageUser,
    candidate_id: Ident,
    action: str,
    form: FormData,
) -> Response:
    """accept (with optional edits), reject (with a reason) or merge (into an incident id)."""
    viewer = Viewer.of(user)
    if action not in ("accept", "reject", "merge"):
        raise NotFoundError(f"no review action {action!r}; accept, reject or merge")
    c = get_candidate(session, candidate_id, viewer=viewer)
    edits = {
        name: form[name]
        for name in REVIEW_EDITABLE
        if name in form and form[name] != _as_text(getattr(c, name))
    }
    outcome = ""
    incident_id: int | None = None
    try:
        if action == "accept":
            d = accept_candidate(session=session, candidate_id=c.id, viewer=viewer, edits=edits)
            incident_id = d.incident.id
            outcome = N_("accepted as new incident") if d.created else N_("merged into incident")
        elif action == "reject":
            reason = form.get("reason") or request.headers.get("HX-Prompt") or ""
            reject_candidate(session=session, candidate_id=c.id, viewer=viewer, reason=reason)
            outcome = N_("rejected")
        else:
            target = form.get("incident_id", "")
            incident_id = whole_number(target)
            if incident_id is None:
                raise InvalidInputError("field incident_id: give the number of an incident")
            d = merge_candidate(
                session=session,
                candidate_id=c.id,
                incident_id=incident_id,
                viewer=viewer,
                edits=edits,
            )
            incident_id = d.incident.id
            outcome = N_("merged into incident")
    except ServiceError as exc:  # the card again, with the service's refusal and status
        return _refused_card(
            request,
            session,
            user,
            viewer,
            candidate_id,
            str(exc),
            http_status(exc),
            kept={name: form[name] for name in edits},
        )
    # the header's count comes with the card (an out-of-band swap): a count fetched after an
    # event could land after the next decision's and show a stale number
    return render(
        request,
        session,
        user,
        "review/_decided.html",
        c=c,
        outcome=outcome,
        incident_id=incident_id,
        pending=pending_count(session, viewer),
    )


def _refused_card(
    request: Request,
    session: Session,
    user: Any,
    viewer: Viewer,
    candidate_id: Ident,
    error: str,
    status: int,
    kept: dict[str, str] | None = None,
) -> HTMLResponse:
    """The candidate's card again, with the refusal above it; the reviewer's edits (``kept``:
    what was typed, not stored) stay in the open edit fields, to be corrected, not retyped."""
    session.expire_all()
    c = get_candidate(session, candidate_id, viewer=viewer)
    return render(
        request,
        session,
        user,
        "review/_candidate.html",
        status_code=status,
        headers={"HX-Trigger": "review-error"},
        error=error,
        editable=REVIEW_EDITABLE,
        kept=kept or {},
        **_card(session, viewer, c),
    )

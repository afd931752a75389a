"""The alerts page: the user's notifications (acknowledge them) and their organisation's
alert rules (added by its admins, through ``alerts.service``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User
from safecorridor.alerts import service as ar
from safecorridor.alerts.choices import Channel, RuleKind
from safecorridor.alerts.schemas import RuleCreate
from safecorridor.api.deps import OptionalUser, SessionDep
from safecorridor.errors import ServiceError, http_status, invalid
from safecorridor.taxonomy.choices import Role
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _alerts_context(session: Session, user: User) -> dict[str, Any]:
    return {
        "notes": ar.inbox_entries(session, user, limit=200),
        "rules": ar.list_rules(session, user.organisation_id),
        "can_add_rule": user.role == Role.ADMIN,
        "kinds": [str(k) for k in RuleKind],
        "channels": [str(c) for c in Channel],
        "roles": [str(r) for r in Role],
    }


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    return render(request, session, user, "alerts/index.html", **_alerts_context(session, user))


@router.get("/alerts/count", response_class=HTMLResponse)
def alerts_count(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return Response(status_code=204)
    return render(request, session, user, "alerts/_count.html")


@router.post("/alerts/{alert_id}/ack", response_class=HTMLResponse)
def alerts_ack(request: Request, session: SessionDep, user: PageUser, alert_id: Ident) -> Response:
    ar.acknowledge(session, alert_id=alert_id, user=user)
    note = next((n for n in ar.inbox_entries(session, user) if n.alert_id == alert_id), None)
    if note is None:  # an organisation's alert acknowledged outside the user's inbox
        return Response(status_code=204, headers={"HX-Trigger": "alerts-changed"})
    return render(
        request,
        session,
        user,
        "alerts/_notification.html",
        headers={"HX-Trigger": "alerts-changed"},
        n=note,
    )


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


def rule_of(form: dict[str, str]) -> RuleCreate:
    """The rule form as the API's body."""
    params: dict[str, Any] = {}
    for name in ("km", "hours"):
        if form.get(name):
            params[name] = form[name]
    data = {
        "kind": form.get("kind", ""),
        "name": form.get("name") or None,
        "params": params,
        "channels": [c for c in (str(x) for x in Channel) if form.get(f"channel_{c}")]
        or [str(Channel.IN_APP)],
        "recipient_roles": [r for r in (str(x) for x in Role) if form.get(f"role_{r}")],
        "emails": _split(form.get("emails", "")),
        "webhook_url": form.get("webhook_url") or None,
    }
    try:
        return RuleCreate.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


@router.post("/alerts/rules", response_class=HTMLResponse)
def alerts_add_rule(
    request: Request, session: SessionDep, user: PageUser, form: FormData
) -> Response:
    """Add a rule (admins); a refusal shows the service's message with the API's status."""
    error: str | None = None
    status = 200
    try:
        with session.begin_nested():
            ar.add_rule_as(session=session, user=user, rule_in=rule_of(form))
    except ServiceError as exc:
        error, status = str(exc), http_status(exc)
    return render(
        request,
        session,
        user,
        "alerts/_rules.html",
        status_code=status,
        error=error,
        **_alerts_context(session, user),
    )

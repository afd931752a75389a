"""/api/v1/alerts: your in-app alerts (unread count, acknowledgement); /api/v1/alert-rules and
/api/v1/alert-deliveries for your organisation (rules are written by its admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from safecorridor.alerts import service as ar
from safecorridor.alerts.choices import DeliveryState
from safecorridor.alerts.models import Alert, AlertRule, Delivery
from safecorridor.alerts.schemas import RuleCreate
from safecorridor.api.deps import CurrentUser, SessionDep
from safecorridor.api.problems import ProblemError, responses
from safecorridor.taxonomy.choices import Role

router = APIRouter(tags=["alerts"], responses=responses(401, 403, 404, 422))

AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class AlertPublic(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    subject_type: str | None
    subject_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    rule_id: int | None
    is_read: bool = False
    acknowledged_at: datetime | None


class AlertsPublic(BaseModel):
    data: list[AlertPublic]
    count: int
    unread: int


class RulePublic(BaseModel):
    id: int
    organisation_id: int
    kind: str
    name: str
    params: dict[str, Any]
    channels: list[str]
    recipient_roles: list[str]
    emails: list[str] = Field(description="Shown to administrators only.")
    webhook_url: str | None = Field(
        description="Shown to administrators only (a hook's address is itself a credential)."
    )
    is_active: bool
    webhook_secret: str | None = Field(
        default=None, description="Only in the answer to the POST that created the rule."
    )


class DeliveryPublic(BaseModel):
    id: int
    alert_id: int
    channel: str
    recipient: str
    state: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str | None
    idempotency_key: str


def _alert(a: Alert | ar.WithheldAlert, *, is_read: bool) -> AlertPublic:
    data = {k: getattr(a, k, None) for k in AlertPublic.model_fields}
    data["is_read"] = is_read
    return AlertPublic.model_validate(data)


def _rule(r: AlertRule, *, secret: bool = False, where: bool = True) -> RulePublic:
    """``secret``: the webhook's secret (once, on creation); ``where``: where it sends (its
    e-mail addresses and hook URL, for administrators)."""
    data = {k: getattr(r, k) for k in RulePublic.model_fields}
    if not secret:
        data["webhook_secret"] = None
    if not where:
        data["emails"], data["webhook_url"] = [], None
    return RulePublic.model_validate(data)


@router.get("/api/v1/alerts", response_model=AlertsPublic, summary="Your alerts")
def my_alerts(
    session: SessionDep,
    user: CurrentUser,
    unread: Annotated[bool, Query(description="Only unacknowledged ones.")] = False,
) -> AlertsPublic:
    notes = ar.inbox_entries(session, user, unread_only=unread)
    return AlertsPublic(
        data=[_alert(n.alert, is_read=n.acknowledged_at is not None) for n in notes],
        count=len(notes),
        unread=ar.unread_count(session, user),
    )


@router.post("/api/v1/alerts/{alert_id}/ack", response_model=AlertPublic, summary="Acknowledge")
def acknowledge(session: SessionDep, user: CurrentUser, alert_id: AlertId) -> AlertPublic:
    alert = ar.acknowledge(session, alert_id=alert_id, user=user)
    return _alert(ar.alerts_as_read(session, user, [alert])[0], is_read=True)


@router.get("/api/v1/alert-rules", response_model=list[RulePublic], summary="Your rules")
def list_rules(session: SessionDep, user: CurrentUser) -> list[RulePublic]:
    """Your organisation's rules; where they send (addresses, hook URLs) to administrators
    only, as the deliveries are."""
    admin = user.role == Role.ADMIN
    return [_rule(r, where=admin) for r in ar.list_rules(session, user.organisation_id)]


@router.post(
    "/api/v1/alert-rules", response_model=RulePublic, status_code=201, summary="Add a rule"
)
def add_rule(session: SessionDep, user: CurrentUser, rule_in: RuleCreate) -> RulePublic:
    """Add a rule for your organisation (admins). A webhook rule without a secret gets a
    generated one, returned here only."""
    rule = ar.add_rule_as(session=session, user=user, rule_in=rule_in)
    return _rule(rule, secret=True)


@router.delete(
    "/api/v1/alert-rules/{rule_id}",
    response_model=RulePublic,
    summary="Stop a rule",
    responses=responses(403, 404),
)
def stop_rule(session: SessionDep, user: CurrentUser, rule_id: RuleId) -> RulePublic:
    """Stop a rule of your organisation (admins): it alerts no more, and its deliveries not
    yet sent are dropped (a hook pointed at the wrong place stops receiving). Its alerts stay
    as the record of what was sent."""
    return _rule(ar.stop_rule(session=session, rule_id=rule_id, user=user))


@router.get("/api/v1/alert-deliveries", response_model=list[DeliveryPublic], summary="Deliveries")
def list_deliveries(
    session: SessionDep,
    user: CurrentUser,
    state: Annotated[
        DeliveryState | None, Query(description="pending, retrying, delivered, dead")
    ] = None,
) -> list[DeliveryPublic]:
    """E-mail and webhook deliveries of your organisation's alerts (admins)."""
    if user.role != Role.ADMIN:
        raise ProblemError(403, f"your role ({user.role}) cannot read deliveries")
    q = (
        select(Delivery)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Alert.organisation_id == user.organisation_id)
        .order_by(Delivery.id.desc())
        .limit(500)
    )
    if state:
        q = q.where(Delivery.state == state)
    return [
        DeliveryPublic.model_validate({k: getattr(d, k) for k in DeliveryPublic.model_fields})
        for d in session.scalars(q)
    ]

"""Alert rules and the alerts they make.

An alert is made at most once: its ``key`` (rule, subject and event) is unique and it is
written with ``INSERT ... ON CONFLICT DO NOTHING``; only the caller whose insert went in
writes the alert's notifications and deliveries, in the same transaction. Two workers that
evaluate the same new incident therefore make one alert, one notification per user and one
delivery per recipient and channel.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from safecorridor import net
from safecorridor.accounts.models import Organisation, User, organisation_partners
from safecorridor.alerts.channels import get_channel_settings
from safecorridor.alerts.choices import Channel, DeliveryState, RuleKind
from safecorridor.alerts.models import Alert, AlertRule, Delivery, IncidentOutbox, Notification
from safecorridor.alerts.schemas import RuleCreate
from safecorridor.db.base import utcnow
from safecorridor.errors import ForbiddenError, InvalidInputError, NotFoundError
from safecorridor.geo import haversine_km
from safecorridor.incidents.models import Incident
from safecorridor.jwg.access import readable_actions_clause
from safecorridor.jwg.models import ActionItem
from safecorridor.movements.access import can_see, organisation_sees
from safecorridor.movements.checks import distance_to_polyline_km
from safecorridor.movements.models import Movement
from safecorridor.registry.models import Route, Site
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.models import Candidate
from safecorridor.risk.service import registry_levels
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.policy import Viewer, restrict, visible
from safecorridor.taxonomy.choices import IncidentStatus, RiskLevel, Role
from safecorridor.validation import email_address

LEVELS = tuple(RiskLevel)
INCIDENT_KINDS = (RuleKind.INCIDENT_NEAR, RuleKind.FOREIGN_FATALITIES)
#: evaluations of an outbox event in which a rule failed before it is closed (logged)
OUTBOX_MAX_ATTEMPTS = 5
log = logging.getLogger("safecorridor.alerts")


class AlertRuleError(InvalidInputError):
    """A rule that cannot be made as given; the message says why."""


class AcknowledgeError(NotFoundError):
    """The user cannot acknowledge this alert (none such among theirs)."""


def _now(now: datetime | None) -> datetime:
    return now.replace(tzinfo=None) if now is not None else utcnow()


# --- writing without duplicates ----------------------------------------------------------


def insert_ignore(session: Session, model: type[Any], values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new id, or None if a row with the
    same unique key exists (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = pg_insert(model)
    elif dialect == "sqlite":
        stmt = sqlite_insert(model)
    else:  # pragma: no cover - other backends are not supported
        raise NotImplementedError(dialect)
    stmt = stmt.values(**values).on_conflict_do_nothing().returning(model.id)
    new_id = session.execute(stmt).scalar()
    return int(new_id) if new_id is not None else None


def idempotency_key(alert_key: str, channel: str, recipient: str) -> str:
    """One per alert x recipient x channel, stable across retries and workers."""
    return hashlib.sha256(f"{alert_key}|{channel}|{recipient}".encode()).hexdigest()


# --- recipients --------------------------------------------------------------------------


@dataclass
class Recipients:
    """Who hears of an alert: users (in-app), e-mail addresses, webhooks."""

    users: list[User] = field(default_factory=list)
    emails: list[tuple[str, int | None]] = field(default_factory=list)
    webhooks: list[str] = field(default_factory=list)

    def add_users(self, users: Sequence[User], *, in_app: bool, email: bool) -> None:
        for u in users:
            if in_app and all(u.id != x.id for x in self.users):
                self.users.append(u)
            if email and all(u.email.lower() != a.lower() for a, _ in self.emails):
                self.emails.append((u.email, u.id))

    def add_email(self, address: str | None) -> None:
        if address and all(address.lower() != a.lower() for a, _ in self.emails):
            self.emails.append((address, None))


def members(session: Session, organisation_id: int, roles: Sequence[str] = ()) -> list[User]:
    stmt = select(User).where(User.organisation_id == organisation_id, User.is_active.is_(True))
    if roles:
        stmt = stmt.where(User.role.in_(list(roles)))
    return list(session.scalars(stmt.order_by(User.email)))


def rule_recipients(session: Session, rule: AlertRule) -> Recipients:
    r = Recipients()
    users = members(session, rule.organisation_id, rule.recipient_roles)
    r.add_users(users, in_app=Channel.IN_APP in rule.channels, email=Channel.EMAIL in rule.channels)
    if Channel.EMAIL in rule.channels:
        for address in rule.emails:
            r.add_email(address)
    if Channel.WEBHOOK in rule.channels and rule.webhook_url:
        r.webhooks.append(rule.webhook_url)
    return r


def alert_rules_of(
    session: Session,
    kind: str,
    organisations: set[int],
    *,
    base_key: str,
    title: str,
    body: str,
    subject_type: str,
    subject_id: int,
    payload: dict[str, Any],
    now: datetime,
    max_attempts: int | None = None,
) -> int:
    """The alert ``base_key`` once more for every active rule of ``kind`` held by one of
    ``organisations`` (to the rule's own recipients and channels): how many were made. The
    caller has checked that each of these organisations may read the subject."""
    made = 0
    for rule in active_rules(session, (kind,)):
        if rule.organisation_id not in organisations:
            continue
        if create_alert(
            session,
            key=f"rule:{rule.id}:{base_key}",
            organisation_id=rule.organisation_id,
            kind=rule.kind,
            title=f"[{rule.name}] {title}",
            body=body,
            rule=rule,
            subject_type=subject_type,
            subject_id=subject_id,
            payload=payload,
            recipients=rule_recipients(session, rule),
            now=now,
            max_attempts=max_attempts,
        ):
            made += 1
    return made


def org_viewer(organisation_id: int) -> Viewer:
    """What an organisation may read, as a reader without personal grants (no TLP:RED)."""
    return Viewer.for_organisation(organisation_id)


# --- alerts ------------------------------------------------------------------------------


def create_alert(
    session: Session,
    *,
    key: str,
    organisation_id: int,
    kind: str,
    title: str,
    recipients: Recipients,
    body: str = "",
    rule: AlertRule | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime | None = None,
    max_attempts: int | None = None,
) -> int | None:
    """Make the alert ``key`` with its notifications and deliveries; None if it exists."""
    at = _now(now)
    alert_id = insert_ignore(
        session,
        Alert,
        {
            "key": key,
            "rule_id": rule.id if rule else None,
            "organisation_id": organisation_id,
            "kind": kind,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "title": title[:300],
            "body": body,
            "payload": payload or {},
            "created_at": at,
        },
    )
    if alert_id is None:
        return None
    for user in recipients.users:
        insert_ignore(
            session,
            Notification,
            {"alert_id": alert_id, "user_id": user.id, "created_at": at},
        )
    attempts = max_attempts or get_channel_settings().delivery_max_attempts
    targets: list[tuple[str, str, int | None]] = [
        (str(Channel.EMAIL), address, user_id) for address, user_id in recipients.emails
    ] + [(str(Channel.WEBHOOK), url, None) for url in recipients.webhooks]
    for channel, recipient, user_id in targets:
        insert_ignore(
            session,
            Delivery,
            {
                "alert_id": alert_id,
                "channel": channel,
                "recipient": recipient,
                "user_id": user_id,
                "idempotency_key": idempotency_key(key, channel, recipient),
                "state": DeliveryState.PENDING,
                "attempts": 0,
                "max_attempts": attempts,
                "next_attempt_at": at,
                "created_at": at,
            },
        )
    return alert_id


# --- rules -------------------------------------------------------------------------------


def _require_rule_admin(user: User, doing: str) -> None:
    """Rules are their organisation's administrators' to add and stop."""
    if user.role != Role.ADMIN:
        raise ForbiddenError(
            f"your role ({user.role}) cannot {doing} alert rules; your organisation's admins can"
        )


def add_rule_as(*, session: Session, user: User, rule_in: RuleCreate) -> AlertRule:
    """A rule of the user's organisation, added by one of its admins."""
    _require_rule_admin(user, "add")
    return add_rule(
        session=session,
        organisation_id=user.organisation_id,
        created_by=user.email,
        viewer=Viewer.of(user),
        **rule_in.model_dump(),
    )


#: the parameters each kind of rule takes (any other is refused)
PARAMS: dict[str, frozenset[str]] = {
    RuleKind.INCIDENT_NEAR: frozenset({"km", "sites", "routes"}),
    RuleKind.RISK_RISING: frozenset({"sites", "routes"}),
    RuleKind.REVIEW_BACKLOG: frozenset({"hours"}),
}
MAX_WATCHED = 500
MAX_EMAILS = 50


def _number(value: Any, name: str, low: float, high: float, example: str) -> float:
    """A finite number in (low, high]; refused with the range otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or not low < number <= high:
        raise AlertRuleError(
            f"{name} must be a number above {low:g} and at most {high:g} ({example})"
        )
    return number


def rule_params(
    session: Session, organisation_id: int, kind: RuleKind, params: dict[str, Any]
) -> dict[str, Any]:
    """The rule's parameters, checked for its kind: numbers in range, and the sites and routes
    named among those the organisation may read (a rule never watches a hidden record)."""
    allowed = PARAMS.get(kind, frozenset())
    unknown = sorted(set(params) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed)) or "none"
        raise AlertRuleError(f"{kind} takes no parameter {', '.join(unknown)} (it takes: {names})")
    out: dict[str, Any] = {}
    if kind == RuleKind.INCIDENT_NEAR:
        out["km"] = _number(params.get("km"), "incident_near needs km: it", 0, 500, "e.g. km=10")
    if kind == RuleKind.REVIEW_BACKLOG:
        out["hours"] = _number(
            params.get("hours"), "review_backlog needs hours: it", 0, 8760, "e.g. hours=24"
        )
    reader = org_viewer(organisation_id)
    for name, model in (("sites", Site), ("routes", Route)):
        if name not in params:
            continue
        ids = params[name]
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in ids
        ):
            raise AlertRuleError(f"{name} must be a list of {name[:-1]} ids")
        if len(ids) > MAX_WATCHED:
            raise AlertRuleError(f"{name}: at most {MAX_WATCHED} ids")
        readable = set(
            session.scalars(restrict(select(model.id).where(model.id.in_(ids)), model, reader))
        )
        hidden = sorted(set(ids) - readable)
        if hidden:
            raise AlertRuleError(
                f"no {name[:-1]} with id {hidden[0]} that your organisation may read"
            )
        out[name] = sorted(set(ids))
    return out


def check_email(address: str) -> str:
    """An e-mail address for alert mail: one address, no spaces or line breaks."""
    try:
        return email_address(address)
    except ValueError as exc:
        raise AlertRuleError(str(exc)) from None


def add_rule(
    *,
    session: Session,
    organisation_id: int,
    kind: str,
    name: str | None = None,
    params: dict[str, Any] | None = None,
    channels: Sequence[str] = (Channel.IN_APP,),
    recipient_roles: Sequence[str] = (),
    emails: Sequence[str] = (),
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    created_by: str = "system",
    now: datetime | None = None,
    viewer: Viewer | None = None,
) -> AlertRule:
    """Add a rule. It sees incidents recorded from now on (the cursor starts at the newest
    outbox event). A webhook rule without a secret gets a random one (shown once by the CLI).
    The creation is audited in the caller's transaction (by ``viewer``, else ``created_by``)."""
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        raise AlertRuleError(f"unknown rule kind {kind!r}; one of {', '.join(RuleKind)}") from None
    chans: list[str] = []
    for c in channels:
        try:
            chans.append(str(Channel(c)))
        except ValueError:
            raise AlertRuleError(f"unknown channel {c!r}; one of {', '.join(Channel)}") from None
    chans = list(dict.fromkeys(chans))  # each once, in the order given
    emails = list(dict.fromkeys(emails))
    if not chans:
        raise AlertRuleError("a rule needs at least one channel")
    for role in recipient_roles:
        if role not in set(Role):
            raise AlertRuleError(f"unknown role {role!r}; one of {', '.join(Role)}")
    p = rule_params(session, organisation_id, rule_kind, params or {})
    emails = [check_email(e) for e in emails]
    if Channel.WEBHOOK in chans:
        if not webhook_url:
            raise AlertRuleError("a webhook rule needs an http(s) webhook URL")
        try:
            net.check_url(webhook_url, field="webhook_url")
        except InvalidInputError as exc:
            raise AlertRuleError(str(exc)) from None
        webhook_secret = webhook_secret or secrets.token_hex(32)
    if (
        Channel.EMAIL in chans
        and not emails
        and not members(session, organisation_id, recipient_roles)
    ):
        raise AlertRuleError("an e-mail rule needs addresses or members to write to")
    if session.get(Organisation, organisation_id) is None:
        raise AlertRuleError(f"no organisation {organisation_id}")
    cursor = int(session.scalar(select(func.max(IncidentOutbox.id))) or 0)
    rule = AlertRule(
        organisation_id=organisation_id,
        name=name or rule_kind.replace("_", " "),
        kind=rule_kind,
        params=p,
        channels=chans,
        recipient_roles=list(recipient_roles),
        emails=list(emails),
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        cursor=cursor,
        created_by=created_by,
        created_at=_now(now),
    )
    session.add(rule)
    session.flush()
    audit_write(
        session=session,
        viewer=viewer,
        action="create",
        obj=rule,
        actor=None if viewer is not None else created_by,
    )
    return rule


def stop_rule(
    *, session: Session, rule_id: int, user: User | None = None, actor: str = "cli"
) -> AlertRule:
    """Stop a rule: it alerts no more (its alerts and deliveries stay, as the history of what
    was sent). By an administrator of its organisation, or the server's CLI (``user`` None).
    A delivery still pending for it is not sent."""
    rule = session.get(AlertRule, rule_id)
    if rule is None or (user is not None and rule.organisation_id != user.organisation_id):
        raise NotFoundError(f"no alert rule with id {rule_id}")
    if user is not None:
        _require_rule_admin(user, "stop")
    rule.is_active = False
    session.execute(
        update(Delivery)
        .where(
            Delivery.alert_id.in_(select(Alert.id).where(Alert.rule_id == rule.id)),
            Delivery.state.in_((DeliveryState.PENDING, DeliveryState.RETRYING)),
        )
        .values(state=DeliveryState.DEAD, last_error="its rule was stopped")
        .execution_options(synchronize_session=False)
    )
    session.flush()
    viewer = Viewer.of(user) if user is not None else None
    audit_write(
        session=session,
        viewer=viewer,
        action="stop",
        obj=rule,
        actor=None if viewer is not None else actor,
    )
    return rule


def list_rules(session: Session, organisation_id: int | None = None) -> list[AlertRule]:
    stmt = select(AlertRule).order_by(AlertRule.organisation_id, AlertRule.id)
    if organisation_id is not None:
        stmt = stmt.where(AlertRule.organisation_id == organisation_id)
    return list(session.scalars(stmt))


@contextmanager
def isolated(session: Session, rule: AlertRule, failed: list[str] | None = None) -> Iterator[None]:
    """Evaluate one rule in a savepoint of its own: a rule that fails (parameters stored
    before they were checked, a bug) is rolled back, logged and marked with its error, and
    the other rules, of every organisation, are still evaluated."""
    rule_id, memory = rule.id, dict(rule.memory or {})
    try:
        with session.begin_nested():
            yield
    except Exception as exc:  # one rule's failure must not stop the others
        log.error("alert rule %s failed", rule_id, exc_info=exc)
        if failed is not None:
            failed.append(f"rule {rule_id}: {exc.__class__.__name__}")
        session.execute(
            update(AlertRule)
            .where(AlertRule.id == rule_id)
            .values(memory={**memory, "error": exc.__class__.__name__})
        )


def active_rules(session: Session, kinds: Sequence[str]) -> list[AlertRule]:
    return list(
        session.scalars(
            select(AlertRule)
            .where(AlertRule.is_active.is_(True), AlertRule.kind.in_(list(kinds)))
            .order_by(AlertRule.id)
        )
    )


def watched(session: Session, rule: AlertRule) -> tuple[list[Site], list[Route]]:
    """The rule organisation's own sites and routes plus those named in its params, among
    those the organisation may read (a rule never watches a record hidden from it)."""
    reader = org_viewer(rule.organisation_id)
    site_ids = [i for i in rule.params.get("sites") or [] if isinstance(i, int)]
    route_ids = [i for i in rule.params.get("routes") or [] if isinstance(i, int)]
    sites = session.scalars(
        restrict(
            select(Site).where((Site.owner_org_id == rule.organisation_id) | Site.id.in_(site_ids)),
            Site,
            reader,
        ).order_by(Site.id)
    ).all()
    routes = session.scalars(
        restrict(
            select(Route).where(
                (Route.owner_org_id == rule.organisation_id) | Route.id.in_(route_ids)
            ),
            Route,
            reader,
        ).order_by(Route.id)
    ).all()
    return list(sites), list(routes)


def _incident_text(inc: Incident) -> str:
    parts = [f"{inc.event_date} {inc.event_type}"]
    if inc.sub_event_type:
        parts.append(f"({inc.sub_event_type})")
    parts.append(f"at {inc.location or f'{inc.latitude:.3f},{inc.longitude:.3f}'}")
    if inc.fatalities:
        parts.append(f"- {inc.fatalities} killed")
    if inc.foreign_fatalities:
        parts.append(f"incl. {inc.foreign_fatalities} {inc.foreign_nationality or 'foreign'}")
    return " ".join(parts)


def _incident_payload(inc: Incident) -> dict[str, Any]:
    return {
        "incident_id": inc.id,
        "event_date": inc.event_date.isoformat(),
        "event_type": inc.event_type,
        "sub_event_type": inc.sub_event_type,
        "location": inc.location,
        "latitude": inc.latitude,
        "longitude": inc.longitude,
        "fatalities": inc.fatalities,
        "foreign_fatalities": inc.foreign_fatalities,
        "foreign_nationality": inc.foreign_nationality,
        "tlp": inc.tlp,
    }


def incident_matches(
    session: Session, rule: AlertRule, inc: Incident
) -> tuple[str, dict[str, Any]] | None:
    """(why, details) if the rule fires on the incident."""
    if rule.kind == RuleKind.FOREIGN_FATALITIES:
        if inc.foreign_fatalities and inc.foreign_fatalities > 0:
            who = inc.foreign_nationality or "foreign"
            return f"{inc.foreign_fatalities} {who} national(s) killed", {}
        return None
    km = float(rule.params["km"])
    sites, routes = watched(session, rule)
    near: list[tuple[float, str, str, int]] = []
    for s in sites:
        d = haversine_km(inc.latitude, inc.longitude, s.latitude, s.longitude)
        if d <= km:
            near.append((d, "site", s.name, s.id))
    for r in routes:
        d = distance_to_polyline_km(r.points, inc.latitude, inc.longitude)
        if d <= km:
            near.append((d, "route", r.name, r.id))
    if not near:
        return None
    near.sort()
    d, kind, name, _ = near[0]
    return (
        f"{d:.1f} km from {kind} {name}",
        {"near": [{"type": k, "name": n, "id": i, "km": round(x, 2)} for x, k, n, i in near]},
    )


def claim_outbox(session: Session, *, batch: int = 500) -> list[IncidentOutbox]:
    """The oldest pending outbox events, claimed for this transaction.

    On PostgreSQL ``FOR UPDATE SKIP LOCKED``: another worker's claimed rows are skipped, not
    waited for, and a row stays claimed until this transaction ends (a worker that dies
    releases it). On SQLite the caller holds the write lock (``BEGIN IMMEDIATE``), so one
    worker evaluates at a time."""
    stmt = (
        select(IncidentOutbox)
        .where(IncidentOutbox.processed_at.is_(None))
        .order_by(IncidentOutbox.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def outbox_pending(session: Session) -> int:
    """Outbox events not yet evaluated (the queue's depth)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(IncidentOutbox)
            .where(IncidentOutbox.processed_at.is_(None))
        )
        or 0
    )


def prune_outbox(session: Session, *, now: datetime | None = None, days: int = 7) -> int:
    """Delete the events evaluated more than ``days`` ago; returns how many."""
    cutoff = _now(now) - timedelta(days=days)
    result = session.execute(
        delete(IncidentOutbox)
        .where(IncidentOutbox.processed_at.is_not(None), IncidentOutbox.processed_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _alert_incident(
    session: Session,
    rule: AlertRule,
    inc: Incident,
    recipients: Callable[[], Recipients],
    *,
    now: datetime | None,
    max_attempts: int | None,
) -> bool:
    """Alert ``rule``'s recipients of ``inc`` if the rule fires on it; True if a new alert."""
    hit = incident_matches(session, rule, inc)
    if hit is None:
        return False
    why, details = hit
    title = (
        f"[{rule.name}] {inc.event_type} {why}"
        if rule.kind == RuleKind.INCIDENT_NEAR
        else f"[{rule.name}] {why}: {inc.location or inc.event_type}"
    )
    return (
        create_alert(
            session,
            key=f"rule:{rule.id}:incident:{inc.id}",
            organisation_id=rule.organisation_id,
            kind=rule.kind,
            title=title,
            body=_incident_text(inc),
            rule=rule,
            subject_type="incident",
            subject_id=inc.id,
            payload={**_incident_payload(inc), "why": why, **details},
            recipients=recipients(),
            now=now,
            max_attempts=max_attempts,
        )
        is not None
    )


def evaluate_incident_rules(
    session: Session,
    *,
    now: datetime | None = None,
    batch: int = 500,
    max_attempts: int | None = None,
) -> int:
    """Claim a batch of outbox events, evaluate every active incident rule on them, mark
    them processed; returns the alerts made.

    A rule hears of the events after its ``cursor`` and of the confirmed incidents its
    organisation may read. The alert's key (rule, incident) is unique, and so is each
    delivery's (alert, channel, recipient): an event evaluated twice (a worker that died
    after sending, a status confirmed again) makes nothing new. If a rule fails, the batch
    stays pending (``attempts`` + 1, ``last_error``) and is evaluated again at the next step,
    up to :data:`OUTBOX_MAX_ATTEMPTS` times.
    """
    events = claim_outbox(session, batch=batch)
    if not events:
        return 0
    at = _now(now)
    ids = sorted({e.incident_id for e in events})
    made = 0
    failed: list[str] = []
    for rule in active_rules(session, INCIDENT_KINDS):
        wanted = sorted({e.incident_id for e in events if e.id > rule.cursor})
        if not wanted:
            continue
        with isolated(session, rule, failed):
            incidents = session.scalars(
                select(Incident)
                .where(
                    Incident.id.in_(wanted),
                    Incident.status == IncidentStatus.CONFIRMED,
                    visible(Incident, org_viewer(rule.organisation_id)),
                )
                .order_by(Incident.id)
            ).all()
            found: list[Recipients] = []

            def recipients(rule: AlertRule = rule, found: list[Recipients] = found) -> Recipients:
                if not found:  # looked up once per rule, and only if it fires
                    found.append(rule_recipients(session, rule))
                return found[0]

            for inc in incidents:
                if _alert_incident(
                    session, rule, inc, recipients, now=now, max_attempts=max_attempts
                ):
                    made += 1
    event_ids = [e.id for e in events]
    if failed:
        session.execute(
            update(IncidentOutbox)
            .where(IncidentOutbox.id.in_(event_ids))
            .values(
                attempts=IncidentOutbox.attempts + 1,
                last_error="; ".join(failed)[:2000],
                processed_at=case(
                    (IncidentOutbox.attempts + 1 >= OUTBOX_MAX_ATTEMPTS, at), else_=None
                ),
            )
            .execution_options(synchronize_session=False)
        )
    else:
        session.execute(
            update(IncidentOutbox)
            .where(IncidentOutbox.id.in_(event_ids))
            .values(processed_at=at)
            .execution_options(synchronize_session=False)
        )
    log.debug("outbox: %s events of incidents %s evaluated", len(events), ids[:10])
    return made


# --- risk levels -------------------------------------------------------------------------


def evaluate_risk_rules(
    session: Session,
    *,
    now: datetime | None = None,
    policy: Any = None,
    max_attempts: int | None = None,
) -> int:
    """Alerts when a watched site's or route's risk level rises above what the rule last
    saw. The first evaluation only records the levels."""
    rules = active_rules(session, (RuleKind.RISK_RISING,))
    if not rules:
        return 0
    at = _now(now)
    as_of: date = at.date() + timedelta(days=1)  # incidents of today count
    made = 0
    for rule in rules:
        with isolated(session, rule):
            # the levels the rule's organisation sees: from what it may read, nothing else
            sites, routes = watched(session, rule)
            seen = registry_levels(
                session,
                org_viewer(rule.organisation_id),
                as_of=as_of,
                sites=sites,
                routes=routes,
                audit=False,
                policy=policy,
            )
            levels: dict[str, tuple[str, str, int, float]] = {}
            for s in sites:
                level, score = seen["sites"][str(s.id)]
                levels[f"site:{s.id}"] = (level, s.name, s.id, score)
            for r in routes:
                level, score = seen["routes"][str(r.id)]
                levels[f"route:{r.id}"] = (level, r.name, r.id, score)
            memory = dict(rule.memory or {})
            recipients: Recipients | None = None
            for k, (level, name, sid, score) in levels.items():
                prev = memory.get(k)
                memory[k] = level
                if prev is None or LEVELS.index(RiskLevel(level)) <= LEVELS.index(RiskLevel(prev)):
                    continue
                recipients = recipients or rule_recipients(session, rule)
                kind = k.split(":")[0]
                if create_alert(
                    session,
                    key=f"rule:{rule.id}:{k}:{prev}->{level}:{at.date()}",
                    organisation_id=rule.organisation_id,
                    kind=rule.kind,
                    title=f"[{rule.name}] {kind} {name}: risk rose from {prev} to {level}",
                    body=f"{kind} {name} is now {level} (score {score:.2f}), was {prev}.",
                    rule=rule,
                    subject_type=kind,
                    subject_id=sid,
                    payload={"from": prev, "to": level, "score": score, "as_of": str(as_of)},
                    recipients=recipients,
                    now=at,
                    max_attempts=max_attempts,
                ):
                    made += 1
            session.execute(
                update(AlertRule)
                .where(AlertRule.id == rule.id, AlertRule.revision == rule.revision)
                .values(memory=memory, revision=rule.revision + 1)
                .execution_options(synchronize_session=False)
            )
    return made


# --- review backlog ----------------------------------------------------------------------


def pending_candidates(
    session: Session, *, organisation_id: int, older_than: datetime
) -> tuple[int, datetime | None]:
    """(count, oldest created_at) of the candidates waiting for review since before
    ``older_than`` that the organisation may read and decide: its own, and those of no owner
    (imported open data, which any analyst who reads them may decide). Another
    organisation's, which only that one's analysts decide, are not its backlog."""
    row = session.execute(
        select(func.count(), func.min(Candidate.created_at)).where(
            Candidate.status == CandidateStatus.PENDING,
            Candidate.created_at <= older_than,
            visible(Candidate, org_viewer(organisation_id)),
            or_(Candidate.owner_org_id == organisation_id, Candidate.owner_org_id.is_(None)),
        )
    ).one()
    return int(row[0] or 0), row[1]


def evaluate_backlog_rules(
    session: Session, *, now: datetime | None = None, max_attempts: int | None = None
) -> int:
    """One alert per rule and day while candidates wait longer than the rule's hours."""
    at = _now(now)
    made = 0
    for rule in active_rules(session, (RuleKind.REVIEW_BACKLOG,)):
        with isolated(session, rule):
            hours = float(rule.params["hours"])
            count, oldest = pending_candidates(
                session,
                organisation_id=rule.organisation_id,
                older_than=at - timedelta(hours=hours),
            )
            if not count:
                continue
            if create_alert(
                session,
                key=f"rule:{rule.id}:backlog:{at.date()}",
                organisation_id=rule.organisation_id,
                kind=rule.kind,
                title=f"[{rule.name}] {count} candidate(s) awaiting review for over {hours:g} h",
                body=f"The oldest has waited since {oldest:%Y-%m-%d %H:%M} UTC." if oldest else "",
                rule=rule,
                subject_type="review_queue",
                payload={"pending": count, "oldest": oldest.isoformat() if oldest else None},
                recipients=rule_recipients(session, rule),
                now=at,
                max_attempts=max_attempts,
            ):
                made += 1
    return made


# --- movements ---------------------------------------------------------------------------


def _admins_for(session: Session, organisation_id: int) -> list[User]:
    """The organisation's admins; without any, the admins of the organisations it lists as
    partners (a company's escalation goes to the secretariat)."""
    admins = members(session, organisation_id, [Role.ADMIN])
    if admins:
        return admins
    partner_ids = session.scalars(
        select(organisation_partners.c.partner_id).where(
            organisation_partners.c.organisation_id == organisation_id
        )
    ).all()
    out: list[User] = []
    for pid in partner_ids:
        out.extend(members(session, pid, [Role.ADMIN]))
    return out


def alert_movement_overdue(
    session: Session,
    *,
    movement: Movement,
    stage: int,
    reason: str,
    now: datetime | None = None,
    max_attempts: int | None = None,
) -> int:
    """Stage 1 (overdue): the escort unit (its officers in-app and by e-mail, its contact
    address) and every ``movement_overdue`` rule of the requesting and the escort
    organisation. Stage 2 (escalation): the requesting organisation's admins."""
    at = _now(now)
    since = (movement.overdue_since or at).strftime("%Y%m%dT%H%M%S")
    base_key = f"movement:{movement.id}:overdue:{since}"
    people = sum(movement.headcount.values())
    payload = {
        "movement_id": movement.id,
        "state": movement.state,
        "route": movement.route_name,
        "headcount": movement.headcount,
        "escort": movement.escort_callsign,
        "planned_departure": movement.planned_departure.isoformat(),
        "planned_arrival": movement.planned_arrival.isoformat(),
        "last_checkin_at": (
            movement.last_checkin_at.isoformat() if movement.last_checkin_at else None
        ),
        "reason": reason,
        "stage": stage,
    }
    made = 0
    if stage == 1:
        title = (
            f"Movement {movement.id} OVERDUE: {people} people on {movement.route_name}"
            f" (escort {movement.escort_callsign or '-'})"
        )
        body = f"Movement {movement.id} is overdue: {reason}."
        r = Recipients()
        escort_org = movement.escort_org_id or movement.owner_org_id
        r.add_users(members(session, escort_org, [Role.ESCORT_OFFICER]), in_app=True, email=True)
        r.add_email(movement.escort_contact_email)
        if create_alert(
            session,
            key=f"{base_key}:escort",
            organisation_id=escort_org,
            kind=RuleKind.MOVEMENT_OVERDUE,
            title=title,
            body=body,
            subject_type="movement",
            subject_id=movement.id,
            payload=payload,
            recipients=r,
            now=at,
            max_attempts=max_attempts,
        ):
            made += 1
        made += alert_rules_of(
            session,
            RuleKind.MOVEMENT_OVERDUE,
            {movement.owner_org_id, escort_org},
            base_key=base_key,
            title=title,
            body=body,
            subject_type="movement",
            subject_id=movement.id,
            payload=payload,
            now=at,
            max_attempts=max_attempts,
        )
        return made
    admins = _admins_for(session, movement.owner_org_id)
    r = Recipients()
    r.add_users(admins, in_app=True, email=True)
    if create_alert(
        session,
        key=f"{base_key}:admin",
        organisation_id=movement.owner_org_id,
        kind=RuleKind.MOVEMENT_OVERDUE,
        title=(
            f"ESCALATION: movement {movement.id} still overdue ({people} people on"
            f" {movement.route_name})"
        ),
        body=f"Movement {movement.id} is still overdue: {reason}. The escort unit was alerted"
        f" at {movement.overdue_since:%Y-%m-%d %H:%M} UTC.",
        subject_type="movement",
        subject_id=movement.id,
        payload=payload,
        recipients=r,
        now=at,
        max_attempts=max_attempts,
    ):
        made += 1
    return made


# --- reading and acknowledging -----------------------------------------------------------


def inbox(session: Session, user: User, *, unread_only: bool = False) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.acknowledged_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc())))


#: what an alert is about, by subject type, where its readers may narrow after the alert was
#: made (an incident re-marked AMBER+STRICT, a site made RED)
_SUBJECTS: dict[str, Any] = {
    "incident": Incident,
    "site": Site,
    "route": Route,
    "movement": Movement,
    "action_item": ActionItem,
}

#: the title shown in place of an alert whose subject the reader may no longer read
WITHHELD_TITLE = "An alert about a record no longer shared with you"


@dataclass(frozen=True)
class WithheldAlert:
    """An alert as shown to a user who may no longer read its subject: that it was made,
    when and by which rule, and nothing of the record (title, place, figures, marking)."""

    id: int
    organisation_id: int
    kind: str
    created_at: datetime
    rule_id: int | None
    acknowledged_at: datetime | None
    title: str = WITHHELD_TITLE
    body: str = ""
    subject_type: str | None = None
    subject_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxEntry:
    """A notification as its user reads it (``alert``: the alert, or what may be shown of it)."""

    alert_id: int
    alert: Alert | WithheldAlert
    acknowledged_at: datetime | None


def inbox_entries(
    session: Session, user: User, *, unread_only: bool = False, limit: int | None = None
) -> list[InboxEntry]:
    """The user's notifications, newest first, each alert as they may read it now: an alert's
    title, body and figures are its subject's content, and an alert whose subject they may no
    longer read (an incident since re-marked AMBER+STRICT) keeps only that it was made."""
    notes = inbox(session, user, unread_only=unread_only)[:limit]
    shown = alerts_as_read(session, user, [n.alert for n in notes])
    return [
        InboxEntry(alert_id=n.alert_id, alert=a, acknowledged_at=n.acknowledged_at)
        for n, a in zip(notes, shown, strict=True)
    ]


def _reads(kind: str, model: Any, reader: User | int) -> Any:
    """The rule by which ``reader`` reads a subject of ``kind``: the one its own pages apply
    (a movement is also its escort's and its deciders'; an action item also its recording
    organisation's), else the marking rule. ``reader``: a person, or an organisation's id
    (an address of its alert rules, an escort's contact: without a member's own grants)."""
    if isinstance(reader, User):
        movements, viewer = can_see(reader), Viewer.of(reader)
    else:
        movements, viewer = organisation_sees(reader), Viewer.for_organisation(reader)
    if kind == "movement":
        return movements
    if kind == "action_item":
        return readable_actions_clause(viewer)
    return visible(model, viewer)


def still_shared(session: Session, delivery: Delivery) -> bool:
    """Whether a delivery's recipient may still read its alert's subject when it is sent (a
    retry may come after the incident was re-marked AMBER+STRICT or the person deactivated):
    a person by the rules of their inbox, an address by its organisation's."""
    alert = delivery.alert
    model = _SUBJECTS.get(alert.subject_type or "")
    if model is None or not alert.subject_id:
        return True
    if delivery.user_id is not None:
        user = session.get(User, delivery.user_id)
        if user is None or not user.is_active:
            return False
        rule = _reads(str(alert.subject_type), model, user)
    else:
        rule = _reads(str(alert.subject_type), model, alert.organisation_id)
    return session.scalar(select(model.id).where(model.id == alert.subject_id, rule)) is not None


def alerts_as_read(
    session: Session, user: User, alerts: Sequence[Alert]
) -> list[Alert | WithheldAlert]:
    """Each of ``alerts`` as ``user`` may read it now (see :func:`inbox_entries`)."""
    hidden: set[tuple[str, int]] = set()
    for kind, model in _SUBJECTS.items():
        ids = {a.subject_id for a in alerts if a.subject_type == kind and a.subject_id}
        if ids:
            stmt = select(model.id).where(model.id.in_(ids), _reads(kind, model, user))
            hidden |= {(kind, i) for i in ids - set(session.scalars(stmt))}
    return [
        WithheldAlert(
            id=a.id,
            organisation_id=a.organisation_id,
            kind=a.kind,
            created_at=a.created_at,
            rule_id=a.rule_id,
            acknowledged_at=a.acknowledged_at,
        )
        if (a.subject_type, a.subject_id) in hidden
        else a
        for a in alerts
    ]


def unread_count(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.acknowledged_at.is_(None))
        )
        or 0
    )


def acknowledge(
    session: Session, *, alert_id: int, user: User, now: datetime | None = None
) -> Alert:
    """Record that ``user`` acknowledged the alert (their notification, and the alert's
    first acknowledgement)."""
    at = _now(now)
    alert = session.get(Alert, alert_id)
    note = session.scalars(
        select(Notification).where(
            Notification.alert_id == alert_id, Notification.user_id == user.id
        )
    ).first()
    if alert is None or (note is None and user.organisation_id != alert.organisation_id):
        # one answer for an alert that does not exist and one of another organisation: the
        # refusal must not tell which ids another organisation's alerts have
        raise AcknowledgeError(f"no alert {alert_id} for {user.email}")
    if note is not None and note.acknowledged_at is None:
        note.acknowledged_at = at
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id, Alert.acknowledged_at.is_(None))
        .values(acknowledged_at=at, acknowledged_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(alert)
    return alert


def list_alerts(
    session: Session, *, organisation_id: int | None = None, limit: int = 100
) -> list[Alert]:
    stmt = select(Alert).order_by(Alert.id.desc()).limit(limit)
    if organisation_id is not None:
        stmt = stmt.where(Alert.organisation_id == organisation_id)
    return list(session.scalars(stmt))


def list_deliveries(
    session: Session, *, state: str | None = None, limit: int = 200
) -> list[Delivery]:
    stmt = select(Delivery).order_by(Delivery.id.desc()).limit(limit)
    if state:
        stmt = stmt.where(Delivery.state == DeliveryState(state))
    return list(session.scalars(stmt))

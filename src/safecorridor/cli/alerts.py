"""`safecorridor alerts ...`: alert rules, the alerts they made, acknowledgements, deliveries."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import AccountError, find_organisation
from safecorridor.alerts.choices import DeliveryState
from safecorridor.alerts.service import (
    AcknowledgeError,
    AlertRuleError,
    acknowledge,
    add_rule,
    inbox_entries,
    list_alerts,
    list_deliveries,
    list_rules,
    stop_rule,
    unread_count,
)
from safecorridor.cli.common import console, fail
from safecorridor.db.session import session_scope
from safecorridor.errors import NotFoundError
from safecorridor.movements.service import MovementError, get_user

app = typer.Typer(help="Alert rules, alerts and their deliveries.", no_args_is_help=True)
rules_app = typer.Typer(help="What each organisation is alerted about.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _organisation(session: Any, ref: str) -> Organisation:
    try:
        return find_organisation(session, ref)
    except AccountError as exc:
        raise fail(str(exc)) from None


@rules_app.command("add")
def rules_add_cmd(
    org: str = typer.Option(..., "--org", help="Organisation: id, name or short name."),
    kind: str = typer.Option(
        ...,
        "--kind",
        help="incident_near, foreign_fatalities, risk_rising, movement_overdue, review_backlog,"
        " action_overdue.",
    ),
    name: str = typer.Option(None, "--name", help="A name for the rule."),
    km: float = typer.Option(None, "--km", help="incident_near: distance from sites/routes."),
    hours: float = typer.Option(None, "--hours", help="review_backlog: waiting longer than."),
    channel: list[str] = typer.Option(
        ["in_app"], "--channel", help="in_app, email, webhook (repeat for several)."
    ),
    role: list[str] = typer.Option(
        [], "--role", help="Only members with this role (repeat; default: every member)."
    ),
    email: list[str] = typer.Option([], "--email", help="Extra e-mail address (repeat)."),
    webhook: str = typer.Option(None, "--webhook", help="Webhook URL."),
    secret: str = typer.Option(None, "--secret", help="Webhook secret (default: generated)."),
    site: list[int] = typer.Option([], "--site", help="Also watch this site id (repeat)."),
    route: list[int] = typer.Option([], "--route", help="Also watch this route id (repeat)."),
) -> None:
    """Add an alert rule for an organisation."""
    params: dict[str, Any] = {}
    if km is not None:
        params["km"] = km
    if hours is not None:
        params["hours"] = hours
    if site:
        params["sites"] = site
    if route:
        params["routes"] = route
    try:
        with session_scope() as session:
            organisation = _organisation(session, org)
            rule = add_rule(
                session=session,
                organisation_id=organisation.id,
                kind=kind,
                name=name,
                params=params,
                channels=channel,
                recipient_roles=role,
                emails=email,
                webhook_url=webhook,
                webhook_secret=secret,
                created_by="cli",
            )
            console.print(
                f"rule {rule.id}: {rule.kind} for {organisation.name} over"
                f" {', '.join(rule.channels)}",
                highlight=False,
            )
            if rule.webhook_secret and not secret:
                console.print(
                    f"webhook secret (shown once): {rule.webhook_secret}", highlight=False
                )
    except AlertRuleError as exc:
        raise fail(str(exc)) from None


@rules_app.command("stop")
def rules_stop_cmd(
    rule_id: int = typer.Argument(..., help="The rule's id (`alerts rules list`)."),
) -> None:
    """Stop a rule: it alerts no more, and its deliveries not yet sent are dropped."""
    with session_scope() as session:
        try:
            rule = stop_rule(session=session, rule_id=rule_id)
        except NotFoundError as exc:
            raise fail(str(exc)) from None
        name = rule.name
    console.print(f"rule {rule_id} ({name}) stopped", highlight=False)


@rules_app.command("list")
def rules_list_cmd(
    org: str = typer.Option(None, "--org", help="Only this organisation's rules."),
) -> None:
    """The alert rules."""
    with session_scope() as session:
        org_id = _organisation(session, org).id if org else None
        table = Table("id", "organisation", "kind", "name", "params", "channels", "active")
        for r in list_rules(session, org_id):
            table.add_row(
                str(r.id),
                r.organisation.short_name or r.organisation.name,
                r.kind,
                r.name,
                json.dumps(r.params),
                ", ".join(r.channels),
                "yes" if r.is_active else "no",
            )
        console.print(table)


@app.command("list")
def list_cmd(
    as_user: str = typer.Option(None, "--as", help="This user's in-app alerts."),
    unread: bool = typer.Option(False, "--unread", help="Only unacknowledged ones."),
    org: str = typer.Option(None, "--org", help="Only this organisation's alerts."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Alerts, newest first (with --as: the user's inbox and unread count)."""
    with session_scope() as session:
        rows: list[dict[str, Any]] = []
        header = ""
        if as_user:
            try:
                user = get_user(session, as_user)
            except MovementError as exc:
                raise fail(str(exc)) from None
            for n in inbox_entries(session, user, unread_only=unread):
                rows.append(_alert_row(n.alert) | {"read": n.acknowledged_at is not None})
            header = f"{user.email}: {unread_count(session, user)} unread"
        else:
            org_id = _organisation(session, org).id if org else None
            for a in list_alerts(session, organisation_id=org_id):
                if unread and a.acknowledged_at is not None:
                    continue
                rows.append(_alert_row(a) | {"read": a.acknowledged_at is not None})
        if as_json:
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if header:
            console.print(header, highlight=False)
        table = Table("id", "created", "kind", "title", "ack")
        for r in rows:
            table.add_row(
                str(r["id"]),
                r["created_at"][:16],
                r["kind"],
                r["title"],
                "yes" if r["read"] else "",
            )
        console.print(table)


def _alert_row(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "created_at": a.created_at.isoformat(),
        "kind": a.kind,
        "title": a.title,
        "body": a.body,
        "organisation_id": a.organisation_id,
        "rule_id": a.rule_id,
        "acknowledged_at": a.acknowledged_at.isoformat() if a.acknowledged_at else None,
    }


@app.command("ack")
def ack_cmd(
    alert_id: int = typer.Argument(..., help="Alert id."),
    as_user: str = typer.Option(..., "--as", help="E-mail of the user who acknowledges."),
) -> None:
    """Acknowledge an alert (recorded with who and when)."""
    try:
        with session_scope() as session:
            user = get_user(session, as_user)
            alert = acknowledge(session, alert_id=alert_id, user=user)
            console.print(
                f"alert {alert.id} acknowledged by {user.email};"
                f" {unread_count(session, user)} unread",
                highlight=False,
            )
    except (AcknowledgeError, MovementError) as exc:
        raise fail(str(exc)) from None


@app.command("deliveries")
def deliveries_cmd(
    dead: bool = typer.Option(False, "--dead", help="Only the dead-lettered ones."),
    state: str = typer.Option(None, "--state", help="Only deliveries in this state."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """E-mail and webhook deliveries with their attempts and errors."""
    wanted = DeliveryState.DEAD if dead else state
    if wanted and wanted not in set(DeliveryState):
        raise fail(f"--state must be one of {', '.join(DeliveryState)}")
    with session_scope() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": d.id,
                "alert_id": d.alert_id,
                "channel": d.channel,
                "recipient": d.recipient,
                "state": d.state,
                "attempts": d.attempts,
                "max_attempts": d.max_attempts,
                "next_attempt_at": d.next_attempt_at.isoformat(),
                "last_error": d.last_error,
                "idempotency_key": d.idempotency_key,
            }
            for d in list_deliveries(session, state=wanted)
        ]
        if as_json:
            typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        table = Table("id", "alert", "channel", "recipient", "state", "attempts", "last error")
        for r in rows:
            table.add_row(
                str(r["id"]),
                str(r["alert_id"]),
                r["channel"],
                r["recipient"],
                r["state"],
                f"{r['attempts']}/{r['max_attempts']}",
                (r["last_error"] or "")[:60],
            )
        console.print(table)

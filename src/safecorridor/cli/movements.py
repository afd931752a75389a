"""`safecorridor movements ...`: request, decide, start, follow and close movements.

There is no sign-in on the command line: ``--as EMAIL`` names the user who acts, and the
same role checks apply as in the web app.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from safecorridor.cli.common import console, fail, parse_latlon, parse_pairs
from safecorridor.db.session import session_scope
from safecorridor.movements.choices import MovementState
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from safecorridor.movements.service import (
    MovementError,
    approve_movement,
    cancel_movement,
    check_in,
    complete_movement,
    get_movement,
    get_user,
    list_movements,
    listed_risks,
    progress,
    reject_movement,
    request_movement,
    shown_risk,
    start_movement,
    submit_movement,
)

app = typer.Typer(
    help="Movements of personnel: request, approve with an escort, check in, complete.",
    no_args_is_help=True,
)

AS_HELP = "E-mail of the user who acts (there is no sign-in on the command line)."


def _when(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise fail(
            f"{option} must be a date and time as YYYY-MM-DDTHH:MM (UTC), not {value!r}"
        ) from None


def _headcount(values: list[str]) -> dict[str, int]:
    if len(values) == 1 and values[0].strip().startswith("{"):
        try:
            data = json.loads(values[0])
        except json.JSONDecodeError as exc:
            raise fail(f"--headcount: {exc}") from None
        return {str(k): int(v) for k, v in data.items()}
    out: dict[str, int] = {}
    for k, v in parse_pairs(values, "--headcount").items():
        try:
            out[k] = int(v)
        except ValueError:
            raise fail(f"--headcount {k}={v}: the count must be a number") from None
    return out


def summary(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "state": m.state,
        "organisation": m.organisation.name,
        "requested_by": m.requested_by.email,
        "purpose": m.purpose,
        "headcount": m.headcount,
        "route": m.route_name,
        "route_length_km": round(m.route_length_km, 1),
        "vehicles": m.vehicle_count,
        "armoured": m.armoured_count,
        "planned_departure": m.planned_departure.isoformat(),
        "planned_arrival": m.planned_arrival.isoformat(),
        "risk_level": m.risk_level,
        "risk_score": m.risk_score,
        "risk_as_of": m.risk_as_of.isoformat() if m.risk_as_of else None,
        "required_measures": m.required_measures,
        "issues": m.issues,
        "escort": {
            "callsign": m.escort_callsign,
            "organisation": m.escort_org.name if m.escort_org else None,
            "vehicles": m.escort_vehicles,
            "contact_email": m.escort_contact_email,
        }
        if m.escort_callsign
        else None,
        "decision_note": m.decision_note,
        "last_checkin_at": m.last_checkin_at.isoformat() if m.last_checkin_at else None,
        "overdue_since": m.overdue_since.isoformat() if m.overdue_since else None,
    }


def _print(m: Any, data: dict[str, Any] | None = None) -> None:
    """The movement, with the risk figures of ``data`` (a user's view) when given."""
    data = data or summary(m)
    ms = data["required_measures"] or {}
    console.print(
        f"movement {m.id}: [bold]{m.state}[/] - {m.organisation.name}, {m.people} people"
        f" {m.headcount}, {m.vehicle_count} vehicle(s) ({m.armoured_count} armoured)",
        highlight=False,
    )
    console.print(
        f"  {m.route_name} ({m.route_length_km:.0f} km), {m.planned_departure:%Y-%m-%d %H:%M}"
        f" -> {m.planned_arrival:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )
    if data["risk_level"]:
        console.print(
            f"  risk {str(data['risk_level']).upper()}"
            + (f" (score {data['risk_score']:.2f})" if data["risk_score"] is not None else "")
            + f" as of {data['risk_as_of']};"
            f" requires {ms.get('escort_vehicles', 0)} escort vehicle(s), armoured"
            f" {'yes' if ms.get('armoured_vehicles') else 'no'}, daylight only"
            f" {'yes' if ms.get('daylight_only') else 'no'}",
            highlight=False,
        )
    for issue in data["issues"] or []:
        mark = "!" if issue.get("is_blocking") else "-"
        console.print(f"  {mark} {issue['message']}", highlight=False)
    if m.escort_callsign:
        org = m.escort_org.name if m.escort_org else "?"
        console.print(
            f"  escort {m.escort_callsign} ({org}), {m.escort_vehicles} vehicle(s)",
            highlight=False,
        )


def _run(email: str, action: Any, *, as_json: bool = False) -> None:
    try:
        with session_scope() as session:
            user = get_user(session, email)
            m = action(session, user)
            if as_json:
                typer.echo(json.dumps(summary(m), indent=2, ensure_ascii=False))
            else:
                _print(m)
    except (MovementError, ValueError) as exc:
        raise fail(str(exc)) from None


@app.command("request")
def request_cmd(
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    headcount: list[str] = typer.Option(
        ..., "--headcount", help='People by nationality: CN=4 PK=2, or JSON {"CN": 4}.'
    ),
    depart: str = typer.Option(..., "--depart", help="Planned departure, UTC (ISO)."),
    arrive: str = typer.Option(..., "--arrive", help="Planned arrival, UTC (ISO)."),
    route: str = typer.Option(None, "--route", help="A registered route: id or name."),
    polyline: str = typer.Option(None, "--polyline", help="A drawn route: [[lat,lon],...]."),
    from_site: str = typer.Option(None, "--from", help="Site of departure (id or name)."),
    to_site: str = typer.Option(None, "--to", help="Site of arrival (id or name)."),
    vehicles: int = typer.Option(1, "--vehicles", help="Number of vehicles."),
    armoured: int = typer.Option(0, "--armoured", help="How many of them are armoured."),
    purpose: str = typer.Option("", "--purpose", help="What the movement is for."),
    submit: bool = typer.Option(False, "--submit", help="Submit it for approval at once."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Request a movement; its route risk as of the departure date and the measures the
    policy requires are computed, and what the plan does not meet is flagged."""
    points = None
    if polyline:
        try:
            points = json.loads(polyline)
        except json.JSONDecodeError as exc:
            raise fail(f"--polyline: {exc}") from None
    try:
        movement_in = MovementCreate(
            purpose=purpose,
            headcount=_headcount(headcount),
            route=route,
            polyline=points,
            from_site=from_site,
            to_site=to_site,
            vehicle_count=vehicles,
            armoured_count=armoured,
            planned_departure=_when(depart, "--depart"),
            planned_arrival=_when(arrive, "--arrive"),
        )
    except ValidationError as exc:
        msgs = (str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        raise fail("; ".join(msgs)) from None

    def act(session: Any, user: Any) -> Any:
        m = request_movement(session=session, user=user, movement_in=movement_in)
        if submit:
            submit_movement(session=session, movement_id=m.id, user=user)
        return m

    _run(as_user, act, as_json=as_json)


@app.command("submit")
def submit_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Submit a draft for approval (the route risk is computed again)."""
    _run(
        as_user,
        lambda s, u: submit_movement(session=s, movement_id=movement_id, user=u),
    )


@app.command("approve")
def approve_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    escort: str = typer.Option(..., "--escort", help="The escort unit's name or callsign."),
    escort_vehicles: int = typer.Option(..., "--escort-vehicles", help="Its vehicles."),
    escort_org: str = typer.Option(
        None, "--escort-org", help="Its organisation (default: the approver's)."
    ),
    contact: str = typer.Option(None, "--contact", help="E-mail of the escort unit."),
    note: str = typer.Option(None, "--note", help="A note kept with the decision."),
    override: str = typer.Option(
        None, "--override", help="Approve although the plan does not meet the policy: why."
    ),
) -> None:
    """Approve a submitted movement and assign its escort (escort officers)."""
    assignment = EscortAssignment(
        callsign=escort, organisation=escort_org, vehicles=escort_vehicles, contact_email=contact
    )
    _run(
        as_user,
        lambda s, u: approve_movement(
            session=s,
            movement_id=movement_id,
            user=u,
            escort=assignment,
            note=note,
            override_reason=override,
        ),
    )


@app.command("reject")
def reject_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the history)."),
) -> None:
    """Reject a submitted movement, with a reason (escort officers)."""
    _run(
        as_user,
        lambda s, u: reject_movement(session=s, movement_id=movement_id, user=u, reason=reason),
    )


@app.command("start")
def start_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Mark an approved movement as under way."""
    _run(as_user, lambda s, u: start_movement(session=s, movement_id=movement_id, user=u))


@app.command("checkin")
def checkin_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    at: str = typer.Option(None, "--at", help="Position LAT,LON."),
    note: str = typer.Option(None, "--note", help="What to report."),
) -> None:
    """Check in a movement on the road (position and note); shows progress against plan."""
    lat = lon = None
    if at:
        lat, lon = parse_latlon(at)
    try:
        with session_scope() as session:
            user = get_user(session, as_user)
            ci = check_in(
                session=session,
                movement_id=movement_id,
                user=user,
                latitude=lat,
                longitude=lon,
                note=note,
            )
            m = ci.movement
            p = progress(m)
            line = f"movement {m.id}: {m.state}; checked in at {ci.at:%Y-%m-%d %H:%M} UTC"
            if ci.km_along is not None:
                line += (
                    f", km {ci.km_along:.0f} of {m.route_length_km:.0f} (plan: km"
                    f" {p.expected_km:.0f}; {ci.off_route_km:.1f} km off the route)"
                )
            console.print(line, highlight=False)
    except (MovementError, ValueError) as exc:
        raise fail(str(exc)) from None


@app.command("complete")
def complete_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    note: str = typer.Option(None, "--note", help="A closing note."),
) -> None:
    """Mark a movement as arrived."""
    _run(
        as_user,
        lambda s, u: complete_movement(session=s, movement_id=movement_id, user=u, note=note),
    )


@app.command("cancel")
def cancel_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(..., "--as", help=AS_HELP),
    reason: str = typer.Option(None, "--reason", help="Why."),
) -> None:
    """Cancel a movement that has not started."""
    _run(
        as_user,
        lambda s, u: cancel_movement(session=s, movement_id=movement_id, user=u, reason=reason),
    )


@app.command("list")
def list_cmd(
    as_user: str = typer.Option(None, "--as", help="Only what this user may see."),
    state: str = typer.Option(None, "--state", help="Only movements in this state."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Movements, latest departure first."""
    if state and state not in set(MovementState):
        raise fail(f"--state must be one of {', '.join(MovementState)}")
    try:
        with session_scope() as session:
            user = get_user(session, as_user) if as_user else None
            rows = list_movements(session, user=user, state=state)
            # (as a user: the risk figures that user's organisation may be shown, as the API)
            risks = listed_risks(session, rows, user) if user else {}
            shown = [summary(m) | risks.get(m.id, {}) for m in rows]
            if as_json:
                typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
                return
            table = Table("id", "state", "organisation", "people", "route", "departure", "risk")
            for m, data in zip(rows, shown, strict=True):
                table.add_row(
                    str(m.id),
                    m.state,
                    m.organisation.short_name or m.organisation.name,
                    str(m.people),
                    m.route_name,
                    f"{m.planned_departure:%Y-%m-%d %H:%M}",
                    data["risk_level"] or "-",
                )
            console.print(table)
    except MovementError as exc:
        raise fail(str(exc)) from None


@app.command("show")
def show_cmd(
    movement_id: int = typer.Argument(..., help="Movement id."),
    as_user: str = typer.Option(
        None, "--as", help="As this user sees it: their risk figures, only if they may see it."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One movement: plan, risk, measures, escort, history and check-ins."""
    try:
        with session_scope() as session:
            user = get_user(session, as_user) if as_user else None
            m = get_movement(session, movement_id, user=user)
            data = summary(m)
            if user is not None:
                # the figures computed from what the user may read (as the movement's page)
                data.update(shown_risk(session, m, user))
                as_of = data["risk_as_of"]
                data["risk_as_of"] = as_of.isoformat() if as_of else None
            data["history"] = [
                {
                    "at": t.at.isoformat(),
                    "action": t.action,
                    "from": t.from_state,
                    "to": t.to_state,
                    "by": t.actor,
                    "note": t.note,
                }
                for t in m.transitions
            ]
            data["checkins"] = [
                {
                    "at": c.at.isoformat(),
                    "latitude": c.latitude,
                    "longitude": c.longitude,
                    "km_along": c.km_along,
                    "expected_km": c.expected_km,
                    "note": c.note,
                    "by": c.actor,
                }
                for c in m.checkins
            ]
            if as_json:
                typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
                return
            _print(m, data)
            console.print("  history:", highlight=False)
            for h in data["history"]:
                console.print(
                    f"    {h['at']}  {h['action']:<12} {h['from'] or '-'} -> {h['to']}"
                    f"  by {h['by']}" + (f"  ({h['note']})" if h["note"] else ""),
                    highlight=False,
                )
            if m.checkins:
                console.print("  check-ins:", highlight=False)
                for c in m.checkins:
                    where = f"km {c.km_along:.0f}" if c.km_along is not None else "no position"
                    console.print(
                        f"    {c.at:%Y-%m-%d %H:%M}  {where}  {c.note or ''}", highlight=False
                    )
            if m.state in ("under_way", "overdue"):
                p = progress(m)
                console.print(
                    f"  plan now: km {p.expected_km:.0f} of {p.total_km:.0f}", highlight=False
                )
    except MovementError as exc:
        raise fail(str(exc)) from None

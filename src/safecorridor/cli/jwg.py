"""`safecorridor meetings | actions | measures ...` and `safecorridor briefing`: the Joint
Working Group's work on the server's command line.

The command line is a trusted local caller (``viewer=None``): it reads every record, and a
pack ``--for`` an organisation holds what that organisation may read. Output is in English or
Simplified Chinese (``--lang``, else the ``LANG`` of the shell); dates and numbers follow it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from safecorridor import i18n
from safecorridor.accounts.service import find_organisation
from safecorridor.cli.common import console, fail, parse_choices, parse_day
from safecorridor.clock import system_clock, today
from safecorridor.db.session import session_scope
from safecorridor.errors import ServiceError, describe
from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ActionStatus
from safecorridor.jwg.schemas import ActionChange, MeetingCreate
from safecorridor.registry import measures as rm
from safecorridor.registry import service as registry
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer

meetings_app = typer.Typer(
    help="JWG meetings: list, show, record from a file.", no_args_is_help=True
)
actions_app = typer.Typer(help="Action items: the board, one item, updates.", no_args_is_help=True)
measures_app = typer.Typer(
    help="Protective measures of sites and routes, and risk with the planned ones.",
    no_args_is_help=True,
)

LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="en or zh (Simplified Chinese); default: the shell's LANG."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def locale_of(value: str | None) -> str:
    if value is not None:
        found = i18n.normalise("zh_Hans" if value.lower() in ("zh", "cn", "zh-cn") else value)
        if found is None:
            raise fail(f"--lang must be en or zh, not {value!r}")
        return found
    env = (os.environ.get("LANG") or "").split(".")[0]
    return i18n.normalise(env) or i18n.DEFAULT


def translator(locale: str) -> Callable[[str], str]:
    return i18n.translations(locale).gettext


def _refused(exc: ServiceError | ValidationError) -> typer.Exit:
    if isinstance(exc, ValidationError):
        return fail(describe(exc.errors()))
    return fail(str(exc))


def _org_id(session: Any, ref: str) -> int:
    try:
        return find_organisation(session, ref).id
    except ServiceError as exc:
        raise _refused(exc) from None


# --- meetings ---------------------------------------------------------------------------------


@meetings_app.command("list")
def meetings_list(lang: LangOpt = None, as_json: JsonOpt = False) -> None:
    """Meetings, newest first."""
    loc = locale_of(lang)
    _ = translator(loc)
    with session_scope() as session:
        rows = jwg.list_meetings(session, viewer=None)
        if as_json:
            data = [
                {"id": m.id, "series": m.series, "number": m.number, "held_on": str(m.held_on)}
                for m in rows
            ]
            typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        table = Table(title=_("Meetings of the Joint Working Group"))
        for col in ("id", _("Meeting"), _("Date"), _("Venue"), _("Marking")):
            table.add_column(col)
        for m in rows:
            table.add_row(
                str(m.id),
                _("the %(n)s meeting") % {"n": i18n.ordinal(m.number, loc)},
                i18n.format_date(m.held_on, loc),
                m.venue,
                f"TLP:{m.tlp}",
            )
        console.print(table)


@meetings_app.command("show")
def meetings_show(
    ref: Annotated[
        str, typer.Argument(metavar="NUMBER|id:N", help="The meeting's number or id:N.")
    ],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A meeting: delegations, agenda, decisions with their action items, what carried over."""
    loc = locale_of(lang)
    _ = translator(loc)
    with session_scope() as session:
        try:
            meeting = jwg.find_meeting(session, ref, viewer=None)
        except ServiceError as exc:
            raise _refused(exc) from None
        shown = jwg.meeting_public(session, meeting, None, locale=loc)
    if as_json:
        typer.echo(shown.model_dump_json(indent=2))
        return
    title = _("The %(n)s meeting") % {"n": i18n.ordinal(shown.number, loc)}
    held = i18n.format_date(shown.held_on, loc)
    console.print(
        f"[bold]{title}[/] · {shown.series} · {held} · {shown.venue} · TLP:{shown.tlp}",
        highlight=False,
    )
    if shown.summary:
        console.print(shown.summary, highlight=False)
    console.print(f"\n[bold]{_('Delegations')}[/]")
    for d in shown.delegations:
        console.print(f"  {d.organisation} ({d.side}): {', '.join(d.roles)}", highlight=False)
    console.print(f"\n[bold]{_('Decisions and action items')}[/]")
    for dec in shown.decisions:
        console.print(f"  {_('Decision %(n)s') % {'n': dec.position}}: {dec.text}", highlight=False)
        for a in dec.actions:
            console.print(
                f"    #{a.id} [{_(a.status.replace('_', ' '))}] {a.title} · {a.owner} · "
                f"{_('due %(day)s') % {'day': i18n.format_date(a.due_on, loc)}}",
                highlight=False,
            )
    if shown.carried_over:
        console.print(f"\n[bold]{_('Carried over from earlier meetings')}[/]")
        for a in shown.carried_over:
            age = _("open since the %(n)s meeting") % {"n": a.open_since} if a.open_since else ""
            console.print(f"  #{a.id} {a.title} · {a.owner} · {age}", highlight=False)


@meetings_app.command("add")
def meetings_add(
    file: Annotated[
        Path, typer.Argument(help="YAML or JSON: a meeting (see the API's MeetingCreate).")
    ],
    owner: Annotated[str, typer.Option("--owner", help="The organisation that records it.")],
) -> None:
    """Record a meeting with its delegations, agenda, decisions and action items."""
    try:
        raw = yaml.safe_load(file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail(f"{file}: {exc}") from None
    if not isinstance(raw, dict):
        raise fail(
            f"{file}: holds no meeting: a YAML or JSON mapping with number, held_on, "
            "delegations, agenda and decisions is expected"
        )
    try:
        meeting_in = MeetingCreate.model_validate(raw)
    except ValidationError as exc:
        raise _refused(exc) from None
    with session_scope() as session:
        try:
            m = jwg.create_meeting(
                session=session,
                meeting_in=meeting_in,
                viewer=None,
                owner_org_id=_org_id(session, owner),
                actor="cli",
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        typer.echo(f"meeting {m.id} recorded: number {m.number} of {m.series!r}")


# --- action items -----------------------------------------------------------------------------


@actions_app.command("list")
def actions_list(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation's items.")
    ] = None,
    status: Annotated[
        list[str], typer.Option("--status", help=f"{', '.join(ActionStatus)}; repeatable.")
    ] = [],  # noqa: B006
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Action items by due date (an organisation's board with --org)."""
    loc = locale_of(lang)
    _ = translator(loc)
    statuses = parse_choices(status, ActionStatus, "--status")
    with session_scope() as session:
        owner = _org_id(session, org) if org else None
        rows = jwg.list_actions(session, viewer=None, owner_org_id=owner, statuses=statuses)
        shown = jwg.actions_public(session, rows, None, locale=loc)
    if as_json:
        typer.echo(
            json.dumps([a.model_dump(mode="json") for a in shown], ensure_ascii=False, indent=2)
        )
        return
    table = Table(title=_("Action board"))
    for col in ("id", _("Action item"), _("Owner"), _("Due"), _("Status"), ""):
        table.add_column(col)
    for a in shown:
        table.add_row(
            str(a.id),
            a.title,
            a.owner,
            i18n.format_date(a.due_on, loc),
            _(a.status.replace("_", " ")),
            _("open since the %(n)s meeting") % {"n": a.open_since} if a.open_since else "",
        )
    console.print(table)


@actions_app.command("show")
def actions_show(item_id: int, lang: LangOpt = None) -> None:
    """One action item with its history and links."""
    loc = locale_of(lang)
    with session_scope() as session:
        try:
            item = jwg.get_action(session, item_id, viewer=None)
        except ServiceError as exc:
            raise _refused(exc) from None
        shown = jwg.actions_public(session, [item], None, locale=loc, history=True)[0]
    typer.echo(json.dumps(shown.model_dump(mode="json"), ensure_ascii=False, indent=2))


@actions_app.command("update")
def actions_update(
    item_id: int,
    status: Annotated[str | None, typer.Option(help="open, in_progress, done, cancelled")] = None,
    note: Annotated[str, typer.Option(help="Why (kept in the history).")] = "",
    evidence_note: Annotated[str | None, typer.Option(help="Evidence of completion.")] = None,
    evidence_url: Annotated[str | None, typer.Option(help="A document showing it done.")] = None,
    measure: Annotated[
        int | None, typer.Option(help="A measure put in place, as evidence.")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The day it took effect (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Change an item's status (with a note) or its evidence."""
    try:
        change = ActionChange.model_validate(
            {
                k: v
                for k, v in {
                    "status": status,
                    "note": note,
                    "evidence_note": evidence_note,
                    "evidence_url": evidence_url,
                    "evidence_measure_id": measure,
                    "effective_on": parse_day(on, "--on"),
                }.items()
                if v is not None
            }
        )
    except ValidationError as exc:
        raise _refused(exc) from None
    with session_scope() as session:
        try:
            item = jwg.update_action(
                session=session,
                action_id=item_id,
                change=change,
                viewer=None,
                today=today(system_clock),
                actor="cli",
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        typer.echo(f"action item {item.id}: {item.status}")


# --- measures ---------------------------------------------------------------------------------


@measures_app.command("list")
def measures_list(
    site: Annotated[str | None, typer.Option(help="A site: id or (part of the) name.")] = None,
    route: Annotated[str | None, typer.Option(help="A route: id or (part of the) name.")] = None,
    state: Annotated[
        list[str], typer.Option(help=f"{', '.join(rm.MeasureState)}; repeatable.")
    ] = [],  # noqa: B006
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The register of measures (of one site or route with --site / --route)."""
    loc = locale_of(lang)
    _ = translator(loc)
    states = parse_choices(state, rm.MeasureState, "--state")
    with session_scope() as session:
        try:
            site_id = registry.find_site(session, site).id if site else None
            route_id = registry.find_route(session, route).id if route else None
        except ServiceError as exc:
            raise _refused(exc) from None
        rows = rm.list_measures(
            session, viewer=None, site_id=site_id, route_id=route_id, states=states
        )
        shown = [rm.measure_public(m) for m in rows]
    if as_json:
        typer.echo(
            json.dumps([m.model_dump(mode="json") for m in shown], ensure_ascii=False, indent=2)
        )
        return
    table = Table(title=_("Register of protective measures"))
    for col in ("id", _("Site or route"), _("Measure"), _("Grade"), _("State"), _("Dates")):
        table.add_column(col)
    for m in shown:
        dates = []
        if m.in_place_from:
            dates.append(
                _("in place from %(day)s") % {"day": i18n.format_date(m.in_place_from, loc)}
            )
        if m.planned_for:
            dates.append(_("planned for %(day)s") % {"day": i18n.format_date(m.planned_for, loc)})
        if m.lapsed_on:
            dates.append(_("lapsed on %(day)s") % {"day": i18n.format_date(m.lapsed_on, loc)})
        table.add_row(
            str(m.id),
            m.subject,
            _(rm.KIND_LABELS.get(rm.MeasureKind(m.kind), m.kind)),
            _(m.grade),
            _(rm.STATE_LABELS.get(rm.MeasureState(m.state), m.state)),
            "; ".join(dates),
        )
    console.print(table)


@measures_app.command("add")
def measures_add(
    kind: Annotated[
        str,
        typer.Option(
            help=", ".join(
                k
                for k in (
                    "perimeter",
                    "guard_force",
                    "cctv",
                    "hardened_accommodation",
                    "armoured_transport",
                    "escort",
                    "movement_restrictions",
                    "police_liaison",
                )
            )
        ),
    ],
    site: Annotated[str | None, typer.Option(help="The site (id or name).")] = None,
    route: Annotated[str | None, typer.Option(help="The route (id or name).")] = None,
    grade: Annotated[str, typer.Option(help="standard or hardened")] = "standard",
    state: Annotated[str, typer.Option(help="planned, in_progress or in_place")] = "planned",
    planned_for: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    in_place_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    provider: Annotated[str, typer.Option(help="The organisation or unit providing it.")] = "",
    strength: Annotated[int | None, typer.Option(help="e.g. escort vehicles")] = None,
    description: Annotated[str, typer.Option()] = "",
    tlp: Annotated[str, typer.Option(help="TLP marking")] = "AMBER",
    action_item: Annotated[int | None, typer.Option(help="The action item it carries out.")] = None,
) -> None:
    """Record a measure of a site or a route (it takes the site's or route's owner)."""
    with session_scope() as session:
        try:
            data: dict[str, Any] = {
                "kind": kind,
                "grade": grade,
                "state": state,
                "planned_for": parse_day(planned_for, "--planned-for"),
                "in_place_from": parse_day(in_place_from, "--from"),
                "provider": provider,
                "strength": strength,
                "description": description,
                "tlp": tlp,
                "action_item_id": action_item,
                "site_id": registry.find_site(session, site).id if site else None,
                "route_id": registry.find_route(session, route).id if route else None,
            }
            m = jwg.record_measure(
                session,
                rm.MeasureCreate.model_validate(data),
                viewer=None,
                today=today(system_clock),
                actor="cli",
            )
        except (ServiceError, ValidationError) as exc:
            raise _refused(exc) from None
        typer.echo(f"measure {m.id} recorded: {m.kind} at {m.subject_name} ({m.state})")


@measures_app.command("state")
def measures_state(
    measure_id: int,
    state: Annotated[str, typer.Argument(help="planned, in_progress, in_place or lapsed")],
    on: Annotated[
        str | None, typer.Option("--on", help="The day it took effect (YYYY-MM-DD).")
    ] = None,
    note: Annotated[str, typer.Option()] = "",
) -> None:
    """Move a measure to another state (in place from, lapsed on ...)."""
    with session_scope() as session:
        try:
            m = rm.change_state(
                session=session,
                measure_id=measure_id,
                change=rm.MeasureChangeIn.model_validate(
                    {"state": state, "effective_on": parse_day(on, "--on"), "note": note}
                ),
                viewer=None,
                today=today(system_clock),
                actor="cli",
            )
        except (ServiceError, ValidationError) as exc:
            raise _refused(exc) from None
        typer.echo(f"measure {m.id}: {m.state}")


@measures_app.command("planned")
def measures_planned(
    for_org: Annotated[
        str | None, typer.Option("--for", help="As this organisation sees it (default: all).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today).")
    ] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Risk now and with the planned measures; the planned measures ranked by risk removed."""
    loc = locale_of(lang)
    _ = translator(loc)
    day = parse_day(as_of, "--as-of") or today(system_clock)
    with session_scope() as session:
        reader = Viewer.for_organisation(_org_id(session, for_org)) if for_org else None
        view = risk.planned_measures_view(session, reader, as_of=day)
    if as_json:
        out = {
            "as_of": str(view.as_of),
            "sites": view.sites,
            "ranked": [
                {**e.__dict__, "planned_for": str(e.planned_for), "reduction": e.reduction}
                for e in view.ranked
            ],
        }
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(title=_("Planned measures ranked by the risk they remove"))
    for col in (_("Site"), _("Measure"), _("Risk now"), _("With the measure"), _("Score removed")):
        table.add_column(col)
    for e in view.ranked:
        table.add_row(
            e.site_name,
            _(rm.KIND_LABELS.get(rm.MeasureKind(e.kind), e.kind)),
            f"{_(e.level_now)} {i18n.format_number(e.score_now, loc, 2)}",
            f"{_(e.level_with)} {i18n.format_number(e.score_with, loc, 2)}",
            i18n.format_number(e.reduction, loc, 2),
        )
    console.print(table)


# --- briefing ---------------------------------------------------------------------------------


def _period(value: str) -> tuple[date, date]:
    start, sep, end = value.partition("..")
    try:
        if not sep:  # a single day, or another separator
            raise ValueError(value)
        a, b = date.fromisoformat(start.strip()), date.fromisoformat(end.strip())
    except ValueError:
        raise fail(
            "--period must be FROM..TO as YYYY-MM-DD..YYYY-MM-DD "
            f"(e.g. 2022-07-01..2022-09-30), not {value!r}"
        ) from None
    if b < a:
        raise fail(f"--period {value}: it ends before it starts")
    return a, b


def briefing_command(
    period: Annotated[
        str,
        typer.Option(
            "--period", help="FROM..TO as YYYY-MM-DD..YYYY-MM-DD, e.g. 2022-07-01..2022-09-30"
        ),
    ],
    for_org: Annotated[str, typer.Option("--for", help="The recipient organisation (name or id).")],
    lang: Annotated[str, typer.Option("--lang", help="en or zh")] = "en",
    fmt: Annotated[str, typer.Option("--format", help="html or pdf")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", help="Where to write it.")] = None,
    meeting: Annotated[
        str | None, typer.Option("--meeting", help="The meeting it is for (number or id:N).")
    ] = None,
) -> None:
    """Build a briefing pack for an organisation: only what it may read, marked with the
    strictest TLP among its records, recorded in the audit chain."""
    loc = locale_of(lang)
    fmt = fmt.strip().lower()
    if fmt not in ("html", "pdf"):
        raise fail(f"--format must be html or pdf, not {fmt!r}")
    start, end = _period(period)
    with session_scope() as session:
        org = _org_id(session, for_org)
        try:
            meeting_id = jwg.find_meeting(session, meeting, viewer=None).id if meeting else None
            pack = briefing.build_pack(
                session,
                organisation_id=org,
                period_from=start,
                period_to=end,
                locale=loc,
                meeting_id=meeting_id,
                built_by="cli",
                now=system_clock.now(),
                with_pdf=fmt == "pdf",
            )
        except ServiceError as exc:
            raise _refused(exc) from None
        target = out or Path(f"briefing-{pack.id}.{fmt}")
        content = pack.pdf if fmt == "pdf" else pack.html.encode("utf-8")
        assert content is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        _ = translator(loc)
        typer.echo(
            f"{_('Briefing pack')} {pack.id}: TLP:{pack.tlp} · {target} ({len(content):,} bytes)"
        )

"""`safecorridor review`: list, show, accept, reject and merge candidate events."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from safecorridor.cli.common import check_limit, console, fail, parse_pairs
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope
from safecorridor.incidents.service import IncidentNotFoundError
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.merge import MergeCriteria
from safecorridor.review.service import (
    CandidateDecidedError,
    CandidateEditError,
    CandidateIncompleteError,
    CandidateNotFoundError,
    accept_candidate,
    auto_accept,
    count_candidates,
    get_candidate,
    list_candidates,
    merge_candidate,
    reject_candidate,
    suggested_incident,
)

review_app = typer.Typer(
    help="Review candidate events: accept them as incidents, merge or reject them.",
    invoke_without_command=True,
)


def _named(value: str | None) -> str:
    """A reviewer's name: the decision, the incident's history and the audit chain say who
    decided, never nobody nor a role (the CLI has no sign-in to tell it)."""
    if value is None:
        raise fail(
            "a reviewer's name is needed: give --reviewer NAME (kept with the decision, in the "
            "incident's history and in the audit log)"
        )
    if not value.strip():
        raise fail("a reviewer's name is needed, not an empty one")
    return value.strip()


REVIEWER = typer.Option(
    help="Who decides (needed: kept with the decision, in the incident's history and in the "
    "audit log)."
)
SHOW_FIELDS = (
    "kind",
    "event_type",
    "sub_event_type",
    "event_date",
    "date_precision",
    "location",
    "city",
    "admin2",
    "admin1",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "perpetrator",
    "perpetrator_parent",
    "claimed_by",
    "target",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "abducted",
)


def _session() -> AbstractContextManager[Session]:
    migrate(get_engine())
    return session_scope()


def _place(c: object) -> str:
    parts = [getattr(c, n) for n in ("location", "admin1")]
    return ", ".join(dict.fromkeys(str(p) for p in parts if p)) or "?"


@review_app.callback()
def review_list(
    ctx: typer.Context,
    status: Annotated[
        str, typer.Option(help="pending, accepted, rejected, merged or all.")
    ] = "pending",
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
) -> None:
    """List candidate events (pending ones unless --status says otherwise)."""
    if ctx.invoked_subcommand is not None:
        return
    check_limit(limit)
    try:
        wanted = None if status == "all" else CandidateStatus(status)
    except ValueError:
        raise fail(
            f"--status must be pending, accepted, rejected, merged or all, not {status!r}"
        ) from None
    with _session() as session:
        rows = list_candidates(session, status=wanted, limit=limit)
        total = count_candidates(session, status=wanted)
        if not rows:
            console.print(f"no {status} candidates")
            return
        shown = f"{len(rows)} of {total}; --limit for more" if total > len(rows) else str(total)
        table = Table(title=f"{status} candidates ({shown})")
        for col in ("id", "doc", "kind", "type", "date", "place", "killed", "conf.", "status"):
            table.add_column(col)
        for c in rows:
            when = c.event_date.isoformat() if c.event_date else c.month_day or "?"
            if c.event_date and c.date_precision == "month":
                when = when[:7]
            elif c.event_date and c.date_precision == "year":
                when = when[:4]
            table.add_row(
                str(c.id),
                str(c.document_id),
                c.kind,
                escape(c.sub_event_type or c.event_type or "-"),
                when,
                escape(_place(c)),
                "" if c.fatalities is None else str(c.fatalities),
                f"{c.confidence:.2f}",
                c.status + (f" → #{c.incident_id}" if c.incident_id else ""),
            )
        console.print(table)


def highlighted(text: str, start: int, end: int, *, plain: bool = False) -> str:
    """The sentence around ``text[start:end]`` with the span in rich markup; ``plain`` (the
    output is no terminal: piped or redirected, colours are dropped) marks it »like this«."""
    s = max(
        text.rfind(". ", 0, start) + 2 if text.rfind(". ", 0, start) >= 0 else 0,
        text.rfind("\n", 0, start) + 1,
    )
    e_dot = text.find(". ", end)
    e_nl = text.find("\n", end)
    e = min(x for x in (e_dot + 1 if e_dot >= 0 else len(text), e_nl if e_nl >= 0 else len(text)))
    opening, closing = ("»", "«") if plain else ("[bold black on yellow]", "[/]")
    return escape(text[s:start]) + opening + escape(text[start:end]) + closing + escape(text[end:e])


@review_app.command("show")
def review_show(candidate_id: Annotated[int, typer.Argument(help="Candidate id.")]) -> None:
    """One candidate: each field with its confidence and the evidence highlighted."""
    with _session() as session:
        try:
            c = get_candidate(session, candidate_id)
        except CandidateNotFoundError as exc:
            raise fail(str(exc)) from None
        doc = c.document
        console.print(
            f"[bold]candidate #{c.id}[/] ({c.status}) from document #{doc.id}"
            + (f" {escape(doc.title)}" if doc.title else "")
            + (f" <{escape(doc.url)}>" if doc.url else "")
            + f"; confidence {c.confidence:.2f}"
            + f"; {escape(c.extractor)} {escape(c.extractor_version)}",
            highlight=False,
        )
        table = Table(show_lines=False)
        for col in ("field", "value", "conf.", "evidence"):
            table.add_column(col)
        text = doc.text or ""
        for name in SHOW_FIELDS:
            value = getattr(c, name)
            if value is None:
                continue
            span = (c.evidence or {}).get(name)
            ev = highlighted(text, span[0], span[1], plain=not console.is_terminal) if span else ""
            conf = (c.field_confidence or {}).get(name)
            table.add_row(name, escape(str(value)), "" if conf is None else f"{conf:.2f}", ev)
        console.print(table)
        if c.summary:
            console.print(f"summary: {escape(c.summary)}", highlight=False)
        if c.decision_note:
            console.print(f"decision: {escape(c.decision_note)} ({c.decided_by})", highlight=False)
        if c.status == "pending":
            match = suggested_incident(session, c)
            if match is not None:
                console.print(
                    f"accepting merges it into incident #{match.id}: {match.event_date} "
                    f"{escape(match.sub_event_type or match.event_type)} at "
                    f"{escape(match.location or '?')}",
                    highlight=False,
                )


#: what a --set example shows for each field an incident needs
_EXAMPLE_VALUES = {
    "latitude": "LAT",
    "longitude": "LON",
    "event_date": "YYYY-MM-DD",
    "event_type": "'Explosions/Remote violence'",
}


def _set_example(exc: CandidateIncompleteError) -> str:
    """``--set`` options for the fields the candidate lacks (the error's ``errors``)."""
    names = [str(e["loc"][-1]) for e in exc.errors or []] or ["event_date"]
    return " ".join(f"--set {n}={_EXAMPLE_VALUES.get(n, 'VALUE')}" for n in names)


@review_app.command("accept")
def review_accept(
    candidate_id: Annotated[int, typer.Argument(help="Candidate id.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Correct a field first: FIELD=VALUE (repeatable)."),
    ] = None,
    reviewer: Annotated[str | None, REVIEWER] = None,
    max_km: Annotated[float, typer.Option(help="Merge radius in km.")] = 25.0,
) -> None:
    """Accept a candidate: a new incident, or a new source of the incident it describes."""
    who = _named(reviewer)
    edits = parse_pairs(set_ or [], "--set")
    with _session() as session:
        try:
            d = accept_candidate(
                session=session,
                candidate_id=candidate_id,
                edits=edits,
                decided_by=who,
                criteria=MergeCriteria(max_km=max_km),
            )
        except CandidateIncompleteError as exc:
            raise fail(f"{exc} with --set FIELD=VALUE (e.g. {_set_example(exc)})") from None
        except (CandidateNotFoundError, CandidateDecidedError, CandidateEditError) as exc:
            raise fail(str(exc)) from None
        if d.created:
            console.print(f"candidate #{candidate_id} accepted as incident #{d.incident.id}")
        else:
            console.print(f"candidate #{candidate_id} merged into incident #{d.incident.id}")
        for name, (old, new) in d.outcome.disagreements.items():
            console.print(f"  disagreement on {name}: record {old}, this source {new}")


@review_app.command("reject")
def review_reject(
    candidate_id: Annotated[int, typer.Argument(help="Candidate id.")],
    reason: Annotated[str, typer.Option(help="Why it is not an event (kept).")],
    reviewer: Annotated[str | None, REVIEWER] = None,
) -> None:
    """Reject a candidate, with the reason."""
    who = _named(reviewer)
    with _session() as session:
        try:
            reject_candidate(
                session=session, candidate_id=candidate_id, decided_by=who, reason=reason
            )
        except (CandidateNotFoundError, CandidateDecidedError, CandidateEditError) as exc:
            raise fail(str(exc)) from None
    console.print(f"candidate #{candidate_id} rejected")


@review_app.command("merge")
def review_merge(
    candidate_id: Annotated[int, typer.Argument(help="Candidate id.")],
    incident_id: Annotated[int, typer.Argument(help="The incident it describes.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Correct a field first: FIELD=VALUE (repeatable)."),
    ] = None,
    reviewer: Annotated[str | None, REVIEWER] = None,
) -> None:
    """Merge a candidate into an incident you name (its document becomes a source)."""
    who = _named(reviewer)
    edits = parse_pairs(set_ or [], "--set")
    with _session() as session:
        try:
            d = merge_candidate(
                session=session,
                candidate_id=candidate_id,
                incident_id=incident_id,
                edits=edits,
                decided_by=who,
            )
        except (
            CandidateNotFoundError,
            CandidateDecidedError,
            CandidateEditError,
            IncidentNotFoundError,
        ) as exc:
            raise fail(str(exc)) from None
        console.print(f"candidate #{candidate_id} merged into incident #{d.incident.id}")
        for name, (old, new) in d.outcome.disagreements.items():
            console.print(f"  disagreement on {name}: record {old}, this source {new}")


@review_app.command("auto")
def review_auto(
    min_confidence: Annotated[
        float, typer.Option("--min-confidence", help="Accept candidates at least this confident.")
    ] = 0.9,
    reviewer: Annotated[
        str,
        typer.Option(help="Who decides (kept as for accept; by default the rule names itself)."),
    ] = "auto-accept",
    max_km: Annotated[float, typer.Option(help="Merge radius in km.")] = 25.0,
) -> None:
    """Accept every pending candidate at or over --min-confidence that can be an incident."""
    reviewer = _named(reviewer)
    if not 0 <= min_confidence <= 1:
        raise fail(f"--min-confidence takes a value between 0 and 1, not {min_confidence}")
    with _session() as session:
        report = auto_accept(
            session=session,
            min_confidence=min_confidence,
            decided_by=reviewer,
            criteria=MergeCriteria(max_km=max_km),
        )
    console.print(
        f"accepted: {len(report.created)} new incidents, {len(report.merged)} merged; "
        f"{len(report.skipped)} left pending"
    )
    for cid, why in report.skipped.items():
        console.print(f"  #{cid}: {escape(why)}", highlight=False)

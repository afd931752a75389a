"""Commands of the exchange with partners: ``export stix|misp``, ``import stix|misp`` and
``feeds add|list|poll|remove``.

``import stix FILE`` / ``import misp FILE`` is the operator's own command: reports that carry
the SafeCorridor extension (records exported by a SafeCorridor instance, the round trip) go to
the record directly, keyed by dataset and key and compared by content hash, so a re-import adds
nothing; the owner organisations their producer identities name are created when missing.
Reports from other producers go to the review queue as candidates (``--review`` sends every
report there). A bundle that cannot be read is refused whole: nothing is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.cli.common import console, fail, owner_id
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope
from safecorridor.incidents.service import IncidentFilter, UnknownActorError
from safecorridor.interop import misp, stix
from safecorridor.interop.feeds import FeedError, add_feed, find_feeds, poll_feed, remove_feed
from safecorridor.interop.intake import (
    CandidateOptions,
    IntakeReport,
    store_actors,
    store_candidates,
    store_records,
)
from safecorridor.interop.models import Feed
from safecorridor.sources.export import iter_incidents
from safecorridor.taxonomy.choices import TLP

feeds_app = typer.Typer(
    help="Partners' TAXII 2.1 and MISP JSON feeds, polled by the worker into the review queue.",
    no_args_is_help=True,
)
feeds_add_app = typer.Typer(help="Register a partner's feed.", no_args_is_help=True)
feeds_app.add_typer(feeds_add_app, name="add")


# ---------------------------------------------------------------------------- export


def export_records(fmt: str, out: Path, flt: IncidentFilter) -> int:
    """Write every incident matching ``flt`` as a STIX 2.1 bundle or MISP event JSON.

    The CLI runs on the server as a trusted local caller, like ``export csv``: no reader filter.
    """
    migrate(get_engine())
    try:
        with session_scope() as session:
            ctx = stix.ExportContext.load(session)
            incidents = iter_incidents(session, flt)
            if fmt == "stix":
                with out.open("wb") as fh:
                    n = stix.write_bundle(fh, stix.bundle_objects(incidents, ctx))
                console.print(f"{n} STIX objects written to {out}")
            else:
                with out.open("w", encoding="utf-8") as fh:
                    n = misp.write_events(fh, incidents, ctx)
                console.print(f"{n} MISP events written to {out}")
    except UnknownActorError as exc:
        raise fail(str(exc)) from None
    return n


# ---------------------------------------------------------------------------- import


FileArg = Annotated[Path, typer.Argument(help="The file to import.")]
ReviewOpt = Annotated[
    bool, typer.Option("--review", help="Send every report to the review queue, even our own.")
]
OrgOpt = Annotated[
    str | None, typer.Option("--org", help="Organisation that owns the candidates (name or id).")
]
TlpOpt = Annotated[str, typer.Option("--tlp", help="Marking of candidates whose report has none.")]


def _read(file: Path, expected: str) -> bytes:
    """The file's bytes; ``expected`` names what it should be, for a folder given instead."""
    if file.is_dir():
        raise fail(f"{file}: is a directory; {expected} is expected")
    if not file.is_file():
        raise fail(f"{file}: no such file")
    if file.stat().st_size > stix.MAX_BUNDLE_BYTES:
        raise fail(f"{file}: is over {stix.MAX_BUNDLE_BYTES:,} bytes")
    return file.read_bytes()


def _store(
    kind: str,
    file: Path,
    drafts: list[stix.IncidentDraft],
    actors: dict[str, stix.ActorDraft],
    *,
    review: bool,
    org: str | None,
    tlp: str,
    producer_created: dict[str, object] | None = None,
) -> IntakeReport:
    try:
        default_tlp = TLP(tlp.upper())
    except ValueError:
        raise fail(f"--tlp must be one of {', '.join(t.value for t in TLP)}, not {tlp!r}") from None
    records = [d for d in drafts if d.complete and not review and not d.revoked]
    candidates = [d for d in drafts if d not in records]
    report = IntakeReport()
    try:
        with session_scope(write=True) as session:
            owner = owner_id(session, org)
            store_actors(
                session,
                actors,
                report,
                actor=f"import {kind}",
                default_tlp=default_tlp,
                records=records,
            )
            store_records(
                session,
                records,
                changed_by=f"import {kind}",
                report=report,
                producer_created=producer_created or {},  # type: ignore[arg-type]
            )
            store_candidates(
                session,
                candidates,
                CandidateOptions(
                    owner_org_id=owner,
                    source_label=f"{file.name}",
                    default_tlp=default_tlp,
                    extractor="stix-2.1" if kind == "stix" else "misp",
                ),
                report=report,
            )
    except stix.StixImportError as exc:
        raise fail(f"{exc}; nothing was stored") from None
    except SQLAlchemyError as exc:
        why = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
        raise fail(f"{file}: could not be stored ({why}); nothing was stored") from None
    return report


def import_stix(
    file: FileArg, review: ReviewOpt = False, org: OrgOpt = None, tlp: TlpOpt = "GREEN"
) -> None:
    """A STIX 2.1 bundle: our own records to the record, other reports to review; per type,
    what was imported and why the rest was skipped."""
    migrate(get_engine())
    try:
        parsed = stix.parse_bundle(_read(file, "a STIX bundle file (JSON)"), label=str(file))
    except stix.StixImportError as exc:
        raise fail(f"{exc}; nothing was stored") from None
    report = _store(
        "stix",
        file,
        parsed.incidents,
        parsed.actors,
        review=review,
        org=org,
        tlp=tlp,
        producer_created=dict(parsed.producer_created),
    )
    for line in parsed.summary_lines():
        console.print(f"  {line}", highlight=False)
    console.print(f"{file}: {report.summary()}", highlight=False)


def import_misp(
    file: FileArg, review: ReviewOpt = False, org: OrgOpt = None, tlp: TlpOpt = "GREEN"
) -> None:
    """MISP event JSON: events exported by SafeCorridor to the record, others to review."""
    migrate(get_engine())
    try:
        events = misp.read_events(_read(file, "a MISP event file (JSON)"), label=str(file))
        drafts, actors, skipped = [], {}, 0
        for ev in events:
            actors.update(misp.actors_of(ev))
            draft = misp.draft_of(ev)
            if draft is None:
                skipped += 1
            else:
                drafts.append(draft)
    except stix.StixImportError as exc:
        raise fail(f"{exc}; nothing was stored") from None
    report = _store("misp", file, drafts, actors, review=review, org=org, tlp=tlp)
    if skipped:
        console.print(f"  {skipped} events skipped: no geolocation with coordinates")
    console.print(f"{file}: {report.summary()}", highlight=False)


# ---------------------------------------------------------------------------- feeds


NameOpt = Annotated[str | None, typer.Option(help="A name for the feed (default: from its URL).")]
FeedOrgOpt = Annotated[
    str | None, typer.Option("--org", help="Organisation whose review queue receives it.")
]
FeedTlpOpt = Annotated[str, typer.Option("--tlp", help="Marking of objects that carry none.")]
ReliabilityOpt = Annotated[
    str, typer.Option("--reliability", help="Admiralty reliability of the source, A-F.")
]
EveryOpt = Annotated[int, typer.Option("--every", help="Seconds between polls (60 or more).")]


def _add(kind: str, url: str, **options: object) -> None:
    migrate(get_engine())
    org = options.pop("org")
    try:
        with session_scope(write=True) as session:
            feed = add_feed(
                session,
                kind=kind,
                url=url,
                owner_org_id=owner_id(session, org),  # type: ignore[arg-type]
                actor="cli",
                **options,  # type: ignore[arg-type]
            )
            console.print(
                f"feed #{feed.id} {feed.name!r} registered; "
                f"the worker polls it every {feed.interval_seconds} s"
            )
    except FeedError as exc:
        raise fail(str(exc)) from None


@feeds_add_app.command("taxii")
def feeds_add_taxii(
    url: Annotated[
        str, typer.Argument(help="The partner's TAXII 2.1 API root (or discovery) URL.")
    ],
    collection: Annotated[str, typer.Option("--collection", help="The collection's id or alias.")],
    token: Annotated[
        str | None, typer.Option("--token", help="The partner's bearer token for us.")
    ] = None,
    name: NameOpt = None,
    org: FeedOrgOpt = None,
    tlp: FeedTlpOpt = "GREEN",
    reliability: ReliabilityOpt = "F",
    every: EveryOpt = 3600,
) -> None:
    """A partner's TAXII 2.1 collection, polled with added_after bookmarks."""
    _add(
        "taxii",
        url,
        collection=collection,
        token=token,
        name=name,
        org=org,
        default_tlp=tlp.upper(),
        reliability=reliability.upper(),
        interval_seconds=every,
    )


@feeds_add_app.command("misp-json")
def feeds_add_misp(
    source: Annotated[
        str, typer.Argument(metavar="URL|FILE", help="MISP event JSON: a URL or a file.")
    ],
    token: Annotated[
        str | None, typer.Option("--token", help="A MISP API key (sent as Authorization).")
    ] = None,
    name: NameOpt = None,
    org: FeedOrgOpt = None,
    tlp: FeedTlpOpt = "GREEN",
    reliability: ReliabilityOpt = "F",
    every: EveryOpt = 3600,
) -> None:
    """MISP event JSON (a URL or a file), polled for events newer than the last poll's."""
    _add(
        "misp-json",
        source,
        token=token,
        name=name,
        org=org,
        default_tlp=tlp.upper(),
        reliability=reliability.upper(),
        interval_seconds=every,
    )


@feeds_app.command("list")
def feeds_list() -> None:
    """Registered feeds with their bookmark and last poll."""
    migrate(get_engine())
    with session_scope() as session:
        feeds = list(session.scalars(select(Feed).order_by(Feed.id)))
        orgs = {o.id: o.name for o in session.scalars(select(Organisation))}
        table = Table(title=f"{len(feeds)} feeds")
        for col in ("id", "name", "kind", "collection", "org", "bookmark", "last poll", "status"):
            table.add_column(col, overflow="fold")
        for f in feeds:
            table.add_row(
                str(f.id),
                f.name,
                f.kind,
                f.collection or "",
                orgs.get(f.owner_org_id or 0, ""),
                f.bookmark or "",
                f"{f.last_polled_at:%Y-%m-%d %H:%M}" if f.last_polled_at else "",
                (f.last_status or "") + (f": {f.last_error[:80]}" if f.last_error else ""),
            )
    console.print(table)


def _feed_ids(session: Session, ref: str | None) -> list[int]:
    return [f.id for f in find_feeds(session, ref)]


@feeds_app.command("poll")
def feeds_poll(
    feed: Annotated[
        str | None, typer.Argument(help="The feed's id or name (default: all).")
    ] = None,
) -> None:
    """Poll now (whether due or not): new reports become candidates for review."""
    migrate(get_engine())
    with session_scope() as session:
        ids = _feed_ids(session, feed)
    if not ids:
        raise fail(
            f"no feed {feed!r}; see `safecorridor feeds list`" if feed else "no feeds registered"
        )
    failed = False
    for ident in ids:
        result = poll_feed(get_engine(), ident, force=True)
        if result is None:
            console.print(f"feed #{ident}: being polled by another worker, or inactive")
            continue
        failed = failed or result.status != "ok"
        console.print(result.summary(), highlight=False)
    if failed:
        raise typer.Exit(1)


@feeds_app.command("remove")
def feeds_remove(feed: Annotated[str, typer.Argument(help="The feed's id or name.")]) -> None:
    """Forget a feed (its candidates stay in the review queue); the audit log keeps its
    removal, naming it."""
    migrate(get_engine())
    try:
        with session_scope(write=True) as session:
            gone = remove_feed(session, feed, actor="cli")
            label = f"feed #{gone.id} {gone.name!r}"
    except FeedError as exc:
        raise fail(str(exc)) from None
    console.print(f"{label} removed", highlight=False)

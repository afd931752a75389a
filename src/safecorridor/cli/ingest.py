"""`safecorridor ingest SOURCE...`: news text into documents and candidate events."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from safecorridor import taxonomy
from safecorridor.cli.common import (
    console,
    err_console,
    fail,
    owner_id,
    parse_day,
    progress_bar,
)
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope
from safecorridor.sharing.policy import OPEN_TLP
from safecorridor.sources.ingest import IngestOptions, ingest
from safecorridor.taxonomy.choices import TLP


def ingest_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Text or HTML files, folders (recursive), RSS/Atom feeds, JSON Lines corpora "
            "(.jsonl: text, url, title, published, publisher per line) or http(s) URLs."
        ),
    ],
    published: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) of every document.")
    ] = None,
    publisher: Annotated[str | None, typer.Option(help="Publisher of every document.")] = None,
    url: Annotated[str | None, typer.Option(help="Source URL of every document.")] = None,
    reliability: Annotated[
        str, typer.Option(help="Admiralty source reliability A-F (F: cannot be judged).")
    ] = "F",
    tlp: Annotated[str, typer.Option(help="TLP marking: CLEAR, GREEN, AMBER, ...")] = "CLEAR",
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Organisation (id, name or short name) that owns the documents and their "
            "candidates: its reviewers read them. Needed for AMBER and stricter.",
        ),
    ] = None,
    max_bytes: Annotated[
        int | None,
        typer.Option(help="Largest source read, in bytes (default SAFECORRIDOR_INGEST_MAX_BYTES)."),
    ] = None,
    encoding: Annotated[
        str | None, typer.Option(help="Text encoding of the files (default: UTF-8, else detected).")
    ] = None,
    auto_accept: Annotated[
        float | None,
        typer.Option(
            "--auto-accept",
            help="Accept candidates with at least this confidence (0-1) as incidents.",
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Local processes running the extractor.")] = 1,
    dask: Annotated[
        str | None,
        typer.Option(help="Run the extractor on the Dask cluster at this scheduler address."),
    ] = None,
    max_km: Annotated[
        float, typer.Option(help="Reports within this distance may describe one event.")
    ] = 25.0,
) -> None:
    """Ingest news: store each new document once and the candidate events it reports.

    Exact duplicates (same normalised text) are skipped and near-duplicates (syndicated
    copies) are linked to the first copy without being extracted again. A source that cannot
    be read gets a one-line error; the others are stored; the exit status is then 1.
    """
    pub = parse_day(published, "--published", published=True)
    reliability = reliability.strip().upper()
    if reliability not in taxonomy.reliability_codes():
        raise fail(f"--reliability must be an Admiralty code A-F, not {reliability!r}")
    try:
        tlp_value = TLP(tlp.strip().upper())
    except ValueError:
        raise fail(f"--tlp must be one of {', '.join(t.value for t in TLP)}, not {tlp!r}") from None
    if tlp_value not in OPEN_TLP and org is None:
        raise fail(
            f"--tlp {tlp_value} needs --org NAME: a document marked {tlp_value} is read by its "
            "owner organisation's members only, and without one nobody could read or review it"
        )
    if auto_accept is not None and not 0 <= auto_accept <= 1:
        raise fail(f"--auto-accept takes a confidence between 0 and 1, not {auto_accept}")
    if workers < 1:
        raise fail(f"--workers must be at least 1, not {workers}")
    if dask and workers > 1:
        raise fail("use --workers or --dask, not both")
    if max_bytes is not None and max_bytes < 1:
        raise fail(f"--max-bytes must be positive, not {max_bytes}")
    options = IngestOptions(
        published=pub,
        publisher=publisher,
        url=url,
        reliability=reliability,
        tlp=tlp_value,
        max_bytes=max_bytes,
        encoding=encoding,
        auto_accept=auto_accept,
        workers=workers,
        dask=dask,
        max_km=max_km,
    )
    engine = get_engine()
    migrate(engine)
    if org is not None:
        with session_scope() as session:
            options.owner_org_id = owner_id(session, org)

    def error(message: str) -> None:
        err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)

    with progress_bar(None, "ingest") as bar:
        task = bar.task_ids[0]
        try:
            report = ingest(
                engine=engine,
                sources=sources,
                options=options,
                on_total=lambda n: bar.update(task, total=n),
                on_progress=lambda n: bar.advance(task, n),
                on_error=error,
            )
        except OSError as exc:  # e.g. the Dask scheduler cannot be reached
            raise fail(f"ingest could not run: {exc}") from None
    console.print(report.summary(), highlight=False)
    if report.failed:
        raise typer.Exit(1)

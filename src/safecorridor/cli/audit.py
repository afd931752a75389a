"""`safecorridor audit verify` and `audit checkpoint`: check and anchor the audit logs.

``verify`` exits 1 naming every problem: a broken link, a keyed event that does not verify
under the key file, a log shorter than a checkpoint says, a read log deleted or replaced, a
record whose current state is not its last audited state. ``checkpoint`` prints (or writes)
the logs' heads as JSON for partners to keep, and keeps them in the database too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, inspect

import safecorridor.models  # noqa: F401  (every table mapped: `audit verify` compares them all)
from safecorridor.cli.common import console, fail
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine
from safecorridor.errors import InvalidInputError
from safecorridor.sharing.audit import key_path, read_key
from safecorridor.sharing.audit.checkpoint import read_checkpoint_file, take_checkpoint
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sources.runs import mark_interrupted_imports, mark_interrupted_ingests

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="A checkpoint file (from `audit checkpoint`) the logs must still contain.",
        ),
    ] = None,
) -> None:
    """Recompute the audit chains and check them against the checkpoints; exit 1 naming
    every problem.

    Import and ingest runs left at running whose process is gone are first marked
    interrupted (an audited write). The audit log holds every write (and, on PostgreSQL,
    every audited read); on SQLite the audited reads are chained in a read log of their own,
    a file beside the database.
    """
    engine = _existing_database()
    migrate(engine)
    console.print(f"database: {engine.url.render_as_string(hide_password=True)}")
    for run_id in mark_interrupted_imports(engine):  # before the states are compared
        console.print(f"import run {run_id} found dead: marked interrupted")
    for run_id in mark_interrupted_ingests(engine):
        console.print(f"ingest run {run_id} found dead: marked interrupted")
    try:
        heads = read_checkpoint_file(checkpoint) if checkpoint is not None else None
        report = verify_all(engine, checkpoint=heads)
    except InvalidInputError as exc:
        raise fail(str(exc)) from None
    broken = []
    for name, chain in report.chains:
        if chain.is_intact:
            noun = "event" if chain.checked == 1 else "events"
            plain = f" ({chain.plain} from before the keyed chain)" if chain.plain else ""
            console.print(f"{name} chain intact: {chain.checked} {noun}{plain}")
        else:
            broken.append(
                f"{name} chain broken at event {chain.broken_id}: {chain.reason} "
                f"({chain.checked} events before it are intact)"
            )
    broken.extend(report.problems)
    if broken:
        # (thousands of records written outside the audited services: the first few, counted)
        shown = broken[:_SHOWN_PROBLEMS]
        more = len(broken) - len(shown)
        tail = f"; and {more:,} more problem{'s' if more > 1 else ''}" if more else ""
        raise fail(
            f"{len(broken):,} problem{'s' if len(broken) > 1 else ''}: " + "; ".join(shown) + tail
        )
    if checkpoint is not None:
        console.print(f"the logs still hold everything {checkpoint} names")


def _existing_database() -> Engine:
    """The deployment's database, refused when it holds no SafeCorridor tables (run from
    another folder, the embedded database's default path names a new, empty file: its
    "intact: 0 events" would say nothing of the real one), without creating it."""
    engine = get_engine()  # (SQLite makes its file on the first connection, not here)
    url = engine.url
    where = url.render_as_string(hide_password=True)
    hint = (
        "is this the deployment's folder? SAFECORRIDOR_DATA_DIR or SAFECORRIDOR_DATABASE_URL "
        "names its database"
    )
    embedded = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if embedded and not Path(str(url.database)).is_file():
        raise fail(f"no database at {url.database}: {hint}")
    if not inspect(engine).has_table("audit_events"):
        raise fail(f"the database {where} holds no SafeCorridor tables: {hint}")
    return engine


#: how many of ``audit verify``'s problems are printed (the rest are counted)
_SHOWN_PROBLEMS = 10


@app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the checkpoint to this file instead of printing it."),
    ] = None,
) -> None:
    """Record each log's event count and head hash (in the database and as JSON to keep)."""
    engine = get_engine()
    migrate(engine)
    key = read_key()
    if key is None:
        raise fail(f"the audit key file {key_path()} is missing (run `safecorridor init`)")
    doc = take_checkpoint(engine, key)
    text = json.dumps(doc, indent=2) + "\n"
    if out is None:
        console.print_json(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    counts = ", ".join(f"{log['log']}: {log['event_count']} events" for log in doc["logs"])
    console.print(f"checkpoint written to {out} ({counts})")

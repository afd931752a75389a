"""`safecorridor backup DEST` and `safecorridor restore SRC`: online copies with a manifest,
restored only once the manifest, every digest and every audit chain check out."""

from __future__ import annotations

from pathlib import Path

import typer

from safecorridor.cli.common import console, err_console, fail
from safecorridor.db.session import get_engine
from safecorridor.ops.backup import BackupError, backup, check_backup, in_use_refusal, restore
from safecorridor.ops.running import InUseCheckError, usage_of


def backup_command(
    dest: Path = typer.Argument(..., help="A new (or empty) folder for the copy."),
) -> None:
    """Copy the database while the server runs: on SQLite the records and the audit read
    log, taken together with SQLite's backup API; on PostgreSQL a pg_dump of the schema. The
    folder gets manifest.json with each file's sha256 and each audit chain's count and head."""
    try:
        manifest = backup(get_engine(), dest)
    except BackupError as exc:
        raise fail(str(exc)) from None
    for f in manifest.files:
        console.print(f"{f['name']}: {f['bytes']} bytes, sha256 {f['sha256']}", highlight=False)
    for h in manifest.audit:
        console.print(
            f"{h.log}: {h.count} events, head {h.head[:16] or '-'} (event {h.last_id})",
            highlight=False,
        )
    console.print(f"backup written to {dest}", highlight=False)


def restore_command(
    src: Path = typer.Argument(..., help="A folder written by `safecorridor backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the database without asking."),
    force: bool = typer.Option(
        False,
        "--force",
        help="Restore even while a server or worker uses the database (restart them after).",
    ),
    accept_tampered: bool = typer.Option(
        False,
        "--accept-tampered",
        help="Restore even if records of the backup differ from their last audited state in "
        "its own audit chain (named; a broken chain is refused all the same).",
    ),
) -> None:
    """Replace the database with a backup, once its manifest, every file's sha256, every
    audit chain (count and head as in the manifest) and its records (each as its chain last
    recorded it, as `audit verify` compares them) check out; refuse otherwise, changing
    nothing. The replaced files (SQLite) or schema (PostgreSQL) are kept aside. Refused
    while a server or worker uses the database (named in the error): stop them first."""
    engine = get_engine()
    try:
        manifest = check_backup(src)
        usage = usage_of(engine)
        if usage and not force:
            raise BackupError(in_use_refusal(usage))
        if usage:
            them = "them" if usage.many else "it"
            err_console.print(
                f"[bold yellow]warning:[/] --force: {usage.who()}; until restarted, "
                f"{'they keep' if usage.many else 'it keeps'} reading and writing the "
                "database set aside (SQLite: the old file; PostgreSQL: its connections), not "
                f"the restored one: restart {them} as soon as the restore is done",
                highlight=False,
                soft_wrap=True,
            )
        if not yes and not _confirmed(
            f"Replace the database with the {manifest.backend} backup of "
            f"{manifest.created_at} in {src}?"
        ):
            raise fail("restore cancelled, nothing changed (--yes restores without asking)")
        replaced = restore(engine, src, force=force, accept_tampered=accept_tampered)
    except (BackupError, InUseCheckError) as exc:
        raise fail(f"restore refused: {exc}") from None
    for line in replaced:
        if line.startswith("--accept-tampered"):
            err_console.print(f"[bold yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
        else:
            console.print(f"restored {line}", highlight=False)


def _confirmed(question: str) -> bool:
    """The answer to ``question``; no answer (no terminal, end of input) is a no."""
    try:
        return bool(typer.confirm(question))
    except typer.Abort:
        return False

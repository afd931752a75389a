"""`safecorridor audit verify`: check the hash chain of the audit log."""

from __future__ import annotations

import typer

from safecorridor.cli.common import console, fail
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine
from safecorridor.sharing.audit import verify_logs

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chains; exit 1 naming the first broken link if one does not hold.

    The audit log holds every write (and, on PostgreSQL, every audited read); on SQLite the
    audited reads are chained in a read log of their own, a file beside the database.
    """
    engine = get_engine()
    migrate(engine)
    broken = []
    for name, report in verify_logs(engine):
        if report.is_intact:
            noun = "event" if report.checked == 1 else "events"
            console.print(f"{name} chain intact: {report.checked} {noun}")
        else:
            broken.append(
                f"{name} chain broken at event {report.broken_id}: {report.reason} "
                f"({report.checked} events before it are intact)"
            )
    if broken:
        raise fail("; ".join(broken))

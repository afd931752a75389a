"""`safecorridor audit verify`: check the hash chain of the audit log."""

from __future__ import annotations

import typer

from safecorridor.cli.common import console, fail
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def audit_verify() -> None:
    """Recompute the audit chain; exit 1 naming the first broken link if it does not hold."""
    from safecorridor.sharing.audit import verify_chain

    migrate(get_engine())
    with session_scope() as session:
        report = verify_chain(session)
    if not report.is_intact:
        raise fail(
            f"audit chain broken at event {report.broken_id}: {report.reason} "
            f"({report.checked} events before it are intact)"
        )
    console.print(f"audit chain intact: {report.checked} events")

"""``safecorridor audit verify``'s checks over every log of a database.

Read-only: verifying never appends, repairs or creates anything.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecorridor.sharing.audit.chain import ChainReport, verify_chain
from safecorridor.sharing.audit.readlog import audit_logs


def verify_logs(engine: Engine) -> list[tuple[str, ChainReport]]:
    """Verify the chain of every log of ``engine``'s database: ``[(name, report), ...]``."""
    reports = []
    for name, bind in audit_logs(engine):
        with Session(bind) as session:
            reports.append((name, verify_chain(session)))
    return reports

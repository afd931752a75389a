"""``safecorridor audit verify``'s checks over every log of a database.

Read-only: verifying never appends, repairs or creates anything (not even the key file: a
missing key fails every keyed event).
"""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from safecorridor.sharing.audit.chain import ChainReport, verify_chain
from safecorridor.sharing.audit.key import read_key
from safecorridor.sharing.audit.readlog import audit_logs
from safecorridor.sharing.models import AuditCheckpoint


def legacy_limits(engine: Engine) -> dict[str, int]:
    """How many plain (unkeyed) events each log may begin with, by log name."""
    if not inspect(engine).has_table(AuditCheckpoint.__tablename__):
        return {}
    with Session(engine) as session:
        rows = session.execute(
            select(AuditCheckpoint.log, func.max(AuditCheckpoint.event_count))
            .where(AuditCheckpoint.kind == "legacy")
            .group_by(AuditCheckpoint.log)
        ).all()
    return {log: int(count) for log, count in rows}


def verify_logs(engine: Engine, key: bytes | None = None) -> list[tuple[str, ChainReport]]:
    """Verify the chain of every log of ``engine``'s database: ``[(name, report), ...]``.

    ``key`` defaults to the configured key file's (:func:`.key.read_key`).
    """
    key = key if key is not None else read_key()
    limits = legacy_limits(engine)
    reports = []
    for name, bind in audit_logs(engine):
        with Session(bind) as session:
            reports.append((name, verify_chain(session, key=key, legacy_limit=limits.get(name, 0))))
    return reports

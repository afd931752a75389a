"""``safecorridor audit verify``'s checks over every log of a database.

Read-only: verifying never appends, repairs or creates anything (not even the key file: a
missing key fails every keyed event). :func:`verify_all` runs every check: each log's links
(:func:`verify_logs`), then the checkpoints (those kept in the database, sealed by the key,
and one a partner kept, if given): a log that lost its last events, a read log deleted or
replaced; then each audited record's row against its last audited state
(:func:`.state.verify_states`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from safecorridor.sharing.audit.chain import ChainReport, verify_chain
from safecorridor.sharing.audit.checkpoint import LogHead, check_heads, stored_checkpoints
from safecorridor.sharing.audit.key import read_key
from safecorridor.sharing.audit.readlog import audit_logs
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.models import AuditCheckpoint


def legacy_limits(session: Session) -> dict[str, int]:
    """How many plain (unkeyed) events each log may begin with, by log name, as the records'
    database behind ``session`` recorded them (none where there are no checkpoints)."""
    if not inspect(session.connection()).has_table(AuditCheckpoint.__tablename__):
        return {}
    rows = session.execute(
        select(AuditCheckpoint.log, func.max(AuditCheckpoint.event_count))
        .where(AuditCheckpoint.kind == "legacy")
        .group_by(AuditCheckpoint.log)
    ).all()
    return {str(log): int(count) for log, count in rows}


def verify_logs(engine: Engine, key: bytes | None = None) -> list[tuple[str, ChainReport]]:
    """Verify the chain of every log of ``engine``'s database: ``[(name, report), ...]``.

    ``key`` defaults to the configured key file's (:func:`.key.read_key`).
    """
    key = key if key is not None else read_key()
    with Session(engine) as session:
        limits = legacy_limits(session)
    reports = []
    for name, bind in audit_logs(engine):
        with Session(bind) as session:
            reports.append((name, verify_chain(session, key=key, legacy_limit=limits.get(name, 0))))
    return reports


@dataclass
class VerifyReport:
    """Everything ``audit verify`` found: each log's chain, and the problems beyond the links."""

    chains: list[tuple[str, ChainReport]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def is_intact(self) -> bool:
        return not self.problems and all(r.is_intact for _, r in self.chains)


def verify_all(
    engine: Engine, *, key: bytes | None = None, checkpoint: list[LogHead] | None = None
) -> VerifyReport:
    """Every check: each log's links, the checkpoints kept in the database (and ``checkpoint``,
    one read from a partner's file): truncation, a missing or replaced read log."""
    key = key if key is not None else read_key()
    report = VerifyReport(chains=verify_logs(engine, key))
    stored, forged = stored_checkpoints(engine, key)
    report.problems.extend(forged)
    for source, head in stored:
        report.problems.extend(check_heads(engine, [head], source=source))
    if checkpoint is not None:
        report.problems.extend(check_heads(engine, checkpoint, source="the checkpoint file"))
    report.problems.extend(verify_states(engine))
    return report

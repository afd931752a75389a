"""Reading the audit logs in tests: every log of a database (records' and, on SQLite, reads')."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.sharing.audit import audit_logs
from safecorridor.sharing.models import AuditEvent


def events_by_log(engine: Engine) -> dict[str, list[AuditEvent]]:
    """Each log's events in chain order, by the log's name."""
    out = {}
    for name, bind in audit_logs(engine):
        with Session(bind) as s:
            out[name] = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    return out


def all_events(engine: Engine) -> list[AuditEvent]:
    """Every event of every log, oldest first."""
    logs = events_by_log(engine).values()
    return sorted((e for events in logs for e in events), key=lambda e: e.occurred_at)

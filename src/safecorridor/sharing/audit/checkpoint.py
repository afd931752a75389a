"""Checkpoints: what each log held at a moment (event count and head), for partners to keep.

``safecorridor audit checkpoint`` writes, per log ("audit log" and, on SQLite, "read log"),
the number of events, the head event's id and hash, and the time, as JSON sealed with the
audit key (``mac``: HMAC-SHA256 of the rest), and keeps the same figures in the database
(``audit_checkpoints``, kind "checkpoint"). A chain that verifies link by link can still have
lost its last events, or a read log can have been deleted or replaced by a fresh one; checked
against a checkpoint (:func:`check_heads`) that shows: the head the checkpoint names must still
be there with the same hash and the same number of events up to it.

Invariant: a checkpoint only names events that were committed when it was taken; checking
never writes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from safecorridor.clock import Clock, naive, system_clock
from safecorridor.errors import InvalidInputError
from safecorridor.sharing.audit.chain import GENESIS, mac_json
from safecorridor.sharing.audit.readlog import AUDIT_LOG, READ_LOG, audit_logs, has_read_log
from safecorridor.sharing.models import AuditCheckpoint, AuditEvent

FORMAT = "safecorridor-audit-checkpoint/1"
#: the largest checkpoint file read (a checkpoint is a few hundred bytes)
MAX_CHECKPOINT_BYTES = 64_000


@dataclass(frozen=True)
class LogHead:
    """A log's size and its last event's id and hash (None and GENESIS when empty)."""

    log: str
    event_count: int
    head_id: int | None
    head_hash: str


def log_engines(engine: Engine) -> dict[str, Engine | None]:
    """Each log of ``engine``'s database by name; None for a read log whose file is missing."""
    logs: dict[str, Engine | None] = dict(audit_logs(engine))
    if has_read_log(engine):
        logs.setdefault(READ_LOG, None)
    return logs


def log_head(bind: Engine, log: str) -> LogHead:
    with bind.connect() as conn:
        count = int(conn.scalar(select(func.count()).select_from(AuditEvent)) or 0)
        head = conn.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
    if head is None:
        return LogHead(log, 0, None, GENESIS)
    return LogHead(log, count, int(head.id), str(head.hash))


def take_checkpoint(engine: Engine, key: bytes, *, clock: Clock = system_clock) -> dict[str, Any]:
    """Record every log's head in the database and return the checkpoint as a JSON document."""
    at = naive(clock.now())
    heads = [
        log_head(bind, name) if bind is not None else LogHead(name, 0, None, GENESIS)
        for name, bind in log_engines(engine).items()
    ]
    with engine.begin() as conn:
        conn.execute(
            insert(AuditCheckpoint),
            [
                {
                    **asdict(h),
                    "created_at": at,
                    "kind": "checkpoint",
                    "mac": mac_json(key, {**asdict(h), "created_at": at.isoformat()}),
                }
                for h in heads
            ],
        )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "created_at": at.isoformat() + "Z",
        "database": engine.url.render_as_string(hide_password=True),
        "logs": [asdict(h) for h in heads],
    }
    doc["mac"] = mac_json(key, doc)
    return doc


def read_checkpoint_file(path: Path) -> list[LogHead]:
    """The heads a checkpoint file names; a clear error for anything but a checkpoint."""
    try:
        raw = path.read_bytes()[: MAX_CHECKPOINT_BYTES + 1]
    except OSError as exc:
        raise InvalidInputError(f"checkpoint {path}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_CHECKPOINT_BYTES:
        raise InvalidInputError(f"checkpoint {path}: larger than {MAX_CHECKPOINT_BYTES} bytes")
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise InvalidInputError(f"checkpoint {path}: not JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidInputError(f"checkpoint {path}: not a {FORMAT} document")
    heads = []
    for n, entry in enumerate(doc.get("logs") or []):
        try:
            head = LogHead(
                log=str(entry["log"]),
                event_count=int(entry["event_count"]),
                head_id=None if entry["head_id"] is None else int(entry["head_id"]),
                head_hash=str(entry["head_hash"]),
            )
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(
                f"checkpoint {path}: logs[{n}] needs log, event_count, head_id and head_hash"
            ) from None
        if head.log not in (AUDIT_LOG, READ_LOG) or head.event_count < 0:
            raise InvalidInputError(f"checkpoint {path}: logs[{n}] names no log of this tool")
        heads.append(head)
    if not heads:
        raise InvalidInputError(f"checkpoint {path}: names no log")
    return heads


def check_heads(engine: Engine, heads: list[LogHead], *, source: str) -> list[str]:
    """What no longer holds of ``heads`` (taken at ``source``): one sentence per problem."""
    logs = log_engines(engine)
    problems = []
    for h in heads:
        if h.event_count == 0 or h.head_id is None:
            continue
        if h.log not in logs:
            problems.append(f"{source} names a {h.log} this database does not have")
            continue
        bind = logs[h.log]
        if bind is None:
            problems.append(
                f"the {h.log} file is missing: {source} says it held {h.event_count} events"
            )
            continue
        with Session(bind) as session:
            head = session.get(AuditEvent, h.head_id)
            upto = int(
                session.scalar(
                    select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= h.head_id)
                )
                or 0
            )
            total = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
        if head is None:
            problems.append(
                f"{h.log} truncated: event {h.head_id}, its head at {source} "
                f"({h.event_count} events), is gone; it now holds {total} events"
            )
        elif head.hash != h.head_hash:
            problems.append(
                f"{h.log} replaced or rewritten: event {h.head_id}'s hash differs from "
                f"{source}'s head"
            )
        elif upto != h.event_count:
            problems.append(
                f"{h.log}: {upto} events up to event {h.head_id}, {source} counted "
                f"{h.event_count} (events removed or inserted before its head)"
            )
    return problems


def stored_checkpoints(
    engine: Engine, key: bytes | None
) -> tuple[list[tuple[str, LogHead]], list[str]]:
    """The checkpoints kept in the database as ``(source, head)``, and the forged ones.

    A "checkpoint" row whose ``mac`` does not hold under ``key`` is reported, not used;
    "legacy" rows (no key when written) are used as they are.
    """
    out: list[tuple[str, LogHead]] = []
    forged: list[str] = []
    with Session(engine) as session:
        rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).all()
    for row in rows:
        head = LogHead(row.log, row.event_count, row.head_id, row.head_hash)
        stamp = _stamp(row.created_at)
        if row.kind == "checkpoint":
            expected = (
                mac_json(key, {**asdict(head), "created_at": row.created_at.isoformat()})
                if key is not None
                else None
            )
            if expected is None or row.mac != expected:
                forged.append(
                    f"stored checkpoint {row.id} ({row.log}, {stamp}) is not sealed by the "
                    "audit key"
                )
                continue
            out.append((f"the checkpoint of {stamp}", head))
        else:
            out.append((f"the upgrade to the keyed chain ({stamp})", head))
    return out, forged


def _stamp(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat() + "Z"

"""The audit chain's arithmetic: canonical JSON, record-state digests, event hashes, verify.

Each event's ``hash`` is the sha256 of the canonical JSON (sorted keys, no spaces) of its own
fields and the previous event's hash, so changing, removing or reordering any row breaks every
link after it. :func:`verify_chain` recomputes a chain in id order and names the first broken
link. Nothing here writes: appending is :mod:`.store`'s.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from safecorridor.sharing.models import AuditEvent

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_json(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


#: a record state's canonical JSON: sorted keys, compact, dates and times in ISO 8601
_STATE_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _state_digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(state, option=_STATE_JSON, default=str)).hexdigest()


def record_state(obj: Any) -> dict[str, Any]:
    """The column values of a loaded ORM object, by attribute name."""
    mapper = inspect(obj).mapper
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def state_hash(obj: Any) -> str:
    """sha256 of a record's state: its column values in canonical JSON (orjson, fast: a list
    page hashes every AMBER row it returns)."""
    return _state_digest(record_state(obj))


def values_state_hash(values: Any) -> str:
    """:func:`state_hash` of a record read as a row: ``values`` maps every column to its value."""
    return _state_digest(dict(values))


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    user_id: int | None,
    actor: str,
    action: str,
    record_type: str,
    record_id: int | None,
    state_hash: str,
    details: dict[str, Any],
) -> str:
    return sha256_json(
        {
            "prev_hash": prev_hash,
            "occurred_at": occurred_at.isoformat(),
            "user_id": user_id,
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "state_hash": state_hash,
            "details": details,
        }
    )


@dataclass
class ChainReport:
    """What :func:`verify_chain` found: events checked and the first broken link, if any."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every link in id order; stop at the first one that does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked=checked)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(
                    checked, e.id, "its prev_hash does not match the previous event's hash"
                )
            expected = event_hash(
                prev_hash=e.prev_hash,
                occurred_at=e.occurred_at,
                user_id=e.user_id,
                actor=e.actor,
                action=e.action,
                record_type=e.record_type,
                record_id=e.record_id,
                state_hash=e.state_hash,
                details=e.details,
            )
            if e.hash != expected:
                return ChainReport(
                    checked, e.id, "its contents do not match its hash (the row was changed)"
                )
            prev = e.hash
            checked += 1
            last_id = e.id
        session.expunge_all()


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

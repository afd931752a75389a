"""The audit chain's arithmetic: canonical JSON, record-state digests, event hashes, verify.

Each event's ``hash`` covers the canonical JSON (sorted keys, no spaces) of its own fields and
the previous event's hash, so changing, removing or reordering any row breaks every link after
it. The hash's scheme is recorded per event (``scheme``):

- ``hmac-sha256`` (every event since migration 0013): HMAC-SHA256 under the key kept outside
  the database (:mod:`.key`), over the fields plus the scheme's name. Without the key nobody
  can write a chain that verifies.
- ``sha256`` (events from before 0013): the plain sha256 of the fields. Such events verify
  only as the chain's first events, and only as many as the log held when it was upgraded
  (``legacy_limit``, recorded by migration 0013 and by the read log's upgrade): a plain event
  after a keyed one, or beyond that count, is a forgery (a rewrite without the key).

:func:`verify_chain` recomputes a chain in id order and names the first broken link. Nothing
here writes: appending is :mod:`.store`'s.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from json.encoder import encode_basestring as _encode_string
from typing import Any

import orjson
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from safecorridor.sharing.models import AuditEvent

GENESIS = "0" * 64
#: the hash scheme of events from before migration 0013
PLAIN = "sha256"
#: the hash scheme of every event appended since: HMAC-SHA256 under the audit key
KEYED = "hmac-sha256"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_json(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


#: a record state's canonical JSON: sorted keys, compact, dates and times in ISO 8601
_STATE_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _state_digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(state, option=_STATE_JSON, default=str)).hexdigest()


def _redact(model: type[Any], state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with each of the model's secret columns (``__audit_redacted__``: a partner's
    token) replaced by whether it is set: the audit log keeps no secret, nor a digest of one."""
    for name in getattr(model, "__audit_redacted__", ()):
        if name in state:
            state[name] = bool(state[name])
    return state


def record_state(obj: Any) -> dict[str, Any]:
    """The column values of a loaded ORM object, by attribute name (a secret column: whether
    it is set, :func:`_redact`), and what its ``audit_relations`` adds (an organisation's
    partners and escorts)."""
    mapper = inspect(obj).mapper
    state = {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}
    relations = getattr(obj, "audit_relations", None)
    if callable(relations):  # rows of association tables that decide who reads what
        state.update(relations())
    return _redact(mapper.class_, state)


def state_hash(obj: Any) -> str:
    """sha256 of a record's state: its column values in canonical JSON (orjson, fast: a list
    page hashes every AMBER row it returns)."""
    return _state_digest(record_state(obj))


_Columns = tuple[tuple[tuple[str, str], ...], bool]
_attribute_columns_of: dict[type[Any], _Columns] = {}


def _attribute_columns(model: type[Any]) -> _Columns:
    """``model``'s (attribute, column key) pairs, and whether every attribute is named as its
    column (remembered per model)."""
    known = _attribute_columns_of.get(model)
    if known is None:
        pairs = tuple((attr.key, attr.columns[0].key) for attr in inspect(model).column_attrs)
        known = _attribute_columns_of[model] = (pairs, all(a == c for a, c in pairs))
    return known


def row_state(model: type[Any], row: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`record_state` of a record read as a Core row of ``model``'s table (``row`` keyed
    by column key): the same values by attribute name, without loading an ORM object."""
    pairs, same_names = _attribute_columns(model)
    if same_names and len(row) == len(pairs):
        return _redact(model, dict(row))  # every column given, each named as its attribute
    return _redact(model, {attr: row[column] for attr, column in pairs})


def _field_digest(value: Any) -> str:
    return hashlib.sha256(orjson.dumps([value], option=_STATE_JSON, default=str)).hexdigest()[:16]


#: the value types whose digests :func:`values_field_digests` may remember (floats are left
#: out: -0.0 equals 0.0 yet is written differently)
_MEMO_TYPES = frozenset({str, int, bool, type(None), date, datetime})


def values_field_digests(
    values: Mapping[str, Any], memo: dict[tuple[type, Any], str] | None = None
) -> dict[str, str]:
    """Each value digested on its own (16 hex digits of its sha256), by attribute name: what a
    write's event keeps so verification can name the fields that changed since.

    ``memo`` (one dict shared over many records of a batch) remembers the digests of the
    scalar values already seen: imported rows repeat most of theirs (country, types, marking).
    """
    if memo is None:
        return {name: _field_digest(value) for name, value in values.items()}
    out = {}
    for name, value in values.items():
        kind = type(value)
        if kind in _MEMO_TYPES:
            key = (kind, value)
            digest = memo.get(key)
            if digest is None:
                digest = memo[key] = _field_digest(value)
            out[name] = digest
        else:
            out[name] = _field_digest(value)
    return out


def field_digests(obj: Any) -> dict[str, str]:
    """:func:`values_field_digests` of a loaded ORM object's columns."""
    return values_field_digests(record_state(obj))


def values_state_hash(values: Any) -> str:
    """:func:`state_hash` of a record read as a row: ``values`` maps every column to its value."""
    return _state_digest(dict(values))


def event_hash(
    *,
    key: bytes | None,
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
    """The event's hash: keyed (:data:`KEYED`) with ``key``, plain (:data:`PLAIN`) with None."""
    fields: dict[str, Any] = {
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
    if key is None:
        return sha256_json(fields)
    fields["scheme"] = KEYED
    return hmac.new(key, canonical_json(fields).encode("utf-8"), hashlib.sha256).hexdigest()


def keyed_event_hash(
    *,
    key: bytes,
    prev_hash: str,
    occurred_at: datetime,
    user_id: int | None,
    actor: str,
    action: str,
    record_type: str,
    record_id: int | None,
    state_hash: str,
    details_json: str,
) -> str:
    """:func:`event_hash` (keyed) of an event whose details are given as their canonical JSON
    (:func:`canonical_json`), so a batch serialises each event's details once, for its hash
    and for its row. The same bytes as :func:`event_hash` hashes: the fields' canonical JSON,
    keys in sorted order (``tests/sharing/test_audit_bulk.py`` holds them equal)."""
    text = (
        f'{{"action":{_scalar(action)},"actor":{_scalar(actor)},"details":{details_json},'
        f'"occurred_at":{_scalar(occurred_at.isoformat())},"prev_hash":{_scalar(prev_hash)},'
        f'"record_id":{_scalar(record_id)},"record_type":{_scalar(record_type)},'
        f'"scheme":{_scalar(KEYED)},"state_hash":{_scalar(state_hash)},'
        f'"user_id":{_scalar(user_id)}}}'
    )
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def _scalar(value: str | int | None) -> str:
    """:func:`canonical_json` of a string, an integer or None, without the encoder's call."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return int.__repr__(value)


def mac_json(key: bytes, data: Any) -> str:
    """HMAC-SHA256 under ``key`` of ``data``'s canonical JSON (a checkpoint's seal)."""
    return hmac.new(key, canonical_json(data).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass
class ChainReport:
    """What :func:`verify_chain` found: events checked and the first broken link, if any."""

    checked: int
    broken_id: int | None = None
    reason: str = ""
    #: how many of the checked events are plain (from before the keyed chain)
    plain: int = 0

    @property
    def is_intact(self) -> bool:
        return self.broken_id is None


def verify_chain(
    session: Session, *, key: bytes | None, legacy_limit: int = 0, batch: int = 5000
) -> ChainReport:
    """Recompute every link in id order; stop at the first one that does not hold.

    ``key`` verifies the keyed events (None: the key is missing, so the first keyed event
    fails); ``legacy_limit`` is how many plain events the log may begin with.
    """
    prev = GENESIS
    checked = 0
    plain = 0
    keyed_seen = False
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked=checked, plain=plain)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(
                    checked, e.id, "its prev_hash does not match the previous event's hash", plain
                )
            if e.scheme == PLAIN:
                if keyed_seen or plain >= legacy_limit:
                    return ChainReport(
                        checked,
                        e.id,
                        "it is hashed without the key (plain sha256) where only keyed events "
                        f"may stand ({legacy_limit} plain events predate the keyed chain): "
                        "the chain was rewritten",
                        plain,
                    )
                use: bytes | None = None
            elif e.scheme == KEYED:
                if key is None:
                    return ChainReport(
                        checked, e.id, "it is keyed and the audit key file is missing", plain
                    )
                use = key
                keyed_seen = True
            else:
                return ChainReport(checked, e.id, f"its hash scheme {e.scheme!r} is unknown", plain)
            expected = event_hash(
                key=use,
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
            if not hmac.compare_digest(e.hash, expected):
                return ChainReport(
                    checked,
                    e.id,
                    "its contents do not match its hash (the row was changed, or the chain "
                    "was rewritten without the key)",
                    plain,
                )
            prev = e.hash
            checked += 1
            plain += e.scheme == PLAIN
            last_id = e.id
        session.expunge_all()


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

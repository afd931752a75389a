"""The audit log: an append-only hash chain of every write and every read of AMBER or stricter.

The package's parts:

- :mod:`.chain`: canonical JSON, record-state digests, event hashes (keyed: HMAC-SHA256),
  :func:`verify_chain`;
- :mod:`.key`: the HMAC key, a file outside the database;
- :mod:`.store`: the chain's lock and appending (a write's event in the writing transaction,
  so it commits or rolls back with the change it records; the states of many records written
  at once, as bulk imports do, in one bulk insert);
- :mod:`.writer`: reads recorded by group commit through one writer thread per process (no
  thread started at import);
- :mod:`.readlog`: on a SQLite file, the reads' own log in a second file beside it;
- :mod:`.verify`: ``safecorridor audit verify``'s checks over every log.

The names below are re-exported so callers import ``safecorridor.sharing.audit`` only.
"""

from __future__ import annotations

from safecorridor.sharing.audit.chain import (
    GENESIS,
    KEYED,
    PLAIN,
    ChainReport,
    canonical_json,
    count_events,
    event_hash,
    record_state,
    sha256_json,
    state_hash,
    values_state_hash,
    verify_chain,
)
from safecorridor.sharing.audit.key import ensure_key_file, key_path, read_key
from safecorridor.sharing.audit.readlog import (
    READ_LOG_STEM_SUFFIX,
    audit_logs,
    has_read_log,
    read_log_engine,
    read_log_url,
)
from safecorridor.sharing.audit.store import (
    PG_LOCK_KEY,
    EventData,
    WrittenState,
    append_batch,
    append_event,
    audit_objects,
    audit_write,
    audit_writes,
    lock_chain,
    written_rows,
    written_state,
)
from safecorridor.sharing.audit.verify import verify_logs
from safecorridor.sharing.audit.writer import (
    AuditWriter,
    audit_reads,
    audit_writer,
    flush_audit,
    record_read,
    stop_audit_writer,
    submit_read,
)

__all__ = [
    "GENESIS",
    "KEYED",
    "PG_LOCK_KEY",
    "PLAIN",
    "READ_LOG_STEM_SUFFIX",
    "AuditWriter",
    "ChainReport",
    "EventData",
    "WrittenState",
    "append_batch",
    "append_event",
    "audit_logs",
    "audit_objects",
    "audit_reads",
    "audit_write",
    "audit_writer",
    "audit_writes",
    "canonical_json",
    "count_events",
    "ensure_key_file",
    "event_hash",
    "flush_audit",
    "has_read_log",
    "key_path",
    "lock_chain",
    "read_key",
    "read_log_engine",
    "read_log_url",
    "record_read",
    "record_state",
    "sha256_json",
    "state_hash",
    "stop_audit_writer",
    "submit_read",
    "values_state_hash",
    "verify_chain",
    "verify_logs",
    "written_rows",
    "written_state",
]

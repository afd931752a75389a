"""The deployment's active risk policy, kept in the store with its history.

Activating a policy appends a row to ``risk_policies`` (``RiskPolicy``) with the policy's
text; the active policy is the latest row, and the rows are the history (``risk policy
list``). ``active_policy(session)`` is what every computation should use when it is not given
a policy: the latest activated policy, or the shipped default (``load_policy(None)``) while
none has been activated.

The policies served each quarter (``risk.calibrate.served_policy``: the active policy fitted
on one reader's history) are kept in ``risk_served_fits`` (``ServedFit``) through
``DatabaseFits``, so that a fit made once (by the worker, ahead of the readers) is read by
every process.

Invariants: a stored document always parses to a valid policy whose content hash equals the
row's ``sha256`` (checked on activation and again when it is read back); rows are never
updated or deleted, so re-activating an older version appends a new row with its text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safecorridor.clock import naive
from safecorridor.db.base import utcnow
from safecorridor.risk.calibrate import FitKey
from safecorridor.risk.models import RiskPolicy, ServedFit
from safecorridor.risk.policy import (
    Policy,
    PolicyError,
    default_policy_text,
    dump_policy,
    load_policy,
    parse_policy_text,
)

#: the name that activates the shipped default policy
DEFAULT_NAME = "default"
MAX_DOCUMENT_CHARS = 2_000_000
MAX_NOTE_CHARS = 500

log = logging.getLogger(__name__)

_cache: dict[str, Policy] = {}
_cache_lock = threading.Lock()


class PolicyNotFoundError(LookupError):
    """No stored policy has that version."""


def _summary(policy: Policy) -> dict[str, Any]:
    cal = policy.data.get("calibration") or {}
    if not isinstance(cal, dict):
        return {}
    keep = ("train_until", "command", "data")
    return {k: cal[k] for k in keep if k in cal}


def activate_policy(
    session: Session,
    policy: Policy,
    *,
    text: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> RiskPolicy:
    """Make ``policy`` the deployment's active policy (a new row; the caller commits).

    ``text`` is the policy file's text (comments kept); it must parse to ``policy``. Without
    it the policy is written out with ``dump_policy``.
    """
    document = text if text is not None else dump_policy(policy.data)
    if len(document) > MAX_DOCUMENT_CHARS:
        raise PolicyError(f"a policy file is at most {MAX_DOCUMENT_CHARS:,} characters")
    if parse_policy_text(document).sha256 != policy.sha256:
        raise PolicyError("the policy text does not match the policy")
    row = RiskPolicy(
        version=policy.version[:100],
        sha256=policy.sha256,
        document=document,
        summary=_summary(policy),
        note=note[:MAX_NOTE_CHARS],
        activated_at=naive(now) if now is not None else utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def activate_default(
    session: Session, *, note: str = "", now: datetime | None = None
) -> RiskPolicy:
    """Make the shipped default the active policy again."""
    return activate_policy(
        session, load_policy(None), text=default_policy_text(), note=note, now=now
    )


def activate_file(
    session: Session, path: Path, *, note: str = "", now: datetime | None = None
) -> RiskPolicy:
    """Make the policy in ``path`` (YAML or TOML) the active policy."""
    text = path.read_text("utf-8")
    toml = path.suffix.lower() == ".toml"
    policy = parse_policy_text(text, toml=toml)
    return activate_policy(
        session, policy, text=None if toml else text, note=note or f"from {path.name}", now=now
    )


def activate_version(
    session: Session, version: str, *, note: str = "", now: datetime | None = None
) -> RiskPolicy:
    """Re-activate the latest stored policy with ``version`` (``default``: the shipped one)."""
    if version == DEFAULT_NAME:
        return activate_default(session, note=note or "the shipped default", now=now)
    row = session.scalars(
        select(RiskPolicy).where(RiskPolicy.version == version).order_by(RiskPolicy.id.desc())
    ).first()
    if row is None:
        raise PolicyNotFoundError(f"no stored policy has version {version!r}")
    policy = stored_policy(row)
    return activate_policy(
        session, policy, text=row.document, note=note or f"again (as #{row.id})", now=now
    )


def policy_history(session: Session, *, limit: int = 100) -> list[RiskPolicy]:
    """The activations, newest first."""
    stmt = select(RiskPolicy).order_by(RiskPolicy.id.desc()).limit(max(1, min(limit, 1000)))
    return list(session.scalars(stmt))


def active_row(session: Session) -> RiskPolicy | None:
    return session.scalars(select(RiskPolicy).order_by(RiskPolicy.id.desc()).limit(1)).first()


def _verified(document: str, sha256: str, what: str, advice: str = "") -> Policy:
    """The policy of a stored ``document`` whose content hash must be ``sha256`` (parsed once
    per hash in this process); PolicyError naming ``what`` (and ``advice``) when it is not."""
    with _cache_lock:
        hit = _cache.get(sha256)
    if hit is not None:
        return hit
    policy = parse_policy_text(document)
    if policy.sha256 != sha256:
        raise PolicyError(f"{what} does not match its hash{advice}")
    with _cache_lock:
        if len(_cache) > 32:
            _cache.clear()
        _cache[sha256] = policy
    return policy


def stored_policy(row: RiskPolicy) -> Policy:
    """The policy of a stored row (parsed once per content hash in this process)."""
    return _verified(
        row.document,
        row.sha256,
        f"stored policy #{row.id} ({row.version})",
        "; activate a policy again (`safecorridor risk policy activate ...`)",
    )


def active_policy(session: Session) -> Policy:
    """The deployment's active policy: the latest activated, else the shipped default."""
    latest = session.execute(
        select(RiskPolicy.id, RiskPolicy.sha256).order_by(RiskPolicy.id.desc()).limit(1)
    ).first()
    if latest is None:
        return load_policy(None)
    with _cache_lock:
        hit = _cache.get(latest.sha256)
    if hit is not None:
        return hit
    row = session.get(RiskPolicy, latest.id)
    assert row is not None
    return stored_policy(row)


def active_policy_text(session: Session) -> str:
    """The text of the active policy (the shipped file while none is stored)."""
    row = active_row(session)
    return row.document if row is not None else default_policy_text()


# --- the policies served each quarter ------------------------------------------------------


class DatabaseFits:
    """The served fits kept in the store (a ``risk.calibrate.FitStore``): read through
    ``session``; written, when ``writer`` is given, each in a short transaction of its own
    (``writer()`` opens one), so that a long warm-up never holds the write lock."""

    def __init__(
        self,
        session: Session,
        writer: Callable[[], AbstractContextManager[Session]] | None = None,
        *,
        now: datetime | None = None,
    ) -> None:
        self.session = session
        self.writer = writer
        self.now = now
        #: how many fits this store wrote
        self.written = 0

    def load(self, key: FitKey) -> Policy | None:
        row = self.session.execute(
            select(ServedFit.id, ServedFit.sha256, ServedFit.document).where(*_fit_is(key))
        ).first()
        if row is None:
            return None
        try:
            return _verified(row.document, row.sha256, f"served fit #{row.id}")
        except PolicyError as exc:
            log.warning("%s: fitting it again", exc)
            return None

    def save(self, key: FitKey, policy: Policy, *, incidents: int) -> bool:
        if self.writer is None:
            return False
        try:
            with self.writer() as w:
                kept = w.scalar(select(ServedFit.id).where(*_fit_is(key)))
                if kept is not None:
                    return False
                w.add(
                    ServedFit(
                        policy_sha256=key.policy,
                        quarter=key.quarter,
                        data_sha256=key.data,
                        incidents=incidents,
                        version=policy.version[:100],
                        sha256=policy.sha256,
                        document=dump_policy(policy.data),
                        created_at=naive(self.now) if self.now is not None else utcnow(),
                    )
                )
        except IntegrityError:  # another worker kept the same fit meanwhile
            return False
        self.written += 1
        return True


def _fit_is(key: FitKey) -> tuple[Any, ...]:
    """The WHERE clauses of the stored fit of ``key``."""
    return (
        ServedFit.policy_sha256 == key.policy,
        ServedFit.quarter == key.quarter,
        ServedFit.data_sha256 == key.data,
    )


def prune_fits(session: Session, *, before: datetime) -> int:
    """Delete the served fits made before ``before``: a quarter's are made during it, so
    those of the current quarter stay when ``before`` is more than a quarter back; an older
    quarter's figures asked for later are fitted again. How many."""
    result = session.execute(
        delete(ServedFit)
        .where(ServedFit.created_at < naive(before))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""The audit chain's HMAC key: a file outside the database (``SAFECORRIDOR_AUDIT_KEY_FILE``).

Events appended since migration 0013 are keyed: their hash is HMAC-SHA256 under this key, so
someone who can rewrite the database but not read this file cannot rebuild a chain that
verifies. The file holds 32 random bytes in hex; it is created (mode 0600, exclusively, so two
processes never write two keys) by ``safecorridor init`` or, failing that, by the first append.
Verifying never creates it: a missing key makes every keyed event fail verification.
"""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from safecorridor.errors import InvalidInputError
from safecorridor.settings import get_settings

KEY_BYTES = 32

_cache: dict[Path, bytes] = {}
_guard = threading.Lock()


def key_path() -> Path:
    """Where the key is kept (settings: ``audit_key_file``, else beside the data directory)."""
    return get_settings().effective_audit_key_file


def ensure_key_file(path: Path | None = None) -> bool:
    """Create the key file with a new random key (mode 0600) unless it exists; True if created."""
    path = path or key_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True


def read_key(path: Path | None = None) -> bytes | None:
    """The key in ``path`` (default :func:`key_path`), or None if the file does not exist."""
    path = path or key_path()
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise InvalidInputError(f"the audit key file {path} does not hold a hex key of 16+ bytes")
    return key


def signing_key() -> bytes:
    """The key new events are hashed with, creating the key file on first use."""
    path = key_path()
    with _guard:
        key = _cache.get(path)
        if key is None:
            ensure_key_file(path)
            key = read_key(path)
            assert key is not None  # just created or already there
            _cache[path] = key
        return key


def forget_keys() -> None:
    """Drop the cached keys (a test that replaces or deletes a key file)."""
    with _guard:
        _cache.clear()

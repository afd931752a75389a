"""Secrets: Argon2 password hashes, bearer tokens (stored as sha256), signed session cookies."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from safecorridor.settings import get_settings

TOKEN_PREFIX = "sc_"
SESSION_COOKIE = "sc_session"
CSRF_HEADER = "X-CSRF-Token"
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()
#: verified against when the account does not exist, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class WeakPasswordError(ValueError):
    """The password is too short to be accepted."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})"
        )
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; an account without a hash never matches (same time either way)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str, str]:
    """A fresh bearer token: (the token shown once, its prefix for display, its sha256)."""
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_PREFIX}{secret}"
    return token, token[:10], token_digest(token)


def token_digest(token: str) -> str:
    """Tokens carry 256 random bits, so a plain sha256 is the right (and fast) hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="safecorridor.session")


def sign_session(user_id: int, csrf: str | None = None) -> tuple[str, str]:
    """A signed session cookie value for ``user_id`` and its CSRF token."""
    csrf = csrf or secrets.token_urlsafe(24)
    return _serializer().dumps({"uid": user_id, "csrf": csrf}), csrf


def read_session(value: str | None) -> dict[str, Any] | None:
    """The session data if the cookie is genuine and fresh, else None."""
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=get_settings().session_hours * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        return None
    return data


def same_secret(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))

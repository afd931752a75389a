"""Secrets: Argon2 password hashes, bearer tokens (stored as sha256), signed session cookies."""

from __future__ import annotations

import hashlib
import hmac
import secrets

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


def sign_session(session_id: str) -> str:
    """The signed session cookie value carrying the id of a stored web session."""
    return str(_serializer().dumps({"sid": session_id}))


def read_session(value: str | None) -> str | None:
    """The session id if the cookie is genuine and fresh, else None (the store decides
    whether that session is still live)."""
    if not value or len(value) > 4096:
        return None
    try:
        data = _serializer().loads(value, max_age=get_settings().session_hours * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        return None
    sid: str = data["sid"]
    return sid


def same_secret(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


DEVICE_COOKIE = "sc_device"
DEVICE_DAYS = 180


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="safecorridor.device")


def sign_device(email: str) -> str:
    """The device cookie: proof that this browser signed in as ``email`` before."""
    return str(_device_serializer().dumps({"email": email.strip().lower()}))


def device_email(value: str | None) -> str | None:
    """The e-mail a genuine, fresh device cookie names, else None."""
    if not value or len(value) > 4096:
        return None
    try:
        data = _device_serializer().loads(value, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    email = data.get("email") if isinstance(data, dict) else None
    return email if isinstance(email, str) else None

"""Delivery channels: e-mail over SMTP and webhooks signed with HMAC-SHA256.

(In-app alerts are rows of ``notifications`` written with the alert; they need no sender.)

A webhook is a POST of the alert as JSON with the headers

- ``X-SafeCorridor-Timestamp``: Unix seconds when the request was signed;
- ``X-SafeCorridor-Signature``: ``sha256=<hex>``, the HMAC-SHA256 with the rule's secret of
  ``timestamp + "." + body``;
- ``X-SafeCorridor-Idempotency-Key``: the same on every retry of one delivery.

A 2xx response is success; anything else (or no response) is retried with exponential
back-off until the delivery's ``max_attempts``, then it is dead-lettered. docs/webhooks.md
shows how a receiver verifies a request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safecorridor import net

SIGNATURE_HEADER = "X-SafeCorridor-Signature"
TIMESTAMP_HEADER = "X-SafeCorridor-Timestamp"
IDEMPOTENCY_HEADER = "X-SafeCorridor-Idempotency-Key"
#: a receiver should refuse requests signed longer ago (or further ahead) than this
REPLAY_WINDOW_SECONDS = 300


class ChannelSettings(BaseSettings):
    """How alerts leave the system (``SAFECORRIDOR_SMTP_*``, ``SAFECORRIDOR_WEBHOOK_*``,
    ``SAFECORRIDOR_DELIVERY_*``)."""

    model_config = SettingsConfigDict(env_prefix="SAFECORRIDOR_", extra="ignore")

    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for alert e-mail.")
    smtp_port: int = Field(default=25, description="Its port.")
    smtp_username: str | None = Field(default=None, description="SMTP login, if required.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS.")
    smtp_from: str = Field(default="safecorridor@localhost", description="From: of alerts.")
    smtp_timeout: float = Field(default=10.0, description="Seconds before an SMTP attempt fails.")
    webhook_timeout: float = Field(default=10.0, description="Seconds before a webhook fails.")
    delivery_max_attempts: int = Field(default=5, description="Attempts before dead-letter.")
    delivery_retry_base_seconds: int = Field(
        default=60, description="First retry delay; doubles with each attempt."
    )
    delivery_retry_max_seconds: int = Field(default=3600, description="Longest retry delay.")
    delivery_lease_seconds: int = Field(
        default=300, description="How long a claimed delivery stays claimed by one worker."
    )

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: dict[str, object]) -> dict[str, object]:
        """``SAFECORRIDOR_SMTP_PASSWORD_FILE``: the password from a file (deployments keep
        secrets out of the environment)."""
        path = os.environ.get("SAFECORRIDOR_SMTP_PASSWORD_FILE")
        if path and "smtp_password" not in data:
            data["smtp_password"] = Path(path).read_text(encoding="utf-8").strip()
        return data


@lru_cache(maxsize=1)
def get_channel_settings() -> ChannelSettings:
    return ChannelSettings()


class DeliveryError(Exception):
    """One attempt failed; ``status`` is the HTTP status when there was a response."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Message:
    """What one delivery sends: to whom, the alert as text and as JSON."""

    recipient: str
    subject: str
    text: str
    data: dict[str, Any]
    idempotency_key: str
    secret: str | None = None
    #: files sent with an e-mail (a briefing pack's PDF): (file name, MIME type, content)
    attachments: tuple[tuple[str, str, bytes], ...] = ()


# --- signatures --------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, f"{timestamp}." + body)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    window: int = REPLAY_WINDOW_SECONDS,
) -> bool:
    """What a receiver does: the timestamp is recent and the signature matches (compared in
    constant time)."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > window:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


# --- senders -----------------------------------------------------------------------------


def send_email(message: Message, settings: ChannelSettings) -> int | None:
    mail = EmailMessage()
    mail["From"] = settings.smtp_from
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(usegmt=True)
    # the same Message-ID on every attempt: mail systems drop the duplicate of a retry
    mail["Message-ID"] = f"<{message.idempotency_key}@safecorridor>"
    mail[IDEMPOTENCY_HEADER] = message.idempotency_key
    mail.set_content(message.text)
    for filename, mime, content in message.attachments:
        maintype, _, subtype = mime.partition("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.smtp_port}: {exc}") from exc
    return None


def webhook_body(message: Message) -> bytes:
    return json.dumps(message.data, sort_keys=True, separators=(",", ":")).encode("utf-8")


def send_webhook(message: Message, settings: ChannelSettings) -> int | None:
    if not message.secret:
        raise DeliveryError("the rule has no webhook secret")
    body = webhook_body(message)
    ts = int(time.time())  # wall-clock: the receiver checks it against its own clock
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "SafeCorridor-Webhook/1",
        TIMESTAMP_HEADER: str(ts),
        SIGNATURE_HEADER: sign(message.secret, ts, body),
        IDEMPOTENCY_HEADER: message.idempotency_key,
    }
    try:
        with net.client(timeout=settings.webhook_timeout) as http:
            response = http.post(message.recipient, content=body, headers=headers)
    except httpx.HTTPError as exc:  # a blocked private address arrives as a ConnectError
        raise DeliveryError(f"POST {message.recipient}: {exc.__class__.__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise DeliveryError(
            f"POST {message.recipient}: HTTP {response.status_code}", response.status_code
        )
    return response.status_code


Sender = Callable[[Message, ChannelSettings], "int | None"]

#: the senders by channel name (an extension point: add a channel by adding a sender)
SENDERS: dict[str, Sender] = {"email": send_email, "webhook": send_webhook}

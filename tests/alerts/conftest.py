"""Real local endpoints for the channels: an aiosmtpd SMTP server and an http.server
webhook receiver that verifies signatures and de-duplicates by idempotency key."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecorridor.alerts.channels import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ChannelSettings,
    verify,
)
from safecorridor.alerts.worker import WorkerContext
from safecorridor.settings import get_settings
from tests.world import demo_in, stretch_day


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    port: int
    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [
            e.content.decode("utf-8", "replace")
            for e in self.messages
            if address.lower() in [r.lower() for r in e.rcpt_tos]
        ]


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    # aiosmtpd logs every connection at INFO, which the app's logging set-up would print
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@dataclass
class Receiver:
    """A webhook endpoint: answers 500 for the first ``fail_first`` requests (or always),
    verifies each signature, processes each idempotency key once."""

    secret: str
    fail_first: int = 0
    always_fail: bool = False
    requests: list[dict[str, Any]] = field(default_factory=list)
    processed: dict[str, dict[str, Any]] = field(default_factory=dict)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: Any, body: bytes) -> int:
        with self.lock:
            ok = verify(
                self.secret,
                timestamp=headers.get(TIMESTAMP_HEADER, ""),
                body=body,
                signature=headers.get(SIGNATURE_HEADER, ""),
            )
            key = headers.get(IDEMPOTENCY_HEADER, "")
            self.requests.append({"key": key, "verified": ok})
            if not ok:
                return 401
            if self.always_fail or len(self.requests) <= self.fail_first:
                return 500
            if key not in self.processed:  # a retry of a processed key changes nothing
                self.processed[key] = json.loads(body)
            return 200


@pytest.fixture
def webhook_receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Receiver]]:
    servers: list[ThreadingHTTPServer] = []

    def start(secret: str = "s3cret-for-tests", **kw: Any) -> Receiver:
        receiver = Receiver(secret=secret, **kw)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                code = receiver.handle(self.headers, body)
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        # the receiver listens on this machine: a deployment with private webhooks allows them
        monkeypatch.setenv("SAFECORRIDOR_ALLOW_PRIVATE_URLS", "true")
        get_settings.cache_clear()
        return receiver

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


@pytest.fixture
def demo(
    request: pytest.FixtureRequest, session: Session, tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The demo world on each backend, with a violent stretch (as tests/movements' ``demo``)."""
    return demo_in(session, tmp_path_factory.getbasetemp(), stretch_day(request))


@pytest.fixture
def channel_settings(smtp_sink: SmtpSink) -> ChannelSettings:
    return ChannelSettings(
        smtp_host="127.0.0.1",
        smtp_port=smtp_sink.port,
        smtp_timeout=5,
        webhook_timeout=5,
        delivery_max_attempts=4,
        delivery_retry_base_seconds=60,
    )


@pytest.fixture
def ctx(engine: Engine, channel_settings: ChannelSettings) -> WorkerContext:
    return WorkerContext(engine=engine, settings=channel_settings, name="test-worker")

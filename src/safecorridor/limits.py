"""Limits on what a request may carry: a request body larger than its path allows is refused
with 413 before it is read into memory (every field and list has its own limit in the
schemas; this one bounds the whole)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the paths that take a whole report (pasted text or an uploaded file)
INGEST_PATHS = ("/api/v1/documents", "/ingest")
#: the paths that take a partner's STIX bundle or MISP events, and the TAXII server's (whose
#: inbox takes an envelope), with the size they advertise
INTEROP_PATHS = ("/api/v1/stix/bundle", "/api/v1/misp/events")
INTEROP_PREFIX = "/taxii2/"
INTEROP_MAX_BODY = 20_000_000
#: the largest body of any other request
DEFAULT_MAX_BODY = 1_000_000


class BodyTooLargeError(Exception):
    pass


class BodyLimit:
    """ASGI middleware: 413 for a body over the limit (by Content-Length, or while streaming)."""

    def __init__(self, app: ASGIApp, *, ingest_max_bytes: int) -> None:
        self.app = app
        self.ingest_max = ingest_max_bytes + 1_000_000  # the report and the form around it

    def limit_for(self, path: str) -> int:
        if path in INGEST_PATHS:
            return self.ingest_max
        if path in INTEROP_PATHS or path.startswith(INTEROP_PREFIX):
            return INTEROP_MAX_BODY
        return DEFAULT_MAX_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _refuse(send, limit)
                    return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLargeError:
            if not started:
                await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Request too large",
            "status": 413,
            "detail": f"the request body is larger than {limit:,} bytes",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

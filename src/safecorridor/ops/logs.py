"""Logs: one line per event on standard error, JSON (for a log shipper) or text (for a
terminal), each carrying the id of the HTTP request that emitted it.

Invariants:

- :func:`configure_logging` installs one handler on the root logger and replaces only the one
  it installed before, so calling it again (the CLI, then the app factory) never doubles a
  line and never removes a handler someone else added.
- Every HTTP request gets a request id: the incoming ``X-Request-ID`` when it is well-formed
  (1 to 64 letters, digits, ``.``, ``_``, ``:`` or ``-``, the first a letter or digit), else
  a new random one (32 hex digits). It is returned in the ``X-Request-ID`` response header
  and held in a context variable while the request is handled, so every record logged
  meanwhile (threadpool work included: anyio copies the context) carries it as
  ``request_id``.
- One access line per request (logger ``safecorridor.access``): method, route *template*,
  status, duration in ms, and the signed-in user's id and organisation id when known. Never the
  raw path, the query string, a header, a cookie or a body: tokens, passwords and secrets in
  query strings cannot reach the logs this way. uvicorn's own access log (the raw path with
  its query string) is switched off.
- The libraries that would log request or statement details at DEBUG or INFO (SQLAlchemy's
  parameters, httpx's URLs, which may hold a webhook's secret) are held at WARNING whatever
  the level.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER = REQUEST_ID_HEADER.lower().encode("latin-1")
MAX_REQUEST_ID = 64
_WELL_FORMED = re.compile(rf"[A-Za-z0-9][A-Za-z0-9._:-]{{0,{MAX_REQUEST_ID - 1}}}")
#: libraries held at WARNING or above (their DEBUG/INFO lines name URLs, SQL parameters, or
#: are noise in a command's output: Alembic's "Context impl SQLiteImpl." on every start, the Dask
#: client's connection lines)
QUIET = (
    "sqlalchemy",
    "alembic",
    "distributed",
    "httpx",
    "httpcore",
    "urllib3",
    "multipart",
    "python_multipart",
    "fontTools",
    "weasyprint",  # a PDF pack printed ~15 "progress" lines
)
#: attributes of a log record that are not the caller's structured fields
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
    "taskName",
}

access_log = logging.getLogger("safecorridor.access")


@dataclass
class RequestContext:
    """What the logs know of the request being handled (mutable: the sign-in fills it in)."""

    request_id: str
    user_id: int | None = None
    org_id: int | None = None


CURRENT: ContextVar[RequestContext | None] = ContextVar("safecorridor_request", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, or None outside a request."""
    ctx = CURRENT.get()
    return ctx.request_id if ctx is not None else None


def note_viewer(user_id: int | None, org_id: int | None) -> None:
    """Record who is signed in for this request's access line (no-op outside a request)."""
    ctx = CURRENT.get()
    if ctx is not None:
        ctx.user_id, ctx.org_id = user_id, org_id


def accept_request_id(value: str | None) -> str:
    """``value`` when it is a well-formed request id, else a new one (32 hex digits)."""
    if value is not None and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


def structured_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller passed with ``extra=`` (and the request id), in insertion order."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and k[:1] != "_"}


class ContextFilter(logging.Filter):
    """Adds ``request_id`` to every record emitted while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = CURRENT.get()
        if ctx is not None and not hasattr(record, "request_id"):
            record.request_id = ctx.request_id
        return True


class JsonFormatter(OrjsonFormatter):
    """One JSON object a line: time (RFC 3339, UTC), level, logger, message, the structured
    fields, and ``exc_info`` (the traceback) when there is one."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "color_message", "taskName"],
            timestamp="time",
        )


class TextFormatter(logging.Formatter):
    """``time level logger message key=value ...`` (values with spaces JSON-quoted)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        for key, value in structured_fields(record).items():
            text = str(value)
            if not text or any(c.isspace() or c in '"=' for c in text):
                text = json.dumps(text, ensure_ascii=False)
            line += f" {key}={text}"
        return line


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted (a test runner or the
    CLI's runner may swap it after the handler was made)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        return None


def configure_logging(fmt: str = "text", level: str = "INFO") -> logging.Handler:
    """Log to standard error in ``fmt`` (json or text) from ``level`` up; the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_safecorridor", False)]:
        root.removeHandler(old)
    handler = StderrHandler()
    handler._safecorridor = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)  # warnings too become lines of the same format
    numeric = logging.getLevelName(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric))
    for name in ("uvicorn", "uvicorn.error"):  # through the root handler, in the same format
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    uvicorn_access = logging.getLogger("uvicorn.access")  # raw paths with query strings: off
    uvicorn_access.handlers = []
    uvicorn_access.propagate = False
    uvicorn_access.disabled = True
    return handler


class RequestLog:
    """ASGI middleware: the request id (context variable and response header) and one access
    line per HTTP request. Outermost, so the duration includes every other layer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == _HEADER),
            None,
        )
        ctx = RequestContext(accept_request_id(incoming))
        token = CURRENT.set(ctx)
        raw_id = ctx.request_id.encode("latin-1")
        start = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _HEADER]
                headers.append((_HEADER, raw_id))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except BaseException:
            # the server-error handler outside this middleware answers next, in this task:
            # the context variable stays set so its 500 carries the same id
            _access(scope, ctx, status[0], start)
            raise
        _access(scope, ctx, status[0], start)
        CURRENT.reset(token)


def _access(scope: Scope, ctx: RequestContext, status: int, start: float) -> None:
    route = getattr(scope.get("route"), "path", None) or "unmatched"
    ms = round((time.perf_counter() - start) * 1000, 1)
    access_log.log(
        logging.WARNING if status >= 500 else logging.INFO,
        "%s %s %s %.1f ms",
        scope["method"],
        route,
        status,
        ms,
        extra={
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": ms,
            "user_id": ctx.user_id,
            "org_id": ctx.org_id,
        },
    )


__all__ = [
    "CURRENT",
    "MAX_REQUEST_ID",
    "REQUEST_ID_HEADER",
    "ContextFilter",
    "JsonFormatter",
    "RequestContext",
    "RequestLog",
    "StderrHandler",
    "TextFormatter",
    "accept_request_id",
    "configure_logging",
    "current_request_id",
    "note_viewer",
]

"""Security headers on every answer, pages and API alike.

- ``Content-Security-Policy``: scripts only from this site (no inline script, no ``eval``: the
  pages keep their data in ``<script type="application/json">`` blocks, which are not run),
  no framing (``frame-ancestors 'none'``), no plugins, forms post only here. Styles may be
  inline (Leaflet and Swagger UI set ``style`` attributes); images may come from the online
  tile server when ``SAFECORRIDOR_TILE_URL`` names one.
- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``X-Frame-Options: DENY``, ``Cross-Origin-Opener-Policy: same-origin``, and a
  ``Permissions-Policy`` that grants geolocation to this site only (the check-in page).
- ``Strict-Transport-Security`` in production.
- ``Cache-Control: no-store`` on every answer but the static files (scripts, styles, map
  tiles) unless the answer sets its own: pages and API answers are one reader's records, and
  a browser's cache would show them again after sign-out (the Back button) or to the next
  user of a shared computer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safecorridor.settings import Settings

#: the static files' path: the only answers a browser may keep
STATIC_PREFIX = "/static/"


def tile_source(tile_url: str) -> str | None:
    """The CSP source of a tile URL template: ``https://{s}.tile.example/{z}/{x}/{y}.png`` →
    ``https://*.tile.example``."""
    parts = urlsplit(tile_url)
    host = parts.netloc
    if not host or parts.scheme not in ("http", "https"):
        return None
    if "{s}" in host:
        host = "*" + host.split("{s}", 1)[1]
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str = "") -> str:
    images = ["'self'", "data:"]
    source = tile_source(tile_url) if tile_url else None
    if source:
        images.append(source)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {' '.join(images)}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": content_security_policy(settings.tile_url),
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
        "permissions-policy": "geolocation=(self), camera=(), microphone=()",
    }
    if settings.environment == "production":
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to every HTTP answer."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        static = str(scope.get("path", "")).startswith(STATIC_PREFIX)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                added = [(k, v) for k, v in self.headers if k not in present]
                if not static and b"cache-control" not in present:
                    added.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + added
            await send(message)

        await self.app(scope, receive, with_headers)

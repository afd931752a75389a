"""The web pages, one module per part of the app; :data:`ROUTERS` lists them in the order the
app factory mounts them."""

from __future__ import annotations

from safecorridor.web.pages import (
    alerts,
    auth,
    incidents,
    ingest,
    jwg,
    language,
    map,
    movements,
    registry,
    review,
)

ROUTERS = [
    auth.router,
    map.router,
    incidents.router,
    review.router,
    ingest.router,
    registry.router,
    movements.router,
    alerts.router,
    jwg.router,
    language.router,
]

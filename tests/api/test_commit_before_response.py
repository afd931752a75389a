"""A write is committed before its response leaves: what another node reads the moment the
client has its answer (a new record, a sign-out, a revoked token) is already there."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from safecorridor.accounts.models import ApiToken
from safecorridor.app import create_app
from safecorridor.incidents.models import Incident
from tests.api.conftest import World

Message = MutableMapping[str, Any]
ASGI = Callable[
    [
        MutableMapping[str, Any],
        Callable[[], Awaitable[Message]],
        Callable[[Message], Awaitable[None]],
    ],
    Awaitable[None],
]


class SeenAtResponse:
    """Wraps the app: when a response starts, ``probe`` runs on a connection of its own (as
    another node would) and its result is kept."""

    def __init__(self, app: ASGI, probe: Callable[[], Any]) -> None:
        self.app, self.probe = app, probe
        self.seen: list[Any] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append(self.probe())
            await send(message)

        await self.app(scope, receive, watched)


def test_a_write_is_visible_elsewhere_when_its_response_starts(
    engine: Engine, world: World
) -> None:
    def counts() -> tuple[int, int]:
        with engine.connect() as conn:
            incidents = conn.execute(select(func.count()).select_from(Incident)).scalar_one()
            revoked = conn.execute(
                select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_not(None))
            ).scalar_one()
        return int(incidents), int(revoked)

    before = counts()
    wrapped = SeenAtResponse(create_app(), counts)
    with TestClient(wrapped) as client:
        body = {
            "event_date": "2023-03-01",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "latitude": 25.3,
            "longitude": 62.4,
            "location": "Gwadar",
            "tlp": "AMBER",
        }
        headers = world.headers("owner", "analyst")
        assert client.post("/api/v1/incidents", json=body, headers=headers).status_code == 201
        assert wrapped.seen[-1] == (before[0] + 1, before[1])
        mine = client.get("/api/v1/users/me/tokens", headers=headers).json()["data"]
        gone = client.delete(f"/api/v1/users/me/tokens/{mine[0]['id']}", headers=headers)
        assert gone.status_code == 204
        assert wrapped.seen[-1] == (before[0] + 1, before[1] + 1)

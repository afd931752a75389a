"""The auth epoch: bumped by the database in the transaction of every change that ends or
narrows a credential, so a bearer token cached by one process is refused at the next
request after a change made by any other process (another node, the CLI, plain SQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, delete, update
from sqlalchemy.orm import Session

from safecorridor.accounts.models import ApiToken, AuthEpoch, User, WebSession
from safecorridor.accounts.security import token_digest
from safecorridor.accounts.service import create_token, read_auth_epoch, token_cache
from safecorridor.db.base import utcnow
from tests.api.conftest import World


def epoch(engine: Engine) -> int:
    with engine.connect() as conn:
        return read_auth_epoch(conn)


def change(engine: Engine, statement: Any) -> int:
    """Run one statement in a transaction of its own (as another process would); the epoch."""
    with engine.begin() as conn:
        conn.execute(statement)
    return epoch(engine)


def test_credential_changes_bump_the_epoch_and_other_writes_do_not(
    engine: Engine, world: World
) -> None:
    user_id = world.users[("owner", "viewer")]
    token = cast(Table, ApiToken.__table__)
    users = cast(Table, User.__table__)
    start = epoch(engine)
    # stamping a token's use, a display name, a locale: no credential changes
    assert change(engine, update(token).values(last_used_at=utcnow())) == start
    assert change(engine, update(users).values(display_name="Someone", locale="ur")) == start
    # the same value written again is no change either
    assert change(engine, update(users).where(users.c.id == user_id).values(role="viewer")) == start
    steps = [
        update(token).where(token.c.user_id == user_id).values(revoked_at=utcnow()),
        update(token).values(expires_at=utcnow() + timedelta(days=1)),
        update(users).where(users.c.id == user_id).values(role="analyst"),
        update(users).where(users.c.id == user_id).values(is_active=False),
        update(users).where(users.c.id == user_id).values(organisation_id=world.orgs["outsider"]),
        update(users).where(users.c.id == user_id).values(email="moved@outsider.example"),
        delete(token).where(token.c.user_id == world.users[("owner", "admin")]),
    ]
    seen = [start]
    for statement in steps:
        seen.append(change(engine, statement))
        assert seen[-1] > seen[-2], statement
    # a sign-out needs no bump: sessions are read from the database at every request
    assert (
        change(engine, update(cast(Table, WebSession.__table__)).values(revoked_at=utcnow()))
        == seen[-1]
    )


def test_a_missing_epoch_row_reads_as_zero_and_the_next_bump_puts_it_back(
    engine: Engine, world: World
) -> None:
    change(engine, delete(cast(Table, AuthEpoch.__table__)))
    assert epoch(engine) == 0
    users = cast(Table, User.__table__)
    target = users.c.id == world.users[("partner", "viewer")]
    assert change(engine, update(users).where(target).values(is_active=False)) == 1
    assert change(engine, update(users).where(target).values(is_active=True)) == 2


def test_a_cached_token_costs_one_epoch_read_not_a_token_lookup(
    engine: Engine, world: World, client: TestClient, statements: list[str]
) -> None:
    token_cache.clear()
    headers = world.headers("owner", "viewer")
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    assert any("api_tokens" in sql for sql in statements)  # the first request looked it up
    statements.clear()
    assert client.get("/api/v1/incidents", headers=headers).status_code == 200
    assert not any("api_tokens" in sql for sql in statements)
    assert sum("auth_epoch" in sql for sql in statements) == 1


def _list(client: TestClient, headers: dict[str, str]) -> int:
    return cast(int, client.get("/api/v1/incidents", headers=headers).status_code)


def test_a_change_made_outside_this_process_counts_at_the_next_request(
    engine: Engine, world: World, client: TestClient, session: Session
) -> None:
    """Each change is written by another connection, as another node or the CLI would; the
    app's cache is warm before each one."""
    token_cache.clear()
    revoked = world.headers("owner", "viewer")
    assert _list(client, revoked) == 200
    change(
        engine,
        update(ApiToken)
        .where(ApiToken.user_id == world.users[("owner", "viewer")])
        .values(revoked_at=utcnow()),
    )
    assert _list(client, revoked) == 401

    deactivated = world.headers("partner", "viewer")
    assert _list(client, deactivated) == 200
    change(
        engine,
        update(User).where(User.id == world.users[("partner", "viewer")]).values(is_active=False),
    )
    assert _list(client, deactivated) == 401

    # moved to the outsider organisation: the partner's AMBER incident is no longer shown
    moved = world.headers("partner", "analyst")
    amber = world.incidents["AMBER"]
    before = {i["id"] for i in client.get("/api/v1/incidents", headers=moved).json()["data"]}
    assert amber in before
    change(
        engine,
        update(User)
        .where(User.id == world.users[("partner", "analyst")])
        .values(organisation_id=world.orgs["outsider"]),
    )
    after = {i["id"] for i in client.get("/api/v1/incidents", headers=moved).json()["data"]}
    assert amber not in after

    # a token issued later is cached under the newer epoch and still served from the cache
    fresh_user = session.get(User, world.users[("owner", "analyst")])
    assert fresh_user is not None
    fresh = create_token(session=session, user=fresh_user).token
    session.commit()
    assert _list(client, {"Authorization": f"Bearer {fresh}"}) == 200
    cached = token_cache.get((id(engine), token_digest(fresh)))
    assert cached is not None and cached[1] == epoch(engine)

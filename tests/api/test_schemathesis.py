"""Property-based runs of schemathesis against /api/v1/openapi.json, signed in as an analyst.

Per operation: 50 examples, no 500s, every response with a documented status code, content
type and schema. Stateful: sequences of calls chained by the links schemathesis infers from the
schema (a created site's id into GET, PATCH and risk of that site, ...), with the same checks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from sqlalchemy.orm import sessionmaker

from safecorridor.app import create_app
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import reset_engine
from safecorridor.risk.cache import day_surfaces, figure_surfaces, surfaces, wide_surfaces
from tests.api.conftest import build_world

pytestmark = pytest.mark.slow
SKIP = {"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/users/me/tokens/{token_id}"}


@pytest.fixture(scope="module")
def api_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    path: Path = tmp_path_factory.mktemp("schemathesis") / "api.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        world = build_world(s)
    yield {"engine": engine, "headers": world.headers("owner", "analyst")}
    engine.dispose()


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_honours_its_schema(api_state: dict[str, Any]) -> None:
    reset_engine(api_state["engine"])
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app())
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.path in SKIP:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=50,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            case.call_and_validate(headers=api_state["headers"], checks=CHECKS)

        ran += 1
        try:
            run()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert ran >= 25
    assert not failures, "\n\n".join(failures)


def test_chained_calls_never_fail_the_server(api_state: dict[str, Any]) -> None:
    engine = api_state["engine"]
    reset_engine(engine)
    # every scenario starts from the same database: Hypothesis replays scenarios, and one
    # that met the rows an earlier scenario left would choose other calls (a "flaky strategy")
    snapshot = sqlite3.connect(":memory:")
    with engine.connect() as conn:
        conn.connection.driver_connection.backup(snapshot)
    documents = snapshot.execute("SELECT count(*) FROM documents").fetchone()[0]
    restored: list[int] = []
    schema: schemathesis.BaseSchema = schemathesis.openapi.from_asgi(
        "/api/v1/openapi.json", create_app()
    )
    schema = schema.exclude(path=sorted(SKIP))
    machine = schema.as_state_machine()
    calls: list[str] = []

    class Chained(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            with engine.connect() as conn:
                snapshot.backup(conn.connection.driver_connection)
                restored.append(conn.exec_driver_sql("SELECT count(*) FROM documents").scalar())
            for cache in (surfaces, day_surfaces, figure_surfaces, wide_surfaces):
                cache.clear()  # figures of the rows the restore took away

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": api_state["headers"]}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            calls.append(f"{case.method} {case.path}")
            case.validate_response(response, checks=CHECKS)

    Chained.run(
        settings=settings(
            max_examples=40,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
    )
    # the links chained creations into reads of what was created
    assert len(calls) > 40 and len(set(calls)) > 5
    # and each scenario began from the same rows, whatever the one before it had posted
    assert len(restored) > 1 and set(restored) == {documents}

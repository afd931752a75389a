"""Structured logs: the request id travels from the X-Request-ID header (or is made) into every
JSON log line of the request, the response header and the problem body; one access line per
request names the route template and the signed-in organisation; no token, password, cookie
or query string reaches the logs; a real `serve` with two workers logs the same way."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from safecorridor.accounts.service import create_user
from safecorridor.app import create_app
from safecorridor.settings import get_settings
from tests.api.conftest import World, build_world
from tests.api.test_server import _free_port, _healthy, _kill_tree, _wait

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def world(sqlite_engine: Engine) -> World:
    """The API personas on SQLite only: what is logged does not depend on the backend."""
    with sessionmaker(bind=sqlite_engine, expire_on_commit=False)() as s:
        return build_world(s)


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECORRIDOR_LOG_FORMAT", "json")
    monkeypatch.setenv("SAFECORRIDOR_LOG_LEVEL", "debug")  # the most a deployment can show
    get_settings.cache_clear()


@pytest.fixture
def app(sqlite_engine: Engine, json_logs: None) -> FastAPI:
    return create_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def lines(err: str) -> list[dict[str, Any]]:
    """The JSON log lines written to standard error (each line must be JSON)."""
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def access(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["logger"] == "safecorridor.access"]


def test_an_incoming_request_id_comes_back_and_marks_every_line(
    world: World, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    incident = world.incidents["GREEN"]
    answer = client.get(
        f"/api/v1/incidents/{incident}",
        headers={**world.headers("owner", "analyst"), "X-Request-ID": "edge-7f3a.91:b_c-d"},
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "edge-7f3a.91:b_c-d"
    records = lines(capsys.readouterr().err)
    assert records, "the request logged nothing"
    assert {r.get("request_id") for r in records} == {"edge-7f3a.91:b_c-d"}
    (line,) = access(records)
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/incidents/{incident_id}"  # the template, not the id
    assert f"/incidents/{incident}" not in line["message"]
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["org_id"] == world.orgs["owner"]
    assert line["user_id"] == world.users[("owner", "analyst")]


@pytest.mark.parametrize(
    "bad",
    [
        "has a space",
        "x" * 65,
        "semi;colon",
        "-leading-dash",
        "line\\nbreak",
        "caf%C3%A9",
        "",
    ],
)
def test_a_malformed_request_id_is_replaced_by_a_new_one(
    bad: str, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    answer = client.get("/healthz", headers={"X-Request-ID": bad})
    made = answer.headers["x-request-id"]
    assert made != bad and HEX32.fullmatch(made)
    (line,) = access(lines(capsys.readouterr().err))
    assert line["request_id"] == made
    assert line["route"] == "/healthz"
    assert line["org_id"] is None  # nobody signed in


def test_each_request_without_an_id_gets_its_own(client: TestClient) -> None:
    first = client.get("/healthz").headers["x-request-id"]
    second = client.get("/healthz").headers["x-request-id"]
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second


def test_a_problem_answer_carries_the_request_id(
    world: World, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    answer = client.get(
        "/api/v1/incidents/999999",
        headers={**world.headers("owner", "viewer"), "X-Request-ID": "ticket-404-check"},
    )
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["request_id"] == "ticket-404-check"
    assert answer.headers["x-request-id"] == "ticket-404-check"
    (line,) = access(lines(capsys.readouterr().err))
    assert (line["status"], line["request_id"]) == (404, "ticket-404-check")


def test_an_unexpected_error_logs_its_traceback_under_the_request_id(
    app: FastAPI, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode() -> None:
        raise RuntimeError("the handler broke on purpose")

    app.add_api_route("/api/v1/explode", explode)
    capsys.readouterr()
    answer = client.get("/api/v1/explode?api_key=never-log-me", headers={"X-Request-ID": "e500"})
    assert answer.status_code == 500
    assert answer.json()["request_id"] == "e500"
    assert answer.headers["x-request-id"] == "e500"
    err = capsys.readouterr().err
    records = lines(err)
    (error,) = [r for r in records if r["level"] == "ERROR"]
    assert error["request_id"] == "e500"
    assert "unhandled error on GET /api/v1/explode" in error["message"]
    assert "RuntimeError: the handler broke on purpose" in error["exc_info"]
    (line,) = access(records)
    assert (line["status"], line["level"], line["request_id"]) == (500, "WARNING", "e500")
    assert "never-log-me" not in err


def test_no_token_password_cookie_or_query_secret_reaches_the_logs(
    sqlite_engine: Engine, world: World, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    password = "Quartz-Heron-5591-paddle"
    with sessionmaker(bind=sqlite_engine)() as s, s.begin():
        create_user(
            session=s,
            email="logcheck@owner.example",
            organisation_id=world.orgs["owner"],
            role="analyst",
            password=password,
        )
    token = world.tokens[("owner", "admin")]
    capsys.readouterr()
    assert client.get(
        "/api/v1/incidents?q=x&access_token=query-secret-31337",
        headers={"Authorization": f"Bearer {token}"},
    ).status_code in (200, 422)
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    signed = client.post(
        "/login",
        data={
            "email": "logcheck@owner.example",
            "password": password,
            "csrf_token": csrf.group(1),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    cookies = [v for v in client.cookies.values() if len(v) >= 16]
    assert cookies, "the sign-in set no session cookie"
    wrong = client.post(
        "/api/v1/auth/login",
        json={"email": "logcheck@owner.example", "password": "Wrong-" + password},
    )
    assert wrong.status_code in (401, 403)
    err = capsys.readouterr().err
    records = lines(err)
    assert len(access(records)) == 4
    assert {r["route"] for r in access(records)} >= {"/login", "/api/v1/incidents"}
    for secret in [token, password, csrf.group(1), "query-secret-31337", *cookies]:
        assert secret not in err


def _serve_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SAFECORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path / 'sc.db'}",
        "SAFECORRIDOR_LOG_FORMAT": "json",
    }


def _served_log(tmp_path: Path, options: list[str], path: str, request_id: str, status: int) -> str:
    """Serve with two workers and ``options``, ask for ``path`` once with ``request_id``
    (expecting ``status``), stop with SIGTERM; what the server wrote on standard error."""
    port = _free_port()
    log = tmp_path / "serve.log"
    argv = [sys.executable, "-m", "safecorridor", "serve", "--port", str(port), "--workers", "2"]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*argv, *options], env=_serve_env(tmp_path), stdout=subprocess.DEVNULL, stderr=sink
        )
    try:
        assert _wait(lambda: _healthy(port))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers={"X-Request-ID": request_id})
        answer = conn.getresponse()
        answer.read()
        assert answer.status == status
        assert answer.getheader("X-Request-ID") == request_id
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    finally:
        _kill_tree(server)
    return log.read_text("utf-8")


@pytest.mark.slow
def test_a_served_node_logs_json_lines_from_every_worker_process(tmp_path: Path) -> None:
    text = _served_log(tmp_path, [], "/healthz?password=from-the-query", "node-1", 200)
    records = lines(text)  # uvicorn's own lines too: every line is JSON
    assert any(r["logger"].startswith("uvicorn") for r in records)
    served = [r for r in access(records) if r.get("request_id") == "node-1"]
    assert [(r["route"], r["status"]) for r in served] == [("/healthz", 200)]
    assert "from-the-query" not in text  # uvicorn's access log (raw query strings) is off


def test_serve_log_level_holds_the_apps_own_lines_too(tmp_path: Path) -> None:
    # `serve --log-level warning` quiets the access lines of every worker, not only uvicorn's
    text = _served_log(
        tmp_path, ["--log-level", "warning"], "/api/v1/no-such-thing", "quiet-1", 404
    )
    assert "quiet-1" not in text
    refused = subprocess.run(
        [sys.executable, "-m", "safecorridor", "serve", "--log-level", "loud"],
        env=_serve_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "--log-level must be one of debug, info, warning, error, critical" in refused.stderr

"""/metrics: scraped and parsed as Prometheus text; refused to anonymous and non-admin
callers; the figures follow the database (outbox, deliveries, worker runs, audit chain)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecorridor.alerts.worker import WorkerContext, run_step
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import count_events
from tests.api.conftest import World
from tests.factories import create_incident

NOW = datetime(2025, 6, 1, 12, 0)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def count_of(got: dict[tuple[str, tuple[tuple[str, str], ...]], float], route: str) -> float:
    key = (("method", "GET"), ("route", route), ("status", "2xx"))
    return got.get(("safecorridor_http_request_duration_seconds_count", key), 0.0)


def test_an_admin_scrapes_the_metrics_and_they_follow_the_database(
    engine: Engine, world: World, client: TestClient
) -> None:
    admin = world.headers("owner", "admin")
    # the request histogram lives as long as the process: compare with a first scrape
    before = samples(client.get("/metrics", headers=admin).text)
    with Session(engine) as s:
        for i in range(3):
            create_incident(s, source_key=f"metrics-{i}")
        s.commit()
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/incidents/999999", headers=admin).status_code == 404

    scraped = client.get("/metrics", headers=admin)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    got = samples(scraped.text)
    assert (
        got[("safecorridor_outbox_pending", ())] == before[("safecorridor_outbox_pending", ())] + 3
    )
    assert count_of(got, "/healthz") == count_of(before, "/healthz") + 1
    assert count_of(got, "/metrics") == count_of(before, "/metrics") + 1
    missing = (("method", "GET"), ("route", "/api/v1/incidents/{incident_id}"), ("status", "4xx"))
    name = "safecorridor_http_request_duration_seconds_count"
    assert got[(name, missing)] == before.get((name, missing), 0) + 1
    with Session(engine) as s:
        events = count_events(s)
    assert got[("safecorridor_audit_chain_events", (("log", "audit log"),))] == events

    run_step(WorkerContext(engine=engine, name="w"), "new_incidents", now=NOW)
    got = samples(client.get("/metrics", headers=admin).text)
    assert got[("safecorridor_outbox_pending", ())] == 0
    assert got[("safecorridor_worker_runs", (("status", "ok"), ("step", "new_incidents")))] == 1
    last = ("safecorridor_worker_step_last_duration_seconds", (("step", "new_incidents"),))
    assert got[last] == 0  # the injected clock stands still


def test_anonymous_and_non_admin_callers_are_refused(world: World, client: TestClient) -> None:
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 401
    assert "safecorridor_" not in anonymous.text
    assert client.get("/metrics", headers=world.headers("owner", "analyst")).status_code == 403
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401


def test_the_scraper_reads_them_with_the_metrics_token(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "metrics-token"
    secret.write_text("scrape-me-0123456789\n")
    monkeypatch.setenv("SAFECORRIDOR_METRICS_TOKEN_FILE", str(secret))
    get_settings.cache_clear()
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-0123456789"})
    assert ok.status_code == 200
    assert any(
        f.name == "safecorridor_outbox_pending" for f in text_string_to_metric_families(ok.text)
    )

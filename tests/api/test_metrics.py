"""/metrics: scraped and parsed as Prometheus text; refused to anonymous and non-admin
callers; the figures follow the database (outbox, deliveries, worker runs, audit chain,
imports and ingests)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from safecorridor.alerts.worker import WorkerContext, run_step
from safecorridor.ops.metrics import render
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import count_events
from safecorridor.sources.importers import import_file
from safecorridor.sources.ingest import ingest
from safecorridor.sources.models import ImportRun, IngestRun
from tests.api.conftest import World
from tests.conftest import SEED_REPORT
from tests.factories import create_incident
from tests.sources.conftest import ACLED_HEADER

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


def test_only_the_admins_of_the_organisation_that_runs_the_server_read_them(
    world: World, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the figures count every organisation's activity: a partner's admin is refused
    assert client.get("/metrics", headers=world.headers("owner", "admin")).status_code == 200
    for org in ("partner", "outsider"):
        r = client.get("/metrics", headers=world.headers(org, "admin"))
        assert r.status_code == 403 and "safecorridor_" not in r.text, org
        assert "organisation that runs this server" in r.json()["detail"]
    monkeypatch.setenv("SAFECORRIDOR_OPERATOR_ORG", "partner")
    get_settings.cache_clear()
    try:
        assert client.get("/metrics", headers=world.headers("partner", "admin")).status_code == 200
        assert client.get("/metrics", headers=world.headers("owner", "admin")).status_code == 403
    finally:
        get_settings.cache_clear()


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


def _import_csv(path: Path, rows: list[str]) -> Path:
    path.write_text(ACLED_HEADER + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _acled_row(key: str, day: int, location: str = "Karachi") -> str:
    return (
        f"{key},2022-04-{day:02d},2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,"
        f"{location},24.94,67.12,1,,,,1,,"
    )


def test_imports_move_the_record_counters_and_the_duration_histogram(
    engine: Engine, world: World, client: TestClient, tmp_path: Path
) -> None:
    admin = world.headers("owner", "admin")

    def scrape() -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        return samples(client.get("/metrics", headers=admin).text)

    def records(got: dict[Any, float], outcome: str) -> float:
        key = (("format", "acled"), ("outcome", outcome))
        return got.get(("safecorridor_import_records_total", key), 0.0)

    before = scrape()
    path = _import_csv(
        tmp_path / "first.csv",
        [_acled_row("M1", 1), _acled_row("M2", 2), _acled_row("M3", 3), "M4,not a date"],
    )
    first = import_file("acled", path, engine=engine)
    assert (first.new, first.rejected) == (3, 1)
    got = scrape()
    assert records(got, "created") == records(before, "created") + 3
    assert records(got, "rejected") == records(before, "rejected") + 1
    assert records(got, "updated") == records(before, "updated")
    finished = ("safecorridor_import_runs", (("format", "acled"), ("status", "finished")))
    assert got[finished] == before.get(finished, 0) + 1
    count = ("safecorridor_import_duration_seconds_count", (("format", "acled"),))
    inf = ("safecorridor_import_duration_seconds_bucket", (("format", "acled"), ("le", "+Inf")))
    assert got[count] == got[inf] == before.get(count, 0) + 1

    # the same file again: unchanged; one row corrected: updated
    path = _import_csv(
        tmp_path / "again.csv",
        [_acled_row("M1", 1), _acled_row("M2", 2), _acled_row("M3", 3, "Hub")],
    )
    import_file("acled", path, engine=engine)
    again = scrape()
    assert records(again, "created") == records(got, "created")
    assert records(again, "unchanged") == records(got, "unchanged") + 2
    assert records(again, "updated") == records(got, "updated") + 1
    assert again[count] == got[count] + 1


def test_a_long_import_is_counted_batch_by_batch(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAFECORRIDOR_IMPORT_BATCH_SIZE", "2")
    get_settings.cache_clear()
    path = _import_csv(tmp_path / "long.csv", [_acled_row(f"B{i}", i + 1) for i in range(5)])
    seen: list[tuple[str, int]] = []

    def progress(_n: int) -> None:  # called after each batch's commit
        with Session(engine) as s:
            run = s.scalars(select(ImportRun).order_by(ImportRun.id.desc())).first()
            assert run is not None
            seen.append((run.status, run.rows_new))
        text = render(engine).decode()
        key = (("format", "acled"), ("outcome", "created"))
        assert samples(text)[("safecorridor_import_records_total", key)] == seen[-1][1]

    import_file("acled", path, engine=engine, on_progress=progress)
    assert seen == [("running", 2), ("running", 4), ("running", 5)]


def test_the_duration_histograms_bucket_the_runs_in_the_database(engine: Engine) -> None:
    start = datetime(2025, 3, 1, 8, 0, 0)
    with Session(engine) as s, s.begin():
        for seconds in (0.5, 10.0, 2000.0):
            s.add(
                ImportRun(
                    kind="gtd",
                    path="gtd.csv",
                    status="finished",
                    started_at=start,
                    finished_at=start + timedelta(seconds=seconds),
                )
            )
            s.add(
                IngestRun(
                    status="succeeded",
                    started_at=start,
                    finished_at=start + timedelta(seconds=seconds),
                )
            )
        s.add(ImportRun(kind="gtd", path="gtd.csv", status="running", started_at=start))
    got = samples(render(engine).decode())
    expected = {
        "0.25": 0,
        "1.0": 1,
        "5.0": 1,
        "15.0": 2,
        "60.0": 2,
        "300.0": 2,
        "900.0": 2,
        "3600.0": 3,
        "+Inf": 3,
    }
    for le, n in expected.items():
        labels = (("format", "gtd"), ("le", le))
        assert got[("safecorridor_import_duration_seconds_bucket", labels)] == n, le
        assert got[("safecorridor_ingest_duration_seconds_bucket", (("le", le),))] == n, le
    gtd = (("format", "gtd"),)
    assert got[("safecorridor_import_duration_seconds_sum", gtd)] == pytest.approx(2010.5)
    assert got[("safecorridor_ingest_duration_seconds_sum", ())] == pytest.approx(2010.5)
    assert got[("safecorridor_import_runs", (("format", "gtd"), ("status", "running")))] == 1


def test_ingest_moves_the_document_and_candidate_counters(
    engine: Engine, world: World, client: TestClient, tmp_path: Path
) -> None:
    admin = world.headers("owner", "admin")
    before = samples(client.get("/metrics", headers=admin).text)
    report = ingest(engine=engine, sources=[str(SEED_REPORT)])
    assert report.new == 1 and report.candidates > 0
    got = samples(client.get("/metrics", headers=admin).text)

    def docs(scraped: dict[Any, float], outcome: str) -> float:
        return scraped.get(("safecorridor_ingest_documents_total", (("outcome", outcome),)), 0.0)

    assert docs(got, "new") == docs(before, "new") + 1
    candidates = ("safecorridor_ingest_candidates_total", ())
    assert got[candidates] == before.get(candidates, 0) + report.candidates
    count = ("safecorridor_ingest_duration_seconds_count", ())
    assert got[count] == before.get(count, 0) + 1
    ingest(engine=engine, sources=[str(SEED_REPORT)])  # the same text: an exact duplicate
    again = samples(client.get("/metrics", headers=admin).text)
    assert docs(again, "duplicate") == docs(got, "duplicate") + 1
    assert again[candidates] == got[candidates]
    succeeded = ("safecorridor_ingest_runs", (("status", "succeeded"),))
    assert again[succeeded] == before.get(succeeded, 0) + 2


def test_runs_committed_late_finished_later_or_replaced_are_counted_right(
    engine: Engine,
) -> None:
    start = datetime(2025, 5, 1, 9, 0)

    def add(run_id: int, new: int, finished: bool = True, at: datetime = start) -> None:
        with Session(engine) as s, s.begin():
            s.add(
                ImportRun(
                    id=run_id,
                    kind="ucdp",
                    path=f"run-{run_id}.csv",
                    status="finished" if finished else "running",
                    started_at=at,
                    finished_at=at + timedelta(seconds=2) if finished else None,
                    rows_new=new,
                )
            )

    def created() -> float:
        got = samples(render(engine).decode())
        key = (("format", "ucdp"), ("outcome", "created"))
        return got[("safecorridor_import_records_total", key)]

    add(1, 1)
    add(3, 3)
    assert created() == 4
    add(2, 2)  # its transaction began before run 3's and committed after it
    assert created() == 6
    add(4, 4, finished=False)
    assert created() == 10
    with Session(engine) as s, s.begin():
        run = s.get_one(ImportRun, 4)
        run.rows_new, run.status, run.finished_at = 5, "finished", start + timedelta(seconds=30)
    assert created() == 11
    got = samples(render(engine).decode())
    assert got[("safecorridor_import_duration_seconds_count", (("format", "ucdp"),))] == 4
    total = got[("safecorridor_import_duration_seconds_sum", (("format", "ucdp"),))]
    assert total == pytest.approx(36, abs=0.001)  # SQLite's julianday: ~50 us a run
    # the table replaced under the process (a restore): summed again from scratch
    with Session(engine) as s, s.begin():
        s.execute(delete(ImportRun))
    add(1, 7, at=start + timedelta(days=1))
    assert created() == 7

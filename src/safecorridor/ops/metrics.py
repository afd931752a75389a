"""Prometheus metrics: request latency measured in the serving process, and the state of the
queues, the worker, the deliveries and the audit chains read from the database at each scrape.

Invariants:

- Request latency is a histogram labelled by method, route *template* (``/api/v1/incidents/
  {incident_id}``, never the raw path: a label per id would grow without bound) and status
  class. A path no route matches is labelled ``unmatched``.
- Everything the worker does is read from the database (``worker_runs``, ``incident_outbox``,
  ``alert_deliveries``, ``audit_events``), so any serve node reports the same figures for
  every worker process, and a scrape never depends on which process it reached.
- So are imports and ingests (``import_runs``, ``ingest_runs``): their counters are sums of
  the runs' counts, which a run writes with each batch, so they follow a long run from any
  process (the CLI's included) and only grow; their durations are histograms of the finished
  runs, bucketed by the database.
- With ``PROMETHEUS_MULTIPROC_DIR`` set (several serve processes), the request histograms of
  every process are merged by prometheus-client's multiprocess collector.
- A scrape reads counts and the last run of each step, no record contents: it reveals no
  record to anyone, and it is served only to an admin or the holder of the metrics token.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import Engine, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safecorridor.alerts.models import Delivery, IncidentOutbox, WorkerRun
from safecorridor.sharing.audit import audit_logs, count_events
from safecorridor.sources.models import ImportRun, IngestRun

#: the registry of this process's own metrics (request latency)
REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "safecorridor_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
#: buckets of the import and ingest run durations: a pasted report takes a fraction of a
#: second, a data set or a news archive up to an hour
RUN_BUCKETS = (0.25, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0)
IMPORT_OUTCOMES = {
    "created": ImportRun.rows_new,
    "updated": ImportRun.rows_updated,
    "unchanged": ImportRun.rows_unchanged,
    "rejected": ImportRun.rows_rejected,
}
INGEST_OUTCOMES = {
    "new": IngestRun.documents_new,
    "duplicate": IngestRun.documents_duplicate,
    "near_duplicate": IngestRun.documents_near_duplicate,
    "failed": IngestRun.documents_failed,
}
__all__ = ["CONTENT_TYPE_LATEST", "DatabaseCollector", "RequestMetrics", "render"]


class RequestMetrics:
    """ASGI middleware: observe each HTTP request's duration in :data:`REQUEST_SECONDS`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            REQUEST_SECONDS.labels(scope["method"], template, f"{status[0] // 100}xx").observe(
                time.perf_counter() - start
            )


class DatabaseCollector(Collector):
    """Gauges read from the database at each scrape (every worker's work, every node)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with Session(self.engine) as s:
            pending = GaugeMetricFamily(
                "safecorridor_outbox_pending",
                "Incidents queued for the new-incident rules, not yet evaluated.",
            )
            pending.add_metric(
                [],
                s.scalar(
                    select(func.count())
                    .select_from(IncidentOutbox)
                    .where(IncidentOutbox.processed_at.is_(None))
                )
                or 0,
            )
            yield pending
            deliveries = GaugeMetricFamily(
                "safecorridor_deliveries",
                "Alert deliveries (e-mail, webhook) by state: pending, sending, retrying, "
                "delivered, dead.",
                labels=("state", "channel"),
            )
            for state, channel, n in s.execute(
                select(Delivery.state, Delivery.channel, func.count()).group_by(
                    Delivery.state, Delivery.channel
                )
            ):
                deliveries.add_metric([state, channel], n)
            yield deliveries
            runs = GaugeMetricFamily(
                "safecorridor_worker_runs",
                "Worker step runs recorded, by step and status (ok, error, running).",
                labels=("step", "status"),
            )
            for step, status, n in s.execute(
                select(WorkerRun.step, WorkerRun.status, func.count()).group_by(
                    WorkerRun.step, WorkerRun.status
                )
            ):
                runs.add_metric([step, status], n)
            yield runs
            last = GaugeMetricFamily(
                "safecorridor_worker_step_last_duration_seconds",
                "Duration of each step's last finished run (any worker).",
                labels=("step",),
            )
            latest = (
                select(WorkerRun.step, func.max(WorkerRun.id).label("id"))
                .where(WorkerRun.finished_at.is_not(None))
                .group_by(WorkerRun.step)
                .subquery()
            )
            for step, started, finished in s.execute(
                select(WorkerRun.step, WorkerRun.started_at, WorkerRun.finished_at).join(
                    latest, WorkerRun.id == latest.c.id
                )
            ):
                if finished is not None:
                    last.add_metric([step], max(0.0, (finished - started).total_seconds()))
            yield last
            yield from _imports(s)
            yield from _ingests(s)
        chain = GaugeMetricFamily(
            "safecorridor_audit_chain_events",
            "Events in each audit chain (the audit log; on SQLite also the read log).",
            labels=("log",),
        )
        for name, bind in audit_logs(self.engine):
            with Session(bind) as s:
                chain.add_metric([name], count_events(s))
        yield chain


def _seconds(session: Session, started: Any, finished: Any) -> Any:
    """A run's duration in seconds, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", finished - started)
    return (func.julianday(finished) - func.julianday(started)) * 86400.0


def _durations(
    session: Session,
    model: type[ImportRun] | type[IngestRun],
    label: InstrumentedAttribute[Any] | None,
) -> list[tuple[list[str], list[tuple[str, float]], float]]:
    """Histograms of the finished runs' durations (per ``label`` value): labels, cumulative
    buckets, sum. The database counts the runs under each bound; no run is read."""
    seconds = _seconds(session, model.started_at, model.finished_at)
    under = [func.sum(case((seconds <= bound, 1), else_=0)) for bound in RUN_BUCKETS]
    keys = [label] if label is not None else []
    query = (
        select(*keys, func.count(), func.coalesce(func.sum(seconds), 0.0), *under)
        .where(model.finished_at.is_not(None))
        .group_by(*keys)
    )
    out = []
    for row in session.execute(query):
        values = list(row)
        names = [str(values.pop(0))] if label is not None else []
        total, total_seconds, *counts = values
        if not total:
            continue
        buckets = [(str(b), float(n or 0)) for b, n in zip(RUN_BUCKETS, counts, strict=True)]
        out.append((names, [*buckets, ("+Inf", float(total))], float(total_seconds)))
    return out


def _imports(s: Session) -> Iterator[Metric]:
    records = CounterMetricFamily(
        "safecorridor_import_records",
        "Records read by dataset imports (acled, gtd, ucdp, csv, jsonl), by format and outcome: "
        "created, updated, unchanged, rejected.",
        labels=("format", "outcome"),
    )
    sums = [func.coalesce(func.sum(column), 0) for column in IMPORT_OUTCOMES.values()]
    for kind, *counts in s.execute(select(ImportRun.kind, *sums).group_by(ImportRun.kind)):
        for outcome, n in zip(IMPORT_OUTCOMES, counts, strict=True):
            records.add_metric([kind, outcome], n)
    yield records
    runs = GaugeMetricFamily(
        "safecorridor_import_runs",
        "Import runs recorded, by format and status (running, finished, failed, interrupted).",
        labels=("format", "status"),
    )
    for kind, status, n in s.execute(
        select(ImportRun.kind, ImportRun.status, func.count()).group_by(
            ImportRun.kind, ImportRun.status
        )
    ):
        runs.add_metric([kind, status], n)
    yield runs
    duration = HistogramMetricFamily(
        "safecorridor_import_duration_seconds",
        "Duration of the finished import runs, by format.",
        labels=("format",),
    )
    for names, buckets, total in _durations(s, ImportRun, ImportRun.kind):
        duration.add_metric(names, buckets, total)
    yield duration


def _ingests(s: Session) -> Iterator[Metric]:
    documents = CounterMetricFamily(
        "safecorridor_ingest_documents",
        "Articles and reports read by ingest, by outcome: new, duplicate (exact), "
        "near_duplicate (stored, not extracted again), failed.",
        labels=("outcome",),
    )
    sums = [func.coalesce(func.sum(column), 0) for column in INGEST_OUTCOMES.values()]
    sums += [func.coalesce(func.sum(IngestRun.candidates), 0)]
    sums += [func.coalesce(func.sum(IngestRun.incidents), 0)]
    row = s.execute(select(*sums)).one()
    for outcome, n in zip(INGEST_OUTCOMES, row[: len(INGEST_OUTCOMES)], strict=True):
        documents.add_metric([outcome], n)
    yield documents
    yield CounterMetricFamily(
        "safecorridor_ingest_candidates",
        "Candidate incidents extracted by ingest (waiting for review unless auto-accepted).",
        value=row[-2],
    )
    yield CounterMetricFamily(
        "safecorridor_ingest_incidents",
        "Incidents created or reinforced by ingest's auto-accept.",
        value=row[-1],
    )
    runs = GaugeMetricFamily(
        "safecorridor_ingest_runs",
        "Ingest runs recorded, by status (running, succeeded, partial, failed).",
        labels=("status",),
    )
    for status, n in s.execute(select(IngestRun.status, func.count()).group_by(IngestRun.status)):
        runs.add_metric([status], n)
    yield runs
    duration = HistogramMetricFamily(
        "safecorridor_ingest_duration_seconds", "Duration of the finished ingest runs."
    )
    for _names, buckets, total in _durations(s, IngestRun, None):
        duration.add_metric([], buckets, total)
    yield duration


def render(engine: Engine) -> bytes:
    """The exposition text: this process's (or every process's) request metrics and the
    database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Own())
    registry.register(DatabaseCollector(engine))
    return generate_latest(registry)


class _Own(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()

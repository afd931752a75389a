"""Prometheus metrics: request latency measured in the serving process, and the state of the
queues, the worker, the deliveries and the audit chains read from the database at each scrape.

Invariants:

- Request latency is a histogram labelled by method, route *template* (``/api/v1/incidents/
  {incident_id}``, never the raw path: a label per id would grow without bound) and status
  class. A path no route matches is labelled ``unmatched``.
- Everything the worker does is read from the database (``worker_runs``, ``incident_outbox``,
  ``alert_deliveries``, ``audit_events``), so any serve node reports the same figures for
  every worker process, and a scrape never depends on which process it reached.
- With ``PROMETHEUS_MULTIPROC_DIR`` set (several serve processes), the request histograms of
  every process are merged by prometheus-client's multiprocess collector.
- A scrape reads counts and the last run of each step, no record contents: it reveals no
  record to anyone, and it is served only to an admin or the holder of the metrics token.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safecorridor.alerts.models import Delivery, IncidentOutbox, WorkerRun
from safecorridor.sharing.audit import audit_logs, count_events

#: the registry of this process's own metrics (request latency)
REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "safecorridor_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
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
        chain = GaugeMetricFamily(
            "safecorridor_audit_chain_events",
            "Events in each audit chain (the audit log; on SQLite also the read log).",
            labels=("log",),
        )
        for name, bind in audit_logs(self.engine):
            with Session(bind) as s:
                chain.add_metric([name], count_events(s))
        yield chain


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

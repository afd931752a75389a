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
  record to anyone, and it is served only to an admin of the operator organisation or the
  holder of the metrics token (its counts span every organisation).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from sqlalchemy import Engine, Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
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


def _seconds(dialect: str, started: Any, finished: Any) -> Any:
    """A run's duration in seconds, computed by the database."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", finished - started), Float)
    return (func.julianday(finished) - func.julianday(started)) * 86400.0


@dataclass
class _Runs:
    """One group of runs (a label value and a status): how many, the sums of their count
    columns, and of the finished ones: how many, their total and bucketed durations."""

    label: str | None
    status: str
    runs: int
    counts: list[int]
    finished: int
    seconds: float
    under: list[int]


def _aggregate(
    session: Session,
    model: type[ImportRun] | type[IngestRun],
    label: InstrumentedAttribute[Any] | None,
    columns: list[InstrumentedAttribute[int]],
    where: ColumnElement[bool],
) -> list[_Runs]:
    """The runs matching ``where``, grouped by ``label`` and status; the database sums and
    buckets, no run is read. Each run's duration is computed once, in a materialised CTE."""
    dialect = session.get_bind().dialect.name
    keys = [label] if label is not None else []
    seconds = _seconds(dialect, model.started_at, model.finished_at).label("seconds")
    runs = select(*keys, model.status, *columns, seconds).where(where).cte("runs")
    if dialect == "postgresql" or sqlite3.sqlite_version_info >= (3, 35):
        runs = runs.prefix_with("MATERIALIZED")
    c = runs.c
    group = [c[label.key]] if label is not None else []
    query = select(
        *group,
        c.status,
        func.count(),
        *[func.coalesce(func.sum(c[col.key]), 0) for col in columns],
        func.count(c.seconds),
        func.coalesce(func.sum(c.seconds), 0.0),
        *[func.sum(case((c.seconds <= bound, 1), else_=0)) for bound in RUN_BUCKETS],
    ).group_by(*group, c.status)
    out = []
    for row in session.execute(query):
        values = list(row)
        name = str(values.pop(0)) if label is not None else None
        status, runs_n = str(values.pop(0)), int(values.pop(0))
        counts = [int(v) for v in values[: len(columns)]]
        finished, total, *under = values[len(columns) :]
        out.append(
            _Runs(
                name,
                status,
                runs_n,
                counts,
                int(finished),
                float(total),
                [int(u or 0) for u in under],
            )
        )
    return out


@dataclass
class _Folded:
    """What a process has summed of one run table: every run with id <= ``upto`` except the
    ``pending`` ones (not finished when seen, or ids missing then: a transaction that
    committed late, or a rollback). A finished run never changes again, so a scrape sums only
    the runs added since and the pending ones, not the whole table (summed whole, 100,000
    runs took 0.6-0.9 s a scrape). A table replaced under the process (a restore, a test's
    truncation) no longer has the folded count or the run ``upto``'s start (``mark``): it is
    summed again from scratch."""

    upto: int = 0
    pending: frozenset[int] = frozenset()
    mark: Any = None
    groups: dict[tuple[str | None, str], _Runs] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return sum(g.runs for g in self.groups.values())


#: ids missing this far below the highest are rollbacks, not late commits: no longer awaited
GAP_WINDOW = 10_000
_FOLDED: weakref.WeakKeyDictionary[Engine, dict[str, _Folded]] = weakref.WeakKeyDictionary()
_FOLDING = threading.Lock()


def _copy(g: _Runs) -> _Runs:
    return _Runs(g.label, g.status, g.runs, list(g.counts), g.finished, g.seconds, list(g.under))


def _merge(into: dict[tuple[str | None, str], _Runs], groups: list[_Runs]) -> None:
    for g in groups:
        have = into.get((g.label, g.status))
        if have is None:
            into[(g.label, g.status)] = _copy(g)
            continue
        have.runs += g.runs
        have.counts = [a + b for a, b in zip(have.counts, g.counts, strict=True)]
        have.finished += g.finished
        have.seconds += g.seconds
        have.under = [a + b for a, b in zip(have.under, g.under, strict=True)]


def _still_valid(session: Session, model: type[ImportRun] | type[IngestRun], f: _Folded) -> bool:
    if not f.upto:
        return True
    folded = session.scalar(
        select(func.count()).where(model.id <= f.upto, model.id.not_in(sorted(f.pending)))
    )
    mark = session.scalar(select(model.started_at).where(model.id == f.upto))
    return folded == f.runs and mark == f.mark


def _run_groups(
    session: Session,
    model: type[ImportRun] | type[IngestRun],
    label: InstrumentedAttribute[Any] | None,
    columns: list[InstrumentedAttribute[int]],
) -> list[_Runs]:
    """Every figure of a run table, grouped by ``label`` and status (see :class:`_Folded`)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    with _FOLDING:
        tables = _FOLDED.setdefault(engine, {})
        old = tables.get(model.__tablename__) or _Folded()
        if not _still_valid(session, model, old):
            old = _Folded()
        new_ids = set(session.scalars(select(model.id).where(model.id > old.upto)))
        top = max(new_ids, default=old.upto)
        waited = sorted(old.pending)
        present = set(session.scalars(select(model.id).where(model.id.in_(waited))))
        missing = {i for i in range(old.upto + 1, top) if i not in new_ids}
        missing |= old.pending - present
        unfinished = set(
            session.scalars(
                select(model.id).where(
                    or_(and_(model.id > old.upto, model.id <= top), model.id.in_(waited)),
                    model.finished_at.is_(None),
                )
            )
        )
        pending = frozenset(unfinished | {i for i in missing if i > top - GAP_WINDOW})
        new = _Folded(
            upto=top,
            pending=pending,
            mark=session.scalar(select(model.started_at).where(model.id == top)),
            groups={k: _copy(g) for k, g in old.groups.items()},
        )
        done = and_(
            or_(and_(model.id > old.upto, model.id <= top), model.id.in_(waited)),
            model.id.not_in(sorted(pending)),
        )
        _merge(new.groups, _aggregate(session, model, label, columns, done))
        tables[model.__tablename__] = new
        out: dict[tuple[str | None, str], _Runs] = {}
        _merge(out, list(new.groups.values()))
        if unfinished:  # running runs: their counts grow batch by batch, summed at each scrape
            live = model.id.in_(sorted(unfinished))
            _merge(out, _aggregate(session, model, label, columns, live))
        return list(out.values())


def _histogram(groups: list[_Runs]) -> tuple[list[tuple[str, float]], float] | None:
    """The cumulative buckets and sum of the finished runs of ``groups`` (None: none)."""
    finished = sum(g.finished for g in groups)
    if not finished:
        return None
    under = [sum(g.under[i] for g in groups) for i in range(len(RUN_BUCKETS))]
    buckets = [(str(b), float(n)) for b, n in zip(RUN_BUCKETS, under, strict=True)]
    return [*buckets, ("+Inf", float(finished))], sum(g.seconds for g in groups)


def _imports(s: Session) -> Iterator[Metric]:
    groups = _run_groups(s, ImportRun, ImportRun.kind, list(IMPORT_OUTCOMES.values()))
    kinds = sorted({str(g.label) for g in groups})
    records = CounterMetricFamily(
        "safecorridor_import_records",
        "Records read by dataset imports (acled, gtd, ucdp, csv, jsonl), by format and outcome: "
        "created, updated, unchanged, rejected.",
        labels=("format", "outcome"),
    )
    runs = GaugeMetricFamily(
        "safecorridor_import_runs",
        "Import runs recorded, by format and status (running, finished, failed, interrupted).",
        labels=("format", "status"),
    )
    duration = HistogramMetricFamily(
        "safecorridor_import_duration_seconds",
        "Duration of the finished import runs, by format.",
        labels=("format",),
    )
    for kind in kinds:
        of_kind = [g for g in groups if g.label == kind]
        for i, outcome in enumerate(IMPORT_OUTCOMES):
            records.add_metric([kind, outcome], sum(g.counts[i] for g in of_kind))
        for g in of_kind:
            runs.add_metric([kind, g.status], g.runs)
        histogram = _histogram(of_kind)
        if histogram is not None:
            duration.add_metric([kind], *histogram)
    yield from (records, runs, duration)


def _ingests(s: Session) -> Iterator[Metric]:
    columns = [*INGEST_OUTCOMES.values(), IngestRun.candidates, IngestRun.incidents]
    groups = _run_groups(s, IngestRun, None, columns)
    total = [sum(g.counts[i] for g in groups) for i in range(len(columns))]
    documents = CounterMetricFamily(
        "safecorridor_ingest_documents",
        "Articles and reports read by ingest, by outcome: new, duplicate (exact), "
        "near_duplicate (stored, not extracted again), failed.",
        labels=("outcome",),
    )
    for i, outcome in enumerate(INGEST_OUTCOMES):
        documents.add_metric([outcome], total[i])
    yield documents
    yield CounterMetricFamily(
        "safecorridor_ingest_candidates",
        "Candidate incidents extracted by ingest (waiting for review unless auto-accepted).",
        value=total[-2],
    )
    yield CounterMetricFamily(
        "safecorridor_ingest_incidents",
        "Incidents created or reinforced by ingest's auto-accept.",
        value=total[-1],
    )
    runs = GaugeMetricFamily(
        "safecorridor_ingest_runs",
        "Ingest runs recorded, by status (running, succeeded, partial, failed).",
        labels=("status",),
    )
    for g in groups:
        runs.add_metric([g.status], g.runs)
    yield runs
    duration = HistogramMetricFamily(
        "safecorridor_ingest_duration_seconds", "Duration of the finished ingest runs."
    )
    histogram = _histogram(groups)
    if histogram is not None:
        duration.add_metric([], *histogram)
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

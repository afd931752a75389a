"""Idempotent storage of imported rows, in batches, with an ImportRun row per run (its pid
and host, so a run whose process died ends as interrupted: see ``sources/runs.py``); every
batch, new or re-imported incident (with its state) and run end is audited.

The run's counts are written with each batch, in its transaction, so ``/metrics`` (which sums
them) follows a long import as it goes and keeps what an interrupted one stored; the run's end
logs one line with its counts and duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, Table, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.base import utcnow
from safecorridor.db.bulk import bulk_insert
from safecorridor.db.session import get_engine
from safecorridor.incidents.actors import ActorResolver
from safecorridor.incidents.models import Incident, IncidentChange, incident_documents
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import _jsonable, incident_values, source_document
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import (
    WrittenState,
    append_event,
    audit_objects,
    audit_write,
    audit_writes,
    written_rows,
)
from safecorridor.sharing.policy import AUDITED_TLP, at_least_as_strict
from safecorridor.sources.importers.common import (
    CsvRow,
    ImportFormatError,
    ImportReport,
    RowError,
    RowValueError,
)
from safecorridor.sources.models import ImportRun
from safecorridor.sources.runs import mark_interrupted_imports, this_process
from safecorridor.taxonomy import TaxonomyError

Parsed = tuple[int, IncidentCreate | RowError]
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
CHANGES: Table = IncidentChange.__table__  # type: ignore[assignment]
ProgressFn = Callable[[int], None]
log = logging.getLogger(__name__)


def validation_message(exc: ValidationError | ValueError) -> str:
    """One readable line out of a pydantic error: 'field: problem; field: problem'."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{loc}: {msg}" if loc else msg)
        return "; ".join(parts)
    return str(exc)


def build(line: int, make: Callable[[], dict[str, Any]]) -> Parsed:
    """Run a row converter and validate its result; any problem becomes a RowError."""
    try:
        return line, IncidentCreate.model_validate(make())
    except RowValueError as exc:
        return line, RowError(line, str(exc))
    except (ValidationError, TaxonomyError, ValueError) as exc:
        return line, RowError(line, validation_message(exc))
    except OverflowError:
        return line, RowError(line, "a number is larger than any count or id a record holds")
    except RecursionError:
        return line, RowError(line, "a value is nested too deep")


def absent_fields(header: Iterable[str], columns_of: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The record's fields a file has no column for: ``columns_of`` names, for each field a
    format's columns give, the columns it is read from (a field not named there is always
    given)."""
    have = set(header)
    return frozenset(f for f, cols in columns_of.items() if not have.intersection(cols))


def parse_rows(
    rows: Iterable[CsvRow],
    convert: Callable[[dict[str, str]], dict[str, Any]],
    *,
    absent: Iterable[str] = (),
) -> Iterator[Parsed]:
    """Convert CSV records one by one; a broken record or value becomes a RowError.

    ``absent``: fields the file has no column for (:func:`absent_fields`). A row leaves them
    out, so a re-import keeps what is stored in them: a file with fewer columns says nothing
    about the others, unlike an empty cell, which says the value is unknown.
    """
    left_out = frozenset(absent)

    def given(values: dict[str, str]) -> dict[str, Any]:
        data = convert(values)
        for name in left_out:
            data.pop(name, None)
        return data

    for r in rows:
        if "__error__" in r.values:
            yield r.line, RowError(r.line, r.values["__error__"])
        else:
            yield build(r.line, lambda r=r: given(r.values))  # type: ignore[misc]


def _batches(items: Iterable[Parsed], size: int) -> Iterator[list[Parsed]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


_COMPARED = [c.name for c in INCIDENTS.columns if c.name not in {"id", "created_at", "updated_at"}]
#: the field of a row each stored column derives from, where they differ
_FIELD_OF = {
    "actor1_id": "actor1",
    "actor2_id": "actor2",
    "claimed_by_id": "claimed_by",
    "h3_cell": "latitude",
}
#: columns every row gives (its key and digest)
_ALWAYS_GIVEN = {"content_hash", "source_key", "source_dataset"}


def _given_columns(incident: Incident, values: dict[str, Any], item: IncidentCreate) -> set[str]:
    """The stored columns ``item``'s row gives (a file's absent columns it does not:
    :func:`parse_rows`; nor the fields a JSON Lines object leaves out). A row that changes the
    event type gives its sub-event and disorder types too: the stored ones were the old
    type's."""
    fields = set(item.model_fields_set)
    if "event_type" in fields and values["event_type"] != incident.event_type:
        fields |= {"sub_event_type", "disorder_type"}
    return {c for c in _COMPARED if c in _ALWAYS_GIVEN or _FIELD_OF.get(c, c) in fields}


def _lowered_marking(incident: Incident, values: dict[str, Any], given: set[str]) -> str | None:
    """Why a row may not be stored over ``incident``: it lowers the stored marking (an import
    of an older export, or of a file whose marking column is left at CLEAR, would publish a
    record an agency restricted). None if it does not."""
    if "tlp" not in given or at_least_as_strict(values["tlp"], incident.tlp):
        return None
    return (
        f"marks {incident.source_dataset} record {incident.source_key!r} {values['tlp']}, lower "
        f"than its stored marking {incident.tlp}; an import never lowers a marking (a "
        "record's owner changes it in the app)"
    )


def _store_batch(
    session: Session,
    batch: list[tuple[int, IncidentCreate]],
    resolver: ActorResolver,
    report: ImportReport,
    changed_by: str,
) -> dict[str, Any]:
    """Store one batch in the session's transaction; what it did, for the batch's audit event.

    Every new and every updated incident also gets an audited write of its own, with its
    state as stored (:func:`audit_writes`: one bulk insert for the batch's events).
    """
    new_before, updated_before = report.new, report.updated
    # the last occurrence of a key in a batch wins; earlier ones count as unchanged
    by_key: dict[tuple[str, str], tuple[int, IncidentCreate, dict[str, Any]]] = {}
    for line, item in batch:
        values = incident_values(item, resolver, owner_org_id=None)
        key = (item.source_dataset, values["source_key"])
        if key in by_key:
            report.unchanged += 1
        by_key[key] = (line, item, values)
    existing: dict[tuple[str, str], tuple[int, str]] = {}
    for dataset in {ds for ds, _ in by_key}:
        keys = [k for ds, k in by_key if ds == dataset]
        rows = session.execute(
            select(Incident.source_key, Incident.id, Incident.content_hash).where(
                Incident.source_dataset == dataset, Incident.source_key.in_(keys)
            )
        )
        existing.update({(dataset, k): (iid, digest) for k, iid, digest in rows})
    new_rows: list[dict[str, Any]] = []
    urls: dict[tuple[str, str], list[str]] = {}
    updated: list[Incident] = []
    now = utcnow()
    for key, (line, item, values) in by_key.items():
        if key not in existing:
            new_rows.append({**values, "created_at": now, "updated_at": now})
            if item.source_urls:
                urls[key] = item.source_urls
            continue
        iid, digest = existing[key]
        if digest == values["content_hash"]:
            report.unchanged += 1
            continue
        incident = session.get_one(Incident, iid)
        given = _given_columns(incident, values, item)
        lowered = _lowered_marking(incident, values, given)
        if lowered:
            report.errors.append(RowError(line, lowered))
            continue
        changes = {
            col: [_jsonable(getattr(incident, col)), _jsonable(values[col])]
            for col in given
            if col in values and getattr(incident, col) != values[col]
        }
        if set(changes) <= {"content_hash"}:
            # the same record from another spelling of its row (an export read back, say):
            # nothing is written, not even the new digest, so the stored state stays the one
            # the audit chain last recorded (``audit verify`` compares the two)
            report.unchanged += 1
            continue
        for col in changes:
            setattr(incident, col, values[col])
        incident.history.append(
            IncidentChange(changed_by=changed_by, action="reimported", changes=changes)
        )
        updated.append(incident)
        report.updated += 1
    # each updated incident's new state (the new ones' follow, read back from the table)
    audit_objects(session=session, viewer=None, action="reimport", objs=updated, actor=changed_by)
    if new_rows:
        # COPY / executemany without RETURNING; the new rows are read back by key (unique
        # index): their ids, and their states as stored for the audit chain
        bulk_insert(session, INCIDENTS, new_rows)
        ids = []
        stored: list[WrittenState] = []
        for dataset in {r["source_dataset"] for r in new_rows}:
            keys = [r["source_key"] for r in new_rows if r["source_dataset"] == dataset]
            result = session.execute(
                select(INCIDENTS).where(
                    INCIDENTS.c.source_dataset == dataset, INCIDENTS.c.source_key.in_(keys)
                )
            )
            columns = list(result.keys())
            as_stored = [dict(zip(columns, row, strict=True)) for row in result]
            ids += [(row["id"], dataset, row["source_key"]) for row in as_stored]
            stored += written_rows(Incident, as_stored)
        # every new incident's state in the audit chain, so `audit verify` names a row whose
        # marking or other field is changed in the table later (as for STIX, the API, the web)
        stored.sort(key=lambda st: st.record_id)
        audit_writes(session=session, viewer=None, action="import", states=stored, actor=changed_by)
        bulk_insert(
            session,
            CHANGES,
            [
                {
                    "incident_id": iid,
                    "changed_by": changed_by,
                    "action": "imported",
                    "changes": {"source": ds},
                    "changed_at": now,
                }
                for iid, ds, _ in ids
            ],
        )
        marking = {(r["source_dataset"], r["source_key"]): r.get("tlp", "CLEAR") for r in new_rows}
        links = [
            {
                "incident_id": iid,
                "document_id": source_document(session, url, tlp=marking[(ds, key)]).id,
            }
            for iid, ds, key in ids
            for url in urls.get((ds, key), [])
        ]
        if links:
            bulk_insert(session, incident_documents, links)
        report.new += len(new_rows)
        report.unowned_marked += sum(
            1 for r in new_rows if r.get("tlp") in AUDITED_TLP and r.get("owner_org_id") is None
        )
        new_ids = sorted(iid for iid, _, _ in ids)
    else:
        new_ids = []
    return {
        "new": report.new - new_before,
        "updated": report.updated - updated_before,
        "new_ids": new_ids[:MAX_AUDITED_IDS],
    }


#: the most new incident ids a batch's audit event lists (a batch holds up to
#: ``import_batch_size`` rows; the run's counts are complete either way)
MAX_AUDITED_IDS = 5000


def _refresh_statistics(factory: sessionmaker[Session]) -> None:
    """ANALYZE the growing tables on PostgreSQL, so the planner keeps using the key index.

    A bulk import into a fresh table outruns autovacuum: with statistics that say the table is
    empty, PostgreSQL plans the per-batch key lookup as a sequential scan, and an import of
    100,000 rows slows from ~8,000 to ~600 rows/s. SQLite needs nothing here.
    """
    with factory() as session, session.begin():
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(text("ANALYZE incidents"))
            session.execute(text("ANALYZE incident_changes"))


def import_rows(
    parsed: Iterable[Parsed],
    *,
    kind: str,
    path: Path,
    file_sha256: str | None = None,
    engine: Engine | None = None,
    on_progress: ProgressFn | None = None,
    changed_by: str = "import",
    today: date | None = None,
) -> ImportReport:
    """Store parsed rows in batches (one transaction each); bad rows are reported, not stored.
    With ``today``, a row dated after it is such a row (an event yet to happen is no incident;
    the API and the review queue refuse it too).

    Re-running the same file changes nothing: rows are keyed by (dataset, the dataset's id or
    the content hash) and compared by content hash.

    Audited: each batch's transaction appends an "import" event for every new incident and a
    "reimport" event for every updated one, each with the incident's state (so ``audit
    verify`` names a row changed in the table afterwards), then an "import" event naming the
    run, its counts and the new incidents' ids; the run's end appends an event with its status
    (actor ``changed_by``).
    """
    factory = sessionmaker(bind=engine or get_engine(), expire_on_commit=False)
    report = ImportReport(path=str(path), kind=kind)
    size = get_settings().import_batch_size
    mark_interrupted_imports(factory.kw["bind"])  # runs whose process died before ours
    pid, host = this_process()
    start = time.perf_counter()
    with factory() as session, session.begin():
        run = ImportRun(kind=kind, path=str(path), file_sha256=file_sha256, pid=pid, hostname=host)
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        next_analyze = size  # after the first batch, then each time the new rows quadruple
        for batch in _batches(parsed, size):
            good: list[tuple[int, IncidentCreate]] = []
            for line, item in batch:
                if not isinstance(item, RowError) and today and item.event_date > today:
                    item = RowError(line, f"event_date {item.event_date} is after today ({today})")
                if isinstance(item, RowError):
                    report.errors.append(item)
                else:
                    good.append((line, item))
            report.rows += len(batch)
            _store_batch_once(factory, good, report, run_id=run_id, kind=kind, by=changed_by)
            if report.new >= next_analyze:
                _refresh_statistics(factory)
                next_analyze = report.new * 4
            if on_progress:
                on_progress(len(batch))
        status = "finished"
    except BaseException:
        status = "failed"
        raise
    finally:
        with factory() as session, session.begin():
            run = session.get_one(ImportRun, run_id)
            run.status = status
            run.finished_at = utcnow()
            for column, value in _counts(report).items():
                setattr(run, column, value)
            run.errors = [{"line": e.line, "reason": e.reason} for e in report.errors[:1000]]
            audit_write(session=session, viewer=None, action=status, obj=run, actor=changed_by)
        ms = round((time.perf_counter() - start) * 1000, 1)
        log.log(
            logging.INFO if status == "finished" else logging.ERROR,
            "import %s %s %s: %s in %.1f ms",
            run_id,
            kind,
            status,
            report.summary(),
            ms,
            extra={
                "run_id": run_id,
                "format": kind,
                "status": status,
                "duration_ms": ms,
                **_counts(report),
            },
        )
    return report


def _store_batch_once(
    factory: sessionmaker[Session],
    good: list[tuple[int, IncidentCreate]],
    report: ImportReport,
    *,
    run_id: int,
    kind: str,
    by: str,
) -> None:
    """Store one batch in its own transaction, with the run's counts and its audit event.

    Another import storing rows of the same keys at the same time (the same file started
    twice) makes the insert fail on the key index: the batch is then read again, once, and
    its rows count as re-imported. A second clash is an ImportFormatError naming it.
    """
    for attempt in (1, 2):
        before = replace(report, errors=list(report.errors))
        try:
            with factory() as session, session.begin():
                resolver = ActorResolver(session, changed_by=by)
                done = _store_batch(session, good, resolver, report, by)
                session.execute(
                    update(ImportRun)
                    .where(ImportRun.id == run_id)
                    .values(**_counts(report))
                    .execution_options(synchronize_session=False)
                )
                if done["new"] or done["updated"]:
                    append_event(
                        session=session,
                        viewer=None,
                        action="import",
                        record_type="import_run",
                        record_id=run_id,
                        details={"kind": kind, **done},
                        actor=by,
                    )
            return
        except IntegrityError as exc:
            for name in ("new", "updated", "unchanged", "unowned_marked", "errors"):
                setattr(report, name, getattr(before, name))
            if attempt == 2:
                raise ImportFormatError(
                    f"{report.path}: another import is storing the same records at the same "
                    f"time; {report.summary()} before the clash. Run it again once the other "
                    "has ended: it stores the rest and changes nothing twice"
                ) from exc
            log.warning("import %s: rows stored by another import meanwhile; reading again", run_id)


def _counts(report: ImportReport) -> dict[str, int]:
    """The run's counts so far, as ImportRun's columns."""
    return {
        "rows_total": report.rows,
        "rows_new": report.new,
        "rows_updated": report.updated,
        "rows_unchanged": report.unchanged,
        "rows_rejected": report.rejected,
    }

"""``ingest``: sources → normalised documents (exact and near-duplicates dropped) → extraction
→ candidates, each document with its candidates stored in one transaction.

A run is idempotent: a document's key is the sha256 of its normalised text, so re-running a
killed ingest stores only what is missing. Syndicated copies (MinHash Jaccard over word
shingles ≥ 0.8) are stored linked to the first copy and not extracted again. Extraction runs
in this process, in a local process pool (``workers``) or on a Dask cluster (``dask``); only
this process writes to the database. The run's end appends an "ingest" audit event (status,
counts, the documents stored); auto-accepted candidates are audited as review decisions.
The run's counts are written after each chunk of sources, so ``/metrics`` follows a long run as
it goes; its end logs one line with its counts and duration.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from time import perf_counter
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.base import utcnow
from safecorridor.extraction import CandidateEvent, extract, report_published
from safecorridor.extraction.resources import actors as known_actors
from safecorridor.incidents.actors import ActorResolver, actor_shown_with
from safecorridor.incidents.models import Actor, ActorAlias
from safecorridor.registry.models import Site
from safecorridor.review.choices import IngestStatus
from safecorridor.review.merge import MergeCriteria
from safecorridor.review.service import auto_accept, candidate_from_event
from safecorridor.runner import make_runner
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import append_event
from safecorridor.sharing.policy import shown_to_every_reader_of
from safecorridor.sources.dedup import (
    NEAR_DUPLICATE_THRESHOLD,
    NearDuplicateIndex,
    document_key,
    keys_shown_to,
    minhash,
    text_sha256,
)
from safecorridor.sources.fetch import (
    RawDocument,
    ReadOptions,
    SourceError,
    read_source,
    report_text,
)
from safecorridor.sources.models import Document, IngestRun
from safecorridor.sources.runs import mark_interrupted_ingests, this_process
from safecorridor.taxonomy.choices import TLP, ActorKind

log = logging.getLogger(__name__)
NEAR_DUPLICATE_WINDOW = 20_000  # the most recent stored documents compared for near-duplicates
CHUNK = 64


@dataclass
class IngestOptions:
    """What ``ingest`` does with its sources (metadata overrides win over the source's own)."""

    published: date | None = None
    publisher: str | None = None
    title: str | None = None
    url: str | None = None
    reliability: str = "F"
    tlp: str = TLP.CLEAR
    owner_org_id: int | None = None
    max_bytes: int | None = None
    encoding: str | None = None
    timeout: float = 15.0
    auto_accept: float | None = None
    workers: int = 1
    dask: str | None = None
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD
    max_km: float = 25.0
    decided_by: str = "auto-accept"


@dataclass
class IngestReport:
    """What a run did; ``errors`` are one-line messages naming their source."""

    run_id: int | None = None
    new: int = 0
    duplicate: int = 0
    near_duplicate: int = 0
    failed: int = 0
    candidates: int = 0
    incident_ids: set[int] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)

    @property
    def incidents(self) -> int:
        return len(self.incident_ids)

    def summary(self) -> str:
        return (
            f"documents: {self.new} new, {self.duplicate} duplicate, "
            f"{self.near_duplicate} near-duplicate, {self.failed} failed; "
            f"candidates: {self.candidates}; incidents: {self.incidents}"
        )


# ---------------------------------------------------------------- extraction on a runner

ExtractContext = tuple[list[dict[str, Any]], dict[str, str]]  # (extra places, extra aliases)


def extract_with_context(
    item: tuple[str, date | None], context: ExtractContext
) -> list[CandidateEvent]:
    """The default extractor on one (text, published) with the registry's places and the
    store's aliases (module level: a runner's unit of work, picklable for pools and Dask)."""
    text, published = item
    places, aliases = context
    # the report's own day was looked for (and a misprint refused) in ``_Prepared.date_it``
    return extract(
        text, published=published, extra_places=places, extra_aliases=aliases, own_date=False
    )


# ---------------------------------------------------------------- the run


def registry_places(
    session: Session, tlp: str = TLP.CLEAR, owner_org_id: int | None = None
) -> list[dict[str, Any]]:
    """The registry's sites as the extractor's extra places for a document marked ``tlp``
    and owned by ``owner_org_id``: only those every reader of the document may read, so
    that no candidate names a site one of its readers may not know of."""
    out = []
    shown = shown_to_every_reader_of(Site, tlp, owner_org_id)
    for s in session.scalars(select(Site).where(shown).order_by(Site.id)):
        spec: dict[str, Any] = {
            "name": s.name,
            "lat": s.latitude,
            "lon": s.longitude,
            "province": s.admin1,
            "district": s.admin2,
            "site_type": s.site_type,
            "category": "corridor_project",
        }
        if s.country and len(s.country) == 2:
            spec["country"] = s.country
        out.append(spec)
    return out


#: kinds of the store's actors the extractor may name in a report: its own table knows the
#: rest's kinds, and a name it does not know counts as an armed group there
NAMED_KINDS = (ActorKind.ARMED_GROUP, ActorKind.OTHER)


def store_aliases(
    session: Session, tlp: str = TLP.CLEAR, owner_org_id: int | None = None
) -> dict[str, str]:
    """The store's actor aliases → the actor's name (the extractor's extra aliases): every
    alias of an actor the extractor's table knows (it has that actor's kind), and of the
    others only those of armed groups (and actors of no stated kind). A victim category
    ("Chinese engineers" → Chinese nationals), a company or a force the table does not know
    is never offered, so it cannot become an attack's perpetrator.

    Only actors whose name every reader of the new document (marked ``tlp``, owned by
    ``owner_org_id``) may read are offered: a name known only from an AMBER+STRICT incident
    never turns up in another organisation's candidate."""
    known = known_actors()
    rows = session.execute(
        select(ActorAlias.alias, Actor.name, Actor.kind)
        .join(Actor, Actor.id == ActorAlias.actor_id)
        .where(actor_shown_with(tlp, owner_org_id))
        .order_by(ActorAlias.id)
    ).all()
    return {
        alias: name
        for alias, name, kind in rows
        if name in known or kind is None or kind in NAMED_KINDS
    }


def stored_copies(
    session: Session, digests: Sequence[str], tlp: str, owner_org_id: int | None
) -> dict[str, int]:
    """Of the texts ``digests`` (``text_sha256``), those already stored as a document that
    every reader of a new one marked ``tlp`` and owned by ``owner_org_id`` may read (or under
    the very key the new one would take): text digest → that document's id. A copy held
    under a stricter marking is not one: the new document is stored and read for itself."""
    keys = {k: d for d in digests for k in keys_shown_to(d, tlp, owner_org_id)}
    own = [document_key(d, tlp, owner_org_id) for d in digests]
    found: dict[str, int] = {}
    for part in _chunks(list(keys), 500):
        rows = session.execute(
            select(Document.sha256, Document.id)
            .where(Document.sha256.in_(part))
            .where(
                or_(
                    Document.sha256.in_(own),
                    shown_to_every_reader_of(Document, tlp, owner_org_id),
                )
            )
        ).all()
        for key, ident in rows:
            found.setdefault(keys[key], ident)
    return found


@dataclass
class _Prepared:
    raw: RawDocument
    text: str
    digest: str
    key: str
    near_of: str | None = None
    events: list[CandidateEvent] = field(default_factory=list)
    published: date | None = None
    published_from_text: bool = False

    def date_it(self, given: date | None, today: date) -> None:
        """The publication day: the one given, else the one the report gives for itself
        (none after today: a misprint is no publication day)."""
        own = report_published(self.text, today) if given is None else None
        if own is not None:
            self.published, self.published_from_text = own, True
        else:
            self.published = given


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


#: the most document ids a run's audit event lists (its counts are complete either way)
MAX_AUDITED_DOCUMENTS = 5000


def _start_run(
    session: Session, sources: Sequence[str], opts: IngestOptions
) -> tuple[int, list[dict[str, Any]], dict[str, str], NearDuplicateIndex]:
    """Record the run; read the registry's places, the store's aliases and the recent
    documents (for near-duplicates)."""
    with session.begin():
        pid, host = this_process()
        run = IngestRun(
            sources=list(sources),
            options={k: str(v) for k, v in asdict(opts).items() if v is not None},
            status=IngestStatus.RUNNING,
            pid=pid,
            hostname=host,
        )
        session.add(run)
        session.flush()
        run_id = run.id
        places = registry_places(session, opts.tlp, opts.owner_org_id)
        aliases = store_aliases(session, opts.tlp, opts.owner_org_id)
        # a copy of a document some reader of the new one may not read is no reason to leave
        # the new one unread (nor may it point at that document)
        index = NearDuplicateIndex(opts.near_duplicate_threshold)
        recent = session.execute(
            select(Document.id, Document.text)
            .where(Document.text.is_not(None), Document.text != "")
            .where(shown_to_every_reader_of(Document, opts.tlp, opts.owner_org_id))
            .where(Document.near_duplicate_of_id.is_(None))
            .order_by(Document.id.desc())
            .limit(NEAR_DUPLICATE_WINDOW)
        ).all()
        for doc_id, text in reversed(recent):
            index.add(f"d{doc_id}", text or "")
    return run_id, places, aliases, index


def ingest(
    *,
    engine: Engine,
    sources: Sequence[str],
    options: IngestOptions | None = None,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest ``sources`` (files, folders, URLs, feeds, JSONL corpora); see the module doc."""
    opts = options or IngestOptions()
    settings = get_settings()
    read = ReadOptions(
        max_bytes=opts.max_bytes or settings.ingest_max_bytes,
        encoding=opts.encoding,
        timeout=opts.timeout,
    )
    report = IngestReport()
    mark_interrupted_ingests(engine)  # a run this host left running when it was killed
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    start = perf_counter()

    def failed(message: str) -> None:
        report.failed += 1
        report.errors.append(message)
        if on_error is not None:
            on_error(message)

    # the runner first: an unreachable cluster stops the run before it is recorded
    runner = make_runner(workers=opts.workers, dask=opts.dask, timeout=settings.dask_timeout)
    try:
        report.run_id, places, aliases, index = _start_run(session, sources, opts)
        items: list[RawDocument | SourceError] = []
        for source in sources:
            items.extend(read_source(source, read))
    except BaseException:
        runner.close()
        raise
    if on_total is not None:
        on_total(len(items))

    context: ExtractContext = (places, aliases)  # one object: scattered to Dask once
    keys: dict[str, int] = {}  # near-duplicate index key → stored document id
    seen: set[str] = set()
    resolver: ActorResolver | None = None
    criteria = MergeCriteria(max_km=opts.max_km)
    try:
        for chunk in _chunks(items, CHUNK):
            prepared: list[_Prepared] = []
            digests: dict[str, _Prepared] = {}
            for item in chunk:
                if isinstance(item, SourceError):
                    failed(str(item))
                    continue
                try:
                    text = report_text(item)
                except SourceError as exc:
                    failed(str(exc))
                    continue
                p = _Prepared(item, text, text_sha256(text), key="")
                if p.digest in seen:
                    report.duplicate += 1
                    continue
                seen.add(p.digest)
                digests[p.digest] = p
            with session.begin():
                stored = stored_copies(session, list(digests), opts.tlp, opts.owner_org_id)
            for digest, p in digests.items():
                if digest in stored:
                    report.duplicate += 1
                    continue
                m = minhash(p.text)
                hit = index.find(p.text, m)
                if hit is not None:
                    p.near_of = str(hit)
                else:
                    p.key = f"n{len(keys) + len(prepared)}-{digest[:12]}"
                    index.add(p.key, p.text, m)
                prepared.append(p)
            today = utcnow().date()
            for p in prepared:
                p.date_it(opts.published or p.raw.published, today)
            todo = [p for p in prepared if p.near_of is None]
            results = runner.map(
                extract_with_context,
                [(p.text, p.published) for p in todo],
                context,
            )
            for p, events in zip(todo, results, strict=True):
                p.events = events
            for p in prepared:
                try:
                    resolver = _store(session, p, opts, keys, report, resolver, criteria)
                except (SQLAlchemyError, ValueError) as exc:
                    resolver = None
                    if isinstance(exc, IntegrityError) and "sha256" in str(exc.orig):
                        report.duplicate += 1  # stored meanwhile by a concurrent run
                    else:
                        failed(f"{p.raw.source}: could not be stored: {exc}".splitlines()[0])
                if on_progress is not None:
                    on_progress(1)
            if on_progress is not None:
                on_progress(len(chunk) - len(prepared))
            with session.begin():
                session.execute(
                    update(IngestRun)
                    .where(IngestRun.id == report.run_id)
                    .values(**_counts(report))
                    .execution_options(synchronize_session=False)
                )
    finally:
        # a run stopped midway (Ctrl-C, a fault) did not succeed, whatever it stored so far
        stopped = sys.exc_info()[1]
        runner.close()
        with session.begin():
            run = session.get_one(IngestRun, report.run_id)
            run.finished_at = utcnow()
            for column, value in _counts(report).items():
                setattr(run, column, value)
            if stopped is not None:
                why = "interrupted" if isinstance(stopped, KeyboardInterrupt) else "stopped"
                report.errors.append(
                    f"{why} after {report.new} new documents ({type(stopped).__name__}); "
                    "running it again stores the rest (what is stored is skipped)"
                )
            run.errors = [{"error": e} for e in report.errors]
            stored_any = report.new + report.near_duplicate + report.duplicate
            run.status = (
                IngestStatus.INTERRUPTED
                if isinstance(stopped, KeyboardInterrupt)
                else IngestStatus.FAILED
                if stopped is not None
                else IngestStatus.SUCCEEDED
                if not report.failed
                else IngestStatus.PARTIAL
                if stored_any
                else IngestStatus.FAILED
            )
            append_event(
                session=session,
                viewer=None,
                action="ingest",
                record_type="ingest_run",
                record_id=run.id,
                details={
                    "status": str(run.status),
                    "documents": report.document_ids[:MAX_AUDITED_DOCUMENTS],
                    "new": report.new,
                    "duplicate": report.duplicate,
                    "near_duplicate": report.near_duplicate,
                    "failed": report.failed,
                    "candidates": report.candidates,
                    "incidents": report.incidents,
                },
                actor="ingest",
            )
            status = str(run.status)
        session.close()
        ms = round((perf_counter() - start) * 1000, 1)
        log.log(
            logging.ERROR if status == IngestStatus.FAILED else logging.INFO,
            "ingest %s %s: %s in %.1f ms",
            report.run_id,
            status,
            report.summary(),
            ms,
            extra={"run_id": report.run_id, "status": status, "duration_ms": ms, **_counts(report)},
        )
    return report


def _counts(report: IngestReport) -> dict[str, int]:
    """The run's counts so far, as IngestRun's columns."""
    return {
        "documents_new": report.new,
        "documents_duplicate": report.duplicate,
        "documents_near_duplicate": report.near_duplicate,
        "documents_failed": report.failed,
        "candidates": report.candidates,
        "incidents": report.incidents,
    }


def _published_at(value: date | None) -> datetime | None:
    return datetime.combine(value, time()) if value is not None else None


def _store(
    session: Session,
    p: _Prepared,
    opts: IngestOptions,
    keys: dict[str, int],
    report: IngestReport,
    resolver: ActorResolver | None,
    criteria: MergeCriteria,
) -> ActorResolver | None:
    """One document with its candidates (and auto-accepted incidents) in one transaction."""
    near_id: int | None = None
    if p.near_of is not None:
        near_id = int(p.near_of[1:]) if p.near_of.startswith("d") else keys.get(p.near_of)
        if near_id is None:
            raise ValueError("its original copy in this batch was not stored")
    with session.begin():
        doc = Document(
            sha256=document_key(p.digest, opts.tlp, opts.owner_org_id),
            url=opts.url or p.raw.url,
            publisher=opts.publisher or p.raw.publisher,
            title=opts.title or p.raw.title,
            published_at=_published_at(p.published),
            published_from_text=p.published_from_text,
            text=p.text,
            reliability=opts.reliability,
            near_duplicate_of_id=near_id,
            owner_org_id=opts.owner_org_id,
            tlp=str(opts.tlp),
        )
        session.add(doc)
        session.flush()
        candidates = [
            candidate_from_event(ev, document=doc, position=i) for i, ev in enumerate(p.events)
        ]
        session.add_all(candidates)
        session.flush()
        accepted: set[int] = set()
        if opts.auto_accept is not None and candidates:
            resolver = resolver or ActorResolver(session, changed_by=opts.decided_by)
            auto = auto_accept(
                session=session,
                min_confidence=opts.auto_accept,
                decided_by=opts.decided_by,
                candidate_ids=[c.id for c in candidates],
                criteria=criteria,
                resolver=resolver,
            )
            accepted = auto.incidents
    if p.near_of is None:
        keys[p.key] = doc.id
        report.new += 1
    else:
        report.near_duplicate += 1
    report.document_ids.append(doc.id)
    report.candidates += len(candidates)
    report.incident_ids |= accepted
    return resolver

"""Partner feeds: registering them, and polling them with ``added_after`` bookmarks.

A TAXII 2.1 feed is a partner's collection (the URL of its API root, or of its discovery
endpoint: the default API root is then used); a poll asks for the objects added after the
feed's bookmark, follows ``next`` while ``more``, and keeps the last page's
``X-TAXII-Date-Added-Last`` as the new bookmark. A MISP JSON feed is a URL or a file of MISP
event JSON (one event, a list, or MISP's ``{"response": [...]}``); its bookmark is the
highest event ``timestamp`` read.

New reports become candidates in the review queue of the feed's organisation, with the feed
as their publisher and their own TLP kept (``default_tlp`` when unmarked); nothing reaches the
record without review. A poll writes its candidates and the new bookmark in one transaction,
with one audit event per document it created (the document's state and content hash, the
feed, the run, the candidate), so a failed poll changes nothing and the next one starts from
the same place. Each poll is a :class:`FeedRun` row. A feed is claimed by a conditional
UPDATE before it is polled, so two workers never poll the same feed at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import httpx
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from safecorridor import net
from safecorridor.db.base import utcnow
from safecorridor.errors import InvalidInputError
from safecorridor.interop import misp
from safecorridor.interop.choices import FeedKind, FeedRunStatus
from safecorridor.interop.intake import (
    CandidateOptions,
    IntakeReport,
    store_actors,
    store_candidates,
)
from safecorridor.interop.models import Feed, FeedRun
from safecorridor.interop.stix import (
    IncidentDraft,
    StixImportError,
    _refs_of,
    check_each,
    interpret,
)
from safecorridor.interop.taxii import MEDIA_TAXII
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit import WrittenState, audit_objects, audit_write
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP
from safecorridor.validation import whole_number

logger = logging.getLogger(__name__)

PAGE = 1000
#: the most referenced objects one poll fetches by id
MAX_LOOKUPS = 1000
MAX_PAGES = 1000
MAX_FEED_BYTES = 50_000_000
LEASE = timedelta(minutes=10)
TIMEOUT = 30.0


class FeedError(InvalidInputError):
    """A feed cannot be registered or read; the message says why."""


@dataclass
class PollResult:
    feed: str
    status: str
    objects: int = 0
    candidates: int = 0
    duplicates: int = 0
    bookmark: str | None = None
    error: str | None = None

    def summary(self) -> str:
        if self.status != FeedRunStatus.OK:
            return f"{self.feed}: failed: {self.error}"
        return (
            f"{self.feed}: {self.objects} objects, {self.candidates} new candidates, "
            f"{self.duplicates} already stored; bookmark {self.bookmark or '(none)'}"
        )


def add_feed(
    session: Session,
    *,
    kind: str,
    url: str,
    name: str | None = None,
    collection: str | None = None,
    token: str | None = None,
    owner_org_id: int | None = None,
    default_tlp: str = TLP.GREEN,
    reliability: str = "F",
    interval_seconds: int = 3600,
    now: datetime | None = None,
    actor: str | None = None,
) -> Feed:
    """Register a feed (its first poll is due at once: at ``now``, else the wall clock's),
    audited ("create", by ``actor``) with its state in the session's transaction."""
    try:
        kind = FeedKind(kind)
    except ValueError:
        raise FeedError(f"unknown feed kind {kind!r}; one of: taxii, misp-json") from None
    url = url.strip()
    if url.startswith(("http://", "https://")):
        try:
            net.check_url(url)
        except InvalidInputError as exc:
            raise FeedError(str(exc)) from None
    if kind == FeedKind.TAXII:
        if not url.startswith(("http://", "https://")):
            raise FeedError(f"a TAXII feed needs an http(s) URL, not {url!r}")
        if not collection:
            raise FeedError("a TAXII feed needs --collection (the collection's id or alias)")
        if not url.endswith("/"):
            url += "/"
    elif not url.startswith(("http://", "https://")):
        path = Path(url).expanduser()
        if not path.is_file():
            raise FeedError(f"{url}: no such file (a MISP JSON feed is a URL or a file)")
        url = str(path.resolve())
    if reliability not in tuple("ABCDEF"):
        raise FeedError(f"reliability must be an Admiralty code A-F, not {reliability!r}")
    if default_tlp not in {t.value for t in TLP}:
        known = ", ".join(t.value for t in TLP)
        raise FeedError(f"--tlp must be one of {known}, not {default_tlp!r}")
    if interval_seconds < 60:
        raise FeedError("a feed is polled at most once a minute (--every 60 or more)")
    name = name or (f"{kind}:{url}" + (f"#{collection}" if collection else ""))[:200]
    if session.scalar(select(Feed.id).where(Feed.name == name)) is not None:
        raise FeedError(f"a feed named {name!r} is already registered")
    feed = Feed(
        name=name,
        kind=str(kind),
        url=url[:2000],
        collection=collection,
        token=token or None,
        owner_org_id=owner_org_id,
        default_tlp=str(TLP(default_tlp)),
        reliability=reliability,
        interval_seconds=interval_seconds,
        next_poll_at=now.replace(tzinfo=None) if now is not None else utcnow(),
    )
    session.add(feed)
    session.flush()
    _audit_feed(session, feed, "create", actor)
    return feed


def _audit_feed(session: Session, feed: Feed, action: str, actor: str | None) -> None:
    audit_write(
        session=session,
        viewer=None,
        action=action,
        obj=feed,
        actor=actor,
        details=feed_details(feed),
    )


def feed_details(feed: Feed) -> dict[str, Any]:
    """What a feed's audit events say of it in words: everything that decides what it reads
    and where its reports go; of its token only whether one is set."""
    return {
        "name": feed.name,
        "kind": feed.kind,
        "url": redacted_url(feed.url),
        "collection": feed.collection,
        "owner_org_id": feed.owner_org_id,
        "default_tlp": feed.default_tlp,
        "reliability": feed.reliability,
        "interval_seconds": feed.interval_seconds,
        "token_set": bool(feed.token),
    }


def redacted_url(url: str) -> str:
    """The URL without the values of its query, where feeds carry their keys
    ("https://host/feed?authkey=***"); a file's path as it is. (A URL with a user name or
    password is refused when a feed is registered.)"""
    parts = urlsplit(url)
    if not parts.scheme.startswith("http") or not parts.query:
        return url
    query = "&".join(
        f"{name}=***" if value else name
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def find_feeds(session: Session, ref: str | None) -> list[Feed]:
    """The feed whose id or name is ``ref`` (none if there is none); every feed if None."""
    q = select(Feed).order_by(Feed.id)
    if ref is not None:
        number = whole_number(ref)
        q = q.where(Feed.id == number) if number is not None else q.where(Feed.name == ref)
    return list(session.scalars(q))


def remove_feed(session: Session, ref: str, *, actor: str | None = None) -> Feed:
    """Forget the feed whose id or name is ``ref`` (its candidates stay in the review queue;
    its runs go with it), audited ("delete", with its last state and name) in the session's
    transaction."""
    found = find_feeds(session, ref)
    if not found:
        raise FeedError(f"no feed {ref!r}; see `safecorridor feeds list`")
    (feed,) = found
    _audit_feed(session, feed, "delete", actor)
    session.delete(feed)
    session.flush()
    return feed


# ---------------------------------------------------------------------------- fetching


def _client(feed: Feed, transport: httpx.BaseTransport | None) -> httpx.Client:
    headers = {"User-Agent": "SafeCorridor feed poller"}
    if feed.token:
        headers["Authorization"] = (
            f"Bearer {feed.token}" if feed.kind == FeedKind.TAXII else feed.token
        )
    if transport is not None:  # a test's transport, talking to an app in the process
        return httpx.Client(
            headers=headers, timeout=TIMEOUT, transport=transport, follow_redirects=False
        )
    client = net.client(timeout=TIMEOUT)  # the one SSRF guard of every outbound request
    client.headers.update(headers)
    return client


def _taxii_json(
    client: httpx.Client, url: str, params: dict[str, Any] | None = None
) -> tuple[Any, httpx.Response]:
    try:
        resp = client.get(url, params=params, headers={"Accept": MEDIA_TAXII})
    except httpx.HTTPError as exc:
        raise FeedError(f"{url}: cannot be reached ({exc.__class__.__name__}: {exc})") from None
    if resp.status_code != 200:
        detail = resp.text[:300].replace("\n", " ")
        raise FeedError(f"{url}: answered {resp.status_code} ({detail})")
    if "taxii+json" not in resp.headers.get("content-type", ""):
        raise FeedError(
            f"{url}: did not answer TAXII 2.1 JSON "
            f"(Content-Type {resp.headers.get('content-type')!r})"
        )
    if len(resp.content) > MAX_FEED_BYTES:
        raise FeedError(f"{url}: answered more than {MAX_FEED_BYTES:,} bytes")
    try:
        return resp.json(), resp
    except json.JSONDecodeError as exc:
        raise FeedError(f"{url}: answered JSON that cannot be read ({exc})") from None


def _api_root(client: httpx.Client, feed: Feed) -> str:
    """The feed's API root: its URL, or the default root its discovery endpoint names."""
    root = feed.url
    info, _ = _taxii_json(client, root)
    if isinstance(info, dict) and "api_roots" in info:
        roots = info.get("api_roots") or []
        chosen = info.get("default") or (roots[0] if roots else None)
        if not chosen:
            raise FeedError(f"{root}: the discovery endpoint names no API root")
        root = urljoin(root, chosen)
        if not root.endswith("/"):
            root += "/"
    return root


def _collection_url(client: httpx.Client, feed: Feed, root: str | None = None) -> str:
    return urljoin(root or _api_root(client, feed), f"collections/{feed.collection}/")


def fetch_taxii(
    feed: Feed, transport: httpx.BaseTransport | None = None
) -> tuple[list[Any], str | None]:
    """Every object added to the feed's collection after its bookmark, and the new bookmark."""
    with _client(feed, transport) as client:
        root = _api_root(client, feed)
        url = urljoin(_collection_url(client, feed, root), "objects/")
        params: dict[str, Any] = {"limit": PAGE}
        if feed.bookmark:
            params["added_after"] = feed.bookmark
        objects: list[Any] = []
        bookmark = feed.bookmark
        for _ in range(MAX_PAGES):
            body, resp = _taxii_json(client, url, params)
            if not isinstance(body, dict):
                raise FeedError(f"{url}: answered something that is not a TAXII envelope")
            page = body.get("objects") or []
            if not isinstance(page, list):
                raise FeedError(f"{url}: the envelope's objects are not a list")
            objects += page
            bookmark = resp.headers.get("X-TAXII-Date-Added-Last") or bookmark
            if not body.get("more") or not body.get("next"):
                return objects, bookmark
            params = {"limit": PAGE, "next": body["next"]}
            if feed.bookmark:
                params["added_after"] = feed.bookmark
        raise FeedError(f"{url}: more than {MAX_PAGES} pages; poll again to go on")


def resolve_references(
    feed: Feed, objects: list[Any], transport: httpx.BaseTransport | None = None
) -> list[Any]:
    """The objects, with those they refer to but a poll after the bookmark did not bring
    (actors, identities, markings first added earlier) fetched by id from the collection."""
    known = {o.get("id") for o in objects if isinstance(o, dict)}
    wanted = [
        ref for o in objects if isinstance(o, dict) for _, ref in _refs_of(o) if ref not in known
    ]
    wanted = list(dict.fromkeys(wanted))[:MAX_LOOKUPS]
    if not wanted:
        return objects
    extra: list[Any] = []
    with _client(feed, transport) as client:
        base = _collection_url(client, feed)
        for ref in wanted:
            try:
                body, _ = _taxii_json(client, urljoin(base, f"objects/{ref}/"))
            except FeedError:
                continue  # left missing: the objects that need it fail, and the run says so
            extra += [
                o for o in (body.get("objects") or []) if isinstance(o, dict) and o.get("id") == ref
            ]
    return [*extra, *objects]


def fetch_misp(feed: Feed, transport: httpx.BaseTransport | None = None) -> bytes:
    if not feed.url.startswith(("http://", "https://")):
        path = Path(feed.url)
        if not path.is_file():
            raise FeedError(f"{feed.url}: no such file")
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedError(f"{feed.url}: is over {MAX_FEED_BYTES:,} bytes")
        return path.read_bytes()
    with _client(feed, transport) as client:
        try:
            resp = client.get(feed.url, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise FeedError(f"{feed.url}: cannot be reached ({exc})") from None
        if resp.status_code != 200:
            raise FeedError(f"{feed.url}: answered {resp.status_code}")
        if len(resp.content) > MAX_FEED_BYTES:
            raise FeedError(f"{feed.url}: answered more than {MAX_FEED_BYTES:,} bytes")
        return resp.content


def misp_drafts(
    raw: bytes, bookmark: str | None, label: str, rejected: list[str]
) -> tuple[list[IncidentDraft], dict[str, Any], str | None, int]:
    """The events newer than the bookmark (event timestamp), as drafts with their actors; an
    event that cannot be read is left out, its reason added to ``rejected`` (the others are
    kept: one partner's typo does not stall the feed)."""
    events = misp.read_events(raw, label=label, max_bytes=MAX_FEED_BYTES)
    since = float(bookmark) if bookmark else None
    drafts: list[IncidentDraft] = []
    actors: dict[str, Any] = {}
    newest = since
    for ev in events:
        ts = getattr(ev, "timestamp", None)
        stamp = ts.timestamp() if isinstance(ts, datetime) else None
        if since is not None and stamp is not None and stamp <= since:
            continue
        if stamp is not None:
            newest = stamp if newest is None else max(newest, stamp)
        try:
            draft = misp.draft_of(ev)
        except StixImportError as exc:
            rejected.append(str(exc))
            continue
        actors.update(misp.actors_of(ev))
        if draft is not None:
            drafts.append(draft)
    return drafts, actors, (f"{newest:.0f}" if newest is not None else bookmark), len(events)


# ---------------------------------------------------------------------------- polling


Fetcher = Callable[[Feed], Any]


def claim(factory: sessionmaker[Session], feed_id: int, now: datetime, *, force: bool) -> bool:
    """Take the feed for one poll (False when another worker has it or it is not due)."""
    with factory() as s, s.begin():
        cond = [Feed.id == feed_id, Feed.is_active.is_(True)]
        cond.append(or_(Feed.claimed_until.is_(None), Feed.claimed_until < now))
        if not force:
            cond.append(Feed.next_poll_at <= now)
        result = s.execute(
            update(Feed)
            .where(*cond)
            .values(claimed_until=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def poll_feed(
    engine: Engine,
    feed_id: int,
    *,
    now: datetime | None = None,
    force: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> PollResult | None:
    """Poll one feed (see the module doc); None when it is not due or another worker has it."""
    at = (now or datetime.now(UTC)).replace(tzinfo=None)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    if not claim(factory, feed_id, at, force=force):
        return None
    with factory() as s, s.begin():
        feed = s.get_one(Feed, feed_id)
        s.expunge(feed)
        run = FeedRun(feed_id=feed_id, started_at=at, bookmark_from=feed.bookmark)
        s.add(run)
        s.flush()
        run_id = run.id
    result = PollResult(feed=feed.name, status=FeedRunStatus.OK, bookmark=feed.bookmark)
    unread: list[str] = []  # the reasons events of a MISP feed were left out
    try:
        if feed.kind == FeedKind.TAXII:
            objects, bookmark = fetch_taxii(feed, transport)
            objects = resolve_references(feed, objects, transport)
            good, failures = check_each(objects)
            parsed = interpret(good, label=feed.name)
            drafts, actors = parsed.incidents, parsed.actors
            result.objects = len(objects)
            rejected = len(failures)
        else:
            raw = fetch_misp(feed, transport)
            drafts, actors, bookmark, result.objects = misp_drafts(
                raw, feed.bookmark, feed.name, unread
            )
            rejected = len(unread)
        with factory() as s, s.begin():
            report = IntakeReport()
            store_actors(
                s,
                actors,
                report,
                actor=f"feed:{feed.name}"[:254],
                default_tlp=TLP(feed.default_tlp),
            )
            store_candidates(
                s,
                drafts,
                CandidateOptions(
                    owner_org_id=feed.owner_org_id,
                    source_label=feed.name,
                    default_tlp=TLP(feed.default_tlp),
                    reliability=feed.reliability,
                    url=feed.url,
                    extractor=f"feed:{feed.kind}",
                ),
                report=report,
            )
            result.candidates, result.duplicates = report.candidates, report.duplicates
            result.bookmark = bookmark
            _audit_poll(s, feed, run_id, report.document_ids)
            _finish(s, feed, run_id, at, result, rejected=rejected, reasons=unread)
    except (FeedError, StixImportError, httpx.HTTPError) as exc:
        result.status, result.error = FeedRunStatus.FAILED, str(exc)[:2000]
        with factory() as s, s.begin():
            _finish(s, feed, run_id, at, result)
    except Exception as exc:
        # a fault of ours: the run is closed as failed and the feed let go (else it stays
        # claimed and unpolled), and the fault is logged with its traceback
        logger.exception("polling feed %s failed", feed.name)
        result.status = FeedRunStatus.FAILED
        result.error = f"internal error ({type(exc).__name__}); see the worker's log"
        with factory() as s, s.begin():
            _finish(s, feed, run_id, at, result)
    return result


#: the most documents of a poll looked up in one query for their audit events
_AUDIT_CHUNK = 1000


def _audit_poll(s: Session, feed: Feed, run_id: int, document_ids: list[int]) -> None:
    """One audit event per document the poll created, in the poll's transaction: the
    document's state (so ``audit verify`` names one changed in its table later), its content
    hash, the feed, the run and the candidate made from it."""
    for start in range(0, len(document_ids), _AUDIT_CHUNK):
        ids = document_ids[start : start + _AUDIT_CHUNK]
        docs = list(s.scalars(select(Document).where(Document.id.in_(ids)).order_by(Document.id)))
        made: dict[int, list[int]] = {}
        for doc_id, candidate_id in s.execute(
            select(Candidate.document_id, Candidate.id)
            .where(Candidate.document_id.in_(ids))
            .order_by(Candidate.id)
        ):
            made.setdefault(doc_id, []).append(candidate_id)
        audit_objects(
            session=s,
            viewer=None,
            action="feed-poll",
            objs=docs,
            actor=f"feed:{feed.name}"[:254],
            details=_poll_details(feed.id, run_id, made),
        )


def _poll_details(
    feed_id: int, run_id: int, made: dict[int, list[int]]
) -> Callable[[WrittenState], dict[str, Any]]:
    def details(st: WrittenState) -> dict[str, Any]:
        return {
            "sha256": st.values["sha256"],
            "feed": feed_id,
            "feed_run": run_id,
            "candidates": made.get(st.record_id, []),
        }

    return details


def _finish(
    s: Session,
    feed: Feed,
    run_id: int,
    at: datetime,
    result: PollResult,
    *,
    rejected: int = 0,
    reasons: list[str] | None = None,
) -> None:
    ok = result.status == FeedRunStatus.OK
    values: dict[str, Any] = {
        "claimed_until": None,
        "last_polled_at": at,
        "last_status": result.status,
        "last_error": None if ok else result.error,
        "next_poll_at": at + timedelta(seconds=feed.interval_seconds),
    }
    if ok:
        values["bookmark"] = result.bookmark
    s.execute(
        update(Feed)
        .where(Feed.id == feed.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    s.execute(
        update(FeedRun)
        .where(FeedRun.id == run_id)
        .values(
            finished_at=at,
            status=result.status,
            objects=result.objects,
            candidates=result.candidates,
            duplicates=result.duplicates,
            bookmark_to=result.bookmark if ok else None,
            error=result.error
            if not ok
            else (
                (f"{rejected} objects rejected" + "".join(f"; {r}" for r in (reasons or [])[:3]))[
                    :2000
                ]
                if rejected
                else None
            ),
        )
        .execution_options(synchronize_session=False)
    )


def poll_due_feeds(
    engine: Engine, *, now: datetime | None = None, transport: httpx.BaseTransport | None = None
) -> list[PollResult]:
    """Poll every active feed whose next poll is due (the worker's step)."""
    at = (now or datetime.now(UTC)).replace(tzinfo=None)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        due = list(
            s.scalars(
                select(Feed.id)
                .where(Feed.is_active.is_(True), Feed.next_poll_at <= at)
                .order_by(Feed.next_poll_at, Feed.id)
            )
        )
    out = []
    for feed_id in due:
        result = poll_feed(engine, feed_id, now=at, transport=transport)
        if result is not None:
            out.append(result)
    return out

"""`safecorridor ingest`: the seed report's events with their evidence, deduplication, bad
inputs, every source format, and the parallel runners."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.demo.loader import load_demo
from safecorridor.incidents.models import Incident, IncidentChange
from safecorridor.review.models import Candidate
from safecorridor.sources.models import Document, IngestRun
from safecorridor.validation import publication_day
from tests.conftest import SEED_REPORT
from tests.ingestion.conftest import invoke, write_reflowed_copy, write_syndicated_copy

PUBLISHED = "2022-09-12"


def _candidates(session: Session) -> dict[str, Candidate]:
    rows = session.scalars(select(Candidate).order_by(Candidate.id)).all()
    return {c.kind: c for c in rows}


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _span(c: Candidate, name: str) -> str:
    text = c.evidence_text(name)
    assert text is not None, f"no evidence for {name}"
    return text


def test_the_seed_report_yields_the_jwg_events_with_their_evidence(
    engine: Engine, session: Session
) -> None:
    code, out = invoke(
        "ingest",
        SEED_REPORT,
        "--published",
        PUBLISHED,
        "--auto-accept",
        "0.7",
        "--reliability",
        "B",
    )
    assert code == 0, out
    assert "documents: 1 new, 0 duplicate, 0 near-duplicate, 0 failed; candidates: 4" in out

    doc = session.scalars(select(Document)).one()
    assert doc.published_at == datetime(2022, 9, 12) and doc.reliability == "B"
    found = _candidates(session)
    assert set(found) == {"meeting", "suicide_attack", "threat", "other"}

    # the suicide bombing at the Confucius Institute of Karachi University, April 2022
    bomb = found["suicide_attack"]
    assert (bomb.event_type, bomb.sub_event_type) == ("Explosions/Remote violence", "Suicide bomb")
    assert bomb.event_date is not None
    assert (bomb.event_date.year, bomb.event_date.month, bomb.date_precision) == (2022, 4, "month")
    assert "April" in _span(bomb, "event_date")
    assert bomb.location is not None and "Confucius Institute" in bomb.location
    assert "Confucius Institute" in _span(bomb, "location")
    assert (bomb.city, bomb.admin1) == ("Karachi", "Sindh")
    assert (bomb.fatalities, bomb.foreign_fatalities, bomb.foreign_nationality) == (4, 3, "Chinese")
    assert _span(bomb, "fatalities") == "killed four people"
    assert "three of them Chinese" in _span(bomb, "foreign_fatalities")
    assert bomb.perpetrator == "Majeed Brigade" and _span(bomb, "perpetrator") == "Majeed Brigade"
    assert bomb.claimed_by == "Baloch Liberation Army"
    assert "Baloch Liberation Army claimed responsibility" in _span(bomb, "claimed_by")
    assert bomb.status == "accepted" and bomb.incident_id is not None
    inc = session.get_one(Incident, bomb.incident_id)
    assert (inc.event_date.month, inc.date_precision, inc.admin1) == (4, "month", "Sindh")
    assert (inc.fatalities, inc.foreign_fatalities, inc.foreign_nationality) == (4, 3, "Chinese")
    assert inc.actor1 is not None and inc.actor1.name == "Majeed Brigade"
    assert inc.claimed_by is not None and inc.claimed_by.name == "Baloch Liberation Army"
    assert [d.id for d in inc.documents] == [doc.id]
    accepted = [h for h in inc.history if h.action == "accepted"]
    assert accepted[0].changes["candidate"] == bomb.id and accepted[0].changed_by == "auto-accept"

    # the 9th JWG meeting at the Chinese embassy, Islamabad
    meeting = found["meeting"]
    assert meeting.city == "Islamabad" and "Chinese embassy" in (meeting.location or "")
    assert "Chinese embassy" in _span(meeting, "location")
    assert doc.text is not None
    sentence_start = doc.text.rfind(".", 0, meeting.evidence["kind"][0]) + 1
    assert (
        "9th meeting of the Joint Working Group"
        in doc.text[sentence_start : meeting.evidence["kind"][1] + 60]
    )
    assert meeting.event_type == "Strategic developments" and meeting.status == "accepted"

    # the BLA's threat
    threat = found["threat"]
    assert threat.perpetrator == "Baloch Liberation Army" and _span(threat, "perpetrator") == "BLA"
    assert threat.admin1 == "Balochistan" and "warn" in _span(threat, "kind")

    # China's request for a private security company, which Pakistan rejected: no place, so
    # it stays pending for review
    request = found["other"]
    assert request.span is not None
    told = doc.text[request.span[0] : request.span[1]]
    assert "private Chinese security company" in told and "turned the request down" in told
    assert request.status == "pending" and request.latitude is None

    run = session.scalars(select(IngestRun)).one()
    assert (run.status, run.documents_new, run.candidates, run.incidents) == ("succeeded", 1, 4, 3)


def test_ingesting_the_same_text_again_adds_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    assert invoke("ingest", SEED_REPORT, "--published", PUBLISHED)[0] == 0
    code, out = invoke("ingest", SEED_REPORT, write_reflowed_copy(tmp_path / "copy.txt"))
    assert code == 0, out
    assert "documents: 0 new, 2 duplicate, 0 near-duplicate, 0 failed; candidates: 0" in out
    with Session(sqlite_engine) as s:
        assert _count(s, Document) == 1 and _count(s, Candidate) == 4


def test_a_syndicated_copy_is_linked_to_the_first_and_not_extracted(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    assert invoke("ingest", SEED_REPORT, "--published", PUBLISHED)[0] == 0
    copy = write_syndicated_copy(tmp_path / "syndicated.txt")
    code, out = invoke("ingest", copy, "--published", PUBLISHED)
    assert code == 0, out
    assert "documents: 0 new, 0 duplicate, 1 near-duplicate, 0 failed; candidates: 0" in out
    with Session(sqlite_engine) as s:
        first, second = s.scalars(select(Document).order_by(Document.id)).all()
        assert second.near_duplicate_of_id == first.id and first.near_duplicate_of_id is None
        assert _count(s, Candidate) == 4


def test_a_report_on_a_known_event_becomes_a_source_of_it(engine: Engine, session: Session) -> None:
    load_demo(session)
    session.commit()
    known = session.scalars(
        select(Incident).where(Incident.source_key.like("2022-04-26-karachi-university%"))
    ).one()
    before = _count(session, Incident)

    code, out = invoke("ingest", SEED_REPORT, "--published", PUBLISHED, "--auto-accept", "0.7")
    assert code == 0, out
    session.expire_all()
    bomb = _candidates(session)["suicide_attack"]
    assert bomb.status == "merged" and bomb.incident_id == known.id
    doc = bomb.document
    known = session.get_one(Incident, known.id)
    assert doc.id in [d.id for d in known.documents]
    assert (known.event_date, known.date_precision) == (date(2022, 4, 26), "day")  # day kept
    merged = [h for h in known.history if h.action == "merged"]
    assert merged and merged[0].changes["candidate"] == bomb.id
    # the meeting and the threat are new; the bombing was not duplicated
    assert _count(session, Incident) == before + 2
    near_karachi = session.scalars(
        select(Incident).where(
            Incident.event_date.between(date(2022, 4, 1), date(2022, 4, 30)),
            Incident.admin1 == "Sindh",
        )
    ).all()
    assert [i.id for i in near_karachi] == [known.id]


def test_the_stores_victim_categories_never_become_perpetrators(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """The demo store calls Chinese engineers "Chinese nationals" (a victim category the
    extractor's table does not know), and knows an armed group the table does not: the
    victims are never the attack's perpetrator; the store's armed group still is one."""
    from safecorridor.incidents.actors import add_actor
    from safecorridor.sources.ingest import store_aliases

    load_demo(session)
    add_actor(session, "Hub Valley Front", kind="armed_group", aliases=["HVF"])
    session.commit()
    aliases = store_aliases(session)
    assert "Chinese engineers" not in aliases and aliases["Hub Valley Front"] == "Hub Valley Front"
    report = tmp_path / "hub.txt"
    report.write_text(
        "QUETTA, Nov 28 - Gunmen on motorcycles opened fire on a van carrying Chinese engineers"
        " near Hub on Thursday, killing two Pakistani guards and wounding three Chinese"
        " nationals, police said. The Baloch Liberation Army claimed responsibility.\n\n"
        "HUB, Nov 29 - Fighters of the Hub Valley Front attacked a check post near Hub on"
        " Friday, killing a policeman, officials said.\n",
        "utf-8",
    )
    code, out = invoke("ingest", report, "--published", "2024-11-29")
    assert code == 0, out
    session.expire_all()
    perpetrators = {c.perpetrator for c in session.scalars(select(Candidate))}
    assert "Chinese nationals" not in perpetrators
    assert {"Baloch Liberation Army", "Hub Valley Front"} <= perpetrators


def test_bad_sources_fail_one_by_one_and_the_rest_is_stored(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Gunmen attacked a police checkpost in Turbat on Monday, killing two.")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n ")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    undecodable = tmp_path / "mojibake.txt"
    undecodable.write_bytes(bytes(range(0x80, 0x100)) * 4)
    big = tmp_path / "big.txt"
    big.write_text("Militants attacked a convoy. " * 200)
    feed = tmp_path / "broken.xml"
    feed.write_text("<rss><channel><item><title>Attack</title><link>http://x")
    missing = tmp_path / "nowhere.txt"

    code, out = invoke(
        "ingest", good, empty, binary, undecodable, big, feed, missing, "--max-bytes", "2000"
    )
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(lines) == 6, out
    assert f"error: {empty}: is empty" in out
    assert f"error: {binary}: is a binary file" in out
    assert f"error: {undecodable}: is not UTF-8 text" in out
    assert f"error: {big}: is 5,800 bytes, over the limit of 2,000 bytes (--max-bytes)" in out
    assert f"error: {feed}: is not a valid RSS/Atom feed" in out
    assert f"error: {missing}: no such file, folder or URL" in out
    assert "documents: 1 new, 0 duplicate, 0 near-duplicate, 6 failed" in out
    with Session(sqlite_engine) as s:
        assert [d.text for d in s.scalars(select(Document))] == [good.read_text()]
        run = s.scalars(select(IngestRun)).one()
        assert run.status == "partial" and len(run.errors) == 6


def test_a_text_too_long_for_one_report_is_refused_and_the_rest_is_stored(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Gunmen attacked a police checkpost in Turbat on Monday, killing two.")
    pasted = tmp_path / "archive.txt"  # a year of reports pasted into one file
    pasted.write_text("Militants attacked a convoy in Kech on Monday, killing two. " * 4_000)
    code, out = invoke("ingest", good, pasted)
    assert code == 1
    assert f"error: {pasted}: is 239,999 characters, over the 200,000 one report may have" in out
    with Session(sqlite_engine) as s:
        assert [d.text for d in s.scalars(select(Document))] == [good.read_text()]
        assert _count(s, Candidate) >= 1


def test_a_publication_date_after_today_is_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Gunmen attacked a police checkpost in Turbat on Monday, killing two.")
    code, out = invoke("ingest", good, "--published", "2999-01-01")
    assert code == 1 and "--published 2999-01-01 is after today" in out
    with Session(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_a_publication_date_before_1900_is_refused_by_ingest_and_extract(
    sqlite_engine: Engine, tmp_path: Path, command: str
) -> None:
    """A typo of a year (0001) made candidates dated 0001 that broke the review queue, and
    `extract` died counting 'last week' back from it."""
    good = tmp_path / "good.txt"
    good.write_text("Gunmen attacked a checkpost in Turbat on Monday. Last week a bomb hit Quetta.")
    code, out = invoke(command, good, "--published", "0001-01-01")
    assert code == 1 and "Traceback" not in out, out
    assert out.startswith(
        "error: --published 0001-01-01 is before 1900: a publication day lies between "
        "1900-01-01 and today ("
    ), out
    with Session(sqlite_engine) as s:
        assert _count(s, Document) == 0 and _count(s, Candidate) == 0
    code, out = invoke(command, good, "--published", "1900-01-01")  # the first day taken
    assert code == 0, out


def test_a_publication_day_lies_between_1900_and_today() -> None:
    today = date(2024, 6, 1)
    assert publication_day(date(1900, 1, 1), today=today) == date(1900, 1, 1)
    assert publication_day(today, today=today) == today
    with pytest.raises(ValueError, match=r"^2024-06-02 is after today \(2024-06-01\)"):
        publication_day(date(2024, 6, 2), today=today)
    with pytest.raises(ValueError, match=r"^1899-12-31 is before 1900"):
        publication_day(date(1899, 12, 31), today=today)


HTML_PAGE = """<!doctype html>
<html><head>
<meta charset="utf-8">
<title>Blast in Gwadar | Corridor Times</title>
<meta property="og:title" content="Blast near Gwadar port kills three">
<meta property="og:site_name" content="Corridor Times">
<meta property="article:published_time" content="2023-08-14T09:00:00+05:00">
<link rel="canonical" href="https://corridor-times.example/2023/08/gwadar-blast">
</head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a> Subscribe to our newsletter</nav>
<article>
<h1>Blast near Gwadar port kills three</h1>
<p>GWADAR: A roadside bomb struck a vehicle carrying labourers near Gwadar port on Sunday,
killing three people and injuring five others, police said.</p>
<p>No group immediately claimed responsibility for the attack, the second in the district
this month. Security has been tightened around the port and the East Bay Expressway.</p>
</article>
<footer>Copyright Corridor Times. All rights reserved.</footer>
</body></html>
"""

RSS_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Frontier Wire</title><link>https://wire.example/</link><description>News</description>
<item>
  <title>Levies post attacked in Panjgur</title>
  <link>https://wire.example/panjgur-attack</link>
  <pubDate>Tue, 02 May 2023 08:00:00 GMT</pubDate>
  <description>&lt;p&gt;Gunmen attacked a Levies post in Panjgur on Monday night, killing two
  personnel.&lt;/p&gt;</description>
</item>
<item>
  <title>Engineers abducted near Dera Ismail Khan</title>
  <link>https://wire.example/dik-abduction</link>
  <pubDate>Wed, 03 May 2023 10:30:00 GMT</pubDate>
  <description>Militants kidnapped four engineers of a construction company near Dera Ismail
  Khan on Tuesday, officials said.</description>
</item>
</channel></rss>
"""


def test_an_html_page_gives_its_main_text_and_metadata(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    page = tmp_path / "gwadar.html"
    page.write_text(HTML_PAGE, "utf-8")
    code, out = invoke("ingest", page)
    assert code == 0, out
    with Session(sqlite_engine) as s:
        doc = s.scalars(select(Document)).one()
        assert doc.text is not None and "roadside bomb struck a vehicle" in doc.text
        assert "newsletter" not in doc.text and "All rights reserved" not in doc.text
        assert doc.title == "Blast near Gwadar port kills three"
        assert doc.publisher == "Corridor Times"
        assert doc.published_at == datetime(2023, 8, 14)
        assert doc.url == "https://corridor-times.example/2023/08/gwadar-blast"
        (c,) = s.scalars(select(Candidate)).all()
        assert (c.kind, c.city, c.fatalities, c.event_date) == (
            "bombing",
            "Gwadar",
            3,
            date(2023, 8, 13),
        )


def test_each_entry_of_a_feed_is_a_document(sqlite_engine: Engine, tmp_path: Path) -> None:
    feed = tmp_path / "wire.rss"
    feed.write_text(RSS_FEED, "utf-8")
    code, out = invoke("ingest", feed)
    assert code == 0, out
    assert "documents: 2 new" in out
    with Session(sqlite_engine) as s:
        docs = s.scalars(select(Document).order_by(Document.id)).all()
        assert [d.url for d in docs] == [
            "https://wire.example/panjgur-attack",
            "https://wire.example/dik-abduction",
        ]
        assert docs[0].title == "Levies post attacked in Panjgur"
        assert docs[0].publisher == "Frontier Wire"
        assert docs[0].published_at == datetime(2023, 5, 2)
        assert (
            docs[0].text
            == "Gunmen attacked a Levies post in Panjgur on Monday night, killing two personnel."
        )
        kinds = {c.kind for c in s.scalars(select(Candidate))}
        assert "abduction" in kinds


def _jsonl_corpus(path: Path, n: int = 6) -> Path:
    gold = Path(__file__).resolve().parents[1] / "extraction" / "gold" / "dev.jsonl"
    rows = [json.loads(line) for line in gold.read_text("utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as fh:
        for i, row in enumerate(rows[:n]):
            record = {
                "text": row["text"],
                "url": f"https://news.example/{row['id']}",
                "title": f"Report {i}",
                "published": row["published"],
                "publisher": "Example News",
            }
            fh.write(json.dumps(record) + "\n")
    return path


def test_a_jsonl_corpus_with_a_broken_line(sqlite_engine: Engine, tmp_path: Path) -> None:
    corpus = _jsonl_corpus(tmp_path / "corpus.jsonl", 2)
    with corpus.open("a", encoding="utf-8") as fh:
        fh.write('{"text": "unterminated\n')
        fh.write('{"url": "https://news.example/no-text"}\n')
    code, out = invoke("ingest", corpus)
    assert code == 1
    assert f"error: {corpus}:3: is not valid JSON" in out
    assert f'error: {corpus}:4: has no "text" string' in out
    assert "documents: 2 new, 0 duplicate, 0 near-duplicate, 2 failed" in out
    with Session(sqlite_engine) as s:
        docs = s.scalars(select(Document).order_by(Document.id)).all()
        assert [d.url for d in docs] == [
            "https://news.example/dev-01",
            "https://news.example/dev-02",
        ]
        assert docs[0].published_at == datetime(2018, 11, 24)
        assert docs[0].publisher == "Example News"


def test_a_jsonl_line_published_in_the_year_1_is_refused(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    line = {"text": "Gunmen killed two policemen in Turbat last week.", "published": "0001-01-01"}
    corpus.write_text(json.dumps(line) + "\n", "utf-8")
    code, out = invoke("ingest", corpus)
    assert code == 1
    assert f"error: {corpus}:1: published '0001-01-01' is not a day of the years 1900-2200" in out
    with Session(sqlite_engine) as s:
        assert _count(s, Document) == 0 and _count(s, Candidate) == 0


@pytest.fixture
def local_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A web server on 127.0.0.1 serving a page and a feed (no internet needed); fetching
    from a local address is allowed for these tests only."""
    from safecorridor.settings import get_settings

    monkeypatch.setenv("SAFECORRIDOR_INGEST_ALLOW_PRIVATE_URLS", "true")
    get_settings.cache_clear()
    root = tmp_path / "www"
    root.mkdir()
    (root / "gwadar.html").write_text(HTML_PAGE, "utf-8")
    (root / "wire.xml").write_text(RSS_FEED, "utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pages_and_feeds_by_url(sqlite_engine: Engine, local_site: str) -> None:
    code, out = invoke(
        "ingest", f"{local_site}/gwadar.html", f"{local_site}/wire.xml", f"{local_site}/gone.html"
    )
    assert code == 1
    assert f"error: {local_site}/gone.html: HTTP 404" in out
    assert "documents: 3 new, 0 duplicate, 0 near-duplicate, 1 failed" in out
    with Session(sqlite_engine) as s:
        urls = [d.url for d in s.scalars(select(Document).order_by(Document.id))]
        assert urls == [
            "https://corridor-times.example/2023/08/gwadar-blast",
            "https://wire.example/panjgur-attack",
            "https://wire.example/dik-abduction",
        ]


def _snapshot(engine: Engine) -> list[tuple[object, ...]]:
    with Session(engine) as s:
        rows = s.scalars(select(Candidate).order_by(Candidate.id)).all()
        return [
            (c.document.url, c.position, c.kind, c.event_date, c.city, c.fatalities, c.evidence)
            for c in rows
        ]


def test_a_process_pool_gives_the_same_result_as_serial(tmp_path: Path) -> None:
    from safecorridor.db.engine import make_engine, migrate
    from safecorridor.db.session import reset_engine

    corpus = _jsonl_corpus(tmp_path / "corpus.jsonl", 8)
    results = []
    for name, extra in (("serial", []), ("pool", ["--workers", "2"])):
        eng = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(eng)
        reset_engine(eng)
        code, out = invoke("ingest", corpus, *extra)
        assert code == 0, out
        results.append(_snapshot(eng))
        eng.dispose()
    assert results[0] and results[0] == results[1]


@pytest.mark.dask
def test_extraction_on_a_dask_cluster(tmp_path: Path) -> None:
    from distributed import LocalCluster

    from safecorridor.db.engine import make_engine, migrate
    from safecorridor.db.session import reset_engine

    corpus = _jsonl_corpus(tmp_path / "corpus.jsonl", 4)
    results = []
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        for name, extra in (("serial", []), ("dask", ["--dask", cluster.scheduler_address])):
            eng = make_engine(f"sqlite:///{tmp_path / name}.db")
            migrate(eng)
            reset_engine(eng)
            code, out = invoke("ingest", corpus, *extra)
            assert code == 0, out
            results.append(_snapshot(eng))
            eng.dispose()
    assert results[0] and results[0] == results[1]


def test_an_unreachable_dask_scheduler_stops_the_ingest_before_it_starts(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    corpus = _jsonl_corpus(tmp_path / "corpus.jsonl", 2)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"  # closed once the block ends
    code, out = invoke("ingest", corpus, "--dask", address)
    assert code == 1
    assert f"ingest could not run: cannot reach the Dask scheduler at {address}" in out
    assert "Traceback" not in out
    with Session(sqlite_engine) as session:  # no run recorded, no document stored
        assert _count(session, IngestRun) == 0
        assert _count(session, Document) == 0


def test_a_killed_run_resumes_without_duplicates(sqlite_engine: Engine, tmp_path: Path) -> None:
    corpus = _jsonl_corpus(tmp_path / "corpus.jsonl", 4)
    lines = corpus.read_text("utf-8").splitlines(keepends=True)
    partial_corpus = tmp_path / "first-half.jsonl"
    partial_corpus.write_text("".join(lines[:2]), "utf-8")  # what a killed run had stored
    assert invoke("ingest", partial_corpus)[0] == 0
    code, out = invoke("ingest", corpus)
    assert code == 0, out
    assert "documents: 2 new, 2 duplicate" in out
    with Session(sqlite_engine) as s:
        assert _count(s, Document) == 4
        assert _count(s, IngestRun) == 2
        assert s.scalar(select(func.count()).select_from(IncidentChange)) == 0


def test_urls_on_private_or_local_addresses_are_refused(tmp_path: Path) -> None:
    """With the guard on (the default), a URL naming or resolving to a private or local
    address is refused before any connection: the local server never sees a request."""
    from safecorridor.settings import get_settings
    from safecorridor.sources.fetch import ReadOptions, SourceError, fetch_url

    hits: list[str] = []

    class Counting(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<p>inside</p>")

        def log_message(self, *args: object) -> None:
            pass

    get_settings.cache_clear()
    assert get_settings().allow_private_urls is False
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        for url in (
            f"http://127.0.0.1:{port}/x",
            f"http://localhost:{port}/",
            f"http://[::1]:{port}/",
            "http://10.1.2.3/",
        ):
            with pytest.raises(SourceError, match="private or local address"):
                fetch_url(url, ReadOptions(timeout=2.0))
        assert hits == []
    finally:
        server.shutdown()
        server.server_close()


FOOTER_DATED = (
    "Gunmen on motorcycles attacked a Levies check post near Panjgur on Monday night, killing"
    " two personnel, officials said.\n\nPublished in The Frontier Post, May 7th, 2024\n"
)


def test_a_report_without_a_publication_date_is_dated_by_its_own_text(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """A web copy that lost its metadata still says when it came out: the document keeps that
    day, marked as read from the text, and the extractor dates "on Monday" against it."""
    undated = tmp_path / "panjgur.txt"
    undated.write_text(FOOTER_DATED, "utf-8")
    given = tmp_path / "given.txt"
    given.write_text(FOOTER_DATED.replace("Panjgur", "Kharan"), "utf-8")
    misprint = tmp_path / "misprint.txt"
    misprint.write_text(FOOTER_DATED.replace("Panjgur", "Washuk").replace("2024", "2099"), "utf-8")
    for path, extra in ((undated, []), (given, ["--published", "2024-05-09"]), (misprint, [])):
        code, out = invoke("ingest", path, *extra)
        assert code == 0, out
    with Session(sqlite_engine) as s:
        docs = {
            cast(str, d.text).split(" near ")[1].split()[0]: d for d in s.scalars(select(Document))
        }
        assert docs["Panjgur"].published_at == datetime(2024, 5, 7)
        assert docs["Panjgur"].published_from_text
        # the day given wins over the report's own, and is not marked as read from it
        assert docs["Kharan"].published_at == datetime(2024, 5, 9)
        assert not docs["Kharan"].published_from_text
        # a day after today is a misprint, not a publication day
        assert docs["Washuk"].published_at is None and not docs["Washuk"].published_from_text
        days = {c.city: c.event_date for c in s.scalars(select(Candidate))}
        assert days["Panjgur"] == date(2024, 5, 6)  # the Monday before Tuesday, May 7
        assert days["Kharan"] == date(2024, 5, 6)  # the Monday before Thursday, May 9
        # nor does the extractor read the refused day again: "on Monday" stays undated
        assert days["Washuk"] is None


def test_documents_and_wide_text_are_named_for_what_they_are(tmp_path: Path) -> None:
    from safecorridor.sources.fetch import SourceError, decode_text

    text = "Gunmen killed two policemen in Quetta on Monday."
    wide = text.encode("utf-16-le")
    with pytest.raises(
        SourceError,
        match="UTF-16 text without a byte-order mark; name it with --encoding utf-16-le",
    ):
        decode_text(wide, "r.txt")
    assert decode_text(wide, "r.txt", "utf-16-le") == text  # the fix the message names works
    assert decode_text(text.encode("utf-16-be"), "r.txt", "UTF-16BE") == text
    with pytest.raises(SourceError, match="is a PDF file, not text: extract its text first"):
        decode_text(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>", "r.pdf")
    with pytest.raises(SourceError, match="is a ZIP archive"):
        decode_text(b"PK\x03\x04" + bytes(40), "r.docx")
    with pytest.raises(SourceError, match="is a binary file"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "photo.txt")

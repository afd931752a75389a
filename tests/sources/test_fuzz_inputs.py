"""Generated bad input for every way data comes in (CSV importers, JSON Lines, RSS/Atom feeds,
HTML and text files through ingest): an input is either taken (whole or row by row, each
refused row named) or refused with a clear error, never a crash; and a refused file leaves the
store exactly as it was.

Hypothesis writes the files: mutations of well-formed examples (quotes left open, fields cut,
bytes flipped, NULs, other encodings, deep nesting, entities) and random bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.review.models import Candidate
from safecorridor.sources.importers import ImportFormatError, import_file
from safecorridor.sources.ingest import IngestOptions, ingest
from safecorridor.sources.models import Document

ACLED = (
    "event_id_cnty,event_date,event_type,sub_event_type,actor1,admin1,location,latitude,"
    "longitude,fatalities,notes\n"
    "PAK1,26 April 2022,Explosions/Remote violence,Suicide bomb,BLA,Sindh,Karachi,24.94,67.12,"
    '4,"A suicide bomber struck a van, killing four."\n'
    "PAK2,2022-05-01,Battles,Armed clash,TTP,Khyber Pakhtunkhwa,Bannu,32.98,70.6,2,\n"
)
JSONL = (
    json.dumps({"event_date": "2022-04-26", "event_type": "Battles", "latitude": 24.9,
                "longitude": 67.1, "source_key": "a"})
    + "\n"
    + json.dumps({"event_date": "2022-05-01", "event_type": "Battles", "latitude": 25.0,
                  "longitude": 67.2, "source_key": "b"})
    + "\n"
)  # fmt: skip
RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
    "<item><title>Blast in Quetta</title><link>https://example.org/a</link>"
    "<description>A bomb went off in Quetta on Monday, killing three people.</description>"
    "<pubDate>Mon, 02 May 2022 10:00:00 GMT</pubDate></item></channel></rss>"
)
HTML = (
    "<html><head><title>Attack</title></head><body><article><h1>Attack in Turbat</h1>"
    "<p>Gunmen attacked a police post in Turbat on Monday, killing two constables.</p>"
    "</article></body></html>"
)
BOMBS = [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss><channel><item>'
    b"<title>&c;&c;&c;</title></item></channel></rss>",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>'
    b"<channel><item><title>&x;</title></item></channel></rss>",
    b"[" * 100_000,
    b"\x00" * 1000,
    b"\xff\xfe" + "event_date,latitude\n2022-01-01,24.9\n".encode("utf-16-le"),
]


def _mutate(text: str, rnd: random.Random, n: int) -> bytes:
    data = bytearray(text.encode("utf-8"))
    for _ in range(n):
        op = rnd.randrange(6)
        i = rnd.randrange(len(data) + 1)
        if op == 0 and data:  # cut
            del data[i : i + rnd.randrange(1, 20)]
        elif op == 1:  # a quote, a delimiter or a line break
            data[i:i] = rnd.choice([b'"', b",", b";", b"\t", b"\n", b"\r", b"\\", b"'"])
        elif op == 2 and data:  # flip a byte
            j = min(i, len(data) - 1)
            data[j] = rnd.randrange(256)
        elif op == 3:  # a long field
            data[i:i] = b"9" * rnd.randrange(1, 400)
        elif op == 4:  # markup
            data[i:i] = rnd.choice([b"<", b">", b"&amp;", b"&#0;", b"]]>", b"<![CDATA["])
        else:  # a duplicate of a piece
            data[i:i] = data[: rnd.randrange(0, 40)]
    return bytes(data)


def _counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as s:
        return (
            int(s.scalar(select(func.count()).select_from(Incident)) or 0),
            int(s.scalar(select(func.count()).select_from(Document)) or 0),
            int(s.scalar(select(func.count()).select_from(Candidate)) or 0),
        )


FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(("kind", "example"), [("acled", ACLED), ("jsonl", JSONL)])
@FUZZ
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 12))
def test_importers_refuse_whole_or_report_each_row(
    sqlite_engine: Engine, tmp_path: Path, kind: str, example: str, seed: int, edits: int
) -> None:
    path = tmp_path / f"in.{kind}"
    path.write_bytes(_mutate(example, random.Random(seed), edits))
    before = _counts(sqlite_engine)
    try:
        report = import_file(kind, path)
    except ImportFormatError as exc:
        assert str(exc).startswith(str(path)), exc  # the error names the file
        assert _counts(sqlite_engine) == before  # refused: nothing stored
        return
    # taken: every row is stored or refused with its line and reason
    assert report.rows == report.new + report.updated + report.unchanged + report.rejected
    assert all(e.line >= 1 and e.reason for e in report.errors)
    assert _counts(sqlite_engine)[0] == before[0] + report.new


@FUZZ
@given(raw=st.binary(max_size=3000))
def test_random_bytes_are_refused_or_imported_cleanly(
    sqlite_engine: Engine, tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(raw)
    before = _counts(sqlite_engine)
    try:
        import_file("acled", path)
    except ImportFormatError:
        assert _counts(sqlite_engine) == before


@pytest.mark.parametrize(
    ("name", "example"), [("feed.xml", RSS), ("page.html", HTML), ("wire.jsonl", None)]
)
@FUZZ
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 15))
def test_ingest_takes_or_refuses_each_document_and_never_crashes(
    sqlite_engine: Engine,
    tmp_path: Path,
    name: str,
    example: str | None,
    seed: int,
    edits: int,
) -> None:
    text = example or "\n".join(
        json.dumps({"text": "A bomb went off in Quetta on Monday, killing three.", "id": i})
        for i in range(3)
    )
    path = tmp_path / name
    path.write_bytes(_mutate(text, random.Random(seed), edits))
    before = _counts(sqlite_engine)
    report = ingest(engine=sqlite_engine, sources=[str(path)], options=IngestOptions(tlp="GREEN"))
    after = _counts(sqlite_engine)
    # every document is new, a duplicate, or failed with a message naming the source
    assert all(name in e for e in report.errors), report.errors
    assert after[1] == before[1] + report.new + report.near_duplicate
    if report.failed and not report.document_ids:
        assert after == before


@pytest.mark.parametrize("raw", BOMBS, ids=["billion-laughs", "xxe", "deep-json", "nul", "utf16"])
def test_hostile_files_are_refused_without_expanding_them(
    sqlite_engine: Engine, tmp_path: Path, raw: bytes
) -> None:
    path = tmp_path / "hostile.xml"
    path.write_bytes(raw)
    before = _counts(sqlite_engine)
    report = ingest(engine=sqlite_engine, sources=[str(path)], options=IngestOptions())
    with Session(sqlite_engine) as s:
        texts = [d.text or "" for d in s.scalars(select(Document))]
    assert all("root:" not in t and len(t) < 100_000 for t in texts)  # no file read, no bomb
    if report.failed:
        assert _counts(sqlite_engine) == before

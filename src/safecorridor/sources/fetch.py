"""Reading sources for ``ingest``: text files, HTML pages, RSS/Atom feeds, JSON Lines corpora,
folders and URLs. Each source yields raw documents or one-line errors naming the source."""

from __future__ import annotations

import codecs
import html
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import feedparser
import httpx
import trafilatura
from charset_normalizer import from_bytes

from safecorridor import net
from safecorridor.sources.dedup import normalise_text
from safecorridor.sources.importers.common import parse_date
from safecorridor.validation import FIRST_YEAR, LAST_YEAR, in_years

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|blockquote|section|article)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
# encodings a legacy news text plausibly comes in; anything else is refused
_LEGACY = ("cp1252", "latin_1", "iso8859_15", "cp1250", "cp1251", "utf_16", "utf_32")


class SourceError(ValueError):
    """A source (or one record of it) cannot be read; the message names the source."""


#: the longest text read as one report (about 30,000 words; the longest news feature is a
#: third of that): a longer one is many reports pasted together, to be split before
MAX_REPORT_CHARS = 200_000


@dataclass
class RawDocument:
    """One text read from a source, with the metadata the source carried."""

    source: str
    text: str
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: date | None = None


def report_text(doc: RawDocument) -> str:
    """The document's normalised text, read as one report; SourceError naming the document
    when it has no text or is longer than one report may be (:data:`MAX_REPORT_CHARS`)."""
    text = normalise_text(doc.text)
    if not text:
        raise SourceError(f"{doc.source}: has no text")
    if len(text) > MAX_REPORT_CHARS:
        raise SourceError(
            f"{doc.source}: is {len(text):,} characters, over the {MAX_REPORT_CHARS:,} one report "
            "may have; split it into its reports"
        )
    return text


@dataclass(frozen=True)
class ReadOptions:
    max_bytes: int = 10_000_000
    encoding: str | None = None
    timeout: float = 15.0


def is_url(source: str) -> bool:
    try:
        return urlparse(source).scheme in ("http", "https")
    except ValueError:  # "http://[": a malformed URL, refused by the fetch with its reason
        return source.lower().startswith(("http://", "https://"))


def _size(n: int) -> str:
    return f"{n:,} bytes"


def _mostly_ascii(text: str, limit: float = 0.1) -> bool:
    """A Latin-script text decoded right has few characters outside ASCII."""
    sample = text[:100_000]
    return bool(sample) and sum(ord(c) > 127 for c in sample) / len(sample) <= limit


#: files that are documents, not text: their text must be extracted first
_DOCUMENT_FORMATS = (
    (b"%PDF-", "PDF file"),
    (b"PK\x03\x04", "ZIP archive (a Word, OpenDocument or zipped file)"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
    (b"{\\rtf", "RTF document"),
)


def _utf16_order(head: bytes) -> str | None:
    """ "le" or "be" when every other byte is NUL and the others are not (UTF-16 text of a
    Latin script without its byte-order mark), else None."""
    odd, even = head[1::2], head[0::2]
    if not odd or not even:
        return None
    zero_odd, zero_even = odd.count(0) / len(odd), even.count(0) / len(even)
    if zero_odd > 0.9 and zero_even < 0.1:
        return "le"
    if zero_even > 0.9 and zero_odd < 0.1:
        return "be"
    return None


def _wide(encoding: str) -> bool:
    """An encoding whose text has NUL bytes in it (UTF-16, UTF-32)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("utf-16", "utf-32"))


def decode_text(raw: bytes, label: str, encoding: str | None = None) -> str:
    """UTF-8 (or the named encoding), else a confidently detected legacy encoding."""
    for magic, what in _DOCUMENT_FORMATS:
        if raw.startswith(magic):
            how = " (pdftotext FILE out.txt)" if magic == b"%PDF-" else ""
            raise SourceError(
                f"{label}: is a {what}, not text: extract its text first{how} and give that"
            )
    wide = bool(encoding) and _wide(encoding or "")
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")) and not wide:
        order = _utf16_order(raw[:8192])
        if order is not None:
            raise SourceError(
                f"{label}: looks like UTF-16 text without a byte-order mark; name it with "
                f"--encoding utf-16-{order}"
            )
        raise SourceError(f"{label}: is a binary file (NUL bytes), not text")
    if encoding:
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceError(f"{label}: cannot be decoded as {encoding}: {exc}") from None
        if "\x00" in text[:8192]:
            raise SourceError(f"{label}: is a binary file (NUL characters as {encoding}), not text")
        return text
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{label}: is not valid UTF-16 text: {exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc
    best = from_bytes(raw[:200_000]).best()
    if best is not None and best.encoding in _LEGACY and best.chaos < 0.1:
        text = raw.decode(best.encoding, errors="replace")
        if _mostly_ascii(text):
            return text
    try:  # the commonest legacy encoding of news text, if the result reads as text
        text = raw.decode("cp1252")
        if _mostly_ascii(text):
            return text
    except UnicodeDecodeError:
        pass
    raise SourceError(
        f"{label}: is not UTF-8 text (byte 0x{raw[first_bad.start]:02x} at offset "
        f"{first_bad.start}) and no encoding could be recognised; name it with --encoding"
    )


def parse_published(value: Any) -> date | None:
    """A date from an ISO string, a datetime, or a looser date string (day first), in the
    years a record's day may lie in (``validation.Day``: a year 0001 is a typo, refused)."""
    day = _parse_published(value)
    if day is not None and not in_years(day):
        raise ValueError(
            f"published {str(value)[:40]!r} is not a day of the years {FIRST_YEAR}-{LAST_YEAR}"
        )
    return day


def _parse_published(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time.struct_time):
        return date(value.tm_year, value.tm_mon, value.tm_mday)
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    # year first when the year leads ("2024-7-3"), else day first; a month or a year alone
    # ("July 2024") is refused (a ValueError) rather than given a day (once the day of the
    # month it ran)
    return parse_date(text[:200], column="published")


def kind_of(raw: bytes, suffix: str, content_type: str = "") -> str:
    """html, feed, jsonl or text: by suffix, then by content type, then by content."""
    ct = content_type.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES or any(x in ct for x in ("rss", "atom", "/xml")):
        return "feed"
    if suffix in HTML_SUFFIXES or "html" in ct:
        return "html"
    head = raw[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


# ---------------------------------------------------------------- formats


def html_document(raw: bytes, label: str, url: str | None, encoding: str | None) -> RawDocument:
    """Main text of a page (trafilatura) with its title, date and publisher."""

    if encoding is None:
        m = _META_CHARSET.search(raw[:4096])
        if m:
            encoding = m.group(1).decode("ascii")
            try:
                "".encode(encoding)
            except LookupError:
                encoding = None
    markup = decode_text(raw, label, encoding)
    text = trafilatura.extract(
        markup, url=url, include_comments=False, include_tables=False, favor_recall=True
    )
    if not text:
        text = trafilatura.html2txt(markup)
    meta = trafilatura.extract_metadata(markup, default_url=url)
    published = None
    if meta is not None and meta.date:
        try:
            published = parse_published(meta.date)
        except ValueError:
            published = None
    return RawDocument(
        source=label,
        text=text or "",
        url=(meta.url if meta is not None and meta.url else None) or url,
        title=meta.title if meta is not None else None,
        publisher=(meta.sitename or meta.hostname) if meta is not None else None,
        published=published,
    )


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's summary or content)."""
    text = _BLOCK.sub("\n", " ".join(fragment.split()))
    return html.unescape(_TAG.sub("", text))


def feed_documents(raw: bytes, label: str) -> Iterator[RawDocument]:
    """One document per entry of an RSS or Atom feed."""

    if b"\x00" in raw[:8192]:
        raise SourceError(f"{label}: is a binary file (NUL bytes), not a feed")
    parsed = feedparser.parse(raw)
    entries = list(parsed.get("entries") or [])
    reason = parsed.get("bozo_exception")
    benign = isinstance(reason, (feedparser.CharacterEncodingOverride,))
    if (parsed.get("bozo") and not benign) or not (entries or parsed.get("version")):
        detail = f": {str(reason).splitlines()[0]}" if reason else ""
        raise SourceError(f"{label}: is not a valid RSS/Atom feed{detail}")
    publisher = (parsed.get("feed") or {}).get("title")
    for i, entry in enumerate(entries, 1):
        body = ""
        if entry.get("content"):
            body = entry["content"][0].get("value") or ""
        body = body or entry.get("summary") or entry.get("description") or ""
        title = entry.get("title")
        text = fragment_text(body).strip() or (title or "")
        link = entry.get("link")
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        try:
            published = parse_published(when) if when else None
        except ValueError:
            published = None  # as a page's unreadable date: the text may give its own
        yield RawDocument(
            source=f"{label} entry {i}" + (f" ({link})" if link else ""),
            text=text,
            url=link,
            title=title,
            publisher=publisher,
            published=published,
        )


def jsonl_documents(
    path: Path, label: str, opts: ReadOptions
) -> Iterator[RawDocument | SourceError]:
    """One document per line: {"text", "url", "title", "published", "publisher"}."""
    with path.open("rb") as fh:
        for lineno, line in enumerate(fh, 1):
            where = f"{label}:{lineno}"
            if not line.strip():
                continue
            if len(line) > opts.max_bytes:
                yield SourceError(
                    f"{where}: record is {_size(len(line))}, over the limit of "
                    f"{_size(opts.max_bytes)} (--max-bytes)"
                )
                continue
            try:
                record = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError:
                yield SourceError(f"{where}: is not UTF-8 text")
                continue
            except json.JSONDecodeError as exc:
                yield SourceError(f"{where}: is not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(record, dict):
                yield SourceError(f'{where}: must be a JSON object with a "text" field')
                continue
            text = record.get("text")
            if not isinstance(text, str):
                yield SourceError(f'{where}: has no "text" string')
                continue
            try:
                published = parse_published(record.get("published"))
            except ValueError as exc:
                yield SourceError(f"{where}: {exc}")
                continue
            yield RawDocument(
                source=where,
                text=text,
                url=record.get("url") or None,
                title=record.get("title") or None,
                publisher=record.get("publisher") or None,
                published=published,
            )


def _documents_of(
    raw: bytes, label: str, kind: str, url: str | None, opts: ReadOptions
) -> Iterator[RawDocument]:
    if not raw.strip():
        raise SourceError(f"{label}: is empty")
    if kind == "feed":
        yield from feed_documents(raw, label)
    elif kind == "html":
        yield html_document(raw, label, url, opts.encoding)
    else:
        yield RawDocument(source=label, text=decode_text(raw, label, opts.encoding), url=url)


def _guarded(docs: Iterator[RawDocument]) -> Iterator[RawDocument | SourceError]:
    """Turn a SourceError raised while reading into one yielded error."""
    try:
        yield from docs
    except SourceError as exc:
        yield exc


def file_documents(path: Path, opts: ReadOptions) -> Iterator[RawDocument | SourceError]:
    label = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield SourceError(f"{label}: cannot be read: {exc.strerror}")
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from jsonl_documents(path, label, opts)
        return
    if size > opts.max_bytes:
        yield SourceError(
            f"{label}: is {_size(size)}, over the limit of {_size(opts.max_bytes)} (--max-bytes)"
        )
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield SourceError(f"{label}: cannot be read: {exc.strerror}")
        return
    yield from _guarded(_documents_of(raw, label, kind_of(raw, suffix), None, opts))


def fetch_url(url: str, opts: ReadOptions) -> tuple[bytes, str, str]:
    """GET a URL (redirects followed, size limited): the body, content type and final URL.

    Through ``net.client``: every connection, on every hop of a redirect, must reach a public
    address (the server-side request forgery guard).
    """
    try:
        with (
            net.client(timeout=opts.timeout, follow_redirects=True) as http,
            http.stream("GET", url) as resp,
        ):
            if resp.status_code >= 400:
                raise SourceError(f"{url}: HTTP {resp.status_code} {resp.reason_phrase}")
            declared = int(resp.headers.get("content-length") or 0)
            if declared > opts.max_bytes:
                raise SourceError(
                    f"{url}: is {_size(declared)}, over the limit of "
                    f"{_size(opts.max_bytes)} (--max-bytes)"
                )
            chunks: list[bytes] = []
            got = 0
            for chunk in resp.iter_bytes():
                got += len(chunk)
                if got > opts.max_bytes:
                    raise SourceError(
                        f"{url}: is over the limit of {_size(opts.max_bytes)} (--max-bytes)"
                    )
                chunks.append(chunk)
            return b"".join(chunks), resp.headers.get("content-type", ""), str(resp.url)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise SourceError(f"{url}: could not be fetched: {exc.__class__.__name__}: {exc}") from None


def url_documents(url: str, opts: ReadOptions) -> Iterator[RawDocument | SourceError]:
    try:
        raw, content_type, final = fetch_url(url, opts)
    except SourceError as exc:
        yield exc
        return
    suffix = Path(urlparse(final).path).suffix.lower()
    kind = kind_of(raw, suffix, content_type)
    if kind == "jsonl":
        kind = "text"
    yield from _guarded(_documents_of(raw, url, kind, final, opts))


def read_source(source: str, opts: ReadOptions) -> Iterator[RawDocument | SourceError]:
    """Every document a source holds (a folder recursively), and every error on the way."""
    if is_url(source):
        yield from url_documents(source, opts)
        return
    path = Path(source)
    if path.is_dir():
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not files:
            yield SourceError(f"{source}: folder holds no files")
        for p in files:
            yield from file_documents(p, opts)
        return
    if path.is_file():
        yield from file_documents(path, opts)
        return
    yield SourceError(f"{source}: no such file, folder or URL")

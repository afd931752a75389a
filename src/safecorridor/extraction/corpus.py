"""Gold records for scoring the extractor: a gold file with its texts, or corpus annotations
keyed by id whose texts live in a folder beside the repository.

Two folder layouts are read (the texts belong to their publishers and are never copied into
the repository; the annotations are ours):

* **news-dev**: ``DIR/texts/NNN.txt`` (or ``DIR/NNN.txt``) and an ``index.jsonl`` with one
  ``{"id", "outlet", "published", ...}`` per article, which gives each record its publication
  date and outlet. Annotations: ``{"id": "001", "events": [...]}``.
* **SATP**: ``DIR/NAME.tsv``, one paragraph per line, the text in the first tab-separated
  column; the annotation id is ``NAME:LINE`` (1-based). SATP paragraphs carry no year: the
  extractor gets :data:`SATP_REFERENCE` (the last day of a leap year, as a yearly timeline
  would) so that "on November 24" resolves to a day, and dates are compared on month and day
  only (gold ``--MM-DD``).

A split file (``scripts/split-news-dev.py``) restricts the records to one part. Every problem
(a missing text, a line that is not JSON, an id in no part of the split) is a
:class:`CorpusError` naming the file and the id or line.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: publication date given to the extractor for SATP paragraphs (no year in them)
SATP_REFERENCE = date(2024, 12, 31)
#: the largest text or gold file read (a corpus text is a few kB)
MAX_FILE_BYTES = 50_000_000
MAX_TEXT_CHARS = 1_000_000
#: ids name files: no path separators, no leading dot
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}(?::[0-9]{1,9})?")


class CorpusError(ValueError):
    """A gold file, text folder, index or split that cannot be read as documented."""


@dataclass
class Texts:
    """Where the texts of annotations keyed by id are read from."""

    folder: Path
    index: dict[str, dict[str, Any]] = field(default_factory=dict)
    _tsv: dict[str, list[str]] = field(default_factory=dict)

    def text(self, doc_id: str) -> str:
        if not _SAFE_ID.fullmatch(doc_id):
            raise CorpusError(f"{doc_id!r}: an id is letters, digits, '-', '_' and one ':'")
        if ":" in doc_id:
            name, _, line = doc_id.partition(":")
            rows = self._rows(name)
            if not line.isdecimal() or not 1 <= int(line) <= len(rows):
                raise CorpusError(f"{doc_id}: no line {line} in {self.folder / (name + '.tsv')}")
            return rows[int(line) - 1].split("\t", 1)[0]
        for path in (self.folder / "texts" / f"{doc_id}.txt", self.folder / f"{doc_id}.txt"):
            if path.is_file():
                return _read(path)[:MAX_TEXT_CHARS]
        raise CorpusError(f"{doc_id}: no text {doc_id}.txt in {self.folder} or its texts/ folder")

    def _rows(self, name: str) -> list[str]:
        if name not in self._tsv:
            path = self.folder / f"{name}.tsv"
            if not path.is_file():
                raise CorpusError(f"no TSV file {name}.tsv in {self.folder}")
            # split on line feeds only: the TSV is read as lines, quoting disabled
            self._tsv[name] = _read(path).split("\n")
        return self._tsv[name]


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CorpusError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    for n, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{path}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise CorpusError(f"{path}:{n}: a JSON object is expected")
        yield n, obj


def read_index(path: Path) -> dict[str, dict[str, Any]]:
    """id → index record (``outlet``, ``published``, ...) of a news-dev ``index.jsonl``."""
    out: dict[str, dict[str, Any]] = {}
    for n, obj in _jsonl(path):
        if "id" not in obj:
            raise CorpusError(f"{path}:{n}: no id")
        out[str(obj["id"])] = obj
    return out


def find_index(folder: Path) -> Path | None:
    """The ``index.jsonl`` of a news-dev folder (given the folder or its ``texts/``)."""
    for path in (folder / "index.jsonl", folder.parent / "index.jsonl"):
        if path.is_file():
            return path
    return None


PARTS = ("dev", "test")


@dataclass(frozen=True)
class Split:
    """The ids of one part of a split file, every id the split names, and the hash of the
    index it was made from."""

    part: str
    ids: frozenset[str]
    named: frozenset[str]
    index_sha256: str | None


def read_split(path: Path, part: str) -> Split:
    """The part ``part`` (``dev`` or ``test``) of a split file."""
    if part not in PARTS:
        raise CorpusError(f"the part must be one of {', '.join(PARTS)}, not {part!r}")
    try:
        doc = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise CorpusError(f"{path}: not JSON ({exc.msg})") from exc
    if not isinstance(doc, dict) or not all(isinstance(doc.get(p), list) for p in PARTS):
        raise CorpusError(f"{path}: a split needs the lists {' and '.join(PARTS)}")
    named = frozenset(str(i) for p in PARTS for i in doc[p])
    return Split(part, frozenset(str(i) for i in doc[part]), named, doc.get("index_sha256"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise CorpusError(f"{where}: published must be YYYY-MM-DD, not {value!r}") from exc


def load_records(
    gold: Path,
    *,
    texts: Path | None = None,
    index: Path | None = None,
    split: Split | None = None,
) -> list[dict[str, Any]]:
    """Gold records ready for :func:`evaluate.evaluate`: ``id``, ``text``, ``published``
    (ISO or None), ``outlet`` and ``events``. A record that carries its ``text`` is used as
    is; otherwise the text is read from ``texts`` by the record's id (see the module's
    docstring). With ``split``, only the records of its part are returned (the others' texts
    are not read), and an id the split does not name is an error: the split is stale."""
    source: Texts | None = None
    if texts is not None:
        if not texts.is_dir():
            raise CorpusError(f"{texts}: not a folder")
        source = Texts(texts)
        index = index or find_index(texts)
    if index is not None:
        if source is None:
            source = Texts(index.parent)
        source.index = read_index(index)
    out: list[dict[str, Any]] = []
    for n, obj in _jsonl(gold):
        if "id" not in obj:
            raise CorpusError(f"{gold}:{n}: no id")
        doc_id = str(obj["id"])
        if split is not None and doc_id not in split.ids:
            if doc_id not in split.named:
                raise CorpusError(f"{gold}:{n}: id {doc_id} is in no part of the split")
            continue
        events = obj.get("events", [])
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise CorpusError(f"{gold}:{n}: events must be a list of objects")
        meta = source.index.get(doc_id, {}) if source is not None else {}
        satp = ":" in doc_id and "text" not in obj
        if "text" in obj:
            text = str(obj["text"])[:MAX_TEXT_CHARS]
        elif source is None:
            raise CorpusError(f"{gold}:{n}: record {doc_id} has no text; give --texts DIR")
        else:
            text = source.text(doc_id)
        published = _published(obj.get("published", meta.get("published")), f"{gold}:{n}")
        if satp and published is None:
            published = SATP_REFERENCE.isoformat()
        out.append(
            {
                "id": doc_id,
                "text": text,
                "published": published,
                "outlet": str(obj.get("outlet") or meta.get("outlet") or ("SATP" if satp else "-")),
                "events": events,
            }
        )
    return out

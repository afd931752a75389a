"""Text normalisation, exact duplicates (sha256 of the normalised text) and near-duplicates
(MinHash LSH over word shingles: syndicated copies of one report)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

from safecorridor.sharing.policy import shown_markings

if TYPE_CHECKING:
    from datasketch import MinHash

_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+")

NEAR_DUPLICATE_THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE = 3


def normalise_text(text: str) -> str:
    """NFC, no control characters, runs of spaces collapsed, one line per paragraph.

    >>> normalise_text("  Two   lines\\r\\n\\n\\n and\\tmore  ")
    'Two lines\\nand more'
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub(" ", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_sha256(text: str) -> str:
    """sha256 of the text with every run of whitespace as one space (line breaks included),
    so a copy that only wraps its lines differently has the same hash."""
    canonical = " ".join(normalise_text(text).split())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def document_key(digest: str, tlp: str, owner_org_id: int | None) -> str:
    """The key a document of text ``digest``, marked ``tlp`` and owned by ``owner_org_id``,
    is stored under (``Document.sha256``): the text's digest for a CLEAR document, and for
    any other a digest of the text's and its readers' (the marking, and the owner below
    GREEN). Two organisations holding one text under markings that do not show each other's
    copy each store their own: a partner's AMBER+STRICT copy neither stops another
    organisation's ingest nor tells it that the text is held.

    >>> document_key("ab" * 32, "CLEAR", 3) == "ab" * 32
    True
    >>> document_key("ab" * 32, "AMBER", 3) != document_key("ab" * 32, "AMBER", 4)
    True
    """
    if tlp == "CLEAR":
        return digest
    scope = tlp if tlp == "GREEN" else f"{tlp}|{owner_org_id or ''}"
    return hashlib.sha256(f"{scope}|{digest}".encode()).hexdigest()


def keys_shown_to(digest: str, tlp: str, owner_org_id: int | None) -> set[str]:
    """The keys (``document_key``) of the copies of a text that every reader of a document
    marked ``tlp`` and owned by ``owner_org_id`` may read (``sharing.policy.shown_markings``):
    the copies that make it a duplicate (its own key among them)."""
    anyone, owned = shown_markings(tlp, owner_org_id)
    return {document_key(digest, t, owner_org_id) for t in (*anyone, *owned, tlp)}


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """Word n-grams of the case-folded text (the words themselves for very short texts)."""
    words = _WORD.findall(text.casefold())
    if len(words) < size:
        return set(words)
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str) -> MinHash:
    from datasketch import MinHash  # lazy: 0.4 s of imports (scipy), not for normalising

    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


class NearDuplicateIndex:
    """Finds the earliest stored text whose estimated Jaccard similarity is over a threshold."""

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        from datasketch import MinHashLSH  # lazy: as minhash's

        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._hashes: dict[Hashable, MinHash] = {}
        self._order: dict[Hashable, int] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def add(self, key: Hashable, text: str, m: MinHash | None = None) -> None:
        if key in self._hashes:
            return
        m = m or minhash(text)
        self._lsh.insert(key, m)
        self._hashes[key] = m
        self._order[key] = len(self._order)

    def add_many(self, items: Iterable[tuple[Hashable, str]]) -> None:
        for key, text in items:
            self.add(key, text)

    def find(self, text: str, m: MinHash | None = None) -> Hashable | None:
        """The key of the first-added similar text, or None."""
        m = m or minhash(text)
        hits = [k for k in self._lsh.query(m) if self._hashes[k].jaccard(m) >= self.threshold]
        if not hits:
            return None
        first: Hashable = min(hits, key=lambda k: self._order[k])
        return first

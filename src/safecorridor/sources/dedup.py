"""Text normalisation, exact duplicates (sha256 of the normalised text) and near-duplicates
(MinHash LSH over word shingles: syndicated copies of one report)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING

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

"""The importers by name, and running one on a file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from safecorridor.sources.importers import acled, gtd, jsonl, mapped, ucdp
from safecorridor.sources.importers.common import ImportFormatError, ImportReport
from safecorridor.sources.importers.store import Parsed, ProgressFn, import_rows

PARSERS: dict[str, Callable[..., Iterator[Parsed]]] = {
    "acled": acled.parse,
    "gtd": gtd.parse,
    "ucdp": ucdp.parse,
    "csv": mapped.parse,
    "jsonl": jsonl.parse,
}


def file_sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def run(
    kind: str, path: Path, *, on_progress: ProgressFn | None = None, **options: Any
) -> ImportReport:
    """Parse ``path`` with the ``kind`` importer and store its rows idempotently.

    The header and the encoding are checked before anything is written: a malformed file
    raises ImportFormatError and leaves the store unchanged.
    """
    if kind not in PARSERS:
        raise ImportFormatError(f"unknown import format {kind!r}; one of: {', '.join(PARSERS)}")
    path = Path(path)
    engine = options.pop("engine", None)
    today = options.pop("today", None)
    parsed = PARSERS[kind](path, **options)
    return import_rows(
        parsed,
        kind=kind,
        path=path,
        file_sha256=file_sha256(path),
        engine=engine,
        on_progress=on_progress,
        today=today,
    )


def import_file(kind: str, path: Path, **options: Any) -> ImportReport:
    """Import ``path`` with the importer named ``kind`` (acled, gtd, ucdp, csv, jsonl)."""
    return run(kind, path, **options)


def count_records(path: Path) -> int:
    """Rough number of records (lines) for a progress bar."""
    with path.open("rb") as f:
        return max(sum(1 for _ in f) - 1, 0)

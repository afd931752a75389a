"""JSON Lines of incidents, as written by ``export jsonl``: one IncidentCreate object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safecorridor.sources.importers.common import ImportFormatError, RowError, read_maybe_gzip
from safecorridor.sources.importers.store import Parsed, build


def parse(path: Path, **_: Any) -> Iterator[Parsed]:
    """Check the file now (raising ImportFormatError); return the parsed rows, lazily.

    A gzip file is unpacked. A field an object leaves out is left out of the record too: a
    re-import keeps what is stored in it.
    """
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    raw = read_maybe_gzip(path)
    if not raw.strip():
        raise ImportFormatError(f"{path}: is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"{path}: is not UTF-8 text ({exc})") from exc
    first = text.lstrip()[:1]
    if first != "{":
        raise ImportFormatError(f"{path}: is not JSON Lines (a line must start with '{{')")
    return _rows(text)


def _rows(text: str) -> Iterator[Parsed]:
    # lines end at "\n" only: JSON strings may hold U+2028 and the other breaks that
    # str.splitlines splits at
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, RowError(n, f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        except RecursionError:
            yield n, RowError(n, "a value is nested too deep")
            continue
        if not isinstance(obj, dict):
            yield n, RowError(n, "not a JSON object")
            continue
        yield build(n, lambda obj=obj: dict(obj))  # type: ignore[misc]

"""JSON Lines of incidents, as written by ``export jsonl``: one IncidentCreate object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safecorridor.sources.importers.common import ImportFormatError, RowError
from safecorridor.sources.importers.store import Parsed, build


def parse(path: Path, **_: Any) -> Iterator[Parsed]:
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    raw = path.read_bytes()
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
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield n, RowError(n, f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(obj, dict):
            yield n, RowError(n, "not a JSON object")
            continue
        yield build(n, lambda obj=obj: dict(obj))  # type: ignore[misc]

"""Helpers shared by the CLI modules: the console, error exits, parsing of options."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from safecorridor.accounts.service import AccountError, find_organisation
from safecorridor.clock import system_clock, today
from safecorridor.validation import publication_day

console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def parse_day(value: str | None, option: str, *, published: bool = False) -> date | None:
    """A YYYY-MM-DD option's day; with ``published``, a report's publication day as every
    face takes it (``validation.publication_day``: from 1900 to today, the CLI's clock)."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None
    if published:
        try:
            publication_day(day, today=today(system_clock))
        except ValueError as exc:
            raise fail(f"{option} {exc}") from None
    return day


#: the most rows a ``--limit`` asks for (beyond it, an integer the database cannot bind)
MAX_LIMIT = 1_000_000


def check_limit(value: int, option: str = "--limit") -> int:
    """A row limit of at least 1 and at most :data:`MAX_LIMIT` (-1 or 0 listed nothing,
    or everything, without a word)."""
    if not 1 <= value <= MAX_LIMIT:
        raise fail(f"{option} must be between 1 and {MAX_LIMIT:,}, not {value}")
    return value


def parse_choices(values: Iterable[str], choices: Iterable[str], option: str) -> list[str]:
    """Each value as ``choices`` spell it (case aside); a value that is none of them is an
    error naming it and the valid ones (exit 1, as every other refused option value), rather
    than a filter matching nothing."""
    valid = [str(c) for c in choices]  # an enum's members as their values
    by_fold = {c.casefold(): c for c in valid}
    out = []
    for v in values:
        found = by_fold.get(v.strip().casefold())
        if found is None:
            raise fail(f"{option} must be one of {', '.join(valid)}, not {v!r}")
        out.append(found)
    return out


def parse_latlon(value: str) -> tuple[float, float]:
    try:
        lat_s, lon_s = value.split(",")
        lat, lon = float(lat_s), float(lon_s)
    except ValueError:
        raise fail(f"--near must be LAT,LON (e.g. 24.94,67.12), not {value!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise fail(f"--near {value}: latitude must be within ±90 and longitude within ±180")
    return lat, lon


def parse_pairs(values: list[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        if "=" not in v:
            raise fail(f"{option} takes FIELD=VALUE, not {v!r}")
        k, _, val = v.partition("=")
        out[k.strip()] = val.strip()
    return out


@contextmanager
def progress_bar(total: int | None, label: str) -> Iterator[Progress]:
    """A progress bar on stderr (quiet when stderr is not a terminal)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        progress.add_task(label, total=total)
        yield progress


def owner_id(session: Any, org: str | None) -> int | None:
    """The id of the organisation ``org`` names (id, name or short name) for an option such
    as ``--org``; None when none is given; the command fails naming what was given."""
    if not org:
        return None
    try:
        return find_organisation(session, org).id
    except AccountError as exc:
        raise fail(str(exc)) from None

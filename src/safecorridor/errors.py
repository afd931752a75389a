"""Typed errors that services raise, and the one table that says what each means to a face.

Services (``incidents.service``, ``registry.service``, ``risk.service``, ``review.service``,
``accounts.service``, ``movements.service``, ``alerts.service``) decide permission, validation,
audit and TLP, and refuse with one of these. Each face turns them into its own answer with
:func:`http_status`: the API into an RFC 9457 problem, the web pages into an HTML page or an
HTMX partial, the CLI into a one-line error. So the same refusal reads the same on every face.

The messages say what went wrong and what to do, and never name a record the reader may not
read (a hidden record and a missing one are refused alike).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError


class ServiceError(Exception):
    """A request a service refuses; ``str(error)`` is the message shown to the person."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.retry_after = retry_after


class NotSignedInError(ServiceError):
    """The request needs a signed-in user, or the credentials are wrong."""


class ForbiddenError(ServiceError):
    """The reader may see the record but may not do this to it (role, ownership)."""


class NotFoundError(ServiceError, LookupError):
    """No such record among those the reader may read."""


class ConflictError(ServiceError, ValueError):
    """The record's state forbids the change (already decided, duplicate, wrong state)."""


class InvalidInputError(ServiceError, ValueError):
    """The input is malformed or out of range; ``errors`` lists the fields when known."""


class RateLimitedError(ServiceError):
    """Too many attempts; ``retry_after`` seconds before the next one."""


class BusyError(ServiceError):
    """The store is busy (a write lock held too long); try again after ``retry_after``."""


#: the HTTP status of each kind of refusal (both faces answer with it)
STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (NotSignedInError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InvalidInputError, 422),
    (RateLimitedError, 429),
    (BusyError, 503),
)


def http_status(error: ServiceError) -> int:
    """The status a face answers ``error`` with (400 for an untyped refusal)."""
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


_WHERE_PREFIXES = ("body", "query", "path", "header", "cookie", "form")


def where(loc: Sequence[Any]) -> str:
    """'field x.y' or 'query parameter x' for a validation error's location."""
    parts = [str(p) for p in loc if p not in _WHERE_PREFIXES]
    name = ".".join(parts)
    if loc and loc[0] in ("query", "path", "header", "cookie"):
        return f"{loc[0]} parameter {name or '?'}"
    return f"field {name}" if name else "request body"


#: pydantic's words for a date it could not read, said as what a date must be
_DATE_ERRORS = (
    "date_from_datetime_inexact",
    "date_from_datetime_parsing",
    "date_parsing",
    "date_type",
)


def _one(error: Mapping[str, Any]) -> str:
    """'field x: message', or the message alone for a rule about the whole record."""
    msg = str(error.get("msg", "")).removeprefix("Value error, ")
    kind = error.get("type")
    if kind == "json_invalid":
        # FastAPI places it at ("body", <character>): no field is wrong, the body is
        reason = str((error.get("ctx") or {}).get("error") or "").strip()
        return "request body: not valid JSON" + (f" ({reason})" if reason else "")
    if kind in _DATE_ERRORS:
        given = str(error.get("input"))[:40]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", given):  # the form is right, the day is not
            msg = f"{given} is no day of the calendar"
        else:
            msg = f"a date is written YYYY-MM-DD, not {given!r}"
    loc = [p for p in error.get("loc", ()) if p not in _WHERE_PREFIXES]
    if not loc and error.get("loc") and error["loc"][0] != "body":
        return f"{where(error['loc'])}: {msg}"
    return f"{where(error.get('loc', ()))}: {msg}" if loc else msg


def describe(errors: Iterable[Mapping[str, Any]], *, limit: int = 5) -> str:
    """One line for a list of pydantic / FastAPI validation errors."""
    items = list(errors)
    text = "; ".join(_one(e) for e in items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text or "the request is not valid"


def invalid(exc: ValidationError, *, prefix: str = "") -> InvalidInputError:
    """An :class:`InvalidInputError` carrying a pydantic error's fields and one-line message."""
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    return InvalidInputError(prefix + describe(exc.errors()), errors=errors)

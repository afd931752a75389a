"""Field types shared by the schemas of several concerns."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints


def web_url(value: str) -> str:
    """``value`` stripped, if it is a link to a public page (http(s), a host, no spaces or
    control characters); a ValueError says what it lacks."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL with a host")
    if any(ord(c) < 33 or ord(c) == 127 for c in value.strip()):
        raise ValueError("must not hold spaces or control characters")
    return value.strip()


#: the largest id or number a record holds (a 64-bit signed integer, on both databases)
MAX_ID = 2**63 - 1


def whole_number(text: str) -> int | None:
    """The number ``text`` spells in ASCII digits, if a record can hold it; else None. (Not
    ``str.isdigit``, which "²" passes and ``int`` then refuses, nor an id too large for the
    databases' integers, which they refuse with an error of their own.)

    >>> whole_number(" 42"), whole_number("²"), whole_number("9" * 30), whole_number("-1")
    (42, None, None, None)
    """
    t = text.strip()
    if not (t.isascii() and t.isdigit()) or len(t) > 19:
        return None
    n = int(t)
    return n if n <= MAX_ID else None


_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,252}\.[^@\s.]{2,63}$")


def email_address(value: str) -> str:
    """``value`` stripped, if it is one e-mail address (no spaces, no line breaks: an address
    alert mail is sent to goes into a header); a ValueError says it is not."""
    v = value.strip()
    if len(v) > 254 or not _EMAIL.match(v) or any(ord(c) < 32 or ord(c) == 127 for c in v):
        raise ValueError(f"not an e-mail address: {value[:80]!r}")
    return v


def printable(value: object) -> object:
    """``value``, if it is no text holding a control character other than a tab or a line
    break, nor JSON holding one (a NUL, an escape: no record field is meant to hold one, and a
    NUL cannot be stored on PostgreSQL nor read back from an export); a ValueError names the
    character."""
    if isinstance(value, str):
        for c in value:
            if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127:
                raise ValueError(f"holds the control character U+{ord(c):04X}")
    elif isinstance(value, dict):  # JSON: its keys and values
        for k, v in value.items():
            printable(k)
            printable(v)
    elif isinstance(value, list | tuple):
        for v in value:
            printable(v)
    return value


#: a link to a public page: http(s), a host, no spaces (never ``javascript:`` or ``data:``)
WebUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(web_url)]


#: the years a record's day may lie in (a typo such as 0001 or 2999 is refused, not stored)
FIRST_YEAR, LAST_YEAR = 1900, 2200


def in_years(value: date) -> bool:
    """Whether ``value`` (a day or a moment) lies in the years a record's day may lie in."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def _in_years(value: date) -> date:
    if not in_years(value):
        raise ValueError(f"must lie between {FIRST_YEAR} and {LAST_YEAR}")
    return value


#: a day of a record (an incident, a report's publication)
Day = Annotated[date, AfterValidator(_in_years)]
#: a moment of a record (a movement's departure)
Moment = Annotated[datetime, AfterValidator(_in_years)]


def publication_day(value: date, *, today: date) -> date:
    """``value`` as a report's publication day, the one check of every face (the CLI's
    ``--published`` of ``ingest`` and ``extract``, the ingest page, ``POST /api/v1/documents``):
    a day of a record (:data:`Day`) and none after ``today`` (a report cannot have been
    published tomorrow). A ValueError says which, starting with the day."""
    if value > today:
        raise ValueError(f"{value} is after today ({today}): not a day yet")
    if not in_years(value):
        raise ValueError(
            f"{value} is before {FIRST_YEAR}: a publication day lies between "
            f"{FIRST_YEAR}-01-01 and today ({today})"
        )
    return value

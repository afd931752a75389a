"""Field types shared by the schemas of several concerns."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, StringConstraints


def _web_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL with a host")
    if any(ord(c) < 33 or ord(c) == 127 for c in value.strip()):
        raise ValueError("must not hold spaces or control characters")
    return value.strip()


#: a link to a public page: http(s), a host, no spaces (never ``javascript:`` or ``data:``)
WebUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_web_url)]

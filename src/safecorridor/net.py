"""Outbound HTTP: one client for every request the server makes (fetching a report for ingest,
delivering a webhook, polling a partner's feed), with one guard against server-side request
forgery.

The guard refuses private, loopback, link-local, multicast and reserved addresses on every
hop of a redirect, twice: before connecting, on every address the host name resolves to (so a
closed private port answers like an open one and nobody port-scans through us), and after
connecting, on the address actually reached (so a DNS answer that changes between the check
and the connection does not get through either). ``SAFECORRIDOR_ALLOW_PRIVATE_URLS=true``
lifts it for deployments whose feeds or webhooks live on a private network. Proxies from the
environment are not used (they would connect on our behalf, past the guard).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import typing
from urllib.parse import urlsplit

import httpcore
import httpx

from safecorridor.errors import InvalidInputError
from safecorridor.settings import get_settings

USER_AGENT = "SafeCorridor/1 (+https://github.com/safecorridor)"


class BlockedAddressError(httpcore.ConnectError):
    """The connection reached an address that is not public."""


def is_public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_global
    except ValueError:
        return False


def _resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (itself if an address); none if it does not resolve
    (the connection then fails with the resolver's own error)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def _blocked(host: str, address: str) -> BlockedAddressError:
    return BlockedAddressError(
        f"{host} is a private or local address ({address or 'unknown'}); set "
        "SAFECORRIDOR_ALLOW_PRIVATE_URLS=true to allow it"
    )


class _PublicOnly(httpcore.NetworkBackend):
    """httpcore's network backend that closes any connection to a non-public address."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        # before connecting: a closed private port must look the same as an open one (no
        # port scanning through us), so every address the name resolves to must be public
        for address in _resolve(host, port):
            if not is_public(address):
                raise _blocked(host, address)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        # after connecting: the address really reached (a name re-resolved in between)
        peer = stream.get_extra_info("server_addr")
        address = str(peer[0]) if peer else ""
        if not is_public(address):
            stream.close()
            raise _blocked(host, address)
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise BlockedAddressError("unix sockets are not reachable from here")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over a connection pool whose connections pass :class:`_PublicOnly`."""

    def __init__(self) -> None:
        super().__init__(trust_env=False)
        # the pool httpx built, rebuilt with our network backend (httpx takes no backend)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_PublicOnly(),
            max_connections=20,
        )


def client(*, timeout: float, follow_redirects: bool = False) -> httpx.Client:
    """An HTTP client for one outbound job, guarded unless private addresses are allowed."""
    guarded = not get_settings().allow_private_urls
    return httpx.Client(
        transport=_GuardedTransport() if guarded else httpx.HTTPTransport(trust_env=False),
        timeout=timeout,
        follow_redirects=follow_redirects,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


def check_url(url: str, *, field: str = "url") -> str:
    """A URL a person gives us to call later (a webhook, a feed): http(s), a host, no user
    info, no control characters; refused at once if it names a private address literally."""
    if len(url) > 2000 or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise InvalidInputError(f"field {field}: not a URL (spaces or control characters)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(f"field {field}: give an http(s) URL with a host")
    if parts.username or parts.password:
        raise InvalidInputError(f"field {field}: a URL with a user name or password is refused")
    host = parts.hostname.rstrip(".")  # "localhost." is localhost
    literal = _dotted(host.strip("[]"))
    if not get_settings().allow_private_urls and (
        host == "localhost"
        or host.endswith((".localhost", ".local", ".internal"))
        or (_is_ip(literal) and not is_public(literal))
    ):
        raise InvalidInputError(
            f"field {field}: {host} is a private or local address; set "
            "SAFECORRIDOR_ALLOW_PRIVATE_URLS=true to allow it"
        )
    return url


_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}$", re.I)


def _dotted(host: str) -> str:
    """An IPv4 address written as resolvers also read it ("127.1", "2130706433", "0x7f.1",
    "0") in dotted form; any other host as it is."""
    if _NUMERIC_HOST.match(host):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return host
    return host


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True

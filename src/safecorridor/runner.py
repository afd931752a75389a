"""Where independent units of work run: in this process, in a local process pool, or on an
existing Dask cluster (``distributed.Client(address)``).

A runner maps a module-level function over items with one shared, read-only context:
``fn(item, context)`` for each item, the results back in the items' order whatever order they
finished in. So a caller that reduces them in that order gets the same result on every runner.
The context is sent once per worker where the runner allows it (Dask: scattered and broadcast;
the pool: once per chunk of items). Workers return results; only the caller writes anything.

Used by ``ingest`` (extraction of each document) and by the risk calibration and backtests
(grid points × validation periods, and the probability models' fits).
"""

from __future__ import annotations

import math
import multiprocessing
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")

#: seconds to wait for a Dask scheduler before giving up
CONNECT_TIMEOUT_S = 20.0
#: chunks per pool worker: enough to balance uneven items, few enough to send the context rarely
CHUNKS_PER_WORKER = 4


class ClusterUnreachableError(OSError):
    """The Dask scheduler at the given address cannot be reached; the message says which."""


class Runner(Protocol):
    """Runs ``fn(item, context)`` for every item; results in the items' order."""

    name: str

    def map(self, fn: Callable[[T, C], R], items: Sequence[T], context: C) -> list[R]: ...

    def close(self) -> None: ...


class _Closing:
    def close(self) -> None:
        return None

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LocalRunner(_Closing):
    """In this process, one item after the other."""

    name = "local"

    def map(self, fn: Callable[[T, C], R], items: Sequence[T], context: C) -> list[R]:
        return [fn(item, context) for item in items]


def _run_chunk(fn: Callable[[T, C], R], items: Sequence[T], context: C) -> list[R]:
    return [fn(item, context) for item in items]


class PoolRunner(_Closing):
    """A local pool of ``workers`` spawned processes (each loads what it needs once)."""

    name = "pool"

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a pool needs at least one worker, not {workers}")
        self.workers = workers
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn")
        )

    def map(self, fn: Callable[[T, C], R], items: Sequence[T], context: C) -> list[R]:
        items = list(items)
        if not items:
            return []
        size = math.ceil(len(items) / min(len(items), self.workers * CHUNKS_PER_WORKER))
        futures = [
            self.pool.submit(_run_chunk, fn, items[i : i + size], context)
            for i in range(0, len(items), size)
        ]
        out: list[R] = []
        for future in futures:  # in submission order: the items' order
            out.extend(future.result())
        return out

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _probe(address: str, timeout: float) -> None:
    """Fail fast, with a one-line message, when a TCP scheduler address does not answer
    (``distributed.Client`` would retry until its timeout, then print a traceback when the
    half-made client is collected)."""
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in ("tcp", "tls"):
        return  # other transports (inproc, ws): Client's own error
    host, colon, port = rest.rstrip("/").rpartition(":")
    if not colon or not port.isdigit() or not host:
        raise ClusterUnreachableError(
            f"{address!r} is not a Dask scheduler address (tcp://HOST:PORT)"
        )
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ClusterUnreachableError(
            f"cannot reach the Dask scheduler at {address}: {reason}"
        ) from None


class DaskRunner(_Closing):
    """On an existing Dask cluster: the context is scattered to every worker once per
    distinct context; the results come back here."""

    name = "dask"

    def __init__(self, address: str, *, timeout: float = CONNECT_TIMEOUT_S) -> None:
        if not address.strip():
            raise ClusterUnreachableError("no Dask scheduler address given")
        _probe(address, timeout)
        from distributed import Client  # Dask's client is heavy: only when a cluster is named

        try:
            self.client = Client(  # type: ignore[no-untyped-call]
                address, timeout=f"{timeout}s", set_as_default=False
            )
        except (OSError, ValueError) as exc:
            raise ClusterUnreachableError(
                f"cannot reach the Dask scheduler at {address}: {exc}"
            ) from None
        self.address = address
        self._context: tuple[Any, Any] | None = None  # (the object, its future)

    def map(self, fn: Callable[[T, C], R], items: Sequence[T], context: C) -> list[R]:
        items = list(items)
        if not items:
            return []
        if self._context is None or self._context[0] is not context:
            [future] = self.client.scatter(  # type: ignore[no-untyped-call]
                [context], broadcast=True, hash=False
            )
            self._context = (context, future)
        # the items as data, not in the task graph (a fit's arrays weigh megabytes)
        sent = self.client.scatter(items, hash=False)  # type: ignore[no-untyped-call]
        shared = [self._context[1]] * len(sent)  # positional, as every runner calls fn
        futures = self.client.map(fn, sent, shared, pure=False)
        return list(self.client.gather(futures))  # type: ignore[no-untyped-call]

    def workers(self) -> int:
        """How many workers the cluster has now."""
        info = self.client.scheduler_info()
        return len(info.get("workers", {}))

    def close(self) -> None:
        self._context = None
        self.client.close()  # type: ignore[no-untyped-call]


def make_runner(
    *, workers: int = 1, dask: str | None = None, timeout: float = CONNECT_TIMEOUT_S
) -> LocalRunner | PoolRunner | DaskRunner:
    """The runner of ``--dask ADDRESS`` or ``--workers N`` (not both); else this process."""
    if dask is not None and workers > 1:
        raise ValueError("use --workers or --dask, not both")
    if dask is not None:
        return DaskRunner(dask, timeout=timeout)
    if workers > 1:
        return PoolRunner(workers)
    return LocalRunner()

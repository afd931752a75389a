"""Serving the app with uvicorn: N worker processes, balanced, each connection with TCP_NODELAY.

Two defects of uvicorn's own ``--workers N`` mode (0.54), both measured here on 2 cores:

* The supervisor binds the listening socket and hands it to the workers; that socket reports
  ``proto == 0``, so asyncio does not turn Nagle's algorithm off on the connections it
  accepts, and a keep-alive response written as head then body waits for the client's
  delayed ACK: about 40 ms a request on Linux (uvicorn issue #3149). One client of
  ``/healthz`` got 23 req/s from 2 workers against 1,600 from 1.
  :class:`NoDelayH11Protocol` sets TCP_NODELAY on every TCP connection itself.
* The workers share one socket, and the first to wake accepts every connection waiting: 20
  keep-alive clients that connect at once all land on one worker, whose single core is then
  the limit while the other idles. :func:`serve` gives each worker a listening socket of its
  own on the same port (``SO_REUSEPORT``), and the kernel spreads connections over them by
  hash.

Each worker builds the app, then moves everything alive at that point (routes, schemas,
templates, gazetteers: some 200,000 objects that live as long as the process) out of the
cyclic garbage collector's reach with ``gc.freeze()``: its full collections then scan only
what requests create. Measured under the list benchmark: pauses of 130-180 ms every few
seconds in each worker before, about 10 ms after.

The parent process only supervises: it restarts a worker that dies, and on SIGINT or SIGTERM
stops them all (each finishes its requests and commits its queued audit events). A worker
whose parent is killed outright stops by itself within a second.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

APP = "safecorridor.app:create_app"
#: uvicorn's exit status of a worker that could not start (its restart would fail the same way)
STARTUP_FAILURE = 3
log = logging.getLogger("safecorridor.server")


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    """Turn Nagle's algorithm off on ``transport``'s socket, if it is a TCP socket."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol (pure Python), with TCP_NODELAY on every connection it serves."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


class NoDelayHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C), with TCP_NODELAY on every connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        set_nodelay(transport)
        super().connection_made(transport)


def _uvicorn_options(host: str, port: int, log_level: str) -> dict[str, Any]:
    """The app under uvicorn with httptools and (where installed) uvloop: on the list benchmark
    they took about a tenth off each request's CPU time against h11 and asyncio's own loop."""
    return {
        "app": APP,
        "factory": True,
        "host": host,
        "port": port,
        "http": NoDelayHttpToolsProtocol,
        "loop": "auto",
        "log_level": log_level.lower(),
        # the app factory configures logging (ops/logs.py) in every process; uvicorn's access
        # log (raw paths with their query strings) gives way to the app's own access line
        "log_config": None,
        "access_log": False,
    }


def uvicorn_config(host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    return uvicorn.Config(**_uvicorn_options(host, port, log_level))


def prepared_server(config: uvicorn.Config) -> uvicorn.Server:
    """A server whose app is built, with everything built so far frozen out of the GC."""
    config.load()
    gc.collect()
    gc.freeze()
    return uvicorn.Server(config)


def reuseport_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` with SO_REUSEPORT (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _stop_when_orphaned(parent: int, interval: float = 1.0) -> None:
    """SIGTERM this process once its supervisor is gone (killed outright, it cannot stop us)."""
    while os.getppid() == parent:
        time.sleep(interval)
    os.kill(os.getpid(), signal.SIGTERM)


def _worker(host: str, port: int, log_level: str) -> None:
    """One worker process: its own listening socket on the shared port, one uvicorn server."""
    threading.Thread(
        target=_stop_when_orphaned, args=(os.getppid(),), name="orphan-watch", daemon=True
    ).start()
    config = uvicorn_config(host, port, log_level)
    try:
        sock = reuseport_socket(host, port)
    except OSError as exc:
        log.error("worker cannot bind %s:%d: %s", host, port, exc)
        raise SystemExit(STARTUP_FAILURE) from None
    prepared_server(config).run(sockets=[sock])


class Supervisor:
    """Runs ``workers`` processes of :func:`_worker` on one port until told to stop."""

    def __init__(self, host: str, port: int, workers: int, log_level: str = "info") -> None:
        self.host, self.log_level, self.workers = host, log_level, workers
        # the parent holds the port (bound, never listening, so it is given no connections):
        # port 0 picks a free port once, for every worker
        self._reservation = reuseport_socket(host, port)
        self.port = int(self._reservation.getsockname()[1])
        self._ctx = multiprocessing.get_context("spawn")
        self.processes: list[BaseProcess] = []
        self.stopping = threading.Event()
        self.failed = False

    def _start_one(self) -> BaseProcess:
        proc = self._ctx.Process(
            target=_worker, args=(self.host, self.port, self.log_level), daemon=False
        )
        proc.start()
        return proc

    def stop(self, *_: object) -> None:
        """Stop the workers and return from :meth:`run` (also the SIGINT/SIGTERM handler)."""
        self.stopping.set()

    def run(self) -> int:
        """Start the workers, keep them alive, stop them on SIGINT/SIGTERM; the exit status."""
        handlers = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.processes = [self._start_one() for _ in range(self.workers)]
            while not self.stopping.wait(0.5):
                self._keep_alive()
        finally:
            for proc in self.processes:
                if proc.is_alive():
                    proc.terminate()  # SIGTERM: uvicorn shuts down gracefully
            for proc in self.processes:
                proc.join(timeout=30)
                if proc.is_alive():
                    proc.kill()
                    proc.join()
            self._reservation.close()
            for sig, old in handlers.items():
                signal.signal(sig, old)
        return 1 if self.failed else 0

    def _keep_alive(self) -> None:
        for i, proc in enumerate(self.processes):
            if proc.is_alive() or self.stopping.is_set():
                continue
            if proc.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", proc.pid)
                self.failed = True
                self.stopping.set()
                return
            log.warning("worker %s died (exit %s); starting another", proc.pid, proc.exitcode)
            self.processes[i] = self._start_one()


def serve(host: str, port: int, *, workers: int = 1, log_level: str = "info") -> int:
    """Serve the app on ``host:port`` (blocks until stopped); the exit status.

    One worker runs in this process. Several run as processes of their own, each listening on
    the port with SO_REUSEPORT where the system has it (else through uvicorn's supervisor).
    """
    if workers <= 1:
        prepared_server(uvicorn_config(host, port, log_level)).run()
        return 0
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(**_uvicorn_options(host, port, log_level), workers=workers)
        return 0
    return Supervisor(host, port, workers, log_level).run()

"""`safecorridor serve`: TCP_NODELAY on every connection, workers that share the load, and a
supervisor that replaces a dead worker and stops cleanly."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import uvicorn

from safecorridor.api.server import NoDelayH11Protocol, NoDelayHttpToolsProtocol


async def _ok_app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]


def _serving_nodelay(http_protocol: type) -> int:
    """Serve on a socket bound as uvicorn's supervisor binds it; TCP_NODELAY of a connection."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as uvicorn's
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(_ok_app, http=http_protocol, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"ok"
        (protocol,) = server.server_state.connections  # the connection, still open
        sock = protocol.transport.get_extra_info("socket")
        value = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        conn.close()
        return int(value)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.mark.parametrize("protocol", [NoDelayHttpToolsProtocol, NoDelayH11Protocol])
def test_connections_get_tcp_nodelay_on_a_socket_handed_over_by_a_supervisor(
    protocol: type,
) -> None:
    assert _serving_nodelay(protocol) != 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False


def _workers(parent: psutil.Process) -> list[psutil.Process]:
    """The parent's live worker processes (spawn also starts a resource tracker)."""
    found = []
    for p in parent.children():
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "resource_tracker" not in " ".join(
                p.cmdline()
            ):
                found.append(p)
        except psutil.Error:  # gone meanwhile
            continue
    return found


def _listening(parent: psutil.Process, port: int) -> int:
    """How many workers listen on ``port`` (each has a socket of its own)."""
    return sum(
        any(
            k.status == psutil.CONN_LISTEN and k.laddr.port == port
            for k in w.net_connections(kind="tcp")
        )
        for w in _workers(parent)
    )


def _wait(predicate, timeout: float = 180.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _serve_two_workers(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`safecorridor serve --workers 2` on a free port, over a new SQLite database."""
    port = _free_port()
    env = {**os.environ, "SAFECORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path / 'sc.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "safecorridor", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, port


@pytest.mark.slow
def test_serve_spreads_connections_over_workers_replaces_a_dead_one_and_stops(
    tmp_path: Path,
) -> None:
    server, port = _serve_two_workers(tmp_path)
    try:
        parent = psutil.Process(server.pid)
        assert _wait(lambda: _listening(parent, port) == 2 and _healthy(port))
        # 20 keep-alive clients that connect at once, as a load test or a proxy does
        clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(20)]
        for c in clients:
            c.connect()
        for c in clients:
            c.request("GET", "/healthz")
            assert c.getresponse().read()
        held = {
            w.pid: sum(
                1
                for k in w.net_connections(kind="tcp")
                if k.status == psutil.CONN_ESTABLISHED and k.laddr.port == port
            )
            for w in _workers(parent)
        }
        assert sum(held.values()) == 20
        assert min(held.values()) >= 1, f"one worker serves every connection: {held}"
        for c in clients:
            c.close()

        # a worker that dies is replaced, and the port keeps answering
        victim = _workers(parent)[0].pid
        os.kill(victim, signal.SIGKILL)
        assert _wait(
            lambda: (
                victim not in {w.pid for w in _workers(parent)}
                and _listening(parent, port) == 2
                and _healthy(port)
            )
        )
        workers = _workers(parent)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        assert not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers)
        assert not _healthy(port)
    finally:
        _kill_tree(server)


def _kill_tree(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        for child in psutil.Process(server.pid).children(recursive=True):
            child.kill()
        server.kill()
        server.wait()


@pytest.mark.slow
def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    server, port = _serve_two_workers(tmp_path)
    try:
        parent = psutil.Process(server.pid)
        assert _wait(lambda: _listening(parent, port) == 2)
        workers = _workers(parent)
        server.kill()  # SIGKILL: the supervisor cannot pass anything on
        server.wait()
        _, alive = psutil.wait_procs(workers, timeout=30)
        assert not alive, f"orphaned workers still running: {[p.pid for p in alive]}"
        assert not _healthy(port)
    finally:
        _kill_tree(server)

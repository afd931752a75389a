"""Which SafeCorridor processes are using a database: a lock that every server and worker
holds shared while it runs, and that ``restore`` takes exclusively (or is told who holds it).

- **SQLite**: an advisory ``flock`` on ``<database>.in-use``, a file beside the database (never
  on the database itself: SQLite's own POSIX locks live there). A holder also publishes one
  line (role, pid, host, command) as a file in ``<database>.in-use.d/`` that it keeps locked,
  so a refusal names who is running; a file nobody locks any more is that of a process that
  died, and the next holder or restore deletes it. The kernel drops a ``flock`` when the
  last descriptor of its open file closes, so a process killed outright holds nothing: a
  crashed server never blocks a restore.
- **PostgreSQL**: a session-level advisory lock on two keys (SafeCorridor's and a hash of the
  schema: one database may hold several deployments, one per schema), taken on a connection
  of its own, outside the pool, whose ``application_name`` names the process
  (``safecorridor server pid 123 on web-1``); restore reads the holders from ``pg_locks`` and
  ``pg_stat_activity``. PostgreSQL ends the session, and the lock, when the process dies; for
  a host that vanishes, TCP keepalives set on that session end it within about two minutes.
  A thread pings the connection every :data:`HEARTBEAT_SECONDS` and takes the lock again on
  a new connection if it was lost (the database restarted). A session pooler in transaction
  mode (PgBouncer) cannot carry a session lock: point the servers at PostgreSQL itself.

A process that starts while a restore holds the lock waits for the restore to end, then drops
the connections it had opened before (they would read the replaced files), so it runs on the
restored database. Taking the lock costs a file open (SQLite) or one connection and a ping
every half minute (PostgreSQL); a lock that cannot be taken (an unwritable folder, an
unreachable database) is logged and the process runs without it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import socket
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from safecorridor.errors import InvalidInputError

if sys.platform != "win32":
    import fcntl

log = logging.getLogger("safecorridor.running")

SERVER = "server"
WORKER = "worker"
RESTORE = "restore"
#: how each role is stopped under the shipped systemd units (deploy/systemd)
UNITS = {SERVER: "safecorridor-serve", WORKER: "safecorridor-worker"}
#: the first key of the PostgreSQL advisory lock (the second is the schema's crc32); the audit
#: chain's transaction lock takes a single 64-bit key, another space of keys
PG_KEY = 0x5AFEC0
#: seconds between two pings of the PostgreSQL lock's connection
HEARTBEAT_SECONDS = 30.0
#: a vanished client's session (and lock) ends after 60 s idle + 6 unanswered probes 10 s apart
PG_KEEPALIVES = (
    ("tcp_keepalives_idle", "60"),
    ("tcp_keepalives_interval", "10"),
    ("tcp_keepalives_count", "6"),
)
_PG_NAME = re.compile(r"^safecorridor (\w+) pid (\d+) on (.+)$")


class InUseCheckError(InvalidInputError):
    """Whether the database is in use cannot be found out; the message says why."""


@dataclass(frozen=True)
class Holder:
    """A process holding a database's in-use lock. ``role``: server, worker, or process when
    it could not be told (a lock held by a process that published nothing readable)."""

    role: str
    pid: int | None = None
    host: str | None = None
    command: str = ""


@dataclass
class Usage:
    """What :func:`exclusive_use` found: the database and the processes using it (none: the
    lock is this process's until the block ends)."""

    where: str
    holders: list[Holder] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.holders)

    def _groups(self) -> dict[tuple[str, str | None, str], list[int]]:
        """The holders by (role, host, command): a server's worker processes are one."""
        groups: dict[tuple[str, str | None, str], list[int]] = {}
        for h in self.holders:
            pids = groups.setdefault((h.role, h.host, h.command), [])
            if h.pid is not None and h.pid not in pids:
                pids.append(h.pid)
        return groups

    @property
    def many(self) -> bool:
        groups = self._groups()
        return len(groups) > 1 or sum(len(pids) for pids in groups.values()) > 1

    def who(self) -> str:
        """``a SafeCorridor server (pid 12 on web-1: safecorridor serve) is using X``."""
        parts = []
        for (role, host, command), pids in self._groups().items():
            bits = [f"pid{'s' if len(pids) > 1 else ''} {', '.join(map(str, sorted(pids)))}"]
            bits = (bits if pids else []) + ([f"on {host}"] if host else [])
            detail = ": ".join(b for b in (" ".join(bits), command) if b)
            parts.append(f"a SafeCorridor {role}" + (f" ({detail})" if detail else ""))
        if not parts:
            return f"nothing is using {self.where}"
        who = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"{who} {'are' if self.many else 'is'} using {self.where}"

    def describe(self) -> str:
        """One line: who is using the database and how to stop them."""
        units = sorted({UNITS[h.role] for h in self.holders if h.role in UNITS})
        how = "SIGTERM"
        if units:
            how += f", or `systemctl stop {' '.join(units)}` under systemd"
        return f"{self.who()}; stop {'them' if self.many else 'it'} first ({how})"


UNKNOWN = Holder(role="process")


def _command() -> str:
    """This process's command line, shortened (``python -m safecorridor``: ``safecorridor``)."""
    argv = list(sys.argv) or ["python"]
    name = Path(argv[0]).name
    head = {"__main__.py": ["safecorridor"], "-c": ["python", "-c"], "": ["python"]}
    return shlex.join([*head.get(name, [name]), *argv[1:]])[:160]


@dataclass
class Hold:
    """This process's hold on a database's in-use lock. ``waited``: a restore held it when
    the process started, and the engine's older connections were dropped once it ended."""

    role: str
    waited: bool = False
    held: bool = False

    def check(self) -> bool:
        """Take the lock again if it was lost (PostgreSQL); True when it did."""
        return False

    def release(self) -> None:
        self.held = False


# --- SQLite: flock on a file beside the database ------------------------------------------


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a SQLite engine; None for another backend or in memory."""
    url = engine.url
    db = url.database
    if url.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).resolve()


def lock_file(db: Path) -> Path:
    return db.with_name(db.name + ".in-use")


def holders_folder(db: Path) -> Path:
    return db.with_name(db.name + ".in-use.d")


def _entries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))


def _live_entries(folder: Path) -> list[Holder]:
    """The holders whose files are still locked; the files of dead processes are deleted."""
    found = []
    for path in _entries(folder):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # deleted by its process meanwhile, or not ours to read
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                found.append(_read_entry(fd))
            else:  # nobody holds it: its process is gone
                with suppress(OSError):
                    path.unlink()
        finally:
            os.close(fd)
    return found


def _read_entry(fd: int) -> Holder:
    try:
        data = json.loads(os.read(fd, 4096).decode("utf-8"))
        return Holder(
            role=str(data["role"]),
            pid=int(data["pid"]),
            host=str(data["host"]),
            command=str(data.get("command", "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return UNKNOWN


def _publish(folder: Path, role: str) -> tuple[Path, int]:
    """A locked file in ``folder`` saying who this process is; (its path, its descriptor).
    It is written under a hidden name and renamed once locked, so a visible file without a
    lock is always a dead process's."""
    folder.mkdir(exist_ok=True)
    _live_entries(folder)  # deletes the files of processes that died
    fd, tmp = tempfile.mkstemp(prefix=".new-", suffix=".json", dir=folder)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.fchmod(fd, 0o644)  # a restore run as another user reads who this is
        line = {
            "role": role,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command(),
        }
        os.write(fd, json.dumps(line).encode("utf-8"))
        entry = folder / f"{role}-{os.getpid()}-{Path(tmp).stem.removeprefix('.new-')}.json"
        os.rename(tmp, entry)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return entry, fd


def _open_lock(db: Path) -> int:
    db.parent.mkdir(parents=True, exist_ok=True)
    return os.open(lock_file(db), os.O_RDONLY | os.O_CREAT, 0o644)


@dataclass
class _FileHold(Hold):
    fd: int = -1
    entry: Path | None = None
    entry_fd: int = -1

    def release(self) -> None:
        if self.entry is not None:
            self.entry.unlink(missing_ok=True)
        for fd in (self.entry_fd, self.fd):
            if fd >= 0:
                os.close(fd)  # the last descriptor: the kernel drops the lock
        self.fd = self.entry_fd = -1
        self.entry = None
        super().release()


def _hold_file(db: Path, role: str) -> Hold:
    hold = _FileHold(role=role, fd=_open_lock(db))
    try:
        try:
            fcntl.flock(hold.fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s is being restored: waiting for the restore to end", db)
            fcntl.flock(hold.fd, fcntl.LOCK_SH)
            hold.waited = True
        hold.held = True
        hold.entry, hold.entry_fd = _publish(holders_folder(db), role)
    except BaseException:
        hold.release()
        raise
    return hold


@contextmanager
def _exclusive_file(db: Path) -> Iterator[Usage]:
    try:
        fd = _open_lock(db)
    except OSError as exc:
        raise InUseCheckError(
            f"cannot tell whether a server is using {db}: {lock_file(db)}: {exc.strerror}"
        ) from None
    entry, entry_fd = None, -1
    try:
        usage = Usage(where=str(db))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            usage.holders = _live_entries(holders_folder(db)) or [UNKNOWN]
        else:  # named, for another restore; tidies what dead processes left
            with suppress(OSError):
                entry, entry_fd = _publish(holders_folder(db), RESTORE)
        yield usage
    finally:
        if entry is not None:
            entry.unlink(missing_ok=True)
            os.close(entry_fd)
        os.close(fd)


# --- PostgreSQL: a session-level advisory lock on a connection of its own -------------------


def _pg_connect(engine: Engine, name: str) -> Any:
    """A DB-API connection of ``engine``'s (its URL and connect arguments: the schema), taken
    out of the pool, in autocommit (a lock held in an open transaction would keep it open),
    named ``name`` in ``pg_stat_activity``."""
    proxy = engine.raw_connection()
    proxy.detach()  # engine.dispose() leaves it alone; closing it closes the connection
    try:
        conn: Any = proxy.dbapi_connection
        conn.rollback()  # the pool's ping may have begun a transaction
        conn.autocommit = True
        _pg(conn, "SELECT set_config('application_name', %s, false)", name[:63])
        for setting, value in PG_KEEPALIVES:
            _pg(conn, "SELECT set_config(%s, %s, false)", setting, value)
    except BaseException:
        proxy.close()
        raise
    return proxy


def _pg(conn: Any, sql: str, *params: Any) -> Any:
    cur = conn.cursor()
    try:
        cur.execute(sql, params)
        row = cur.fetchone()
        return row[0] if row else None
    finally:
        cur.close()


def _pg_keys(conn: Any) -> tuple[int, int]:
    schema = _pg(conn, "SELECT coalesce(current_schema(), current_setting('search_path'))")
    return PG_KEY, zlib.crc32(str(schema).encode("utf-8")) & 0x7FFFFFFF


def _pg_where(engine: Engine, conn: Any) -> str:
    schema = _pg(conn, "SELECT current_schema()")
    return f"schema {schema} of {engine.url.render_as_string(hide_password=True)}"


def _pg_holders(conn: Any, keys: tuple[int, int]) -> list[Holder]:
    cur = conn.cursor()
    try:
        cur.execute(
            "SELECT a.pid, a.application_name, host(a.client_addr)"
            " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.pid <> pg_backend_pid()"
            " ORDER BY a.pid",
            keys,
        )
        rows = cur.fetchall()
    finally:
        cur.close()
    found = []
    for backend, name, client in rows:
        named = _PG_NAME.match(name or "")
        if named:
            found.append(Holder(named[1], int(named[2]), named[3]))
        else:  # a name the server will not show this role, or none
            found.append(Holder("process", None, client, f"PostgreSQL backend {backend}"))
    return found


def _name(role: str) -> str:
    return f"safecorridor {role} pid {os.getpid()} on {socket.gethostname()}"


@dataclass
class _PgHold(Hold):
    engine: Engine | None = None
    conn: Any = None
    stopped: threading.Event = field(default_factory=threading.Event)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def take(self, *, wait: bool) -> bool:
        """Connect and take the lock shared; when a restore holds it, wait for its end (or,
        ``wait`` false, give up). True when the lock is held."""
        assert self.engine is not None
        conn = _pg_connect(self.engine, _name(self.role))
        try:
            keys = _pg_keys(conn)
            if not _pg(conn, "SELECT pg_try_advisory_lock_shared(%s, %s)", *keys):
                if not wait:
                    conn.close()
                    return False
                log.warning(
                    "%s is being restored: waiting for the restore to end",
                    self.engine.url.render_as_string(hide_password=True),
                )
                _pg(conn, "SELECT pg_advisory_lock_shared(%s, %s)", *keys)
                self.waited = True
        except BaseException:
            with suppress(Exception):
                conn.close()
            raise
        self.conn, self.held = conn, True
        return True

    def check(self) -> bool:
        with self.guard:
            if self.stopped.is_set():
                return False
            if self.conn is not None:
                try:
                    _pg(self.conn, "SELECT 1")
                    return False
                except Exception:  # the connection is gone, and the lock with it
                    with suppress(Exception):
                        self.conn.close()
                    self.conn, self.held = None, False
                    log.warning("the in-use lock's connection was lost; taking the lock again")
            try:
                return self.take(wait=False)
            except Exception as exc:  # still unreachable: the next beat tries again
                log.warning("cannot take the in-use lock again: %s", exc)
                return False

    def beat(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            self.check()

    def release(self) -> None:
        self.stopped.set()
        if self.guard.acquire(timeout=10):  # a ping stuck on a dead network: leave it to exit
            try:
                if self.conn is not None:
                    # unlocked first: the session's end drops the lock too, but only once
                    # the server's backend has exited, after close() has returned
                    with suppress(Exception):
                        _pg(self.conn, "SELECT pg_advisory_unlock_all()")
                    with suppress(Exception):
                        self.conn.close()
                    self.conn = None
            finally:
                self.guard.release()
        super().release()


@contextmanager
def _exclusive_pg(engine: Engine) -> Iterator[Usage]:
    conn = _pg_connect(engine, _name(RESTORE))
    try:
        keys = _pg_keys(conn)
        usage = Usage(where=_pg_where(engine, conn))
        if not _pg(conn, "SELECT pg_try_advisory_lock(%s, %s)", *keys):
            usage.holders = _pg_holders(conn, keys) or [UNKNOWN]
        yield usage
    finally:
        # unlocked before the connection closes: a session's locks outlive close() until its
        # backend has exited, and a restore right after this look would find this one
        with suppress(Exception):
            _pg(conn, "SELECT pg_advisory_unlock_all()")
        with suppress(Exception):
            conn.close()


# --- entry points ------------------------------------------------------------------------


@contextmanager
def in_use(engine: Engine, role: str) -> Iterator[Hold]:
    """Hold ``engine``'s database in use as a ``role`` (server, worker) while the block runs.

    Waits while a restore runs, then disposes of the engine's pooled connections (opened on
    the database the restore replaced). A lock that cannot be taken is logged, not raised."""
    hold: Hold = Hold(role=role)
    db = sqlite_file(engine)
    try:
        if db is not None and sys.platform != "win32":
            hold = _hold_file(db, role)
        elif engine.dialect.name == "postgresql":
            pg = _PgHold(role=role, engine=engine)
            pg.take(wait=True)
            threading.Thread(target=pg.beat, name="in-use-lock", daemon=True).start()
            hold = pg
    except Exception as exc:  # the process runs on; a restore will not see it
        log.warning(
            "cannot hold %s in use (%s): `safecorridor restore` will not see this %s",
            engine.url.render_as_string(hide_password=True),
            exc,
            role,
        )
    if hold.waited:
        engine.dispose()
    try:
        yield hold
    finally:
        hold.release()


@contextmanager
def exclusive_use(engine: Engine) -> Iterator[Usage]:
    """Try to take ``engine``'s in-use lock exclusively, without waiting. The usage found:
    empty, the lock is held until the block ends (a server starting meanwhile waits); else
    the processes holding it, and nothing is held."""
    db = sqlite_file(engine)
    if db is not None and sys.platform != "win32":
        with _exclusive_file(db) as usage:
            yield usage
    elif engine.dialect.name == "postgresql":
        with _exclusive_pg(engine) as usage:
            yield usage
    else:
        yield Usage(where=engine.url.render_as_string(hide_password=True))


def usage_of(engine: Engine) -> Usage:
    """The processes using ``engine``'s database now (none: none holds the lock)."""
    with exclusive_use(engine) as usage:
        return usage

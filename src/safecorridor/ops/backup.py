"""Online backup and checked restore, with a manifest of files, digests and audit heads.

Invariants:

- A backup is a point-in-time copy taken while the server runs. On SQLite both files (the
  records and the audit read log ``*-audit-reads.db``) are copied with SQLite's backup API
  from read transactions opened together: the read log's write lock is held (for
  microseconds) while both snapshots are taken, so no read event falls between them; the
  copy itself runs from the snapshots while writers go on. On PostgreSQL ``pg_dump`` dumps
  the application's schema from a snapshot exported by the transaction that reads the
  audit heads, so the manifest and the dump show the same instant.
- ``manifest.json`` names every file with its size and sha256, and each audit log's event
  count and head (last id and hash), read from the copy (SQLite) or the snapshot
  (PostgreSQL) with :mod:`safecorridor.sharing.audit`'s verify and count functions. A
  backup whose chain does not verify is refused, not written.
- A backup never overwrites: its destination must be new or an empty directory.
- A restore checks everything before it replaces anything: the manifest's format, each
  file's digest, then each chain (verified, with the manifest's count and head), then the
  backup's records against their last audited states, as ``audit verify`` compares them
  (:func:`safecorridor.sharing.audit.state.state_problems`): a backup whose records differ
  from its own chain is refused, naming how many and the first few, unless
  ``accept_tampered`` (then the restore says what it took). On SQLite
  the checked copies are staged beside the database and moved in with ``os.replace``; the
  files they replace are kept as ``*.before-restore-<stamp>`` (nothing is lost), and stale
  ``-wal``/``-shm`` files are moved aside with them. On PostgreSQL the live schema is
  renamed aside, the dump restored into a fresh schema of the same name and its chain and
  records verified; if they do not verify, the restored schema is dropped and the old one
  renamed back.
- A restore refuses while a server or worker uses the database (they hold its in-use lock,
  :mod:`safecorridor.ops.running`), naming them; ``force`` restores under them. It holds the
  lock exclusively while it replaces anything, so a server that starts meanwhile waits and
  then runs on the restored database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

import safecorridor.models  # noqa: F401  (every table mapped: the records' check reads them all)
from safecorridor import __version__
from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine
from safecorridor.errors import InvalidInputError
from safecorridor.incidents.models import IncidentsEpoch, read_incidents_epoch
from safecorridor.ops.running import InUseCheckError, Usage, exclusive_use
from safecorridor.sharing.audit import count_events, read_key, read_log_url, verify_chain
from safecorridor.sharing.audit.state import state_problems
from safecorridor.sharing.audit.verify import legacy_limits
from safecorridor.sharing.models import AuditEvent

MANIFEST = "manifest.json"
FORMAT = 1
PG_DUMP_NAME = "safecorridor.dump"
#: how many of the records that differ from the chain a refused restore names
NAMED = 5


class BackupError(InvalidInputError):
    """A backup or restore that cannot be done as asked; the message says why."""


@dataclass
class LogHead:
    """One audit chain in a backup: its events, last id and hash, as verified."""

    log: str
    file: str | None
    count: int
    last_id: int
    head: str


@dataclass
class Manifest:
    format: int
    backend: str
    created_at: str
    version: str
    files: list[dict[str, Any]] = field(default_factory=list)
    audit: list[LogHead] = field(default_factory=list)
    schema: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"{path}: backup format {data.get('format')!r}, this version reads {FORMAT}"
                )
            audit = [LogHead(**h) for h in data.pop("audit")]
            return cls(**data, audit=audit)
        except (ValueError, TypeError, KeyError) as exc:
            raise BackupError(f"{path} is not a readable manifest: {exc}") from None


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _prepare_dest(dest: Path) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty directory; a backup never overwrites")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"{dest}: cannot be made a folder ({exc.strerror})") from None


def _head(
    session: Session,
    log: str,
    file: str | None,
    *,
    where: str = "",
    limits: dict[str, int] | None = None,
) -> LogHead:
    """The verified head of one log (under the deployment's audit key); ``limits`` are the
    records database's legacy counts when ``session`` is another file (the read log)."""
    limits = legacy_limits(session) if limits is None else limits
    report = verify_chain(session, key=read_key(), legacy_limit=limits.get(log, 0))
    if not report.is_intact:
        raise BackupError(
            f"the {log} chain{where} is broken at event {report.broken_id} ({report.reason})"
        )
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return LogHead(
        log=log,
        file=file,
        count=count_events(session),
        last_id=int(last[0]) if last else 0,
        head=str(last[1]) if last else "",
    )


def _file_entry(path: Path, role: str) -> dict[str, Any]:
    return {
        "name": path.name,
        "role": role,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
    }


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_paths(url: URL) -> tuple[Path, Path | None]:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    records = Path(url.database)
    if not records.is_file():
        raise BackupError(f"no database at {records}")
    log_url = read_log_url(url)
    reads = Path(log_url.database) if log_url is not None and log_url.database else None
    return records, reads if reads is not None and reads.is_file() else None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _chain_of(
    path: Path, log: str, where: str = "", limits: dict[str, int] | None = None
) -> LogHead:
    engine = make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            return _head(session, log, path.name, where=where, limits=limits)
    finally:
        engine.dispose()


def _limits_of(path: Path) -> dict[str, int]:
    """The legacy counts recorded in a copy of the records' database."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:
            return legacy_limits(session)
    finally:
        engine.dispose()


def _backup_sqlite(engine: Engine, dest: Path, manifest: Manifest) -> None:
    records, reads = _sqlite_paths(engine.url)
    sources = [(records, "records", "audit log")]
    if reads is not None:
        sources.append((reads, "read log", "read log"))
    conns = [_connect(p) for p, _, _ in sources]
    lock = _connect(reads) if reads is not None else None
    try:
        if lock is not None:  # no read event is appended while the snapshots are taken
            lock.execute("BEGIN IMMEDIATE")
        for conn in conns:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot
        if lock is not None:
            lock.execute("ROLLBACK")
        for conn, (path, _, _) in zip(conns, sources, strict=True):
            target = sqlite3.connect(dest / path.name)
            try:
                conn.backup(target)
            finally:
                target.close()
            conn.execute("ROLLBACK")
    finally:
        for conn in [*conns, *([lock] if lock else [])]:
            conn.close()
    limits = _limits_of(dest / records.name)
    for path, role, log in sources:
        copy = dest / path.name
        manifest.audit.append(_chain_of(copy, log, limits=limits))
        manifest.files.append(_file_entry(copy, role))


def _aside(path: Path, stamp: str) -> Path | None:
    """Move ``path`` (and its -wal/-shm) aside; the main file's new name, if it existed."""
    moved = None
    for suffix in ("", "-wal", "-shm"):
        p = path.with_name(path.name + suffix)
        if p.exists():
            target = p.with_name(f"{path.name}.before-restore-{stamp}{suffix}")
            os.replace(p, target)
            if not suffix:
                moved = target
    return moved


def _restore_sqlite(
    engine: Engine, src: Path, manifest: Manifest, stamp: str, *, accept_tampered: bool
) -> list[str]:
    url = engine.url
    if not url.database or url.database == ":memory:":
        raise BackupError("cannot restore into an in-memory SQLite database")
    records = Path(url.database)
    log_url = read_log_url(url)
    targets = {"records": records}
    if log_url is not None and log_url.database:
        targets["read log"] = Path(log_url.database)
    for f in manifest.files:
        if f["role"] not in targets:
            raise BackupError(f"{src}: file {f['name']!r} has unknown role {f['role']!r}")
    records.parent.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    limits: dict[str, int] | None = None
    accepted: str | None = None
    try:
        # the records first: the read log's legacy count is kept in the records' database
        for f in sorted(manifest.files, key=lambda f: f["role"] != "records"):
            target = targets[f["role"]]
            stage = target.with_name(f".{target.name}.restoring-{stamp}")
            shutil.copyfile(src / f["name"], stage)
            staged.append((stage, target))
            if sha256_file(stage) != f["sha256"]:
                raise BackupError(f"{src / f['name']}: changed while it was read; try again")
            if f["role"] == "records":
                limits = _limits_of(stage)
            head = next((h for h in manifest.audit if h.file == f["name"]), None)
            if head is not None:
                found = _chain_of(stage, head.log, f" of {src / f['name']}", limits=limits)
                _check_head(found, head, src)
            if f["role"] == "records":  # after its chain: the states are read from it
                copy = make_engine(f"sqlite:///{stage}")
                try:
                    accepted = _check_states(
                        copy, f" of {src / f['name']}", accept_tampered=accept_tampered
                    )
                finally:
                    copy.dispose()
        engine.dispose()
        done = [accepted] if accepted else []
        for stage, target in staged:
            moved = _aside(target, stamp)
            os.replace(stage, target)
            done.append(f"{target}" + (f" (the old one kept as {moved.name})" if moved else ""))
        # a read log that the backup did not have must not survive beside the restored records
        if "read log" in targets and not any(f["role"] == "read log" for f in manifest.files):
            moved = _aside(targets["read log"], stamp)
            if moved:
                done.append(f"no read log in the backup: {moved.name} set aside")
        return done
    finally:
        for stage, _ in staged:
            stage.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                stage.with_name(stage.name + suffix).unlink(missing_ok=True)


def _check_states(engine: Engine, where: str, *, accept_tampered: bool) -> str | None:
    """Compare the backup's records (behind ``engine``) with their last audited states, as
    ``audit verify`` does. Refuse (BackupError, one line: how many differ, the first few by
    table and id) unless ``accept_tampered``; then what was accepted, to say (None: all
    match)."""
    try:
        problems = state_problems(engine)
    except SQLAlchemyError as exc:  # a schema this version cannot read (an older backup)
        found = f"cannot be compared with their audit chain ({type(exc).__name__})"
        if accept_tampered:
            return f"--accept-tampered: the records{where} {found}"
        raise BackupError(
            f"the records{where} {found}; --accept-tampered restores without the comparison"
        ) from None
    if not problems:
        return None
    n = len(problems)
    named = ", ".join(
        p.table if p.record_id is None else f"{p.table} {p.record_id}" for p in problems[:NAMED]
    )
    more = f" and {n - NAMED} more" if n > NAMED else ""
    found = (
        f"{n} record{'s' if n != 1 else ''}{where} differ{'s' if n == 1 else ''} from their "
        f"last audited state in the backup's own audit chain ({named}{more})"
    )
    if accept_tampered:
        return f"--accept-tampered: {found}; `safecorridor audit verify` names each field"
    raise BackupError(
        f"{found}: changed outside the audited services; --accept-tampered restores it anyway"
    )


def _check_head(found: LogHead, expected: LogHead, src: Path) -> None:
    if (found.count, found.last_id, found.head) != (
        expected.count,
        expected.last_id,
        expected.head,
    ):
        raise BackupError(
            f"{src}: the {expected.log} in the copy has {found.count} events ending at "
            f"{found.last_id} ({found.head[:12]}), the manifest says {expected.count} ending "
            f"at {expected.last_id} ({expected.head[:12]}); refusing to restore"
        )


# --- PostgreSQL --------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools (the server's major "
            "version or newer) to back up or restore a PostgreSQL database"
        )
    return path


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for the client tools (the password through the environment)."""
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    args += ["--dbname", url.database or "postgres"]
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _backup_pg(engine: Engine, dest: Path, manifest: Manifest) -> None:
    pg_dump = _pg_tool("pg_dump")
    args, env = _libpq(engine.url)
    out = dest / PG_DUMP_NAME
    with (
        engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as conn,
        conn.begin(),
    ):
        snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        with Session(bind=conn) as session:
            manifest.audit.append(_head(session, "audit log", None))
        # the dump sees what this transaction sees (it stays open until the dump is done)
        _run(
            [
                pg_dump,
                *args,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--schema={schema}",
                "--no-owner",
                "--file",
                str(out),
            ],
            env,
        )
    manifest.schema = str(schema)
    manifest.files.append(_file_entry(out, "dump"))


def _restore_pg(
    engine: Engine, src: Path, manifest: Manifest, stamp: str, *, accept_tampered: bool
) -> list[str]:
    pg_restore = _pg_tool("pg_restore")
    args, env = _libpq(engine.url)
    dumps = [f for f in manifest.files if f["role"] == "dump"]
    if len(dumps) != 1:
        raise BackupError(f"{src}: the manifest lists {len(dumps)} PostgreSQL dumps, not one")
    dump = dumps[0]
    path = src / dump["name"]
    listing = _run([pg_restore, "--list", str(path)], env)  # readable, whole
    with engine.connect() as conn:
        schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    if schema != manifest.schema:
        raise BackupError(
            f"{src} holds schema {manifest.schema!r}; this database works in {schema!r}"
        )
    aside = f"{schema}_before_restore_{stamp}"[:63]
    # pg_dump leaves out CREATE SCHEMA for ``public``: then the restore needs it made
    creates = re.search(rf"^\S+ \d+ \d+ SCHEMA - {re.escape(schema)} ", listing, re.MULTILINE)
    with engine.begin() as conn:
        conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{aside}"'))
        if creates is None:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    try:
        _run([pg_restore, *args, "--no-owner", "--exit-on-error", str(path)], env)
        with Session(engine) as session:
            head = manifest.audit[0]
            _check_head(_head(session, head.log, None, where=f" of {src}"), head, src)
        accepted = _check_states(engine, f" of {src}", accept_tampered=accept_tampered)
    except BaseException:
        engine.dispose()
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'ALTER SCHEMA "{aside}" RENAME TO "{schema}"'))
        raise
    done = [f"schema {schema} (the old one kept as schema {aside})"]
    return [accepted, *done] if accepted else done


# --- entry points ------------------------------------------------------------------------


def backup(engine: Engine, dest: Path, *, now: datetime | None = None) -> Manifest:
    """Take a consistent online copy of ``engine``'s database into the new folder ``dest``."""
    backend = engine.dialect.name
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"cannot back up a {backend} database")
    _prepare_dest(dest)
    manifest = Manifest(
        format=FORMAT,
        backend=backend,
        created_at=(now or utcnow()).isoformat(),
        version=__version__,
    )
    try:
        if backend == "sqlite":
            _backup_sqlite(engine, dest, manifest)
        else:
            _backup_pg(engine, dest, manifest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    (dest / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def check_backup(src: Path) -> Manifest:
    """The backup's manifest, once every file it lists is there with its digest."""
    manifest = Manifest.read(src)
    if not manifest.files:
        raise BackupError(f"{src}: the manifest lists no file")
    for f in manifest.files:
        name = str(f.get("name", ""))
        path = src / name
        if not name or Path(name).name != name:
            raise BackupError(f"{src}: the manifest names a file outside the backup: {name!r}")
        if not path.is_file():
            raise BackupError(f"{src}: {name} is missing")
        if sha256_file(path) != f.get("sha256"):
            raise BackupError(f"{src}: {name} does not match its sha256 in the manifest")
    return manifest


def in_use_refusal(usage: Usage) -> str:
    """Why a restore will not run under ``usage``'s processes, and what to do, on one line."""
    return f"{usage.describe()}, or pass --force to restore anyway"


def restore(
    engine: Engine,
    src: Path,
    *,
    now: datetime | None = None,
    force: bool = False,
    accept_tampered: bool = False,
) -> list[str]:
    """Check the backup in ``src`` whole, then replace ``engine``'s database with it, unless
    a server or worker is using it (``force``: even then) or its records differ from its own
    audit chain (``accept_tampered``: even then). Returns what was replaced (and where the
    old copies were kept), after what ``accept_tampered`` let through, if anything."""
    manifest = check_backup(src)
    backend = engine.dialect.name
    if manifest.backend != backend:
        raise BackupError(f"{src} is a {manifest.backend} backup; this database is {backend}")
    stamp = (now or utcnow()).strftime("%Y%m%d%H%M%S")
    with ExitStack() as held:  # the in-use lock, exclusive while anything is replaced
        try:
            usage = held.enter_context(exclusive_use(engine))
        except InUseCheckError as exc:
            raise BackupError(str(exc)) from None
        if usage and not force:
            raise BackupError(in_use_refusal(usage))
        before = _incidents_epoch(engine)
        if backend == "sqlite":
            done = _restore_sqlite(engine, src, manifest, stamp, accept_tampered=accept_tampered)
        else:
            done = _restore_pg(engine, src, manifest, stamp, accept_tampered=accept_tampered)
        _move_epoch_past(engine, before)
    return done


def _incidents_epoch(engine: Engine) -> int:
    """The incidents' epoch; 0 without a database or before migration 0016."""
    try:
        with engine.connect() as conn:
            return read_incidents_epoch(conn)
    except DBAPIError:  # no database or a schema before 0016
        return 0


def _move_epoch_past(engine: Engine, before: int) -> None:
    """Raise the restored database's incidents epoch past the one it replaced: a process that
    cached risk surfaces of the old incidents must not take the restored ones for them."""
    try:
        with engine.begin() as conn:
            restored = read_incidents_epoch(conn)
            conn.execute(update(IncidentsEpoch).values(epoch=max(before, restored) + 1))
    except DBAPIError:  # a backup from before 0016: ``db upgrade`` makes the row
        pass


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(make_url(url).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()


# --- scheduled backups with retention (the worker's ``backup`` step) ----------------------

#: the folders a scheduled backup makes in its directory: ``safecorridor-<UTC stamp>``
SCHEDULED_PREFIX = "safecorridor-"
_STAMP = "%Y%m%dT%H%M%SZ"
#: how many backups a schedule may keep, at most
MAX_KEEP = 1000


@dataclass(frozen=True)
class BackupSchedule:
    """Take a backup into a new folder of ``folder`` when the newest there is ``every`` old
    (or there is none), and keep the ``keep`` newest."""

    folder: Path
    every: timedelta
    keep: int

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise BackupError(f"backups every {self.every}: give a positive interval")
        if not 1 <= self.keep <= MAX_KEEP:
            raise BackupError(f"keep {self.keep} backups: give 1 to {MAX_KEEP}")


def _stamp_of(path: Path) -> datetime | None:
    if not path.is_dir() or not path.name.startswith(SCHEDULED_PREFIX):
        return None
    try:
        return datetime.strptime(path.name[len(SCHEDULED_PREFIX) :], _STAMP)
    except ValueError:
        return None


def scheduled_backups(folder: Path) -> list[tuple[datetime, Path, bool]]:
    """The scheduled backups in ``folder``, oldest first: (when, where, complete). A folder
    without a manifest is one that was being written when its process stopped."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        stamp = _stamp_of(path)
        if stamp is not None:
            found.append((stamp, path, (path / MANIFEST).is_file()))
    return sorted(found)


def prune_backups(folder: Path, keep: int) -> list[Path]:
    """Delete the complete scheduled backups beyond the ``keep`` newest, and the incomplete
    ones older than the newest complete one; the deleted folders. Other files are left."""
    backups = scheduled_backups(folder)
    complete = [(stamp, path) for stamp, path, done in backups if done]
    doomed = [path for _stamp, path in complete[: max(len(complete) - keep, 0)]]
    if complete:
        newest = complete[-1][0]
        doomed += [path for stamp, path, done in backups if not done and stamp < newest]
    for path in doomed:
        shutil.rmtree(path)
    return sorted(doomed)


def run_schedule(engine: Engine, schedule: BackupSchedule, *, now: datetime) -> Path | None:
    """The backup that was due (its folder), or None; then the retention applied.

    Due when the newest complete backup in the folder is ``every`` old or older (so a
    restarted worker does not back up again at once, and one killed while writing a backup
    tries again at its next round). The new folder is made exclusively: a second worker
    given the same folder at the same second backs off. Enable the schedule on one worker."""
    now = now.replace(tzinfo=None)
    stamps = [stamp for stamp, _path, done in scheduled_backups(schedule.folder) if done]
    made = None
    if not stamps or now - stamps[-1] >= schedule.every:
        dest = schedule.folder / f"{SCHEDULED_PREFIX}{now.strftime(_STAMP)}"
        schedule.folder.mkdir(parents=True, exist_ok=True)
        try:
            dest.mkdir()
        except FileExistsError:
            return None
        backup(engine, dest, now=now)
        made = dest
    prune_backups(schedule.folder, schedule.keep)
    return made

"""Import and ingest runs whose process died end as ``interrupted``, not ``running`` forever.

Each :class:`~safecorridor.sources.models.ImportRun` records the process that runs it (``pid``
and ``hostname``, since migration 0013). A run left at ``running`` whose process on this host
is gone (killed, crashed, the machine restarted) is found dead by
:func:`mark_interrupted_imports`, which the next import, ``safecorridor audit verify`` and
the worker call: it is marked ``interrupted`` with the time it was found, by a conditional
UPDATE (only one of several concurrent finders marks it), and the change is audited.

A run on another host cannot be probed from here and is left to that host; a run from before
0013 (no pid) names no process and is left as it is.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from safecorridor.db.base import utcnow
from safecorridor.sharing.audit import audit_write
from safecorridor.sources.models import ImportRun, IngestRun

RUNNING = "running"
INTERRUPTED = "interrupted"


def this_process() -> tuple[int, str]:
    """What a run records of the process running it: (pid, hostname)."""
    return os.getpid(), socket.gethostname()[:255]


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (signal 0 probes, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def mark_interrupted_imports(
    engine: Engine,
    *,
    now: datetime | None = None,
    alive: Callable[[int], bool] = process_alive,
) -> list[int]:
    """Mark this host's running imports whose process is gone as interrupted; their ids."""
    return _mark_dead(engine, ImportRun, now=now, alive=alive)


def mark_interrupted_ingests(
    engine: Engine,
    *,
    now: datetime | None = None,
    alive: Callable[[int], bool] = process_alive,
) -> list[int]:
    """The same for ``ingest`` runs (the next ingest, ``audit verify`` and the worker call
    it too); their ids."""
    return _mark_dead(engine, IngestRun, now=now, alive=alive)


def _mark_dead(
    engine: Engine,
    model: type[ImportRun] | type[IngestRun],
    *,
    now: datetime | None,
    alive: Callable[[int], bool],
) -> list[int]:
    """Mark this host's running runs of ``model`` whose process is gone as interrupted."""
    pid, host = this_process()
    marked: list[int] = []
    with Session(engine) as session:
        candidates = session.execute(
            select(model.id, model.pid).where(
                model.status == RUNNING, model.hostname == host, model.pid.is_not(None)
            )
        ).all()
    actor = "import" if model is ImportRun else "ingest"
    for run_id, run_pid in candidates:
        if run_pid is None or run_pid == pid or alive(run_pid):
            continue
        with Session(engine) as session, session.begin():
            done = session.execute(
                update(model)
                .where(model.id == run_id, model.status == RUNNING)
                .values(status=INTERRUPTED, finished_at=now or utcnow())
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                continue  # another finder marked it first
            run = session.get_one(model, run_id)
            audit_write(session=session, viewer=None, action=INTERRUPTED, obj=run, actor=actor)
        marked.append(run_id)
    return marked

"""The worker: single-step checks run in a loop, each recorded as a ``WorkerRun`` row.

Each step takes the worker context and ``now`` and returns how much work it found, so tests
call a step directly with any clock. Steps are safe to run in two processes at once: a
movement is marked overdue or escalated by a conditional UPDATE that changes one row for
exactly one worker; new incidents come from a transactional outbox whose rows a worker
claims with ``FOR UPDATE SKIP LOCKED`` (PostgreSQL) or under the write lock (SQLite) and marks
processed in the transaction that writes their alerts; alerts, notifications and deliveries
have unique keys and are inserted with ON CONFLICT DO NOTHING; a delivery is claimed by a
conditional UPDATE (state, due time, lease) before it is sent. SIGTERM (or SIGINT) sets a
shutdown flag; the loop finishes the step it is in and exits.

Between two rounds the loop polls every ``poll`` seconds (1 s by default) for an outbox event
or a due delivery (two indexed look-ups that write nothing) and, when there is one, runs the
new-incident and delivery steps at once: an alert waits for the poll, not for the round
(``--interval``, 30 s by default), so an ingested article's webhook leaves within a few seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.alerts.channels import (
    SENDERS,
    ChannelSettings,
    DeliveryError,
    Message,
    get_channel_settings,
)
from safecorridor.alerts.choices import DeliveryState, RunStatus
from safecorridor.alerts.models import Alert, Delivery, IncidentOutbox, WorkerRun
from safecorridor.alerts.service import (
    alert_movement_overdue,
    claim_outbox,
    evaluate_backlog_rules,
    evaluate_incident_rules,
    evaluate_risk_rules,
    prune_outbox,
    still_shared,
)
from safecorridor.clock import Clock
from safecorridor.db.base import utcnow
from safecorridor.incidents.models import read_incidents_epoch
from safecorridor.interop.feeds import poll_due_feeds
from safecorridor.jwg import briefing as jwg_briefing
from safecorridor.jwg import service as jwg
from safecorridor.movements.checks import movement_policy
from safecorridor.movements.choices import MovementAction as A
from safecorridor.movements.service import (
    due_escalations,
    due_overdue,
    get_movement,
    mark_escalated,
    mark_overdue,
)
from safecorridor.ops.backup import BackupError, BackupSchedule, run_schedule
from safecorridor.risk import service as risk_service
from safecorridor.risk.calibrate import quarter_start
from safecorridor.risk.policies import active_policy, prune_fits
from safecorridor.risk.policy import Policy
from safecorridor.settings import get_settings
from safecorridor.sources.runs import mark_interrupted_imports, mark_interrupted_ingests

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    """What the steps need: the database, the channel settings, the policy, a name."""

    engine: Engine
    settings: ChannelSettings = field(default_factory=get_channel_settings)
    #: a fixed policy (tests, replays); None: the deployment's active policy at each step
    policy: Policy | None = None
    #: days before a JWG meeting its delegations get their briefing packs
    briefing_days_before: int = field(default_factory=lambda: get_settings().briefing_days_before)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    #: scheduled backups with retention (the ``backup`` step); None: off
    backup: BackupSchedule | None = None
    #: days the ``worker_runs`` rows are kept (the ``prune_runs`` step)
    runs_keep_days: int = field(default_factory=lambda: get_settings().worker_runs_keep_days)
    #: what the last ``risk_fits`` step warmed (quarter, policy, incidents' epoch, readers)
    fits_state: tuple[Any, ...] | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session in a transaction that writes: on SQLite it takes the write lock first
        (``BEGIN IMMEDIATE``), so a step that reads and then writes waits for another worker
        instead of failing when the other wrote in between."""
        with self.sessions() as session, session.begin():
            conn = session.connection()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield session

    def policy_in(self, session: Session) -> Policy:
        """The policy of a step: the fixed one, else the deployment's active one."""
        return self.policy or active_policy(session)


Step = Callable[[WorkerContext, datetime], int]


# --- the steps ---------------------------------------------------------------------------


def step_overdue_movements(ctx: WorkerContext, now: datetime) -> int:
    """Mark movements overdue (alerting the escort unit) and escalate the ones overdue for
    longer than the escalation interval (alerting the admins)."""
    attempts = ctx.settings.delivery_max_attempts
    found = 0
    with ctx.sessions() as s:
        mp = movement_policy(ctx.policy_in(s))
        due = due_overdue(s, mp=mp, now=now)
    for movement_id, reason in due:
        with ctx.sessions() as s, s.begin():
            if mark_overdue(session=s, movement_id=movement_id, reason=reason, now=now):
                m = get_movement(s, movement_id)
                alert_movement_overdue(
                    s, movement=m, stage=1, reason=reason, now=now, max_attempts=attempts
                )
                found += 1
    with ctx.sessions() as s:
        escalations = due_escalations(s, mp=mp, now=now)
    for movement_id in escalations:
        with ctx.sessions() as s, s.begin():
            if mark_escalated(session=s, movement_id=movement_id, now=now):
                m = get_movement(s, movement_id)
                why = next(
                    (t.note for t in reversed(m.transitions) if t.action == A.MARK_OVERDUE),
                    None,
                )
                alert_movement_overdue(
                    s,
                    movement=m,
                    stage=2,
                    reason=why or "no check-in",
                    now=now,
                    max_attempts=attempts,
                )
                found += 1
    return found


def step_new_incidents(
    ctx: WorkerContext, now: datetime, *, batch: int = 500, max_batches: int = 20
) -> int:
    """Alerts for incidents near sites and routes, and with foreign fatalities: the pending
    outbox events, a batch per transaction (claimed, evaluated, marked processed together),
    until none is left or ``max_batches`` were done; then the events evaluated over a week
    ago are pruned."""
    made = 0
    for _ in range(max_batches):
        with ctx.writing() as s:
            if not claim_outbox(s, batch=1):
                break
            made += evaluate_incident_rules(
                s, now=now, batch=batch, max_attempts=ctx.settings.delivery_max_attempts
            )
    with ctx.writing() as s:
        prune_outbox(s, now=now)
    return made


#: served fits older than this are deleted (a quarter's are made during it: this keeps the
#: current quarter's and the last one's)
FITS_KEEP_DAYS = 200


def step_risk_fits(ctx: WorkerContext, now: datetime) -> int:
    """Fit, ahead of the readers, the policy served this quarter to each group of readers
    and keep the fits in the store (``risk.service.warm_fits``): the first figures of a
    quarter, in any process, then cost what the others do. Nothing is fitted while the
    quarter, the policy, the incidents and the groups of readers are what the last run saw.
    Deletes the fits made more than ``FITS_KEEP_DAYS`` ago. How many fits were written."""
    with ctx.sessions() as s:
        policy = ctx.policy_in(s)
        groups = risk_service.reader_groups(s)
        state = (
            quarter_start(now.date()),
            policy.sha256,
            read_incidents_epoch(s),
            tuple(key for _, _, key in groups),
        )
        if state == ctx.fits_state:
            return 0
        warmed = risk_service.warm_fits(
            s, ctx.writing, as_of=now.date(), policy=policy, now=now, groups=groups
        )
    with ctx.writing() as s:
        prune_fits(s, before=now - timedelta(days=FITS_KEEP_DAYS))
    ctx.fits_state = state
    return sum(w.stored for w in warmed)


def step_risk_levels(ctx: WorkerContext, now: datetime) -> int:
    """Alerts for sites and routes whose risk level rose."""
    with ctx.writing() as s:
        return evaluate_risk_rules(
            s, now=now, policy=ctx.policy_in(s), max_attempts=ctx.settings.delivery_max_attempts
        )


def step_review_backlog(ctx: WorkerContext, now: datetime) -> int:
    """Alerts for candidates waiting for review too long."""
    with ctx.writing() as s:
        return evaluate_backlog_rules(s, now=now, max_attempts=ctx.settings.delivery_max_attempts)


def step_interrupted_imports(ctx: WorkerContext, now: datetime) -> int:
    """Import and ingest runs left at running whose process on this host is gone:
    interrupted."""
    return len(mark_interrupted_imports(ctx.engine, now=now)) + len(
        mark_interrupted_ingests(ctx.engine, now=now)
    )


def step_partner_feeds(ctx: WorkerContext, now: datetime) -> int:
    """Poll the partners' TAXII and MISP feeds that are due (reports become candidates)."""
    return len(poll_due_feeds(ctx.engine, now=now))


def step_overdue_actions(ctx: WorkerContext, now: datetime) -> int:
    """JWG action items past their due date: marked overdue once (a conditional UPDATE),
    alerting the owner organisation and the secretariat."""
    found = 0
    with ctx.sessions() as s:
        due = jwg.due_overdue_actions(s, today=now.date())
    for action_id in due:
        with ctx.sessions() as s, s.begin():
            if jwg.mark_overdue(session=s, action_id=action_id, today=now.date(), now=now):
                item = jwg.get_action(s, action_id, viewer=None, action=None)
                jwg.alert_action_overdue(
                    s, item=item, now=now, max_attempts=ctx.settings.delivery_max_attempts
                )
                found += 1
    return found


def step_briefings(ctx: WorkerContext, now: datetime) -> int:
    """Briefing packs for the delegations of meetings due within the configured days."""
    sent = 0
    with ctx.sessions() as s:
        meetings = [
            m.id
            for m in jwg_briefing.due_meetings(
                s, today=now.date(), days_before=ctx.briefing_days_before
            )
        ]
    for meeting_id in meetings:
        with ctx.sessions() as s, s.begin():
            meeting = jwg.get_meeting(s, meeting_id, viewer=None, action=None)
            sent += jwg_briefing.send_meeting_packs(
                s, meeting=meeting, now=now, max_attempts=ctx.settings.delivery_max_attempts
            )
    return sent


def step_backup(ctx: WorkerContext, now: datetime) -> int:
    """Take the scheduled backup when it is due and delete the oldest beyond the number
    kept (``ops.backup.run_schedule``); 1 when a backup was taken."""
    if ctx.backup is None:
        raise BackupError(
            "scheduled backups are off: give `worker --backup-every HOURS --backup-dir DIR` "
            "(or SAFECORRIDOR_BACKUP_EVERY_HOURS and SAFECORRIDOR_BACKUP_DIR)"
        )
    made = run_schedule(ctx.engine, ctx.backup, now=now)
    if made is not None:
        log.info("backup taken into %s", made)
    return 0 if made is None else 1


def step_prune_runs(ctx: WorkerContext, now: datetime) -> int:
    """Delete the ``worker_runs`` rows started more than ``runs_keep_days`` ago (one
    indexed DELETE per step name); how many."""
    cutoff = now - timedelta(days=ctx.runs_keep_days)
    gone = 0
    with ctx.writing() as s:
        for name in STEPS:
            result = s.execute(
                delete(WorkerRun)
                .where(WorkerRun.step == name, WorkerRun.started_at < cutoff)
                .execution_options(synchronize_session=False)
            )
            gone += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return gone


def _due(now: datetime) -> Any:
    return or_(
        and_(
            Delivery.state.in_([DeliveryState.PENDING, DeliveryState.RETRYING]),
            Delivery.next_attempt_at <= now,
        ),
        and_(Delivery.state == DeliveryState.SENDING, Delivery.claimed_until < now),
    )


def backoff(settings: ChannelSettings, attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failure: base x 2^(attempts-1), capped."""
    seconds = settings.delivery_retry_base_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.delivery_retry_max_seconds))


def _message(
    d: Delivery, alert: Alert, attachments: tuple[tuple[str, str, bytes], ...] = ()
) -> Message:
    data = {
        "alert": {
            "id": alert.id,
            "key": alert.key,
            "kind": alert.kind,
            "organisation_id": alert.organisation_id,
            "rule_id": alert.rule_id,
            "title": alert.title,
            "body": alert.body,
            "subject_type": alert.subject_type,
            "subject_id": alert.subject_id,
            "created_at": alert.created_at.isoformat(),
            "payload": alert.payload,
        },
        "idempotency_key": d.idempotency_key,
    }
    text = "\n\n".join(
        x
        for x in (
            alert.title,
            alert.body,
            f"Alert {alert.id} ({alert.kind}), {alert.created_at:%Y-%m-%d %H:%M} UTC.",
            f"Acknowledge: safecorridor alerts ack {alert.id} --as YOUR_EMAIL",
        )
        if x
    )
    return Message(
        recipient=d.recipient,
        subject=f"[SafeCorridor] {alert.title}",
        text=text,
        data=data,
        idempotency_key=d.idempotency_key,
        secret=alert.rule.webhook_secret if alert.rule else None,
        attachments=attachments,
    )


def deliver_one(ctx: WorkerContext, delivery_id: int, now: datetime) -> bool:
    """Claim one due delivery, send it, record the outcome. False if another worker has it."""
    lease = timedelta(seconds=ctx.settings.delivery_lease_seconds)
    with ctx.sessions() as s, s.begin():
        claimed = s.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, _due(now))
            .values(
                state=DeliveryState.SENDING,
                claimed_until=now + lease,
                attempts=Delivery.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return False
        d = s.get(Delivery, delivery_id)
        assert d is not None
        attempt = d.attempts
        if not still_shared(s, d):
            # nothing of it is sent: its title and figures are its subject's content
            d.state = DeliveryState.DEAD
            d.claimed_until = None
            d.last_error = "not sent: its subject is no longer shared with the recipient"
            log.info("delivery %s withheld: subject no longer shared", delivery_id)
            return True
        files = (
            jwg_briefing.pack_attachments(s, d.alert.payload)
            if d.alert.kind == jwg_briefing.PACK_ALERT and d.channel == "email"
            else ()
        )
        message = _message(d, d.alert, files)
        sender = SENDERS.get(d.channel)
        channel, max_attempts = d.channel, d.max_attempts
    values: dict[str, Any]
    try:
        if sender is None:
            raise DeliveryError(f"no sender for channel {channel!r}")
        code = sender(message, ctx.settings)
        values = {
            "state": DeliveryState.DELIVERED,
            "delivered_at": now,
            "response_code": code,
            "last_error": None,
            "claimed_until": None,
        }
    except Exception as exc:  # any failure of one attempt is recorded, not raised
        status = exc.status if isinstance(exc, DeliveryError) else None
        dead = attempt >= max_attempts
        values = {
            "state": DeliveryState.DEAD if dead else DeliveryState.RETRYING,
            "response_code": status,
            "last_error": str(exc)[:2000] or type(exc).__name__,
            "claimed_until": None,
            "next_attempt_at": now if dead else now + backoff(ctx.settings, attempt),
        }
        log.warning("delivery %s attempt %s failed: %s", delivery_id, attempt, exc)
    with ctx.sessions() as s, s.begin():
        s.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.state == DeliveryState.SENDING,
                Delivery.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return True


def step_deliveries(ctx: WorkerContext, now: datetime, *, limit: int = 100) -> int:
    """Send the due e-mails and webhooks (first attempts and retries)."""
    with ctx.sessions() as s:
        ids = list(
            s.scalars(
                select(Delivery.id)
                .where(_due(now))
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(limit)
            )
        )
    return sum(1 for i in ids if deliver_one(ctx, i, now))


def has_urgent_work(ctx: WorkerContext, now: datetime) -> bool:
    """Whether a new outbox event waits for evaluation or a delivery is due (read only).

    An event whose evaluation failed is left to the rounds: polled, its few attempts
    (``OUTBOX_MAX_ATTEMPTS``) would all be spent within seconds of a passing fault.
    """
    with ctx.sessions() as s:
        pending = s.scalar(
            select(IncidentOutbox.id)
            .where(IncidentOutbox.processed_at.is_(None), IncidentOutbox.attempts == 0)
            .limit(1)
        )
        if pending is not None:
            return True
        return s.scalar(select(Delivery.id).where(_due(now)).limit(1)) is not None


STEPS: dict[str, Step] = {
    "overdue_movements": step_overdue_movements,
    "new_incidents": step_new_incidents,
    "risk_fits": step_risk_fits,
    "risk_levels": step_risk_levels,
    "review_backlog": step_review_backlog,
    "overdue_actions": step_overdue_actions,
    "briefings": step_briefings,
    "deliveries": step_deliveries,
    "partner_feeds": step_partner_feeds,
    "interrupted_imports": step_interrupted_imports,
    "prune_runs": step_prune_runs,
    "backup": step_backup,
}
#: the expensive steps, run every ``risk_every`` seconds rather than every round
RISK_STEPS = ("risk_fits", "risk_levels")
#: the steps the loop runs between rounds as soon as they have work (:meth:`Worker.poll_once`)
URGENT_STEPS = ("new_incidents", "deliveries")
#: steps a round runs only when the context enables them
OPTIONAL_STEPS: dict[str, Callable[[WorkerContext], bool]] = {
    "backup": lambda ctx: ctx.backup is not None
}


def enabled(ctx: WorkerContext, name: str) -> bool:
    """Whether a round runs the step ``name`` in ``ctx``."""
    check = OPTIONAL_STEPS.get(name)
    return check is None or check(ctx)


# --- running and recording ---------------------------------------------------------------


def run_step(ctx: WorkerContext, name: str, *, now: datetime | None = None) -> WorkerRun:
    """Run one step and record it (started, finished, status, found, error); log one line
    with the step, its status, what it found and its duration (the traceback on failure)."""
    at = now.replace(tzinfo=None) if now is not None else utcnow()
    step = STEPS[name]
    with ctx.sessions() as s, s.begin():
        run = WorkerRun(step=name, worker=ctx.name[:100], started_at=at)
        s.add(run)
        s.flush()
        run_id = run.id
    status, found, error = RunStatus.OK, 0, None
    failure: Exception | None = None
    start = time.perf_counter()
    try:
        found = step(ctx, at)
    except Exception as exc:
        status, error, failure = RunStatus.ERROR, traceback.format_exc(), exc
    ms = round((time.perf_counter() - start) * 1000, 1)
    log.log(
        logging.INFO if status == RunStatus.OK else logging.ERROR,
        "worker step %s %s: found %d in %.1f ms",
        name,
        status.value,
        found,
        ms,
        exc_info=failure,
        extra={
            "step": name,
            "status": status.value,
            "found": found,
            "duration_ms": ms,
            "worker": ctx.name,
            "run_id": run_id,
        },
    )
    finished = at if now is not None else utcnow()
    with ctx.sessions() as s, s.begin():
        s.execute(
            update(WorkerRun)
            .where(WorkerRun.id == run_id)
            .values(status=status, found=found, error=error, finished_at=finished)
            .execution_options(synchronize_session=False)
        )
        done = s.get(WorkerRun, run_id)
        assert done is not None
        return done


def run_once(
    ctx: WorkerContext, *, now: datetime | None = None, steps: list[str] | None = None
) -> dict[str, WorkerRun]:
    """Every enabled step (or the named ones) once, in order."""
    names = steps or [n for n in STEPS if enabled(ctx, n)]
    return {name: run_step(ctx, name, now=now) for name in names}


class Worker:
    """The loop: every ``interval`` seconds, each step once; ``risk_every`` seconds between
    risk recomputations (the expensive step); every ``poll`` seconds between rounds, the
    new-incident and delivery steps if they have work (0 or >= ``interval``: no polling).
    ``clock`` (default: the system's) tells the steps the time. SIGTERM/SIGINT set
    :attr:`shutdown`."""

    def __init__(
        self,
        ctx: WorkerContext,
        *,
        interval: float = 30.0,
        risk_every: float = 900.0,
        poll: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        if interval <= 0 or poll < 0:
            raise ValueError(f"interval must be > 0 and poll >= 0 (got {interval}, {poll})")
        self.ctx = ctx
        self.interval = interval
        self.risk_every = risk_every
        self.poll = poll
        self.clock = clock
        self.shutdown = threading.Event()
        self._last_risk: datetime | None = None

    def handle_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the current step, then stopping", signum)
        self.shutdown.set()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.handle_signal)
        signal.signal(signal.SIGINT, self.handle_signal)

    def _now(self) -> datetime | None:
        """The time to hand the steps: the clock's, or None (each step reads the system's)."""
        return self.clock.now().replace(tzinfo=None) if self.clock is not None else None

    def tick(self, now: datetime | None = None) -> dict[str, WorkerRun]:
        """One round of the steps (the risk step only when it is due)."""
        now = now or self._now()
        at = now or utcnow()
        runs: dict[str, WorkerRun] = {}
        risk_due = not self._last_risk or (at - self._last_risk).total_seconds() >= self.risk_every
        if risk_due:
            self._last_risk = at
        for name in STEPS:
            if self.shutdown.is_set():
                break
            if not enabled(self.ctx, name) or (name in RISK_STEPS and not risk_due):
                continue
            runs[name] = run_step(self.ctx, name, now=now)
        return runs

    def poll_once(self, now: datetime | None = None) -> dict[str, WorkerRun]:
        """Between rounds: the new-incident and delivery steps, if an outbox event waits or
        a delivery is due; nothing (and no run recorded) otherwise."""
        now = now or self._now()
        if not has_urgent_work(self.ctx, now or utcnow()):
            return {}
        runs: dict[str, WorkerRun] = {}
        for name in URGENT_STEPS:
            if self.shutdown.is_set():
                break
            runs[name] = run_step(self.ctx, name, now=now)
        return runs

    def wait_for_next_round(self) -> None:
        """Sleep until the next round (or shutdown), polling for urgent work meanwhile."""
        if not 0 < self.poll < self.interval:
            self.shutdown.wait(self.interval)
            return
        deadline = time.monotonic() + self.interval
        while not self.shutdown.wait(min(self.poll, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                return
            try:
                self.poll_once()
            except Exception:  # a failed look-up waits for the next poll, like a failed step
                log.exception("worker poll failed")

    def run(self) -> None:
        while not self.shutdown.is_set():
            self.tick()
            self.wait_for_next_round()

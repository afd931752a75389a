"""Two serve nodes and two workers, separate processes, on one fresh PostgreSQL database.

What a multi-node deployment relies on: a web session made on one node works on the other;
a sign-out, a token revocation or a deactivation on one is refused by the other at its very
next request (its token cache is warm); incidents, movements and audited reads written
through both nodes at once leave one intact audit chain; every rule x recipient x incident
is delivered exactly once by the two workers.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import create_token
from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.channels import IDEMPOTENCY_HEADER
from safecorridor.alerts.models import Alert, Delivery, WorkerRun
from safecorridor.alerts.service import idempotency_key, outbox_pending
from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine, migrate
from safecorridor.demo.loader import demo_password, load_demo
from safecorridor.movements.service import get_user
from safecorridor.registry.models import Site
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from tests.alerts.conftest import Receiver, SmtpSink, free_port

pytestmark = pytest.mark.postgres

ANALYST = "analyst@jwg.example"
SITE_MANAGER = "site_manager@ctgsa.example"
ADMIN = "admin@jwg.example"
VIEWER = "viewer@moi.example"
NEAR_EMAILS = ("security@ctgsa.example", SITE_MANAGER)
#: bounds, not expectations (on a shared 2-core machine under load a process takes tens of
#: seconds to start): a node to answer, the alerts to be delivered, one HTTP request or CLI run
STARTUP_SECONDS = 180
DRAIN_SECONDS = 180
TIMEOUT = 120


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh PostgreSQL database of this test, migrated, with the demo world; its URL.
    The audit key file is this test's, shared by every process."""
    url = os.environ.get("SAFECORRIDOR_TEST_PG_URL")
    if not url:
        pytest.skip("SAFECORRIDOR_TEST_PG_URL is not set")
    monkeypatch.setenv("SAFECORRIDOR_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    get_settings.cache_clear()
    name = f"sc_nodes_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(db_url)
        migrate(engine)
        with Session(engine) as s:
            load_demo(s)
            s.commit()
        engine.dispose()
        yield db_url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Node:
    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Node]]:
    """Start ``safecorridor ARGS...`` processes; every one is stopped (SIGTERM) at the end."""
    started: list[Node] = []

    def start(name: str, env: dict[str, str], *args: str) -> Node:
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "safecorridor", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        node = Node(name, proc, log)
        started.append(node)
        return node

    yield start
    for node in started:
        if node.proc.poll() is None:
            node.proc.send_signal(signal.SIGTERM)
    for node in started:
        try:
            node.proc.wait(15)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait(5)


def _wait_until_up(node: Node) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert node.proc.poll() is None, f"{node.name} exited:\n{node.output()}"
        try:
            if httpx.get(f"{node.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{node.name} did not answer in {STARTUP_SECONDS} s:\n{node.output()}")


def _login(base: str, address: str, role: str) -> tuple[httpx.Cookies, str]:
    r = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": address, "password": demo_password(role)},
        timeout=TIMEOUT,
    )
    assert r.status_code == 200, r.text
    return r.cookies, r.json()["csrf_token"]


def _cli_token(s: Session, user: Any) -> str:
    """A token as `safecorridor users token` makes it: with its audited creation."""
    made = create_token(session=s, user=user)
    audit_write(session=s, viewer=None, action="create", obj=made.record, actor="cli")
    return made.token


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_two_servers_and_two_workers_share_one_postgresql(
    database: str,
    tmp_path: Path,
    spawn: Callable[..., Node],
    smtp_sink: SmtpSink,
    webhook_receiver: Callable[..., Receiver],
) -> None:
    engine = make_engine(database)
    near_hook = webhook_receiver(secret="near-secret")
    foreign_hook = webhook_receiver(secret="foreign-secret")
    with Session(engine, expire_on_commit=False) as s:
        sm = get_user(s, SITE_MANAGER)
        near = alerts_service.add_rule(
            session=s,
            organisation_id=sm.organisation_id,
            kind="incident_near",
            params={"km": 10},
            channels=["email", "webhook"],
            emails=[NEAR_EMAILS[0]],
            webhook_url=near_hook.url,
            webhook_secret="near-secret",
        )
        cophc = s.scalars(select(Organisation).where(Organisation.short_name == "COPHC")).one()
        foreign = alerts_service.add_rule(
            session=s,
            organisation_id=cophc.id,
            kind="foreign_fatalities",
            channels=["webhook"],
            webhook_url=foreign_hook.url,
            webhook_secret="foreign-secret",
        )
        analyst_token = _cli_token(s, get_user(s, ANALYST))
        manager_token = _cli_token(s, sm)
        admin_token = _cli_token(s, get_user(s, ADMIN))
        karot = s.scalars(select(Site).where(Site.name == "Karot Hydropower Project")).one()
        s.commit()

    env = {
        **os.environ,
        "SAFECORRIDOR_DATABASE_URL": database,
        "SAFECORRIDOR_AUDIT_KEY_FILE": str(tmp_path / "audit.key"),
        "SAFECORRIDOR_SECRET_KEY": "two-nodes-one-secret-for-the-cookies",
        "SAFECORRIDOR_ALLOW_PRIVATE_URLS": "true",
        "SAFECORRIDOR_SMTP_HOST": "127.0.0.1",
        "SAFECORRIDOR_SMTP_PORT": str(smtp_sink.port),
        "SAFECORRIDOR_DELIVERY_RETRY_BASE_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    nodes = []
    for name in ("node-a", "node-b"):
        port = free_port()
        node_env = {**env, "SAFECORRIDOR_DATA_DIR": str(tmp_path / name)}
        node = spawn(
            name,
            node_env,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
        )
        node.url = f"http://127.0.0.1:{port}"
        nodes.append(node)
    workers = [
        spawn(
            name,
            {**env, "SAFECORRIDOR_DATA_DIR": str(tmp_path / name)},
            "worker",
            "--interval",
            "0.3",
        )
        for name in ("worker-1", "worker-2")
    ]
    for node in nodes:
        _wait_until_up(node)
    a, b = (node.url for node in nodes)

    # --- a web session made on A works on B; a sign-out on A ends it on B at once ---------
    cookies, csrf = _login(a, VIEWER, "viewer")
    me = httpx.get(f"{b}/api/v1/users/me", cookies=cookies, timeout=TIMEOUT)
    assert me.status_code == 200 and me.json()["email"] == VIEWER
    # a token minted on B from the session made on A (a fresh sign-in)
    minted = httpx.post(
        f"{b}/api/v1/users/me/tokens",
        json={"name": "made-on-b", "days": 1},
        cookies=cookies,
        headers={"X-CSRF-Token": csrf},
        timeout=TIMEOUT,
    )
    assert minted.status_code == 201, minted.text
    out = httpx.post(
        f"{a}/api/v1/auth/logout", cookies=cookies, headers={"X-CSRF-Token": csrf}, timeout=TIMEOUT
    )
    assert out.status_code == 204
    assert httpx.get(f"{b}/api/v1/users/me", cookies=cookies, timeout=TIMEOUT).status_code == 401

    # --- a token revoked on A is refused by B at its next request (B's cache is warm) -----
    minted_token, minted_id = minted.json()["token"], minted.json()["id"]
    for base in (a, b, b):
        assert (
            httpx.get(
                f"{base}/api/v1/incidents", headers=_bearer(minted_token), timeout=TIMEOUT
            ).status_code
            == 200
        )
    gone = httpx.delete(
        f"{a}/api/v1/users/me/tokens/{minted_id}", headers=_bearer(minted_token), timeout=TIMEOUT
    )
    assert gone.status_code == 204
    refused = httpx.get(f"{b}/api/v1/incidents", headers=_bearer(minted_token), timeout=TIMEOUT)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]

    # --- a member deactivated by their admin through B is refused by A at once ------------
    added = httpx.post(
        f"{b}/api/v1/users",
        json={"email": "duty@jwg.example", "role": "viewer"},
        headers=_bearer(admin_token),
        timeout=TIMEOUT,
    )
    assert added.status_code == 201, added.text
    with Session(engine) as s:
        duty_token = _cli_token(s, get_user(s, "duty@jwg.example"))
        s.commit()
    for base in (a, a):
        listed = httpx.get(f"{base}/api/v1/incidents", headers=_bearer(duty_token), timeout=TIMEOUT)
        assert listed.status_code == 200
    off = httpx.patch(
        f"{b}/api/v1/users/{added.json()['id']}",
        json={"is_active": False},
        headers=_bearer(admin_token),
        timeout=TIMEOUT,
    )
    assert off.status_code == 200, off.text
    listed = httpx.get(f"{a}/api/v1/incidents", headers=_bearer(duty_token), timeout=TIMEOUT)
    assert listed.status_code == 401

    # --- writes through both nodes at once: incidents, movements, audited reads -----------
    written: list[tuple[int, bool, bool]] = []
    movements: list[int] = []
    errors: list[str] = []
    guard = threading.Lock()

    def writer(base: str, tag: str) -> None:
        with httpx.Client(base_url=base, timeout=TIMEOUT) as c:
            for j in range(6):
                is_near, is_foreign = j % 2 == 0, j % 3 == 0
                km = 4.0 if is_near else 80.0
                body: dict[str, Any] = {
                    "event_date": "2026-11-30",
                    "event_type": "Violence against civilians",
                    "sub_event_type": "Attack",
                    "latitude": karot.latitude + km / 111.2,
                    "longitude": karot.longitude,
                    "location": "near Karot" if is_near else "far from Karot",
                    "tlp": "GREEN",
                    "fatalities": 2,
                    "source_key": f"{tag}-{j}",
                }
                if is_foreign:
                    body |= {"foreign_fatalities": 1, "foreign_nationality": "Chinese"}
                r = c.post("/api/v1/incidents", json=body, headers=_bearer(analyst_token))
                amber = c.post(
                    "/api/v1/incidents",
                    json={
                        **body,
                        "tlp": "AMBER",
                        "source_key": f"{tag}-amber-{j}",
                        "latitude": 30.0,
                        "longitude": 70.0,
                        "foreign_fatalities": None,
                        "foreign_nationality": None,
                        "location": "elsewhere",
                    },
                    headers=_bearer(analyst_token),
                )
                depart = utcnow() + timedelta(days=2, hours=j)
                m = c.post(
                    "/api/v1/movements",
                    json={
                        "headcount": {"CN": 2},
                        "from_site": "Karot Hydropower Project",
                        "to_site": "Dasu Hydropower Project",
                        "planned_departure": depart.isoformat(),
                        "planned_arrival": (depart + timedelta(hours=6)).isoformat(),
                        "purpose": f"{tag} {j}",
                    },
                    headers=_bearer(manager_token),
                )
                listed = c.get("/api/v1/incidents?limit=20", headers=_bearer(analyst_token))
                with guard:
                    for resp in (r, amber, m, listed):
                        if resp.status_code not in (200, 201):
                            errors.append(
                                f"{tag}: {resp.request.url} {resp.status_code} {resp.text}"
                            )
                    if r.status_code == 201:
                        written.append((r.json()["id"], is_near, is_foreign))
                    if m.status_code == 201:
                        movements.append(m.json()["id"])

    threads = [
        threading.Thread(target=writer, args=(base, tag))
        for base, tag in ((a, "a1"), (b, "b1"), (a, "a2"), (b, "b2"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert len(written) == 24 and len(movements) == 24

    # --- the two workers deliver every rule x recipient x incident exactly once -----------
    expected: Counter[str] = Counter()
    for inc_id, is_near, is_foreign in written:
        if is_near:
            key = f"rule:{near.id}:incident:{inc_id}"
            expected[idempotency_key(key, "webhook", near_hook.url)] += 1
            for address in NEAR_EMAILS:
                expected[idempotency_key(key, "email", address)] += 1
        if is_foreign:
            key = f"rule:{foreign.id}:incident:{inc_id}"
            expected[idempotency_key(key, "webhook", foreign_hook.url)] += 1

    def sent() -> Counter[str]:
        keys = Counter(r["key"] for r in near_hook.requests + foreign_hook.requests)
        for envelope in smtp_sink.messages:
            header = email.message_from_bytes(envelope.content)[IDEMPOTENCY_HEADER]
            keys["".join(str(header).split())] += 1
        return keys

    def made() -> set[str]:
        with Session(engine) as s:
            return set(s.scalars(select(Delivery.idempotency_key)))

    def settled() -> bool:
        arrived = set(sent())
        return expected.keys() <= arrived and arrived == made()

    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline and not settled():
        for w in workers:
            assert w.proc.poll() is None, f"{w.name} exited:\n{w.output()}"
        time.sleep(0.2)
    time.sleep(1.0)  # more worker rounds: nothing may arrive twice
    got, keys = sent(), made()
    # each alert of the two rules reached each recipient on each channel once; and every
    # delivery the workers made (the demo's overdue movement alerts too) arrived once
    assert expected.keys() <= keys
    assert {k: n for k, n in got.items() if k in expected} == expected
    assert got == Counter(keys)
    with Session(engine) as s:
        assert outbox_pending(s) == 0
        ids = [i for i, _, _ in written]
        alerts = s.scalars(select(Alert).where(Alert.subject_id.in_(ids))).all()
        assert len(alerts) == sum(n for _, n, _ in written) + sum(f for _, _, f in written)
        states = Counter(
            s.scalars(select(Delivery.state).where(Delivery.alert_id.in_([x.id for x in alerts])))
        )
        assert set(states) == {"delivered"}
        # both workers took part (each round of each is recorded)
        assert s.scalar(select(func.count(func.distinct(WorkerRun.worker)))) == 2
        # one chain: every write of both nodes is in it, and it verifies under the shared key
        # (the demo world's incidents were audited by its loader, not by the nodes)
        created = s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "create",
                AuditEvent.record_type == "incident",
                AuditEvent.actor != "demo-loader",
            )
        )
        assert created == 48
    # what `safecorridor audit verify` checks: the links under the shared key, the stored
    # checkpoints, and every record's state against its last audited write
    report = verify_all(engine)
    assert report.chains and all(chain.is_intact for _, chain in report.chains), report
    assert report.problems == []
    engine.dispose()

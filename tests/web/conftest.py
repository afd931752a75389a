"""Fixtures of the web tests: the demo world in a temporary SQLite database, a TestClient
signed in as any demo user, and (for the browser tests) uvicorn on a free loopback port with
Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from safecorridor.db.session import reset_engine
from tests.world import demo_copy

CHROMIUM = os.environ.get("SAFECORRIDOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: where the browser tests save their screenshots: nowhere unless asked (``make screenshots``
#: sets it to docs/screenshots), so a test run never changes tracked files
SCREENSHOTS = os.environ.get("SAFECORRIDOR_SCREENSHOTS", "")
VIEWPORT = {"width": 1280, "height": 800}

#: the demo accounts (src/safecorridor/demo/world.yaml; passwords demo-<role>-2024)
USERS = {
    "admin": ("admin@jwg.example", "demo-admin-2024"),
    "analyst": ("analyst@jwg.example", "demo-analyst-2024"),
    "site_manager": ("site_manager@ctgsa.example", "demo-site_manager-2024"),
    "escort_officer": ("escort_officer@ssd.example", "demo-escort_officer-2024"),
    "viewer": ("viewer@moi.example", "demo-viewer-2024"),
    "researcher": ("researcher@iri.example", "demo-researcher-2024"),
}


def demo_engine(path: Path) -> Engine:
    """The demo world, with a violent stretch of the Karakoram Highway in the last 90 days
    (so that a movement there is rated severe, as the journey tests need)."""
    return demo_copy(path.parent, path, date.today())


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A fresh demo world for one test (server-side tests): a copy of the run's template, so
    each test gets its own database without loading the world again."""
    engine = demo_copy(tmp_path_factory.getbasetemp(), tmp_path / "demo.db", date.today())
    reset_engine(engine)
    yield engine
    engine.dispose()


def sign_in(client: TestClient, who: str) -> TestClient:
    email, password = USERS[who]
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": "/"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient) -> str:
    page = client.get("/incidents")
    return cast(str, page.text).split('"X-CSRF-Token": "')[1].split('"')[0]


@pytest.fixture
def web(demo: Engine) -> Iterator[Any]:
    """``web("analyst")``: a TestClient signed in as that demo user."""
    from safecorridor.app import create_app

    app = create_app()
    clients: list[TestClient] = []

    def make(who: str) -> TestClient:
        client = TestClient(app)
        clients.append(client)
        return sign_in(client, who)

    yield make
    for c in clients:
        c.close()


# --- the live server and the browser ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_LIVE: dict[str, Engine] = {}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving the app over the demo world, on 127.0.0.1 and a free port."""
    import uvicorn

    from safecorridor.app import create_app

    folder = tmp_path_factory.mktemp("live")
    _LIVE["engine"] = engine = demo_engine(folder / "safecorridor.db")
    reset_engine(engine)
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(autouse=True)
def _live_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """The browser tests' server (in this process) reads the live demo database."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")
        reset_engine(_LIVE["engine"])
    yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    # assertions wait for the page as long as actions do: a loaded CI machine is slow, not wrong
    playwright_api.expect.set_options(timeout=30_000)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def open_as(browser: Any, live_server: str) -> Iterator[Any]:
    """``open_as("viewer")``: a new browser page signed in as that demo user."""
    contexts: list[Any] = []

    def make(who: str) -> Any:
        context = browser.new_context(viewport=VIEWPORT, base_url=live_server)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.js_errors = errors
        email, password = USERS[who]
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(live_server + "/")
        return page

    yield make
    for c in contexts:
        c.close()


def map_ready(page: Any) -> None:
    page.wait_for_selector('#map[data-loaded="true"]', timeout=45_000)


def shoot(page: Any, name: str) -> None:
    """Save a screenshot of ``page`` when ``SAFECORRIDOR_SCREENSHOTS`` names a folder."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))

"""First paint and map-ready time of the map page, on loopback, with the demo world.

Starts `safecorridor serve` on a free port over a fresh demo database, signs in as the
demo viewer in Debian's headless Chromium (Playwright), loads the map page 10 times and
prints the first-contentful-paint and the time until the map's data layers are loaded.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

CHROMIUM = os.environ.get("SAFECORRIDOR_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RUNS = 10
FCP_JS = "performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    if not Path(CHROMIUM).exists():
        print(f"skipped: {CHROMIUM} is missing (apt-get install -y chromium)")
        return
    from playwright.sync_api import sync_playwright

    exe = Path(sys.executable).parent / "safecorridor"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SAFECORRIDOR_DATA_DIR": tmp}
        env.pop("SAFECORRIDOR_DATABASE_URL", None)
        subprocess.run([exe, "demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [exe, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_context(
                    viewport={"width": 1280, "height": 800}, base_url=base
                ).new_page()
                page.goto("/login")
                page.get_by_label("E-mail").fill("viewer@moi.example")
                page.get_by_label("Password").fill("demo-viewer-2024")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(base + "/")
                paints, ready = [], []
                for _ in range(RUNS):
                    t0 = time.perf_counter()
                    page.goto("/")
                    page.wait_for_selector('#map[data-loaded="true"]', timeout=20_000)
                    ready.append((time.perf_counter() - t0) * 1000)
                    fcp = page.evaluate(FCP_JS)
                    if fcp is not None:
                        paints.append(fcp)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"Map page, demo world, loopback, {RUNS} loads (signed in as the demo viewer):")
    if paints:
        med, top = statistics.median(paints), max(paints)
        print(f"  first contentful paint: median {med:.0f} ms, max {top:.0f} ms")
    else:
        print("  first contentful paint: not reported by this Chromium")
    print(f"  map data loaded: median {statistics.median(ready):.0f} ms, max {max(ready):.0f} ms")


if __name__ == "__main__":
    main()

"""The locust user of ``bench/bench_load.py``: one endpoint, requested back to back.

Each simulated client sends ``GET $SC_LOAD_PATH`` with the bearer token ``$SC_LOAD_TOKEN``
and no think time, over its own keep-alive connection (FastHttpUser), so the server, not the
pacing, sets the rate. Every request is recorded under the name "endpoint" (one stats row).

    SC_LOAD_PATH=/healthz locust -f bench/locustfile_api.py --headless -u 20 -r 20 -t 15s \
        --host http://127.0.0.1:8000
"""

from __future__ import annotations

import os

from locust import FastHttpUser, constant, task

PATH = os.environ.get("SC_LOAD_PATH", "/healthz")
HEADERS = {
    "Authorization": f"Bearer {os.environ.get('SC_LOAD_TOKEN', '')}",
    "Accept": "application/json",
}


class Reader(FastHttpUser):
    wait_time = constant(0)

    @task
    def get(self) -> None:
        self.client.get(PATH, headers=HEADERS, name="endpoint")

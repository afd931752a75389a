"""The alert tests' local channel endpoints, for the multi-node test."""

from tests.alerts.conftest import smtp_sink, webhook_receiver  # noqa: F401 (shared fixtures)

"""The API personas (tests/api/conftest.py) for the sharing tests."""

from tests.api.conftest import client, world

__all__ = ["client", "world"]

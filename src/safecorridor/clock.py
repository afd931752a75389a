"""The clock: where "now" and "today" come from, injected wherever they decide a result.

Trends, ``as_of`` defaults, overdue checks, sign-in windows and token expiry ask a
:class:`Clock` instead of the operating system, so a test (or a replay) can fix the date. The
app keeps its clock in ``app.state.clock``; services take ``now`` or ``today`` as keyword
arguments; the CLI reads :data:`system_clock`.

Times are UTC. The database stores naive UTC datetimes (``naive``), as
``db.base.utcnow`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time (UTC, timezone-aware)."""

    def now(self) -> datetime: ...


class SystemClock:
    """The operating system's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still at ``at`` until moved (tests, replays)."""

    at: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            self.at = self.at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


system_clock: Clock = SystemClock()


def today(clock: Clock = system_clock) -> date:
    """The clock's day (UTC)."""
    return clock.now().astimezone(UTC).date()


def naive(moment: datetime) -> datetime:
    """``moment`` as the naive UTC datetime the database stores."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def naive_now(clock: Clock = system_clock) -> datetime:
    """The clock's time as a naive UTC datetime (for comparisons with stored times)."""
    return naive(clock.now())

"""What a briefing pack holds before it is rendered (:class:`PackData`), the records that went
into it with their markings (:class:`Used`) and the strictest of those markings
(:func:`strictest`). Shared by ``jwg.briefing`` (which collects) and ``jwg.render`` (which
draws and writes), so neither imports the other's module at its top."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from safecorridor.accounts.models import Organisation
from safecorridor.jwg.models import Meeting
from safecorridor.sharing.audit import sha256_json
from safecorridor.taxonomy.choices import TLP, RiskLevel

#: TLP markings from the most open to the strictest
TLP_ORDER = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)
#: the box of the map (west, south, east, north): Pakistan and its borders
MAP_BOX = (60.5, 23.5, 78.0, 37.5)
LEVELS = tuple(RiskLevel)


def strictest(markings: Any) -> str:
    """The strictest of ``markings`` (CLEAR when there is none)."""
    rank = {str(t): i for i, t in enumerate(TLP_ORDER)}
    best = 0
    for m in markings:
        best = max(best, rank.get(str(m), 0))
    return str(TLP_ORDER[best])


@dataclass
class Used:
    """The records that went into a pack, with their markings."""

    named: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    feeding: set[int] = field(default_factory=set)  # incidents that only fed figures
    markings: set[str] = field(default_factory=set)

    def add(self, kind: str, ident: int, tlp: str) -> None:
        self.named[kind].add(int(ident))
        self.markings.add(str(tlp))

    def records(self) -> dict[str, Any]:
        named = {k: sorted(v) for k, v in sorted(self.named.items()) if v}
        feeding = sorted(self.feeding - self.named.get("incident", set()))
        return {
            **named,
            "figure_incidents": {"count": len(feeding), "sha256": sha256_json(feeding)},
        }


@dataclass
class PackData:
    """Everything a pack shows, before it is rendered."""

    organisation: Organisation
    period_from: date
    period_to: date
    previous_from: date
    previous_to: date
    since: date
    meeting: Meeting | None
    numbers: dict[str, dict[str, int]]
    by_type: list[dict[str, Any]]
    significant: list[dict[str, Any]]
    actors: list[dict[str, Any]]
    risen: list[dict[str, Any]]
    movements: dict[str, Any]
    actions: dict[str, Any]
    measures: dict[str, Any]
    planned: list[dict[str, Any]]
    map_points: list[tuple[float, float, int, str]]
    map_sites: list[tuple[float, float, str]]
    surface: Any
    trend: dict[str, Any]
    used: Used
    tlp: str = TLP.CLEAR
    built_at: datetime | None = None

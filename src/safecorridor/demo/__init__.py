"""The demo world: the CPEC case (organisations, users, actors, sites, routes, incidents)."""

from safecorridor.demo.loader import (
    DEMO_DATASET,
    DemoSummary,
    DemoUser,
    DemoWorldError,
    KindCount,
    demo_world_path,
    load_demo,
    read_world,
)

__all__ = [
    "DEMO_DATASET",
    "DemoSummary",
    "DemoUser",
    "DemoWorldError",
    "KindCount",
    "demo_world_path",
    "load_demo",
    "read_world",
]

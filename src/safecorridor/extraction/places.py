# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Places: which gazetteer entry a name means, which place is the event's, and its fields.

:func:`disambiguate` picks one candidate per place mention: Pakistan first, then China, then
the neighbours; a landmark before a town before a district; the candidate nearest the places
the text names unambiguously; the most populous. :func:`choose_place` picks the event's place
among its sentences' mentions: a cued mention ("in Turbat", "Kech district") in the trigger's
clause first, never an excluded one (a hospital, a home town, "Kabul-based"), never a capital
named for its government ("Islamabad said"), within the trigger sentence's province when it
names one; else any Pakistani place of the event; else the dateline (first event only).
:func:`fill_place` sets the place fields with confidences from :mod:`confidence`.
"""

from __future__ import annotations

import math
import re

from safecorridor.extraction import resources as res
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.grouping import EventGroup
from safecorridor.extraction.mentions import Mention
from safecorridor.extraction.types import CandidateEvent

_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z .'’-]{2,30}?)\s*(?:,\s*[A-Z][a-z]+)?(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*(?:\((?:AP|Reuters|AFP|APP|PPI|Xinhua|Dawn|INP|NNI|Online|Anadolu|IANS|PTI)\))?\s*(?:--?|[:—–])\s"
)

_AREA_BEFORE = re.compile(
    r"\b(?:in|at|near|from)\s+(?:the\s+)?(?P<area>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(?:area|village|locality|valley)\s+of\s+(?:the\s+)?$"
)

_AREA_AFTER = re.compile(
    r"(?:\s+district)?['’]s\s+(?P<area>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s+(?:area|village|locality|valley)\b"
)

#: clause breaks: the event's place is sought in its trigger's clause first
_CLAUSE = re.compile(r"[,;]\s|\s[—–]\s|:\s")

#: capitals that often stand for their governments ("Islamabad said"): never the event's place
#: unless cued; in talks, the government they stand for is an actor
METONYMS: dict[str, str | None] = {
    "Islamabad": "Government of Pakistan",
    "Beijing": "Government of China",
    "Kabul": None,
    "Tehran": None,
    "New Delhi": None,
    "Washington": None,
    "Moscow": None,
}


def disambiguate(places: list[Mention]) -> None:
    """Set ``m.place`` of every mention to its most likely candidate."""
    anchors: list[res.Place] = []
    for m in places:
        countries = {p.country for p in m.places if p.kind != "country"}
        if len(m.places) == 1 or countries == {"PK"}:
            anchors.extend(p for p in m.places if p.lat is not None)
    for m in places:

        def score(p: res.Place) -> tuple[float, ...]:
            dist = 0.0
            if anchors and p.lat is not None and p.lon is not None:
                dist = (
                    min(
                        math.hypot(p.lat - (a.lat or 0), p.lon - (a.lon or 0))
                        for a in anchors
                        if a is not p
                    )
                    if any(a is not p for a in anchors)
                    else 0.0
                )
            return (res.COUNTRY_RANK.get(p.country, 9), p.rank, dist, -p.population)

        m.place = min(m.places, key=score)


def dateline(text: str) -> Mention | None:
    """The place of the text's dateline ("QUETTA: ...", "Peshawar, Sept 29 (Reuters) -")."""
    m = _DATELINE.match(text)
    if not m:
        return None
    name = m.group("place").strip()
    cands = res.gazetteer().get(res.norm(name), [])
    if not cands:
        return None
    place = min(cands, key=lambda p: (res.COUNTRY_RANK.get(p.country, 9), p.rank, -p.population))
    return Mention(m.start("place"), m.end("place"), name, places=cands, cued=True, place=place)


def choose_place(g: EventGroup, dateline_m: Mention | None) -> Mention | None:
    """The mention that places the event (see the module's docstring), or None."""
    cands: list[tuple[tuple[int, ...], Mention]] = []
    trig_prov: set[str] = set()
    # the clause of the trigger: "Two days after Friday's assault on the consulate in
    # Karachi, police arrested a facilitator in Hub" → Hub
    first = g.sentences[0]
    c0, c1 = first.start, first.end
    for c in _CLAUSE.finditer(first.text):
        pos = first.start + c.start()
        if pos < g.trigger[1]:
            c0 = pos
        elif pos >= g.trigger[2]:
            c1 = pos
            break
    for i, s in enumerate(g.sentences):
        for m in s.places:
            p = m.place
            if p is None or m.excluded or p.kind == "country":
                continue
            if m.attrib is not None and not (g.trigger[1] <= m.attrib <= g.trigger[2]):
                continue  # "facilitators of the Noshki bus attack ... in Kharan": Kharan
            if not m.cued and (m.text in METONYMS or p.kind not in ("landmark",)):
                continue
            if i == 0 and p.province:
                trig_prov.add(p.province)
            cands.append(
                (
                    (
                        res.COUNTRY_RANK.get(p.country, 9) > 1,
                        not (i == 0 and c0 <= m.start < c1),
                        p.rank,
                        0 if i == 0 else 1,
                        m.start,
                    ),
                    m,
                )
            )
    if trig_prov:
        cands = [
            c
            for c in cands
            if c[1].place is None or c[1].place.province in trig_prov or c[1].place.province is None
        ]
    if cands:
        return min(cands, key=lambda c: c[0])[1]
    # uncued fallback: a non-metonymic Pakistani place anywhere in the event
    for s in g.sentences:
        for m in s.places:
            if (
                m.place
                and not m.excluded
                and m.place.kind != "country"
                and m.text not in METONYMS
                and m.place.country == "PK"
            ):
                return m
    return dateline_m


def unknown_area(text: str, m: Mention) -> tuple[str, tuple[int, int]] | None:
    """A village or area the gazetteer does not know, named with its district:
    "in the Parom area of Panjgur district", "Kalat district's Mangochar area"."""
    found = _AREA_BEFORE.search(text, max(0, m.start - 60), m.start) or _AREA_AFTER.match(
        text, m.end
    )
    if found is None:
        return None
    name = found.group("area")
    if any(p.country == "PK" for p in res.gazetteer().get(res.norm(name), [])):
        return None
    return name, (found.start("area"), found.end("area"))


def fill_place(ev: CandidateEvent, text: str, g: EventGroup, place_m: Mention | None) -> None:
    """Set the event's place fields (site, city, district, province, country, coordinates,
    geo precision) from the chosen mention."""
    if place_m is None or place_m.place is None:
        return
    p = place_m.place
    if p.kind == "landmark":
        conf = CONFIDENCE.place_landmark
    else:
        conf = CONFIDENCE.place_cued if place_m.cued else CONFIDENCE.place_uncued
    sp = (place_m.start, place_m.end)
    if p.kind == "landmark":
        ev.set("location_name", p.name, sp, conf)
    city = p.city if p.kind in ("landmark", "town") else None
    ev.set("city", city, sp, conf)
    if p.kind == "district":
        area = unknown_area(text, place_m)
        if area is not None:  # "the Mangochar area of Kalat district": a village
            ev.set("city", area[0], area[1], CONFIDENCE.place_unknown_area)
    district = p.district
    if district is None and p.country == "PK":
        for s in g.sentences:
            for m in s.places:
                if m.place and m.place.kind == "district" and m.place.province == p.province:
                    district = m.place.name
    ev.set("district", district, sp, conf - CONFIDENCE.place_district_penalty)
    ev.set("province", p.province, sp, conf)
    ev.set("country", res.country_name(p.country), sp, conf)
    if p.lat is not None:
        ev.set("latitude", p.lat, sp, conf)
        ev.set("longitude", p.lon, sp, conf)
    gp = {"landmark": 1, "town": 1, "district": 2, "province": 3, "country": 3}[p.kind]
    if place_m.near and gp == 1:
        gp = 2
    ev.set("geo_precision", gp, sp, conf)

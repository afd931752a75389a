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
from dataclasses import replace

from safecorridor.extraction import resources as res
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.datelines import dateline_spans
from safecorridor.extraction.grouping import EventGroup, trigger_words
from safecorridor.extraction.mentions import NOT_EVENT_ROLES, Mention
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.types import CandidateEvent

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


#: country names and demonyms: a foreign town stays only in a text that names its country
_COUNTRY_WORDS: dict[str, re.Pattern[str]] = {
    "AF": re.compile(r"\bAfghan(?:istan|s)?\b"),
    "IR": re.compile(r"\bIran(?:ian|ians)?\b"),
    "CN": re.compile(r"\bChin(?:a|ese)\b"),
    "IN": re.compile(r"\bIndia(?:n|ns)?\b"),
}


def report_country(places: list[Mention]) -> str:
    """The country the report is about: the one most of its unambiguous places lie in
    (Pakistan when none is unambiguous)."""
    votes: dict[str, int] = {}
    for m in places:
        countries = {p.country for p in m.places if p.kind != "country"}
        if len(countries) == 1:
            c = next(iter(countries))
            votes[c] = votes.get(c, 0) + 1
    return max(votes, key=lambda c: (votes[c], c == "PK")) if votes else "PK"


def _named(country: str, text: str, seen: dict[str, bool]) -> bool:
    if country not in seen:
        rx = _COUNTRY_WORDS.get(country)
        seen[country] = bool(rx and rx.search(text))
    return seen[country]


#: "in Noshki district", "in Zhob and Sherani districts", "in Khost province": the unit a
#: name is said to be, not the town of that name
_UNIT_AFTER = re.compile(
    r"(?:\s+and\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)?"
    r"\s+(?:(?P<district>[Dd]istricts?|[Aa]genc(?:y|ies))|(?P<province>[Pp]rovinces?))\b"
)


def _degrees(a: res.Place, b: res.Place) -> float:
    """How far apart two places lie, in degrees (0 when either has no coordinates)."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return 0.0
    return math.hypot(a.lat - b.lat, a.lon - b.lon)


def disambiguate(places: list[Mention], text: str = "") -> None:
    """Set ``m.place`` of every mention to its most likely candidate: in the country the
    report is about, then the nearest to the places it names unambiguously, then the most
    populous; a foreign namesake of a place in a report about Pakistan is dropped unless the
    text names the foreign country ("Makran" is a town in Iran too)."""
    home = report_country(places)
    anchors: list[res.Place] = []
    for m in places:
        countries = {p.country for p in m.places if p.kind != "country"}
        if len(m.places) == 1 or countries == {home}:
            anchors.extend(p for p in m.places if p.lat is not None)
    anchor_districts = {a.district for a in anchors if a.district and a.country == home}
    named: dict[str, bool] = {}  # a country named in the text, looked up when needed
    keep: list[Mention] = []
    for m in places:

        def coarse(p: res.Place) -> tuple[int, int]:
            return (0 if p.country == home else res.COUNTRY_RANK.get(p.country, 9) + 1, p.rank)

        def score(p: res.Place) -> tuple[float, ...]:
            dist = 0.0
            others = [a for a in anchors if a is not p and a.lat is not None]
            if others and p.lat is not None and p.lon is not None:
                dist = min(_degrees(p, a) for a in others)
            return (*coarse(p), dist, -p.population)

        unit = _UNIT_AFTER.match(text, m.end) if text else None
        units = [p for p in m.places if unit and p.kind == unit.lastgroup]
        if len(m.places) == 1:
            m.place = m.places[0]
        elif len(units) == 1:
            m.place = units[0]  # "in Noshki district": the district, not its town
        else:
            # a namesake in the district of a place the text names for certain ("NASIRABAD:"
            # above "near Dera Murad Jamali": the Balochistan district, not the Sindh town)
            local = [p for p in m.places if p.country == home and p.district in anchor_districts]
            pool = local if local else m.places
            best = min(coarse(p) for p in pool)
            tied = [p for p in pool if coarse(p) == best]
            if len(tied) > 1 and tied[0].country != home:
                # abroad, the place of that very name before one that has it only as an
                # alternate ("Tehran", not the small Tiran a gazetteer lists as "Tehran" too;
                # at home the places the text names decide between spellings)
                said = res.norm(res.fold(m.text))
                exact = [p for p in tied if res.norm(res.fold(p.name)) == said]
                tied = exact or tied
            m.place = tied[0] if len(tied) == 1 else min(tied, key=score)
        p = m.place
        if (
            text
            and home == "PK"
            and p.kind != "country"
            and p.country not in ("PK", "CN")
            and not _named(p.country, text, named)
            # ("in Khrew area of Pulwama District": a district abroad no Pakistani place is
            # named after is no namesake)
            and not (m.role == "admin" and all(c.country != "PK" for c in m.places))
        ):
            continue  # a foreign namesake in a report about Pakistan
        if text and _stray_hamlet(m, p, anchors, text):
            continue
        keep.append(m)
    places[:] = keep


#: a facility named after a place-like word: "the Eidgah vegetable market"
_FACILITY_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:market|bazaar|mandi|ground|mosque|chowk|square|hospital|stadium)\b",
    re.I,
)
#: how far (in degrees) a hamlet is from every other place the report names to be a stray
_STRAY_DEGREES = 3.0


def _stray_hamlet(m: Mention, p: res.Place, anchors: list[res.Place], text: str) -> bool:
    """A hamlet's name that names a facility ("killed 25 at the Eidgah vegetable market" in a
    Parachinar story) far from every other place the report names, in a district and
    province it never names: a landmark of the story's town, not that hamlet."""
    if p.kind != "town" or p.population >= 2_000 or p.lat is None or p.lon is None:
        return False
    if not _FACILITY_AFTER.match(text, m.end):
        return False
    # (a capital is named for its government as often as for a place: "ISLAMABAD -")
    others = [a for a in anchors if a is not p and a.lat is not None and a.name not in METONYMS]
    if not others or min(_degrees(p, a) for a in others) <= _STRAY_DEGREES:
        return False
    return not any(name and name in text for name in (p.district, p.province))


def dateline(text: str, spans: list[tuple[int, int]] | None = None) -> Mention | None:
    """The place of the text's dateline ("QUETTA: ...", "Peshawar, Sept 29 (Reuters) -",
    :func:`datelines.dateline_spans`, or the ``spans`` already found): the first place it
    names."""
    for start, end in dateline_spans(text) if spans is None else spans:
        name = re.split(r"\s*[/,(\[]", text[start:end], maxsplit=1)[0].strip()
        cands = res.gazetteer().get(res.norm(name), [])
        if not cands and "." in name:
            cands = res.gazetteer().get(res.norm(" ".join(name.replace(".", " ").split())), [])
        cands = [p for p in cands if p.kind != "country"]
        if not cands:
            continue
        place = min(
            cands, key=lambda p: (res.COUNTRY_RANK.get(p.country, 9), p.rank, -p.population)
        )
        return Mention(start, start + len(name), name, places=cands, cued=True, place=place)
    return None


#: an area of a city this large is a neighbourhood of it
_BIG_CITY = 1_000_000
_AREA_AFTER = re.compile(r"\s+(?:area|locality|neighbou?rhood|colony|sector|town)\b", re.I)
#: a locality and the town it is part of: "the Gulshan area of Dhaka", "Dhaka city's Mirpur"
_AREA_OF = re.compile(
    r"\s+(?:area|locality|neighbou?rhood|colony|sector)\s+of\s+(?:the\s+)?(?:city\s+of\s+)?$", re.I
)
_TOWNS_OWN = re.compile(r"^(?:\s+city)?['’]s\s+$", re.I)


def _host_town(s: Sentence, m: Mention) -> Mention | None:
    """The town a locality is said to be part of ("the X area of Y", "Y city's X") when the
    locality's own place is in another country or province (a namesake elsewhere): that
    town's mention."""
    p = m.place
    for h in s.places:
        hp = h.place
        if h is m or hp is None or hp.kind != "town":
            continue
        if h.start > m.end:
            between = s.text[m.end - s.start : h.start - s.start]
            if not _AREA_OF.fullmatch(between):
                continue
        elif not _TOWNS_OWN.match(s.text[h.end - s.start : m.start - s.start]):
            continue
        # (a town of the same province is a tehsil's: "the Daraban area of Dera Ismail Khan")
        if p is not None and (p.country != hp.country or p.province != hp.province):
            return h
    return None


#: roles that never place an event (:data:`mentions.NOT_EVENT_ROLES`), nor does "speech"
_NOT_EVENT_ROLES = NOT_EVENT_ROLES
#: roles that place an event only when nothing better is named
_WEAK_ROLES = ("travel", "reference", "project")


#: a sentence that opens with a quotation: someone's words, not the report's telling
_QUOTES = ('"', "“", "‘", "'")

#: families of the events that follow another and happen where it did unless told otherwise
_FOLLOW_UPS = ("arrest", "legal", "disrupted", "protest")
#: the place of the event told just before: "from the incident site", "at the scene", "the
#: same house"
_AT_THE_SCENE = re.compile(
    r"\b(?:from|at|near|to|on|around)\s+the\s+(?:incident\s+|blast\s+|attack\s+|crime\s+"
    r"|same\s+)?(?:site|scene|spot|venue)\b|\bthe same (?:house|residence|building|site|spot|"
    r"area|place|road|school|check\s?post|post|camp|mosque|market|location|premises|locality|"
    r"village)\b"
    # the forces answering an attack where it was: "a quick reaction force reached the area"
    r"|\b(?:reached|arrived (?:at|in)|rushed to|cordoned off|moved into)\s+the\s+"
    r"(?:area|scene|spot)\b"
    # "Security forces launched a rescue operation": where the hostages were held
    r"|\blaunched (?:an? |the )?(?:rescue|clearance) operation\b",
    re.I,
)


_THE_CITY = re.compile(r"\b(?:of|in) the (?:same )?(?:city|town)\b")
_THE_DISTRICT = re.compile(r"\b(?:in|of|across) the [Dd]istrict\b")
#: "four were killed in a similar attack in the same district": the district of the place
#: told before, not its town
_SAME_UNIT = re.compile(
    r"\bin the same (district|province|area|locality|village|tehsil)\b"
    r"|\b(?:across|throughout|all over) the (province)\b"
)
_POSSESSIVE = re.compile(r"['’]s?\b")
_HERE = re.compile(r"\b(?:here|in the city|in the provincial capital|in the federal capital)\b")


#: the region international reports put an event in when they name no place: "in the
#: northwest", "in Pakistan's southwestern province", "in northwestern Pakistan", a headline's
#: "in NW Pakistan", and the tribal areas (former FATA: "in Pakistan tribal area"); not
#: another country's ("in northwestern Afghanistan") nor a bearing ("50 km northwest of Quetta")
_REGION = re.compile(
    r"\b(?:in|across|of|from|at)\s+(?:the\s+)?(?:country's\s+|Pakistan(?:'s|’s)?\s+|the\s+country['’]s\s+)?"
    r"(?:restive\s+|volatile\s+|troubled\s+|mountainous\s+|far\s+|lawless\s+|semi-autonomous\s+)?"
    r"(?P<dir>north-?west(?:ern)?|south-?west(?:ern)?|(?-i:NW|SW)(?=\s+Pakistan)"
    r"|tribal\s+(?:areas?|regions?|belt|districts?)(?!\s+(?:of|in)\s+(?:\w+\s+)?Balochistan))\b"
    r"(?!\s+of\b)(?!\s+(?:\w+\s+)?(?:Afghan|Iran|India|China))",
    re.I,
)
#: the province each bearing (or the tribal areas) stands for in reports about Pakistan (the
#: tribal areas, merged in 2018, are coded to Khyber Pakhtunkhwa for every year)
_REGION_PROVINCE = {
    "north": "Khyber Pakhtunkhwa",
    "south": "Balochistan",
    "tribal": "Khyber Pakhtunkhwa",
}


def _region(g: EventGroup) -> Mention | None:
    """The province an event's region stands for ("in the northwest": Khyber Pakhtunkhwa), as
    a mention of that province, when a sentence of the event names one."""
    for s in g.sentences:
        if s.aside:
            continue
        m = _REGION.search(s.text)
        if m is None:
            continue
        region = m.group("dir").lower()
        if region.startswith("tribal"):
            region = "tribal"  # "tribal area", "tribal belt", "tribal districts"
        else:  # "northwestern", "north-west", "NW": north
            region = {"nw": "north", "sw": "south"}.get(region, region[:5])
        name = _REGION_PROVINCE[region]
        cands = [p for p in res.gazetteer().get(res.norm(name), []) if p.kind == "province"]
        if cands:
            start = s.start + m.start("dir")
            return Mention(
                start,
                s.start + m.end("dir"),
                m.group("dir"),
                places=cands,
                cued=True,
                place=cands[0],
            )
    return None


#: a post or station named after a place: "the Mandan police station", "Pezu police post"
_POST_AFTER = re.compile(
    r"\s+(?:police\s+)?(?:station|post|check\s?post|checkpost|chowki|thana|picket)\b", re.I
)


def _named_post_elsewhere(s: Sentence, m: Mention) -> bool:
    """``m`` names a police post or station, and the sentence places the event in another
    district ("In Bannu, gunmen opened fire near the Mandan police station": Mandan is a
    namesake in Kurram, the post is Bannu's)."""
    p = m.place
    if p is None or p.kind != "town" or not _POST_AFTER.match(s.text, m.end - s.start):
        return False
    return any(
        o is not m
        and o.cued
        and o.place is not None
        and o.place.kind in ("town", "district")
        and o.place.country == "PK"
        and (o.place.district or o.place.name) != p.district
        for o in s.places
    )


def _lead_is_finer(head: Sentence, lead: Sentence) -> bool:
    """The headline names no place finer than the lead: none, a province, or a town that is
    the name of a district the lead names."""
    districts = {
        m.place.district or m.place.name
        for m in lead.places
        if m.place and m.place.kind in ("district", "town")
    }
    town = _town_of(lead)
    return all(
        m.place is None
        or m.place.kind in ("province", "country")
        or (m.place.kind == "town" and m.place.name in districts and m.place.name != town)
        for m in head.places
    )


def _town_of(s: Sentence) -> str | None:
    return next(
        (
            m.place.name
            for m in s.places
            if m.place and m.place.kind == "town" and m.role not in NOT_EVENT_ROLES
        ),
        None,
    )


def choose_place(
    g: EventGroup, dateline_m: Mention | None, previous: Mention | None = None
) -> Mention | None:
    """The mention that places the event (see the module's docstring), or None.

    Tiers, best first: a place cued in the trigger's clause; cued in the trigger's sentence;
    cued in a later sentence of the event; any Pakistani place of the event; a journey's end
    or a distance's reference point; the dateline (first event only); ``previous``, the place
    of the event told before, for a follow-up told without a place of its own (an arrest, a
    case, a weapon found, a protest) or "at the scene", "from the site". Within a tier, a place
    in the province the trigger's sentence names, then the most specific (a site before a
    town before a district before a province), then the first named. A place never comes
    from a dateline, an aside, where people come from or an office's name, nor from where
    officials spoke (a press conference in Islamabad does not place talks held elsewhere)."""
    first = g.sentences[0]
    trig_s = g.trigger_sentence() or first
    if (
        g.outcome
        and previous is not None
        and not any(
            m.cued and not _PLANNED_BEFORE.search(trig_s.text, 0, m.start - trig_s.start)
            for m in trig_s.places
        )
    ):
        # "On the occasion, the two sides signed an MoU": where they met (not where they
        # "agreed to hold the next meeting")
        return previous
    if trig_s.headline:
        # a headline that names no place, only a province ("grenade blast rocks PoK") or only
        # the district the lead names ("in Kashmore"; "near Kandhkot in Kashmore district"):
        # the lead that tells the event places it
        lead = next((s for s in g.sentences if s.start > trig_s.start and s.places), None)
        if lead is not None and not lead.headline and _lead_is_finer(trig_s, lead):
            trig_s = lead
    # the trigger whose clause is searched: the lead's own, when the lead stands in for the
    # headline ("were gunned down in Turbat", not "labourers from Hyderabad")
    t0, t1 = g.trigger[1], g.trigger[2]
    if not trig_s.start <= t0 < trig_s.end:
        t0, t1 = trig_s.trigger[1:] if trig_s.trigger else (trig_s.start, trig_s.start)
    if dateline_m is not None and _HERE.search(trig_s.text):
        return dateline_m  # "ISLAMABAD: ... held a meeting ... here on Tuesday": the dateline's
    c0, c1 = trig_s.start, trig_s.end
    for c in _CLAUSE.finditer(trig_s.text):
        pos = trig_s.start + c.start()
        if pos < t0:
            c0 = pos
        elif pos >= t1:
            c1 = pos
            break
    # (a group banned: where it operates is its record, not where it was banned)
    banned = g.family == "legal" and bool(_BANNED.search(trigger_words(g, g.trigger)))
    talks = g.family in ("talks", "request") or banned
    # (talks: the provinces a sentence names are their topics, "met in Islamabad to review
    # the situation in Balochistan", not a bound on their venue)
    trig_prov = {
        m.place.province
        for m in trig_s.places
        if m.place
        and m.place.kind == "province"
        and m.role not in _NOT_EVENT_ROLES
        and m.role != "speech"
        and not talks
    }
    # the districts cued in the trigger's clause: a town of theirs named there uncued ("the
    # Daraban police station in Dera Ismail Khan district") places the event more finely
    clause_units = {
        m.place.name
        for m in trig_s.places
        if m.cued and m.place is not None and m.place.kind == "district" and c0 <= m.start < c1
    }
    best: tuple[tuple[int, ...], Mention] | None = None
    for s in g.sentences:
        if talks and s is not trig_s and s.places and not _VENUE_WORDS.search(s.text):
            continue  # "reviewed security for projects in Balochistan": a topic, no venue
        if s is not trig_s and s.trigger is None and s.text[:1] in _QUOTES:
            continue  # '"They can reach targets in Karachi," said an analyst': an opinion
        for m in s.places:
            p = m.place
            # ("Gwadar residents staged a protest here": where the protesters live)
            local = g.family == "protest" and s is trig_s and m.role == "origin"
            if p is None or m.excluded or p.kind == "country":
                continue
            if m.role in _NOT_EVENT_ROLES and not local:
                continue
            if m.role == "speech":
                continue
            if _named_post_elsewhere(s, m):
                continue  # "In Bannu, ... near the Mandan police station": a post's name
            if talks and _PLANNED_BEFORE.search(s.text, 0, m.start - s.start):
                continue  # "agreed to hold the next meeting in Beijing": not this one's venue
            if talks and s is not trig_s and p.kind == "province":
                continue  # "would transform the economy of Balochistan": a topic, no venue
            if banned and s is trig_s and m.start >= t1:
                continue  # "banned a group it blames for bombings in Sindh": its record
            if m.attrib is not None and not _names_trigger(g, m.attrib):
                continue  # "facilitators of the Noshki bus attack ... in Kharan": Kharan
            if m.text in METONYMS and _POSSESSIVE.match(s.text, m.end - s.start):
                continue  # "rejected Beijing's request": the government, not the city
            metonym = m.text in METONYMS and not m.cued
            if metonym and not talks:
                continue
            in_unit = (
                s is trig_s
                and c0 <= m.start < c1
                and p.kind == "town"
                and p.district in clause_units
            )
            if m.role == "travel" and _between_ends(s):
                continue  # "the train, travelling from Quetta to Peshawar, was hijacked": en route
            if m.role in _WEAK_ROLES or local:
                tier = 4
            elif m.cued or (p.kind == "landmark" and not talks) or in_unit:
                # (talks are held in a town: "a force for Gwadar port" is their topic)
                if s is trig_s and c0 <= m.start < c1:
                    tier = 0
                elif s is trig_s:
                    tier = 1
                else:
                    tier = 2
            elif p.country == "PK" and not metonym:
                tier = 3
            else:
                continue
            outside = bool(trig_prov) and p.province not in trig_prov
            rank = p.rank + (1 if m.role == "admin" else 0)  # a tehsil ranks as a district
            # "in Dera Ismail Khan's Kulachi area": Kulachi, within the town's district
            key = (tier, outside, rank, int(m.possessor), m.start)
            if best is None or key < best[0]:
                best = (key, m)
    if best is None:
        # "Islamabad (Reuters) - ... killed six militants in the northwest": the region the
        # report names, not the wire's dateline
        abroad = (
            dateline_m is not None
            and dateline_m.place is not None
            and dateline_m.place.country != "PK"
        )
        region = None if abroad else _region(g)  # "KABUL: ... in the northwest" is Afghan
        if region is not None:
            return region
        force = _local_force(g)
        if force is not None:
            return _unit_of(force, "district")  # the force's district, not its seat
        if g.summed_place is not None:
            return g.summed_place  # "... in separate incidents in Karachi", then each told
        if dateline_m is not None or previous is None:
            return dateline_m
        follows = (
            (
                g.family in _FOLLOW_UPS
                and not any(s.charges for s in g.sentences)
                # (a group banned or designated: no follow-up of the attack told before)
                and not banned
                # ("In a separate statement, ... arrested nine suspects across the province")
                and not _ELSEWHERE.search(g.sentences[0].text)
            )
            or any(_AT_THE_SCENE.search(s.text) for s in g.sentences)
            # a clause dated by its host ("..., who had been shot dead earlier that morning")
            or (g.recalled and g.inherited_date is not None)
            # "in the Kohat Road area of the city": the city told before
            or any(_THE_CITY.search(s.text) for s in g.sentences)
        )
        if follows:
            return previous
        same = next((hit for s in g.sentences if (hit := _SAME_UNIT.search(s.text))), None)
        if same:
            return _unit_of(previous, same.group(1) or same.group(2))
        # "a suicide bomber killed 63 people at a rally in the district": the district of the
        # place told before
        if any(_THE_DISTRICT.search(s.text) for s in g.sentences):
            return _unit_of(previous, "district")
        return None
    chosen = best[1]
    cp = chosen.place
    home = next((s for s in g.sentences if s.start <= chosen.start < s.end), g.sentences[0])
    if cp is not None and cp.minor and _AREA_AFTER.match(home.text, chosen.end - home.start):
        # "the Kharotabad area of Quetta": a neighbourhood of a city is the city (the one its
        # own sentence names, not a city a later sentence names for another reason)
        for m in home.places:
            p = m.place
            if (
                p
                and p.kind == "town"
                and p.population >= _BIG_CITY
                and m.cued
                and not m.role
                and not m.excluded
            ):
                near = abs((p.lat or 0) - (cp.lat or 0)) + abs((p.lon or 0) - (cp.lon or 0))
                if near < res.SAME_TOWN_DEG * 2:
                    return m
    if cp is not None and (host := _host_town(home, chosen)) is not None:
        return host  # "the Gulshan area of Dhaka", "Dhaka city's Mirpur": Dhaka, not a namesake
    if cp is not None and cp.kind in ("district", "province") and best[0][0] <= 2:
        # "in Bajaur district ... in the town of Khar": the town within the district (the
        # body's before the headline's, which may name the district by its town: "in Kalat")
        for s in sorted(g.sentences, key=lambda x: x.headline):
            for m in s.places:
                p = m.place
                if (
                    p is not None
                    and m is not chosen
                    and p.kind in ("town", "landmark")
                    and (m.cued or p.kind == "landmark")
                    and not m.excluded
                    # (a journey's end in that very district: "on their way to Dasu, in
                    # Upper Kohistan district"; not one of two ends: "from Pasni to Ormara")
                    and (
                        not m.role
                        or (m.role == "travel" and cp.kind == "district" and _one_end(g, m))
                    )
                    and (
                        p.district == cp.district
                        if cp.kind == "district" and p.district
                        else p.province == cp.province
                    )
                ):
                    return m
    if cp is not None and cp.kind == "province":
        # "near Jinnah Road, Quetta, the provincial capital of Balochistan": the province is
        # cued, the town it names in apposition is where
        for m in trig_s.places:
            p = m.place
            if (
                p is not None
                and p.kind == "town"
                and p.country == "PK"
                and p.province == cp.province
                and not m.excluded
                and not m.role
                and m.text not in METONYMS
            ):
                return m
    return chosen


#: a district's or town's own force: "Lakki Marwat police foiled an attack on a station"
_LOCAL_FORCE_AFTER = re.compile(r"(?:['’]s)?\s+(?:police|levies|district police)\b", re.I)


def _local_force(g: EventGroup) -> Mention | None:
    """The district or town whose police the event's first sentence names, when it names
    no place of the event itself."""
    s = g.sentences[0]
    for m in s.places:
        p = m.place
        if (
            m.role == "org"
            and p is not None
            and p.country == "PK"
            and p.kind in ("town", "district")
            and _LOCAL_FORCE_AFTER.match(s.text, m.end - s.start)
        ):
            return m
    return None


#: a group banned or listed: a decision taken in an office, about places elsewhere
_BANNED = re.compile(r"proscri|schedule|designat|banned|ban on|list", re.I)
#: a follow-up told apart from the event before: no place of that event's
_ELSEWHERE = re.compile(
    r"^In (?:a|another) separate (?:statement|development|operation|incident)\b|"
    r"\b(?:across|throughout|all over) the (?:province|country)\b",
    re.I,
)
#: words of a sentence that tells where talks took place (the others tell their topics)
_VENUE_WORDS = re.compile(
    r"\b(?:held|met|meet|meeting|talks|session|convened|chaired|hosted|visit\w*|called on)\b",
    re.I,
)
#: the venue of talks yet to come: "the next meeting in Beijing", "to host the next round in"
_PLANNED_BEFORE = re.compile(
    r"\b(?:next|upcoming|following|future)\s+(?:meeting|round|session|talks|sitting)\b[^.;]{0,40}$"
    r"|\bto (?:hold|host|convene)\b[^.;]{0,50}$",
    re.I,
)
#: between a trigger and the event noun it opens: "grenade ... attack", "killed in Pakistan's
#: Balochistan ... attacks" (not "kill key planner of the Peshawar school ... massacre")
_SAME_NOUN_PHRASE = re.compile(r"(?:(?!\bof\b)[\w '’-]){0,32}")


def _names_trigger(g: EventGroup, noun: int) -> bool:
    """The event noun a place names ("the Quetta grenade attack") is the event's trigger, or
    the head of the noun phrase the trigger opens ("grenade" ... "attack")."""
    t0, t1 = g.trigger[1], g.trigger[2]
    if t0 <= noun <= t1:
        return True
    s = next((s for s in g.sentences if s.start <= t0 < s.end), None)
    return (
        s is not None
        and t1 < noun < s.end
        and _SAME_NOUN_PHRASE.fullmatch(s.text, t1 - s.start, noun - s.start) is not None
    )


def _unit_of(previous: Mention, unit: str) -> Mention | None:
    """The place told before, widened to its district or province ("in the same district")."""
    p = previous.place
    if p is None or unit not in ("district", "province") or p.kind == unit:
        return previous
    name = p.district if unit == "district" else p.province
    wide = next((q for q in res.gazetteer().get(res.norm(name or ""), []) if q.kind == unit), None)
    return replace(previous, place=wide) if wide is not None else previous


#: a journey's destination named before its start: "the Peshawar-bound Jaffar Express"
_BOUND = re.compile(r"\b[A-Z][\w'’-]*-bound\b")


def _between_ends(s: Sentence) -> bool:
    """The sentence names both ends of a journey ("travelling from Quetta to Peshawar", "the
    Peshawar-bound train from Quetta"): what happened to it happened on the way."""
    before = [s.text[: m.start - s.start].rstrip() for m in s.places if m.role == "travel"]
    start = any(b.endswith((" from", " from the")) for b in before)
    end = any(b.endswith((" to", " to the", " towards", " for")) for b in before)
    return start and (end or bool(_BOUND.search(s.text)))


def _one_end(g: EventGroup, end: Mention) -> bool:
    """The journey's end is the only journey town of the event's sentences, named after "to"."""
    travel = [m for s in g.sentences for m in s.places if m.role == "travel" and m.place]
    home = next((s for s in g.sentences if s.start <= end.start < s.end), None)
    before = home.text[: end.start - home.start].rstrip() if home else ""
    return len(travel) == 1 and before.endswith((" to", " to the", " towards"))


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
    how = (
        place_m.role
        or ("landmark" if p.kind == "landmark" else "village" if p.minor else "")
        or ("cued" if place_m.cued else "uncued")
    )
    basis = f"{how}:{p.kind}:{'recalled' if g.recalled else g.family}"
    if p.kind == "landmark":
        ev.set("location_name", p.name, sp, conf)
    city = p.city if p.kind in ("landmark", "town") and place_m.role != "admin" else None
    if place_m.role == "reference" and p.kind == "town":
        # "at a college some 30 km from Peshawar": measured from the town, so not in it (its
        # district and province stay, the nearest the text comes)
        city = None
    if p.minor and place_m.cued:
        conf = CONFIDENCE.place_unknown_area  # a village the text names beside a known place
    # foreign towns in plain letters, as English text spells them ("Kandahar")
    ev.set("city", res.plain(city) if city else city, sp, conf, f"city:{basis}")
    district = p.district
    if district is None and p.country == "PK":
        # a town the gazetteer gives no district: the district the text names in its
        # province, the nearest of several ("Kandhkot in Kashmore and Shikarpur districts")
        named = [
            m.place
            for s in g.sentences
            for m in s.places
            if m.place and m.place.kind == "district" and m.place.province == p.province
        ]
        if named:
            district = min(named, key=lambda d: _degrees(p, d)).name
    ev.set("district", district, sp, conf - CONFIDENCE.place_district_penalty)
    ev.set("province", p.province, sp, conf, f"province:{basis}")
    ev.set("country", res.country_name(p.country), sp, conf)
    if p.lat is not None:
        ev.set("latitude", p.lat, sp, conf)
        ev.set("longitude", p.lon, sp, conf)
    gp = {"landmark": 1, "town": 1, "district": 2, "province": 3, "country": 3}[p.kind]
    if (place_m.near or place_m.role == "admin") and gp == 1:
        gp = 2
    ev.set("geo_precision", gp, sp, conf)

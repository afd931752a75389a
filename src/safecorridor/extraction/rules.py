"""The default rule extractor: the stages composed, text in, candidate events out.

No tokenizer runs: sentences are cut by one regex, places and actors are found by one dictionary
probe per capitalised word (:func:`resources.find_phrases`), and every lexicon is one compiled
regex tried only at word starts. The stages, in order:

1. :mod:`layout` joins hard wraps, marks lost full stops and gives a text in one case its
   capitals; :mod:`sentences` cuts the text; :mod:`grouping` cuts recalled events out of
   their sentences; :mod:`datelines` finds the datelines, the headline and the asides (linked
   headlines) and, for a report of unknown date, the day it gives for itself.
2. :mod:`mentions` finds places (with each one's role in its sentence, and villages named
   beside a known place) and actors; :mod:`places` disambiguates the places.
3. Per sentence: :mod:`dates` (date expressions; a day and month take the year the text
   gives), :mod:`actors` (claims, blame), :mod:`kinds` (triggers), :mod:`casualties` (counts,
   each checked for plausibility).
4. :mod:`grouping` groups sentences into events and joins an event retold later in the text.
5. Per event: :mod:`places` (its place), :mod:`actors` (perpetrator, claim), :mod:`targets`,
   :mod:`kinds` (its kind, on all its sentences), :mod:`dates` (its date), :mod:`casualties`
   (its figures), each field with a raw confidence from :mod:`confidence` and the evidence it
   rests on; :mod:`calibration` then turns the raw confidences into fitted ones. An event
   whose trigger heads a list of places ("bombings in Mastung and Hangu") is one event per
   place (:mod:`enumerations`).

Coding conventions (ACLED-based, kept consistent with the gold files):

* An armed assault on security forces only (posts, convoys, camps, patrols, personnel) is an
  ``armed_clash`` whether or not an exchange of fire is reported; bombs, grenades and suicide
  attacks keep their own kinds; an ambush of civilians is an ``attack``.
* In a security operation (IBO, "terrorists killed") the security forces are the acting side
  but are not the ``perpetrator`` (that field names the armed group responsible, or the agency
  that made an arrest); the militants killed go to ``attackers_killed``.
* ``fatalities`` counts the victims (security forces, civilians), never the attackers;
  ``total_fatalities`` is the ACLED figure, victims plus attackers.
* ``claimed_by`` only for a claim ("claimed", "owned", "took/accepted responsibility");
  "said it was behind", "said its X carried out" and blame ("officials blamed", "suspected",
  "hallmarks of") name the ``perpetrator`` (lower confidence for blame) but not ``claimed_by``.
* A past event recalled in a relative clause ("after the Besham attack, which killed five
  Chinese citizens last week") is an event of its own, dated from its clause or left undated.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

from safecorridor.extraction import calibration, casualties
from safecorridor.extraction import resources as res
from safecorridor.extraction.actors import fill_actors, mark_attribution
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.datelines import (
    aside_spans,
    dated_heads,
    dateline_spans,
    headline_spans,
    text_published,
)
from safecorridor.extraction.dates import (
    STAND_IN,
    DateMention,
    against_stand_in,
    anchor_years,
    ends_before,
    event_precision,
    find_dates,
    recalled_date,
    text_year,
    yearless,
    years_refine_months,
)
from safecorridor.extraction.grouping import (
    BRIEFED,
    EventGroup,
    group,
    split_recalled,
    trigger_words,
)
from safecorridor.extraction.kinds import decide_kind, mark_triggers
from safecorridor.extraction.layout import (
    blank_wire_slugs,
    join_hyphenated,
    repunctuate,
    truecase,
    unwrap_lines,
)
from safecorridor.extraction.mentions import Mention, find_localities, find_mentions
from safecorridor.extraction.places import choose_place, dateline, disambiguate, fill_place
from safecorridor.extraction.sentences import Sentence, cut_headlines, cut_threats, split_sentences
from safecorridor.extraction.targets import find_targets
from safecorridor.extraction.triggers import TRIGGERS
from safecorridor.extraction.types import CandidateEvent
from safecorridor.extraction.words import MONTH_NAMES

NAME = "safecorridor-rules"
VERSION = "0.1.0"

#: the targets a threat keeps (a threat "to the security forces" is not recorded as one)
_THREAT_TARGETS = ("foreign_nationals", "corridor_project", "diplomatic")


class RuleExtractor:
    """The default, deterministic extractor. Stateless; resources are cached per process.
    ``calibrated=False`` keeps the raw confidences of :mod:`confidence` (to fit the map);
    ``table`` is the calibration map applied (None: the shipped one)."""

    name = NAME
    version = VERSION

    def __init__(
        self, *, calibrated: bool = True, table: calibration.CalibrationMap | None = None
    ) -> None:
        self.calibrated = calibrated
        self.table = table

    def extract(
        self,
        text: str,
        *,
        published: date | None = None,
        extra_places: list[dict[str, Any]] | None = None,
        extra_aliases: dict[str, str] | None = None,
        own_date: bool = True,
    ) -> list[CandidateEvent]:
        if not text or not text.strip():
            return []
        text = laid_out(text)
        if published is None and own_date:
            published = text_published(text)  # "Published in Dawn, May 7th, 2024"
        elif published is not None:
            # a report that gives its own day before the one it is filed under (read later,
            # re-posted, an archive's column): its "on Sunday" and "yesterday" are said from
            # its own day ("TURBAT, Nov 30, 2026 ... on Sunday" is Nov 29, filed on Dec 6)
            written = text_published(text)
            if written is not None and published - timedelta(days=OWN_DAY_LAG) <= written:
                published = min(written, published)
        heads = headline_spans(text)
        sentences = split_recalled(
            cut_threats(cut_headlines(split_sentences(text), text, heads), text), published
        )
        places, actors = find_mentions(text, extra_places, extra_aliases)
        disambiguate(places, text)
        places = sorted([*places, *find_localities(text, places, actors)], key=lambda m: m.start)
        datelines = dateline_spans(text)
        asides = aside_spans(text)
        for m in places:
            if _inside(m.start, datelines):
                m.role = "dateline"
            elif _inside(m.start, asides):
                m.role = "aside"
        # no publication date: days and months are read in the latest year the text gives,
        # and the days and months said relative to it ("on Tuesday", "in April", "three months
        # ago") against a stand-in day far from any real one, so that events told on different
        # days stay apart as they do in a dated report; no date read against the stand-in is
        # an event's (:func:`_set_date`)
        year_hint = text_year(sentences) if published is None else None
        today = published or STAND_IN  # the day the report is read as of
        anchor = today  # what a recalled gap counts back from: the latest event's day
        for s in sentences:
            s.aside = _inside(s.start, asides)
            s.places = [m for m in places if s.start <= m.start < s.end]
            s.actors = [m for m in actors if s.start <= m.start < s.end]
            s.dates = find_dates(s.text, published, s.start, published and anchor, year_hint)
            if published is None and _RELATIVE_CUE.search(s.text):
                s.dates = _with_stand_in(s)
            for d in s.dates:
                if _inside(d.start, datelines):
                    d.reporting = True  # the dateline's date is the report's
            if s.recall_gap and not any(not d.reporting for d in s.dates):
                # "the attack comes two days after ...": two days before the attack, if dated
                s.dates.append(recalled_date(s, anchor, s.recall_gap))
            elif not s.recalled:
                own = [
                    d.value for d in s.dates if not d.reporting and d.precision == "day" and d.value
                ]
                if own and own[0] <= today:
                    anchor = own[0]
            mark_attribution(s)
            s.headline = _inside(s.start, heads)
            mark_triggers(s)
            s.casualties = casualties.parse(s.text, s.start)
            s.casualties.headline = s.headline
        anchor_years(sentences)
        years_refine_months(sentences, published)
        groups = group(sentences, published)
        dateline_m = dateline(text, datelines)
        heads_dated = dated_heads(text, datelines)
        dateline_day = next(
            (
                d
                for s in sentences
                for d in s.dates
                if d.precision == "day" and _inside(d.start, heads_dated)
            ),
            None,
        )
        events: list[CandidateEvent] = []
        owners: list[EventGroup] = []  # each event's group (a list of places: one per place)
        last_place: Mention | None = None
        arrest_place: Mention | None = None  # a case "against the suspects" follows the arrest
        met_at: Mention | None = None  # where the last group was placed (None: nowhere)
        for i, g in enumerate(groups):
            previous = last_place
            if (
                g.cls == "legal"
                and arrest_place is not None
                and _THE_HELD.search(g.sentences[0].text)
            ):
                previous = arrest_place
            if g.outcome:
                previous = met_at  # where its own meeting was, not an earlier event's place
            ev, place_m = self._build(
                text, g, groups, dateline_m if i == 0 else None, previous, dateline_day
            )
            met_at = place_m
            told = _one_per_item(text, g, ev)
            events.extend(told)
            owners.extend([g] * len(told))
            last_place = place_m or last_place
            if g.family == "arrest" and place_m is not None:
                arrest_place = place_m
        events, owners = _fold_item_details(owners, events)
        _share_plural_claims(owners, events)
        if self.calibrated:
            calibration.apply(events, self.table, text=text)
        return events

    def _build(
        self,
        text: str,
        g: EventGroup,
        groups: list[EventGroup],
        dateline_m: Mention | None,
        last_place: Mention | None = None,
        dateline_day: DateMention | None = None,
    ) -> tuple[CandidateEvent, Mention | None]:
        """One candidate event from its sentences (each stage sets its fields) and the
        mention that placed it."""
        fam = g.family
        ev = CandidateEvent(kind=TRIGGERS[g.cls][0], extractor=NAME, extractor_version=VERSION)
        first = g.sentences[0]
        ev.span = (first.start, max(s.end for s in g.sentences))
        ev.summary = first.text[:300]
        place_m = choose_place(g, dateline_m, last_place)
        fill_actors(ev, text, g, groups)
        targets = find_targets(g, place_m) if fam in ("violent", "threat") else []
        if fam == "threat":
            targets = [t for t in targets if t in _THREAT_TARGETS]
        kind, event_type, sub, kind_conf = decide_kind(text, g, targets)
        trigger_span = (g.trigger[1], g.trigger[2])
        recalled = "recalled" if g.recalled else "new"
        ev.set("kind", kind, trigger_span, kind_conf, f"kind:{kind}:{recalled}")
        ev.set("event_type", event_type, trigger_span, CONFIDENCE.event_type_from_trigger)
        ev.set("sub_event_type", sub, trigger_span, CONFIDENCE.event_type_from_trigger)
        if targets:
            ev.target = targets
            ev.field_confidence["target"] = CONFIDENCE.targets_from_lexicon
        _set_date(ev, text, g, dateline_day)
        fill_place(ev, text, g, place_m)
        if kind == "armed_clash" and _foreign_force_at_home(ev, text):
            # a foreign state's force is the perpetrator of what it did across the border, not
            # of its operations at home ("Indian Army and police killed two militants in Assam";
            # the Afghan Taliban holding Pakistanis hostage in Logar is theirs)
            ev.unset("perpetrator")
            ev.unset("perpetrator_parent")
        if fam in ("violent", "disrupted", "arrest"):
            casualties.fill_casualties(ev, (s.casualties for s in _counting(g)))
            home = place_m.place.country if place_m is not None and place_m.place else None
            if ev.foreign_nationality and casualties.HOME_OF.get(ev.foreign_nationality) == home:
                # "three Afghan policemen were killed ... in Jalalabad": at home, no foreigners
                ev.unset("foreign_fatalities")
                ev.unset("foreign_nationality")
        confs = [
            v for k, v in ev.field_confidence.items() if k not in ("event_type", "sub_event_type")
        ]
        ev.confidence = (
            round(sum(confs) / len(confs), 2) if confs else CONFIDENCE.event_without_fields
        )
        return ev, place_m


#: a report that tells of Pakistan, where a foreign force's fire across the border lands
_PAKISTAN = re.compile(r"\bPakistan|\bLoC\b|Line of Control|\bAJK\b|Azad", re.I)


def _foreign_force_at_home(ev: CandidateEvent, text: str) -> bool:
    """The event's perpetrator is a foreign state's force and the event is in its own country
    (or in no country named, in a report that never tells of Pakistan)."""
    perp = res.actors().get(ev.perpetrator or "")
    return bool(
        perp is not None
        and perp.foreign
        and (ev.country == perp.home or (ev.country is None and not _PAKISTAN.search(text)))
    )


def _set_date(
    ev: CandidateEvent, text: str, g: EventGroup, dateline_day: DateMention | None = None
) -> None:
    """Set the event's date and its precision from its group's sentences; a meeting they give
    no date is held on the day of the dateline's line ("Islamabad: 16, June 2024", as a
    government press release heads its account of a meeting), when the report has one."""
    dm = g.date()
    headed = False
    if dm is None and dateline_day is not None and g.family == "talks" and not g.recalled:
        dm, headed = (dateline_day, CONFIDENCE.date_reporting), True
    if dm is None or against_stand_in(dm[0]):
        return  # (a report without a date: "on Friday" is a day it does not tell)
    d, conf = dm
    precision = event_precision(
        d,
        # the statement is the event: a threat, a request, "announced a ceasefire",
        # "have agreed to a ceasefire, the government said on Sunday"
        statement=g.family in ("threat", "request")
        or g.cls == "agreement"
        or _STATEMENT.match(text, g.trigger[1]) is not None
        # "the minister briefed the cabinet ... on Tuesday": the briefing is the meeting
        or (g.cls == "meeting" and BRIEFED.search(trigger_words(g, g.trigger)) is not None)
        or headed,
        inherited=g.inherited_date is not None,
        has_event_date=any(not x.reporting for s in g.sentences for x in s.dates),
    )
    if precision is not None:
        how = "reporting" if d.reporting else "relative" if d.relative else "absolute"
        recalled = "recalled" if g.recalled else "new"
        if yearless(d.value):
            how = "yearless"
        basis = f"event_date:{how}:{precision}:{recalled}"
        ev.set("event_date", d.value, (d.start, d.end), conf, basis)
        if yearless(d.value):
            # "on October 27" in a report with no date and no year: the day and month only,
            # with the date's evidence and confidence, and no year made up
            ev.event_date, ev.month_day = None, f"--{d.value.month:02d}-{d.value.day:02d}"
            ev.notes["event_date"] = "a day and month in a report that gives no year"
        ev.set("date_precision", precision, (d.start, d.end), conf)


def _counting(g: EventGroup) -> list[Sentence]:
    """The event's sentences whose figures may be its own: not one told under a date of its
    own that is over before the event's ("wanted in the killing of two policemen in Paharpur
    last month", after Monday's raid)."""
    dm = g.date()
    if dm is None or dm[0].reporting:
        return g.sentences
    day = dm[0]
    return [
        s
        for s in g.sentences
        if not any(not d.reporting and d.value and ends_before(d, day) for d in s.dates[:1])
    ]


#: the fields an event of a list sets for itself (:func:`_one_per_item`)
_ITEM_FIELDS = (
    "event_date",
    "month_day",
    "date_precision",
    "location_name",
    "city",
    "district",
    "province",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    *casualties.FIELDS,
)


#: the words without which no date is said relative to publication (a sentence without any
#: needs no second reading against the stand-in)
_RELATIVE_CUE = re.compile(
    r"\b(?:(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday|ago|last|this|earlier|"
    r"previous|past|week|month|year|weekend|fortnight|night|morning|evening|afternoon)|"
    + MONTH_NAMES
    + r")"
)
#: what sets a date beside a weekday in apposition: "on Tuesday (16 January)", "Friday, 12 May"
_APPOSED = re.compile(r"\s*[(,]?\s*")
_MONTH_NAME = re.compile(r"\b(?:" + MONTH_NAMES + r")\b")
#: the day of publication and the one before, whose weekday a report without a date does not
#: tell: "earlier today" may be the "Wednesday" of the next sentence
_DEICTIC_DAY = re.compile(
    r"\b(?:today|tonight|yesterday|this (?:morning|afternoon|evening)|last night)\b", re.I
)


def _named_month_before(d: DateMention) -> DateMention:
    """A month named without a year ("in July") is one before the stand-in's own: a report
    says "this month" of its own month, and the stand-in's month is not the report's."""
    if (
        d.precision == "month"
        and d.value is not None
        and (d.value.year, d.value.month) == (STAND_IN.year, STAND_IN.month)
        and _MONTH_NAME.search(d.text)
    ):
        return dataclasses.replace(d, value=d.value.replace(year=d.value.year - 1))
    return d


def _with_stand_in(s: Sentence) -> list[DateMention]:
    """The sentence's dates and, where they leave a span unread, the relative days and months
    read against the stand-in day: not a weekday the text dates beside it ("on Tuesday (16
    January)" is the 16th), nor "today" or "yesterday", whose weekday is unknown."""
    extra = [
        _named_month_before(d)
        for d in find_dates(s.text, STAND_IN, s.start, STAND_IN)
        if d.relative
        and not _DEICTIC_DAY.search(d.text)
        and not any(
            (o.start < d.end and d.start < o.end)
            or _APPOSED.fullmatch(s.text, d.end - s.start, o.start - s.start)
            or _APPOSED.fullmatch(s.text, o.end - s.start, d.start - s.start)
            for o in s.dates
        )
    ]
    return sorted([*s.dates, *extra], key=lambda d: d.start) if extra else s.dates


def _one_per_item(text: str, g: EventGroup, ev: CandidateEvent) -> list[CandidateEvent]:
    """The event, or one event per place when its trigger is followed by a list of places
    (:mod:`enumerations`): each with the kind, actors and targets decided on the whole, and
    its own place, date (the list's when the item has none) and figures (only those told in
    the item)."""
    if g.family != "violent":
        return [ev]
    items = g.items()
    if not items:
        return [ev]
    trig_s = g.trigger_sentence()
    assert trig_s is not None  # (items were read in it)
    shared = g.date()
    others = [(x, _towns_of(x)) for x in g.sentences if x is not trig_s]  # each item's accounts
    out = []
    for k, it in enumerate(items):
        piece = Sentence(it.start, it.end, text[it.start : it.end])
        piece.places = [m for m in trig_s.places if it.start <= m.start < it.end]
        piece.dates = it.dates
        piece.casualties = casualties.parse(piece.text, piece.start)
        sub = EventGroup(
            g.cls,
            g.trigger,
            [piece],
            inherited_date=None if it.dates else shared,
            recalled=g.recalled,
        )
        item_ev = copy.deepcopy(ev)
        for name in _ITEM_FIELDS:
            item_ev.unset(name)
        if k:
            item_ev.span = (it.start, it.end)
        _set_date(item_ev, text, sub)
        fill_place(item_ev, text, sub, it.mention)
        # (a sentence of the group told of this item's town alone gives its figures too: "A
        # bomb planted in a rickshaw exploded in Hangu city, killing three")
        town = {_town(it.mention)}
        told = [x.casualties for x, towns in others if towns == town]
        casualties.fill_casualties(item_ev, [piece.casualties, *told])
        out.append(item_ev)
    return out


#: what an item of a list takes from the account of it told after the list
_DETAIL_FIELDS = (
    *casualties.FIELDS,
    "perpetrator",
    "perpetrator_parent",
    "claimed_by",
)


def _fold_item_details(
    owners: list[EventGroup], events: list[CandidateEvent]
) -> tuple[list[CandidateEvent], list[EventGroup]]:
    """A lead that tells several events by their places ("five killed in two blasts in Hangu
    and Darra Adamkhel on Monday") and then each one apart ("In Hangu, a bomb planted in a
    rickshaw killed three"): each account after the list is its item's, not another event.
    An account joins the item of the same kind (or a plain attack) in its town, or its
    district when it names no town, told on the same day or with no day of its own; it
    gives the item the figures and the actors the list did not tell."""
    sizes = Counter(id(g) for g in owners)  # how many events each group told
    drop: set[int] = set()
    for j, (h, ev) in enumerate(zip(owners, events, strict=True)):
        if sizes[id(h)] != 1 or h.family != "violent" or h.recalled:
            continue
        for i in range(j):
            g, item = owners[i], events[i]
            if sizes[id(g)] < 2 or g.recalled or i in drop or not _details(item, ev):
                continue
            if item.kind == "attack" and ev.kind != "attack":
                item.kind, item.event_type, item.sub_event_type = (
                    ev.kind,
                    ev.event_type,
                    ev.sub_event_type,
                )
            for name in _DETAIL_FIELDS:
                if getattr(item, name) is None and getattr(ev, name) is not None:
                    _take(item, ev, name)
            drop.add(j)
            break
    if not drop:
        return events, owners
    keep = [k for k in range(len(events)) if k not in drop]
    return [events[k] for k in keep], [owners[k] for k in keep]


def _details(item: CandidateEvent, ev: CandidateEvent) -> bool:
    """``ev`` is told of the place and day of ``item``, an item of a list, and of its kind."""
    if ev.kind != item.kind and "attack" not in (ev.kind, item.kind):
        return False
    if ev.city or item.city:
        if ev.city != item.city:
            return False
    elif not (ev.district and ev.district == item.district):
        return False
    return ev.event_date is None or ev.event_date == item.event_date


def _take(into: CandidateEvent, source: CandidateEvent, name: str) -> None:
    """Copy one field of ``source`` into ``into`` with its evidence, confidence and note."""
    setattr(into, name, getattr(source, name))
    for book in ("evidence", "field_confidence", "confidence_basis", "notes"):
        mine: dict[str, Any] = getattr(into, book)
        theirs: dict[str, Any] = getattr(source, book)
        mine.pop(name, None)
        if name in theirs:
            mine[name] = theirs[name]


def _town(m: Mention) -> str | None:
    return (m.place.city or m.place.name) if m.place is not None else None


def _towns_of(s: Sentence) -> set[str | None]:
    """The towns a sentence names (as events' places)."""
    return {_town(m) for m in s.places if m.place is not None and m.place.kind == "town"}


_STATEMENT = re.compile(r"(?:announc|declar)\w*", re.I)
_THE_HELD = re.compile(r"\b(?:the|those) (?:suspects|accused|arrested|detained)\b", re.I)
#: a claim of several attacks: "claimed responsibility for the attacks", "claimed both attacks"
_PLURAL_CLAIM = re.compile(
    r"\b(?:claimed|claiming|claims)\b[^.;]{0,40}?\b(?:(?:the|these|both|all|all the|both the)"
    r"\s+(?:[\w-]+\s+)?(?:attacks|bombings|blasts|assaults|killings|incidents)|both)\b",
    re.I,
)


#: a group's word that it carried out several attacks: "said it was behind both attacks"
_PLURAL_ATTRIBUTION = re.compile(
    r"\b(?:behind|carried out|responsible for)\b[^.;]{0,20}?\b(?:(?:the|these|both|all|all the|"
    r"both the)\s+(?:[\w-]+\s+)?(?:attacks|bombings|blasts|assaults|killings|incidents)|both)\b",
    re.I,
)


def _share_plural_claims(groups: list[EventGroup], events: list[CandidateEvent]) -> None:
    """A claim of "the attacks" told with one event covers the other current violent events
    told before it that no one claimed ("both attacks": the recalled one too); a group's word
    that it was behind them names it their perpetrator (not their claimant)."""
    for g, ev in zip(groups, events, strict=True):
        if ev.claimed_by:
            found = next(((s, _PLURAL_CLAIM.search(s.text)) for s in g.sentences if s.claim), None)
        elif ev.perpetrator and g.family == "violent":
            found = next(
                ((s, h) for s in g.sentences if (h := _PLURAL_ATTRIBUTION.search(s.text))), None
            )
        else:
            continue
        claim_s, hit = found or (None, None)
        if claim_s is None or hit is None:
            continue
        both = "both" in hit.group(0).lower()
        others = [
            ev2
            for g2, ev2 in zip(groups, events, strict=True)
            if not (
                ev2 is ev
                or (ev2.claimed_by if ev.claimed_by else ev2.perpetrator)
                or g2.family != "violent"
                or (g2.recalled and not both)
                or g2.sentences[0].start > claim_s.start
                # "In June 2013, gunmen killed eleven climbers ... claimed the killings": not
                # the school torched this week; "claimed the coordinated attacks" of one night:
                # not those of the spring before ("both raids": the one told just before)
                or (_apart(_when(g, ev), _when(g2, ev2)) and not both)
                # "No group has claimed responsibility so far": not a later claim's
                or any(x.unclaimed for x in g2.sentences)
            )
        ]
        if both:
            # "claimed both raids": the one told last before this one, not every event before
            others = others[-1:]
        for ev2 in others:
            span = ev.evidence.get("claimed_by" if ev.claimed_by else "perpetrator")
            if ev.claimed_by:
                ev2.set(
                    "claimed_by", ev.claimed_by, span, CONFIDENCE.claim_shared, "claimed_by:shared"
                )
            if not ev2.perpetrator and ev.perpetrator:
                ev2.set(
                    "perpetrator",
                    ev.perpetrator,
                    span,
                    CONFIDENCE.claim_shared,
                    "perpetrator:shared",
                )


def _when(g: EventGroup, ev: CandidateEvent) -> tuple[date, str | None] | None:
    """The event's date and precision; in a report without a publication date, the day it
    was read on against the stand-in ("In August last year" is before "on Monday")."""
    if ev.event_date is not None:
        return ev.event_date, ev.date_precision
    dm = g.date()
    if dm is not None and against_stand_in(dm[0]) and dm[0].value is not None:
        return dm[0].value, dm[0].precision
    return None


def _apart(a: tuple[date, str | None] | None, b: tuple[date, str | None] | None) -> bool:
    """Both events are dated and not in the same month (or, to a year, the same year)."""
    if a is None or b is None:
        return False
    if a[0].year != b[0].year:
        return True
    coarse = "year" in (a[1], b[1])
    return not coarse and a[0].month != b[0].month


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


#: the most days a report's own day may lie before the day it is filed under to be the day
#: its relative dates are said from (beyond, one of the two is more likely a misreading)
OWN_DAY_LAG = 366

_DEFAULT = RuleExtractor()


def laid_out(text: str) -> str:
    """The text as the extractor reads it: hard wraps joined, a text in one case given its
    capitals, lost full stops marked. A copy of the same length, so every span found in it
    is an offset into the input."""
    return repunctuate(truecase(unwrap_lines(join_hyphenated(blank_wire_slugs(text)))))


def report_published(text: str, today: date | None = None) -> date | None:
    """The day a report gives for itself ("Published in Dawn, May 7th, 2024", a dateline with
    a year), read as the extractor reads it when no publication date is given; None when the
    report gives none, or (``today`` given) a day after today: a misprint, no publication day.
    For storing with the report and handing to :func:`extract` with ``own_date=False``, so
    that a day refused here is not read again there."""
    day = text_published(laid_out(text)) if text and text.strip() else None
    return None if day is None or (today is not None and day > today) else day


def extract(
    text: str,
    *,
    published: date | None = None,
    extra_places: list[dict[str, Any]] | None = None,
    extra_aliases: dict[str, str] | None = None,
    own_date: bool = True,
) -> list[CandidateEvent]:
    """Candidate events in ``text`` by the default rule extractor. Without ``published``, the
    day the report gives for itself is read from the text, unless ``own_date`` is False (the
    caller has looked already, with :func:`report_published`)."""
    return _DEFAULT.extract(
        text,
        published=published,
        extra_places=extra_places,
        extra_aliases=extra_aliases,
        own_date=own_date,
    )

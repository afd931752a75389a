"""Events told as a list: one trigger, several places, each an event of its own.

"The BLA claimed suicide attacks near the airport in Karachi and on the port authority's
complex in Gwadar in 2024", "the attack follows bombings in Mastung and Hangu last week",
"Chinese nationals have been targeted before: in Dasu in 2021, at Karachi University in 2022
and in Besham in March". ACLED codes one event per place and day, and so does the corpus: a
list of places after one trigger is as many events, each with its place and, when the list
gives one, its own date (the date the sentence gives the whole list otherwise).

A list is read only right after the event's trigger, from place names joined by commas and
"and" (a district or province that only qualifies a town, "in Turbat, Kech district", adds no
event). The trigger must be plural ("attacks", "bombings"), or every item must carry a date of
its own ("targeted in Dasu in 2021, at Karachi University in 2022"): "gunmen attacked a bus in
Quetta and Mastung" stays one event. Casualty figures told for the whole list are no item's:
each event keeps only the figures told inside its own item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from safecorridor.extraction.dates import DateMention
from safecorridor.extraction.mentions import NOT_EVENT_ROLES, Mention
from safecorridor.extraction.sentences import Sentence

#: a plural event noun: one word for several events
_PLURAL = re.compile(
    r"(?:attacks|bombings|blasts|explosions|assaults|raids|killings|abductions|kidnappings|"
    r"ambushes|clashes|strikes|operations|incidents)",
    re.I,
)
#: what may stand between two items of the list (after the first item's own date, if any)
_SEPARATOR = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|,?\s+as well as\s+)(?:(?:in|at|on|near|outside|inside|"
    r"targeting|against)\s+)?(?:the\s+)?(?:[\w'’-]+\s+){0,3}?",
    re.I,
)
#: what may stand between the trigger and the first item
_LEAD_IN = re.compile(r"(?:\s+(?:[\w'’-]+,?\s+){0,6}?)?", re.I)
#: a journey or a span, not a list: "attacks on convoys between Gwadar and Karachi"
_JOURNEY = re.compile(r"\b(?:between|from|to|via|through)\s+(?:the\s+)?$", re.I)
#: the words before a date that keep it inside an item: "in Dasu in 2021"
_DATE_LEAD = re.compile(r"\s*(?:,\s*)?(?:(?:in|on|at|during|last)\s+)?$", re.I)
#: how far after the trigger the list may start
_LEAD_CHARS = 70
#: roles that are no place of a list's item: those that never place an event, where officials
#: spoke, and a journey's ends ("attacks on convoys from Quetta to Karachi")
_NO_EVENT_ROLES = (*NOT_EVENT_ROLES, "speech", "travel")
_ITEM_KINDS = ("town", "landmark", "district")


@dataclass
class Item:
    """One place of a list and the span of text that tells it (offsets into the text)."""

    start: int
    end: int
    mention: Mention
    dates: list[DateMention]


def list_items(s: Sentence, trigger: tuple[str, int, int]) -> list[Item]:
    """The items of a list of places told right after the ``trigger`` in ``s`` (offsets into
    the whole text), or [] when the sentence tells no such list (or one the module's rules do
    not read as several events)."""
    _cls, t0, t1 = trigger
    if not s.start <= t0 < s.end or sum(m.start >= t1 for m in s.places) < 2:
        return []
    text = _Shifted(s)
    stop = _clause_end(s, t1)
    mentions = sorted(
        (
            m
            for m in s.places
            if m.place is not None
            and t1 <= m.start < stop
            and not m.excluded
            and m.role not in _NO_EVENT_ROLES
        ),
        key=lambda m: m.start,
    )
    if len(mentions) < 2:
        return []
    first = mentions[0]
    lead = text[t1 : first.start]
    if (
        first.place is None
        or first.place.kind not in _ITEM_KINDS
        or len(lead) > _LEAD_CHARS
        or not _LEAD_IN.fullmatch(lead.replace(":", ","))
        or _JOURNEY.search(lead)
    ):
        return []
    items = [Item(first.start, first.end, first, [])]
    for m in mentions[1:]:
        last = items[-1]
        p, q = m.place, last.mention.place
        assert p is not None and q is not None
        between = text[last.end : m.start]
        if p.kind not in _ITEM_KINDS or (p.kind == "district" and p.name == q.district):
            # "in Turbat, Kech district" or "in Quetta, Balochistan": it qualifies the item
            if re.fullmatch(r"[\s,'’s]*(?:in\s+)?(?:the\s+)?", between, re.I):
                last.end = m.end
                continue
            break
        if last.mention.possessor and re.fullmatch(r"['’]s\s+(?:[\w-]+\s+)?", between):
            last.mention, last.end = m, m.end  # "Karachi's Clifton": the inner place
            continue
        own = _dates_at_start(between, last.end, s.dates)
        if own:
            between = text[own[-1].end : m.start]
        sep = _SEPARATOR.fullmatch(between)
        if sep is None or _JOURNEY.search(between) or p.name == q.name:
            break
        last.dates = own
        last.end = own[-1].end if own else last.end
        items.append(Item(m.start, m.end, m, []))
    if len(items) < 2:
        return []
    # the last item's date follows it directly; it is the item's own when every other item
    # has one ("in Besham in March"), the whole list's otherwise ("... and Hangu last week")
    tail = _dates_at_start(text[items[-1].end : stop], items[-1].end, s.dates)
    if tail and all(it.dates for it in items[:-1]):
        items[-1].dates = tail
        items[-1].end = tail[-1].end
    plural = _PLURAL.fullmatch(text[t0:t1].split()[-1]) is not None
    if not plural and not all(it.dates for it in items):
        return []
    return items


class _Shifted:
    """The sentence's text indexed by offsets into the whole text."""

    def __init__(self, s: Sentence) -> None:
        self.s = s

    def __getitem__(self, span: slice) -> str:
        return self.s.text[span.start - self.s.start : span.stop - self.s.start]


_CLAUSE_END = re.compile(r";|\s[—–]\s")


def _clause_end(s: Sentence, start: int) -> int:
    """Where the clause the list may stand in ends: a semicolon, a dash, or the sentence's end."""
    m = _CLAUSE_END.search(s.text, start - s.start)
    return s.start + m.start() if m else s.end


def _dates_at_start(between: str, offset: int, dates: list[DateMention]) -> list[DateMention]:
    """The dates that open ``between`` (which starts at ``offset``): "in 2021, at ..."."""
    out: list[DateMention] = []
    pos = offset
    for d in sorted(dates, key=lambda d: d.start):
        if d.reporting or d.start < pos or d.start >= offset + len(between):
            continue
        gap = between[pos - offset : d.start - offset]
        if not _DATE_LEAD.fullmatch(gap):
            break
        out.append(d)
        pos = d.end
    return out

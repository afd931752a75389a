"""Sentences: one regex cuts a text into them, and each carries what the stages find in it.

A :class:`Sentence` keeps absolute character offsets into the whole text (``text`` is
``whole[start:end]``), so every span a stage records is an offset into the original text.
Abbreviations ("Lt. Col.", "Rs.") and initials ("D.I. Khan") do not end a sentence; a line
break always does (headlines and datelines stand alone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from safecorridor.extraction.casualties import Casualties, Count
from safecorridor.extraction.datelines import BULLETS
from safecorridor.extraction.dates import DateMention
from safecorridor.extraction.layout import SENTENCE_MARK
from safecorridor.extraction.mentions import Mention


@dataclass
class Sentence:
    """A sentence (or a clause cut out of one) and what the stages found in it."""

    start: int
    end: int
    text: str
    places: list[Mention] = field(default_factory=list)
    actors: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    trigger: tuple[str, int, int] | None = None
    # a violent trigger in a definite noun phrase ("the Tuesday bombing"): it refers back to
    # an event already named, or names the first one when none was
    definite: tuple[str, int, int] | None = None
    all_triggers: list[tuple[str, int, int, bool]] = field(default_factory=list)
    casualties: Casualties | None = None
    claim: tuple[int, int] | None = None
    unclaimed: bool = False  # "No group has claimed responsibility so far"
    backref: bool = False
    # it says what an event already told was: "It was a suicide attack", "This is the second
    # attack this month" (its trigger refers back; the sentence belongs to that event)
    describes: bool = False
    backref_talks_only: bool = False  # every back-reference names talks or their parties
    generic: bool = False
    tally: bool = False  # it counts many events: statistics, a month's toll of attacks
    recalled: bool = False  # a past event recalled in a relative clause: always its own event
    # how long before the report's event a recalled one was: "a week after" → (7, "week")
    recall_gap: tuple[int, str] | None = None
    continuation: bool = False  # the rest of a sentence a recalled clause was cut out of
    # a recalled event named as what an arrest or a charge is about ("arrested ... in connection
    # with the Mianwali airbase attack"): dropped when it is the text's own event, retold
    charged: bool = False
    # the part before such an event: the arrest or charge itself, whose place is not the
    # place of the event told before it ("briefed on the arrest of 11 suspects involved in ...")
    charges: bool = False
    blame: bool = False  # officials name a suspect group, or the group says it was behind
    aside: bool = False  # a linked headline or a section head: starts and joins no event
    headline: bool = False  # the headline or a deck line under it (``datelines.headline_spans``)
    # the second incident a sentence goes on to ("..., while a constable was gunned down in
    # Orangi Town"): never the first one's retelling
    second: bool = False
    joined: bool = False  # a headline's second story, after a semicolon or a bar
    # the threat a group made in the sentence that claimed an attack ("..., and vowed more
    # attacks"): its subject is that claimant
    claimant_vowed: bool = False

    @property
    def counts(self) -> list[Count]:
        """The casualty counts found in the sentence (none before :mod:`casualties` ran)."""
        return self.casualties.counts if self.casualties else []


#: sentence ends: terminal punctuation (and closing quotes) before a capital, digit or quote,
#: a line break, or a full stop glued to the next sentence's first word ("at
#: Karkanai.Meanwhile, troops ..."); abbreviations and initials ("Lt. Col.", "D.I. Khan") do
#: not end one
_SENT_END = re.compile(
    r"([.!?]+[\"'’”)\]]*)\s+(?=[A-Z0-9\"'‘“(\[])|[\n"
    + SENTENCE_MARK
    + r"]\s*|(?<=[a-z]{3})(\.)(?=[A-Z][a-z]{2})"
)
_LAST_WORD = re.compile(r"[\w.]+\.$")
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+")
_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "brig",
        "sgt",
        "st",
        "no",
        "nos",
        "rs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "govt",
        "dept",
        "inc",
        "ltd",
        "co",
        "corp",
        "vs",
        "approx",
        "est",
        "mt",
        "ft",
        "sq",
        "km",
        "sr",
        "jr",
    ]
)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``, stripped, in order; empty ones dropped."""
    out: list[Sentence] = []
    start = 0
    for m in _SENT_END.finditer(text):
        stop = m.group(1) or m.group(2)
        end = m.end(1) if m.group(1) else m.end(2) if m.group(2) else m.start()
        prev = _LAST_WORD.search(text, max(0, m.start() - 12), m.start() + 1)
        if stop and prev and prev.group(0).lower().rstrip(".") in _ABBREV:
            continue
        if stop and prev and _INITIALS.fullmatch(prev.group(0)):
            continue
        _add(out, text, start, end)
        start = m.end()
    _add(out, text, start, len(text))
    return out


#: what joins two stories in a headline: "... kill five soldiers; grenade blast rocks PoK"
_HEAD_JOIN = re.compile(r";\s+|\s+\|\s+")


def cut_headlines(
    sentences: list[Sentence], text: str, heads: list[tuple[int, int]]
) -> list[Sentence]:
    """Headline sentences cut where a semicolon or a bar joins two stories: each part is read
    as a sentence of its own, so the second story's trigger never decides the first's kind."""
    out: list[Sentence] = []
    bullets = 0
    for s in sentences:
        in_head = any(a <= s.start < b for a, b in heads)
        if in_head and s.text[:1] in BULLETS:
            s.joined = bullets > 0  # a deck's bullets after the first: each a story of its own
            bullets += 1
        if not in_head or not _HEAD_JOIN.search(s.text):
            out.append(s)
            continue
        start = s.start
        first = len(out)
        for m in _HEAD_JOIN.finditer(s.text):
            _add(out, text, start, s.start + m.start())
            start = s.start + m.end()
        _add(out, text, start, s.end)
        out[first].joined = s.joined
        for part in out[first + 1 :]:
            part.joined = True
    return out


#: a threat told after the claim of an attack, in the same sentence: "TTP claimed the
#: blasts, and vowed more attacks on security forces"
_THREAT_CLAUSE = re.compile(
    r",?\s+and\s+(?:also\s+)?(?=(?:vowed|warned|threatened|promised)\s+"
    r"(?:to\s+(?:launch|carry out|continue|step up|intensify)|more|further|fresh|similar|of\s+"
    r"(?:more|further))\b)",
    re.I,
)


#: the claim's statement goes on to warn, in the next sentence: "The statement also warned
#: contractors to stay away ...", "In the same message it threatened ..."
_CLAIM_WARNS = re.compile(
    r"^(?:The|In\s+the|In\s+its|Its)\s+(?:same\s+)?(?:statement|message|e-?mail|video|"
    r"pamphlet|post|audio)\b[^.;]{0,40}?\b(?:warned|threatened|vowed)\b",
)
_CLAIMED = re.compile(r"\bclaim(?:ed|ing)\b", re.I)


def cut_threats(sentences: list[Sentence], text: str) -> list[Sentence]:
    """A claim and the threat told after it ("claimed the blasts, and vowed more attacks")
    are two statements: the threat is cut into a sentence of its own, an event of its own.
    The claim's statement warning in the next sentence is the claimant's threat too."""
    out: list[Sentence] = []
    for s in sentences:
        if out and _CLAIM_WARNS.match(s.text) and _CLAIMED.search(out[-1].text):
            s.claimant_vowed = True
        m = _THREAT_CLAUSE.search(s.text) if "claim" in s.text else None
        if m is None:
            out.append(s)
            continue
        _add(out, text, s.start, s.start + m.start())
        _add(out, text, s.start + m.end(), s.end)
        out[-2].joined, out[-1].claimant_vowed = s.joined, True
    return out


#: the longest sentence read as one: a longer run with no full stop (the longest real one read,
#: an SATP paragraph without punctuation, is 1,889 characters) is cut at a comma or a space,
#: so that no text costs the square of its length in the per-sentence stages
MAX_SENTENCE_CHARS = 3_000


def _add(out: list[Sentence], text: str, s: int, e: int) -> None:
    part = text[s:e]
    st = s + len(part) - len(part.lstrip())
    en = s + len(part.rstrip())
    while en - st > MAX_SENTENCE_CHARS:
        window = text[st : st + MAX_SENTENCE_CHARS]
        cut = max(window.rfind(", "), window.rfind("; ")) + 1
        if cut < MAX_SENTENCE_CHARS // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = MAX_SENTENCE_CHARS
        _add(out, text, st, st + cut)
        st += cut
        while st < en and text[st].isspace():
            st += 1
    if en > st:
        out.append(Sentence(st, en, text[st:en]))

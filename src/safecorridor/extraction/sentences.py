"""Sentences: one regex cuts a text into them, and each carries what the stages find in it.

A :class:`Sentence` keeps absolute character offsets into the whole text (``text`` is
``whole[start:end]``), so every span a stage records is an offset into the original text.
Abbreviations ("Lt. Col.", "Rs.") and initials ("D.I. Khan") do not end a sentence; a line
break always does (headlines and datelines stand alone).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from safecorridor.extraction import resources as res
from safecorridor.extraction.casualties import Casualties, Count
from safecorridor.extraction.datelines import BULLETS
from safecorridor.extraction.dates import DateMention
from safecorridor.extraction.mentions import Mention
from safecorridor.extraction.words import MONTH_NAMES


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
    r"([.!?]+[\"'’”)\]]*)\s+(?=[A-Z0-9\"'‘“(\[])|[\n\u2029]\s*|(?<=[a-z]{3})(\.)(?=[A-Z][a-z]{2})"
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


#: a line that ends a sentence, a heading or a dateline: the break after it is the text's own
_LINE_DONE = re.compile(r"[.!?:;\"'’”)\]|]\s*$")
#: a line that goes on a sentence broken before it: a lower-case word or a digit
_GOES_ON = re.compile(r"\s*[a-z0-9(]")
#: a line that stops where no sentence or heading ends: a comma, a preposition, an article
_OPEN_END = re.compile(
    r"(?:,|\b(?:in|on|at|of|the|a|an|and|or|but|to|for|by|with|from|near|into|when|after|as|"
    r"that|which|who|was|were|is|are|has|have|had|been|its|their|his|her))\s*$"
)


def unwrap_lines(text: str) -> str:
    """``text`` with its hard line wraps joined: a copy of the same length (each joined break
    becomes a space; a carriage return is a space too), so every offset into it is an offset
    into ``text``.

    A report pasted from an e-mail, a PDF or a wire feed breaks its sentences at a fixed
    width ("The BLA claimed\\nresponsibility ..."), and a line break ends a sentence (headlines
    and datelines stand alone). A break is a wrap when the line before it does not end a
    sentence and either the next line goes on in lower case, or the line stops on a comma or a
    word no sentence ends on ("in", "the", "and"), or the text is wrapped at a
    width (most of its lines end near one length under 100 characters) and the line before
    reaches that width. A blank line always ends a paragraph."""
    if "\n" not in text and "\r" not in text:
        return text
    text = text.replace("\r", " ")
    lines = text.split("\n")
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    width = max(lengths, default=0)
    near = [n for n in lengths if n * 10 >= width * 7]  # within 70% of the widest
    wrapped = 40 <= width <= 100 and len(lengths) >= 4 and len(near) * 2 >= len(lengths)
    out = list(text)
    pos = 0
    for line, nxt in itertools.pairwise(lines):
        pos += len(line)  # the break after ``line``
        body = line.rstrip()
        if (
            body.strip()
            and nxt.strip()
            and not _LINE_DONE.search(body)
            and (
                _GOES_ON.match(nxt)
                or _OPEN_END.search(body)
                or (wrapped and len(body) * 10 >= width * 7)
            )
        ):
            out[pos] = " "
        pos += 1
    return "".join(out)


#: where :func:`repunctuate` ends a sentence the text left unpunctuated (a paragraph separator,
#: which no report contains and every pattern reads as a space)
SENTENCE_MARK = "\u2029"
#: a sentence's opening word, after a word that ends a clause: "... were injured He said ..."
_OPENER = re.compile(
    r"(?<=[a-z0-9)]) (?=(?:The(?! (?:News|Hindu|Telegraph|Express|Nation|Tribune|Times|Statesman|"
    r"Pioneer|Frontier|Daily|Dawn))|He|She|They|It|This|These|His|Their|According|However|"
    r"Meanwhile|Separately|Later|Earlier|Subsequently|Sources|Officials|Unidentified|No one|"
    r"No group|In another|In a separate)\b)"
)
#: the word before an opener that leaves the clause open: "according to The", "in The"
_OPEN_BEFORE = re.compile(
    r"\b(?:reports?|reported|according to|to|of|by|in|and|or|that|said|says|told|with|for|from|"
    r"on|at|as|the|a|an|when|while|where|whom|who|which|because|than|if)$",
    re.I,
)
#: the paper a paragraph cites, after which the next sentence begins: "reports Daily Times"
_CITED = re.compile(
    r"\b(?:reports?|reported)\s+(?:The\s+)?(?:Daily\s+Times|News|Dawn|Express\s+Tribune|Nation|"
    r"Times\s+of\s+India|Daily\s+Excelsior|Tolo\s+News|Hindu|Telegraph|Pajhwok(?:\s+Afghan\s+News)?|"
    r"Business\s+Recorder|Geo\s+News|Express\s+News|Frontier\s+Post|Kashmir\s+Times|"
    r"Greater\s+Kashmir|Daily\s+Star|Khaama\s+Press|Pakistan\s+Today|Dunya\s+News)( )(?=[A-Z])"
)
#: a text this long with fewer full stops than one per this many characters has lost its
#: punctuation (a fifth of the South Asia Terrorism Portal's paragraphs come so)
_UNPUNCTUATED_CHARS = 250


def repunctuate(text: str) -> str:
    """``text`` with its sentence ends marked where it lost its full stops ("... in Quetta
    reports Daily Times Islamic State claimed ... the blast He said ..."): before a word
    that opens a sentence after one that closes a clause, and after the paper a paragraph
    cites. A copy of the same length (each mark replaces a space, :data:`SENTENCE_MARK`); a
    punctuated text is returned as it is."""
    if len(text) < _UNPUNCTUATED_CHARS or text.count(".") * _UNPUNCTUATED_CHARS >= len(text):
        return text
    marks = [m.start(1) for m in _CITED.finditer(text)]
    for m in _OPENER.finditer(text):
        if not _OPEN_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            marks.append(m.start())
    if not marks:
        return text
    out = list(text)
    for pos in marks:
        out[pos] = SENTENCE_MARK
    return "".join(out)


#: a text written all in lower case ("5 killed in blast near police van in quetta today"): a
#: field note or a message; at most one capital in this many letters
_LETTERS_PER_CAPITAL = 100
_WORD = re.compile(r"[a-z][a-z'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)([a-z])")
#: the longest name, in words, that :func:`truecase` looks up ("dera ismail khan district")
_NAME_WORDS = 4


def _capitalised(name: str) -> str | None:
    """How a name written in lower case is spelled, if it is one the extractor knows well
    enough to find it in lower case: a Pakistani place of some size, a district, a province
    or a landmark, a neighbour's province or city, an actor, a month or a weekday."""
    key = res.norm(name)
    if key in _CALENDAR:
        return name[:1].upper() + name[1:]
    acronym = res.acronym_forms().get(key)
    if acronym is not None:
        return acronym if len(acronym) == len(name) else None
    if key in res.COMMON_WORDS or len(key) < 4:
        return None  # ("police", "army": words before names)
    if key in res.actor_aliases():
        return name.title()
    for p in res.gazetteer().get(key, []):
        town = _KNOWN_TOWN if p.country == "PK" else _KNOWN_TOWN_ABROAD
        if p.kind in ("province", "district", "landmark") or p.population >= town:
            return name.title()
    return None


_CALENDAR = frozenset(
    [
        *(m.lower() for m in MONTH_NAMES.split("|")),
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
#: a town found in a lower-case text has this many people at least, at home and abroad
#: (smaller names are often words: "more", "bagh")
_KNOWN_TOWN = 10_000
_KNOWN_TOWN_ABROAD = 100_000


def truecase(text: str) -> str:
    """``text`` with the capitals a text written all in lower case left out: its sentences'
    first letters and the names the extractor knows (:func:`_capitalised`), so that "5 killed
    in blast near police van in quetta on monday, bla claimed it" finds Quetta, Monday and
    the BLA. A text all in capitals is read so too. A copy of the same length; a text in
    mixed case is returned as it is."""
    letters = sum(c.isalpha() for c in text)
    if letters < 20:
        return text
    if sum(c.islower() for c in text) * _LETTERS_PER_CAPITAL <= letters:
        # all in capitals (a wire alert, a ticker): read as lower case, then capitalised
        low = text.lower()
        if len(low) != len(text):
            return text
        text = low
    elif sum(c.isupper() for c in text) * _LETTERS_PER_CAPITAL > letters:
        return text
    out = list(text)
    for m in _SENTENCE_START.finditer(text):
        out[m.start(1)] = text[m.start(1)].upper()
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        for n in range(min(_NAME_WORDS, len(words) - i), 0, -1):
            a, b = words[i].start(), words[i + n - 1].end()
            if n > 1 and any(
                text[words[k].end() : words[k + 1].start()] != " " for k in range(i, i + n - 1)
            ):
                continue
            spelled = _capitalised(text[a:b])
            if spelled is not None and len(spelled) == b - a:
                out[a:b] = spelled
                i += n
                break
        else:
            i += 1
    return "".join(out)


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


def cut_threats(sentences: list[Sentence], text: str) -> list[Sentence]:
    """A claim and the threat told after it ("claimed the blasts, and vowed more attacks")
    are two statements: the threat is cut into a sentence of its own, an event of its own."""
    out: list[Sentence] = []
    for s in sentences:
        m = _THREAT_CLAUSE.search(s.text) if "claim" in s.text else None
        if m is None:
            out.append(s)
            continue
        _add(out, text, s.start, s.start + m.start())
        _add(out, text, s.start + m.end(), s.end)
        out[-2].joined, out[-1].claimant_vowed = s.joined, True
    return out


def _add(out: list[Sentence], text: str, s: int, e: int) -> None:
    part = text[s:e]
    st = s + len(part) - len(part.lstrip())
    en = s + len(part.rstrip())
    if en > st:
        out.append(Sentence(st, en, text[st:en]))

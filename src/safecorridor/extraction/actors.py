# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Actors: who claimed an event, who carried it out, and the actors it involves.

Per the coding conventions of :mod:`rules`: ``claimed_by`` only for a claim ("claimed",
"owned", "took/accepted responsibility"); "said it was behind" and blame ("officials blamed",
"suspected", "hallmarks of") name the ``perpetrator`` (blame with lower confidence) but not
``claimed_by``. The perpetrator is the armed group responsible (a unit before its parent: the
Majeed Brigade rather than the BLA), or for an arrest the arresting agency; the security forces
of an operation are never its perpetrator. A group that denied or condemned is not a candidate.
"""

from __future__ import annotations

import re

from safecorridor.extraction import resources as res
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.grouping import EventGroup
from safecorridor.extraction.mentions import (
    Mention,
    is_armed_group,
    is_foreign_force,
    is_state_force,
    not_the_doer,
)
from safecorridor.extraction.places import METONYMS
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.triggers import at_word_starts, family
from safecorridor.extraction.types import CandidateEvent
from safecorridor.extraction.words import KILLING_OF

_EVENT_NOUNS = r"(?:attacks?|bombings?|blasts?|assaults?|killings?|murders?|abductions?|ambush(?:es)?|raids?|strikes?|explosions?|kidnappings?|operations?|incidents?|hijacking|massacre)"

_CLAIM = at_word_starts(
    re.compile(
        r"\bclaim(?:ed|s|ing)? (?:the )?(?:full )?responsibility\b|\bresponsibility (?:for [\w\s,'’-]{0,60})?(?:was|has been|had been) claimed\b|\b(?:accept(?:ed|s|ing)?|t(?:ook|akes?|aking)|own(?:ed|s|ing)?|assum(?:ed|es|ing)|bears?|bore) (?:the )?(?:full )?responsibility\b|\bown(?:ed|s)? (?:up )?(?:to )?(?:the |both |these |this )?(?:[\w-]+ )?"
        + _EVENT_NOUNS
        # "claimed the attack", "claimed Tuesday's attack"; a headline's present: "TTP claims
        # Bajaur blast", "Pakistani Taleban claim attack" (not a noun: "the claims of",
        # "rejected claims the attack ...", "a claim the attack was staged")
        + r"\b|\b(?:claimed|claiming|(?<!the )(?<!its )(?<!their )(?<!rejected )(?<!denied )claims|(?<!the )(?<!its )(?<!their )(?<!rejected )(?<!denied )(?<!\ba )(?<!\bto )(?<!\bno )(?<!this )(?<!that )(?<!his )(?<!her )(?<!false )claim) (?:the |both |these |this |that (?!the |an? |his |her |its |their )|two |three |an? )?(?:(?!that\b)[\w'’-]+ ){0,3}?"
        + _EVENT_NOUNS
        + r"\b|\bclaimed (?:it|them)\b|\b(?:an? |the )?(?:[\w-]+ )?"
        + _EVENT_NOUNS
        + r" (?:also |later |since |subsequently )?claimed by\b|\b(?:an? |the )?"
        + _EVENT_NOUNS
        + r" (?:which |that )?(?:the )?(?:group|outfit|organi[sz]ation) (?:later |also )?claimed\b|\bwhich (?:the )?(?-i:[A-Z])[\w-]+(?: [\w-]+){0,3}? (?:later |had |also |quickly )?claimed\b|\b(?:was|were|has been|have been|had been) (?:later |since |swiftly |quickly )?(?:claimed|owned) by\b"
        # "claimed that its fighters carried out the attack": a claim, in the word "claimed"
        r"|\bclaimed (?:that )?(?:it|its (?:fighters|men|cadres|members|militants|sarmachars|"
        r"suicide bombers?|unit|squad)) (?:had |have |has )?(?:carried out|conducted|executed|"
        r"was behind|were behind)\b",
        re.I,
    )
)

# attribution without the word "claim": the group named is the perpetrator, claimed_by stays null
_ATTRIB = at_word_starts(
    re.compile(
        r"\bsaid (?:it|they|its (?:fighters|men|cadres|members|sarmachars)) (?:was|were|had|has)? ?(?:behind|carried out|conducted|executed)\b|\bsaid its [\w -]{0,30}? carried out\b",
        re.I,
    )
)

# blame: officials name a suspect; perpetrator with lower confidence, never claimed_by
_BLAME = at_word_starts(
    re.compile(
        r"\b(?:blamed|blaming|suspected|suspect|suspicion|hallmarks? of|believed to be|believed to have|alleged(?:ly)?|accused|pointed (?:the finger|fingers) at|likely (?:the )?work of)\b",
        re.I,
    )
)

_NO_CLAIM = re.compile(
    r"\b(?:no (?:group|one|organisation|organization|outfit)|none|nobody)\b[^.]{0,30}\bclaim", re.I
)

_DENIAL = re.compile(
    r"[^.;]{0,40}?\b(?:denied|denies|deny|disowned|distanced (?:itself|themselves)|rejected (?:any )?(?:involvement|responsibility)|condemned)\b",
    re.I,
)

_UNIT_OF = re.compile(
    r"\s+of\s+(?:the\s+)?(?:(?:banned|outlawed|proscribed|separatist|militant)\s+){0,2}(?:(?:outfit|group|organi[sz]ation|faction)\s+)?",
    re.I,
)
#: "the Jaish-i-Fursan Muhammad, a faction of the Hafiz Gul Bahadur group, claimed": the
#: faction claimed, the group after it only describes it
_APPOSITIVE_OF = re.compile(
    r"\)?(?:\s*\([^()]{1,20}\))?,?\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,3}?(?:faction|splinter(?:\s+group)?|wing|unit|offshoot|branch|affiliate|chapter|group|outfit)\s+(?:of|from|within|(?:linked|allied|affiliated|aligned|close)\s+(?:to|with))\s+(?:the\s+)?(?:(?:banned|outlawed|proscribed|militant)\s+)?"
    # the parent spelt in full where only its acronym is known: "of Tehreek e Taliban Pakistan ("
    r"(?:(?:[A-Z][\w'’-]*|e|i|ul|al)\s+){0,5}\(?",
    re.I,
)
_THE_GROUP = re.compile(
    r"\bthe (?:militant |banned |terrorist |separatist )?(?:group|outfit|faction)\b", re.I
)
_THE_GROUP_OR_OUTFIT = re.compile(r"\bthe group\b|\bthe outfit\b", re.I)
_SUSPECTED_BEFORE = re.compile(
    r"\b(?:suspected|alleged|believed to be)\s+(?:[\w-]+\s+){0,2}$", re.I
)


def mark_attribution(s: Sentence) -> None:
    """Set the sentence's ``claim`` (the span of a claim of responsibility, unless the text
    says nobody claimed) and ``blame`` (officials name a suspect, or a group says it was
    behind)."""
    text = s.text
    low = text.lower()
    if "claim" in low or "responsib" in low or "own" in low:  # no claim without these words
        cm = _CLAIM.search(text)
        s.unclaimed = bool(cm and _NO_CLAIM.search(text))
        if cm and not s.unclaimed:
            s.claim = (cm.start() + s.start, cm.end() + s.start)
    s.blame = bool(
        any(w in low for w in _BLAME_HINTS) and (_BLAME.search(text) or _ATTRIB.search(text))
    )


#: words without which there is no blame or attribution (a cheap test before the regexes)
_BLAME_HINTS = (
    "blam",
    "suspect",
    "suspic",
    "hallmark",
    "believed",
    "alleg",
    "accus",
    "finger",
    "work of",
    "said",
)


def _armed_or_unknown(m: Mention) -> bool:
    # an actor the table does not know (a caller's alias) counts as an armed group here, and
    # a foreign state's force is the perpetrator of what it is named doing
    actor = res.actors().get(m.actor or "", res.Actor("", "armed_group"))
    return actor.kind == "armed_group" or actor.foreign


def _last_group_before(groups: list[EventGroup], pos: int) -> Mention | None:
    """The last armed group named before ``pos`` in any event's sentences: "the group"."""
    best: Mention | None = None
    for g in groups:
        for s in g.sentences:
            for a in s.actors:
                if a.start < pos and is_armed_group(a) and (best is None or a.start > best.start):
                    best = a
    return best


_POSSESSIVE_GAP = re.compile(r"\s*['’]s?\s+(?:own\s+)?|\s*\)\s*['’]s?\s+")


#: a killing claimed, its victims named after it
_KILLING_OF = re.compile(r"\b" + KILLING_OF, re.I)


def _claimant(
    g: EventGroup, armed: list[Mention], groups: list[EventGroup], text: str
) -> Mention | None:
    """The armed group named with the first claim of the event: before the claim verb, else
    after it; a unit "of" its parent is the unit; "the group claimed" is the last group named."""
    claim_m: Mention | None = None
    for s in g.sentences:
        if s.claim:
            cs, ce = s.claim
            in_s = [a for a in s.actors if a in armed]
            before: list[Mention] = []
            for a in (a for a in in_s if a.end <= cs):
                if before and before[-1].actor == a.actor and a.start - before[-1].end <= 3:
                    continue  # "Tehreek e Taliban Pakistan (TTP)": one mention
                before.append(a)
            # ("Pakistan claims killing of eight Al-Qaeda militants": the group after is the
            # victims', not the claimant's)
            victims_after = _KILLING_OF.search(text, cs, min(len(text), ce + 40)) is not None
            after = [a for a in in_s if a.start >= ce and not victims_after]
            claim_m = before[-1] if before else (after[0] if after else None)
            if (
                not before
                and len(after) > 1
                and res.parent_of(after[1].actor) == after[0].actor
                and _POSSESSIVE_GAP.fullmatch(text[after[0].end : after[1].start])
            ):
                claim_m = after[1]  # "claimed by the BLA's Majeed Brigade": the unit
            if (
                claim_m is not None
                and len(before) > 1
                and (
                    (
                        res.parent_of(before[-2].actor) == claim_m.actor
                        and _UNIT_OF.fullmatch(text[before[-2].end : claim_m.start])
                    )
                    or _APPOSITIVE_OF.fullmatch(text[before[-2].end : claim_m.start])
                )
            ):
                claim_m = before[-2]  # "the Majeed Brigade of the BLA claimed": the unit
            if claim_m is None and _THE_GROUP.search(s.text):
                claim_m = _last_group_before(groups, s.start)
            if claim_m:
                break
    return claim_m


#: a later sentence ties the group to the event: it carried it out, was behind it, its men
_TIES = re.compile(
    r"\b(?:carried out|behind|involved|responsible|belong\w*|members? of|militants? (?:of|from)|fighters? (?:of|from)|attack(?:ed|s)? by|by (?:the )?(?:banned|outlawed|proscribed)|linked to|affiliated|claim\w*|blam\w*|suspect\w*|accus\w*|hallmarks?|work of|attributed|pamphlets?|leaflets?|threats? by|on behalf of|in the name of)\b",
    re.I,
)
#: background about the group, not this event: "has long waged an insurgency"
_BACKGROUND = re.compile(
    r"\b(?:historically|allegiance|links? with|long (?:waged|been)|has waged|have waged|insurgency|known (?:to|for)|frequently|often|in the past|designated|repeatedly|have been targeting|has been targeting|regard\w*)\b",
    re.I,
)


def _attributes(g: EventGroup, a: Mention, text: str) -> bool:
    """A group named after the event's first sentence is its perpetrator only where its
    sentence ties it to the event (a claim, blame, "carried out", "militants of") and is
    not background about the group."""
    for s in g.sentences:
        if s.start <= a.start < s.end:
            acts = any(not t[3] and family(t[0]) == "violent" for t in s.all_triggers)
            return bool(
                (s.claim or s.blame or acts or _TIES.search(s.text))
                and not _BACKGROUND.search(s.text)
            )
    return False


#: a strike from the air (by the state or a foreign force): the groups it names after its
#: trigger are its targets ("air strikes on TTP hideouts", "a commander of the Haqqani
#: network was among those killed"), not who struck (not a group's "quadcopter attack")
_FROM_THE_AIR = re.compile(
    r"air[- ]?strikes?|air raids?|aerial|jets|warplanes|gunships|helicopters|drone strikes?|"
    r"drones? (?:struck|bombed|pounded|hit|targeted|strafed|strike|bomb|pound|target|strafe)|"
    r"hideouts?|sanctuaries",
    re.I,
)


_STRUCK_DEAD = re.compile(r"\b(?:killed|died|dead|among|eliminated|neutrali[sz]ed)\b", re.I)


def _struck_from_the_air(g: EventGroup, text: str) -> bool:
    return g.cls == "shelling" and bool(_FROM_THE_AIR.search(text, g.trigger[1], g.trigger[2]))


def _perpetrator(
    g: EventGroup,
    armed: list[Mention],
    state: list[Mention],
    claim_m: Mention | None,
    groups: list[EventGroup],
    text: str,
) -> tuple[Mention | None, float, str]:
    """The mention naming who carried the event out, the confidence of that reading and the
    evidence it rests on."""
    fam = g.family
    perp_m: Mention | None = None
    perp_conf = CONFIDENCE.perpetrator_arresting_agency
    why = "agency"
    if fam == "arrest":
        perp_m = state[0] if state else None
    elif fam == "talks":
        # "the TTP agreed to an indefinite ceasefire": the armed group that is a party
        first = g.sentences[0]
        party = [a for a in armed if first.start <= a.start < first.end]
        if party:
            perp_m, perp_conf, why = party[0], CONFIDENCE.perpetrator_party, "party"
    elif fam in ("violent", "threat", "disrupted"):
        trig_s = g.sentences[0]
        in_trig = [a for a in armed if trig_s.start <= a.start < trig_s.end]
        later = [
            a
            for a in armed
            if not (trig_s.start <= a.start < trig_s.end) and _attributes(g, a, text)
        ]
        if _struck_from_the_air(g, text):
            # only a group told before the strike struck, not as its dead ("a commander of
            # the Haqqani network was among 17 killed in a drone strike"); the others are what
            # it struck
            in_trig = [
                a
                for a in in_trig
                if a.end <= g.trigger[1] and not _STRUCK_DEAD.search(text, a.end, g.trigger[1])
            ]
            later = []
        pool = in_trig or later
        if pool:
            units = [a for a in pool if res.parent_of(a.actor)]
            perp_m = units[0] if units else pool[0]
            perp_conf = (
                CONFIDENCE.perpetrator_in_trigger_sentence
                if in_trig
                else CONFIDENCE.perpetrator_elsewhere_in_event
            )
            why = "trigger_sentence" if in_trig else "elsewhere"
            if claim_m and perp_m is claim_m and not units:
                others = [a for a in armed if res.parent_of(a.actor) == claim_m.actor]
                if others:
                    perp_m = others[0]
            elif claim_m and res.parent_of(claim_m.actor) == perp_m.actor:
                perp_m = claim_m  # "BLA militants ... claimed by the BLA's Majeed Brigade"
            elif (
                claim_m
                and not in_trig
                and perp_m.actor != claim_m.actor
                and res.parent_of(perp_m.actor) != claim_m.actor  # (the claimant's own unit)
            ):
                # "a TTP splinter group, Ahrar-ul-Hind, claimed it": the claimant, not the
                # first group named after the lead
                perp_m, perp_conf, why = claim_m, CONFIDENCE.perpetrator_from_claim, "claimant"
        elif _THE_GROUP_OR_OUTFIT.search(trig_s.text) or (
            fam == "threat" and trig_s.claimant_vowed
        ):
            # ("The statement also warned ...": the claimant's statement, named before)
            perp_m = _last_group_before(groups, trig_s.start)
            perp_conf, why = CONFIDENCE.perpetrator_anaphor, "anaphor"
        if perp_m is None and claim_m is not None:
            perp_m, perp_conf, why = claim_m, CONFIDENCE.perpetrator_from_claim, "claimant"
        if perp_m is not None and (
            _SUSPECTED_BEFORE.search(text[max(0, perp_m.start - 30) : perp_m.start])
            or any(
                s.start <= perp_m.start < s.end
                and _BLAME.search(text, s.start, perp_m.start)
                and perp_m is not claim_m
                for s in g.sentences
            )
        ):
            perp_conf, why = CONFIDENCE.perpetrator_blamed, "blamed"  # not claimed
            if (
                claim_m is not None
                and claim_m.actor != perp_m.actor
                and res.parent_of(perp_m.actor) != claim_m.actor
            ):
                # officials blamed one group, another claimed it: the claim names the actor
                perp_m, perp_conf, why = claim_m, CONFIDENCE.perpetrator_from_claim, "claimant"
    return perp_m, perp_conf, why


def _forces_acted(g: EventGroup, state: list[Mention], armed: list[Mention]) -> bool:
    """The forces are the subject of the event's trigger and no armed group is named before it
    ("personnel of the Frontier Corps raided a house ... and took away two men"): theirs, so
    a group's claim of a series of attacks is not for it."""
    s = g.trigger_sentence()
    if s is None:
        return False
    t0 = min([g.trigger[1], *(t[1] for t in s.all_triggers)])  # before any deed it tells
    return any(s.start <= a.start < t0 for a in state) and not any(
        s.start <= a.start < t0 for a in armed
    )


def _not_the_doer(g: EventGroup, a: Mention) -> bool:
    """The foreign force is told as the one hit, or as one of two armies trading fire."""
    home = next((s for s in g.sentences if s.start <= a.start < s.end), None)
    return home is not None and not_the_doer(home.text, a, home.start)


def fill_actors(ev: CandidateEvent, text: str, g: EventGroup, groups: list[EventGroup]) -> None:
    """Set the event's perpetrator (and its parent), ``claimed_by`` and actor list."""
    fam = g.family
    named = [a for s in g.sentences for a in s.actors]
    armed = [
        a
        for a in named
        if _armed_or_unknown(a)
        and not _DENIAL.match(text, a.end)
        # (a foreign state's force is the perpetrator of its strikes, not of talks with it,
        # nor of an attack it suffered, nor of fire two armies traded)
        and (not is_foreign_force(a) or (fam == "violent" and not _not_the_doer(g, a)))
    ]
    state = [a for a in named if is_state_force(a)]
    claim_m = _claimant(g, armed, groups, text)
    claim_s = next((s.claim for s in g.sentences if s.claim), None)
    if (
        claim_m is None
        and claim_s is None
        and g.summed_claim is not None
        and not _forces_acted(g, state, armed)
    ):
        # "the BLA claimed three separate attacks ...", then each attack told on its own
        over = g.summed_claim
        claim_m = _claimant(
            EventGroup(g.cls, g.trigger, [over]),
            [a for a in over.actors if _armed_or_unknown(a)],
            groups,
            text,
        )
        claim_s = over.claim
    perp_m, perp_conf, why = _perpetrator(g, armed, state, claim_m, groups, text)
    if perp_m is not None and perp_m.actor:
        basis = f"perpetrator:{why}:{fam}"
        ev.set("perpetrator", perp_m.actor, (perp_m.start, perp_m.end), perp_conf, basis)
        parent = res.parent_of(perp_m.actor)
        if parent:
            ev.set("perpetrator_parent", parent, (perp_m.start, perp_m.end), perp_conf)
    if (
        claim_m is not None
        and claim_m.actor
        and claim_s
        and fam in ("violent", "disrupted")
        and not is_foreign_force(claim_m)  # (a state's force claims no attack)
    ):
        s_claim = claim_s
        ev.set(
            "claimed_by",
            claim_m.actor,
            (min(claim_m.start, s_claim[0]), max(claim_m.end, s_claim[1])),
            CONFIDENCE.claim,
            f"claimed_by:claim:{fam}",
        )
    actors_list: list[str] = []
    for a in named:
        if a.actor and a.actor not in actors_list:
            actors_list.append(a.actor)
    if fam in ("talks", "request"):
        for s in g.sentences:
            for m in s.places:
                gov = METONYMS.get(m.text)
                if m.text in METONYMS and gov and not m.cued and gov not in actors_list:
                    actors_list.append(str(gov))
    ev.actors = actors_list

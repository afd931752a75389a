"""The extractor's stages one by one, and the one confidence table they all read."""

from __future__ import annotations

import ast
import warnings
from datetime import date
from pathlib import Path

import pytest

import safecorridor.extraction as extraction_pkg
from safecorridor.extraction import RuleExtractor, extract
from safecorridor.extraction.actors import mark_attribution
from safecorridor.extraction.confidence import CONFIDENCE, table
from safecorridor.extraction.datelines import text_published
from safecorridor.extraction.dates import event_date, find_dates
from safecorridor.extraction.grouping import split_recalled
from safecorridor.extraction.kinds import mark_triggers
from safecorridor.extraction.layout import repunctuate, truecase, unwrap_lines
from safecorridor.extraction.mentions import find_mentions
from safecorridor.extraction.places import dateline, disambiguate
from safecorridor.extraction.sentences import Sentence, split_sentences
from safecorridor.extraction.triggers import TRIGGERS
from safecorridor.taxonomy import kind_of

PKG = Path(extraction_pkg.__file__).parent
STAGES = [
    "actors",
    "layout",
    "casualties",
    "dates",
    "grouping",
    "kinds",
    "mentions",
    "places",
    "rules",
    "sentences",
    "targets",
    "triggers",
]


def test_every_confidence_is_a_probability() -> None:
    rows = table()
    assert len(rows) >= 30
    for name, value in rows:
        assert 0.0 <= value <= 1.0, name


@pytest.mark.parametrize("module", STAGES)
def test_no_stage_writes_a_confidence_of_its_own(module: str) -> None:
    """Confidences live in confidence.py only: no stage holds a fractional literal."""
    tree = ast.parse((PKG / f"{module}.py").read_text("utf-8"))
    fractions = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, float)
        and 0.0 < node.value < 1.0
    ]
    assert fractions == []


def test_each_trigger_class_gives_a_kind_the_taxonomy_agrees_with() -> None:
    for cls, (kind, _type, sub, _rank, _family) in TRIGGERS.items():
        assert kind_of(sub) in (kind, "other"), cls


def test_sentences_are_not_cut_at_abbreviations_or_initials() -> None:
    text = "Lt. Col. Khan led the patrol near D.I. Khan on Monday. It came back.\nQUETTA: headline"
    parts = [s.text for s in split_sentences(text)]
    assert parts == [
        "Lt. Col. Khan led the patrol near D.I. Khan on Monday.",
        "It came back.",
        "QUETTA: headline",
    ]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_hard_wrapped_lines_are_joined_and_offsets_kept() -> None:
    text = (
        "Five killed in Quetta blast\r\n\r\nQUETTA:\r\nAt least five people were killed when a "
        "bomb went off near a police van in\r\nQuetta on Monday, police said. The BLA claimed\r\n"
        "responsibility for the attack.\r\n"
    )
    out = unwrap_lines(text)
    assert len(out) == len(text)  # every span found in it is a span of the input
    assert "van in  Quetta" in out and "claimed  responsibility" in out
    # a headline, a blank line and a dateline keep their breaks
    assert out.startswith("Five killed in Quetta blast \n \nQUETTA: \nAt least")
    assert [s.text for s in split_sentences(out)][:3] == [
        "Five killed in Quetta blast",
        "QUETTA:",
        "At least five people were killed when a bomb went off near a police van in  "
        "Quetta on Monday, police said.",
    ]


def test_a_text_wrapped_at_a_width_is_joined_but_its_short_headline_is_not() -> None:
    body = (
        "Gunmen on motorcycles opened fire on a van carrying workers to a road\n"
        "construction site near Turbat on Tuesday morning, killing four of them\n"
        "and wounding two others, the district police officer told reporters\n"
        "Officials said the attackers escaped towards the mountains after the\n"
        "shooting and a search operation had been launched in the area soon.\n"
    )
    text = "Four workers shot dead near Turbat\n" + body
    out = unwrap_lines(text)
    assert out.startswith("Four workers shot dead near Turbat\nGunmen")
    assert out.count("\n") == 2  # the headline's break and the last line's
    assert unwrap_lines("One line, no break.") == "One line, no break."


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("QUETTA, May 6, 2024 (Reuters) - Gunmen killed five labourers on Monday.", "2024-05-06"),
        (
            "Gunmen killed five labourers on Monday.\n\nPublished in Dawn, May 7th, 2024",
            "2024-05-07",
        ),
        (
            "Five killed\nMonday, May 6, 2024\n\nGunmen killed five labourers on Monday.",
            "2024-05-06",
        ),
        ("Islamabad: 16, June 2024\n\nThe minister met the ambassador.", "2024-06-16"),
        ("Published: 2024-05-07\nGunmen killed five.", "2024-05-07"),
        # a publication stamp before an update, whichever comes first
        ("Updated: May 8, 2024 10:00am\nPublished: May 7, 2024\nGunmen killed five.", "2024-05-07"),
        (
            "Published: May 7, 2024 | Updated: May 8, 2024 10:00am\nGunmen killed five.",
            "2024-05-07",
        ),
        ("Updated 07 May, 2024 09:15pm\n\nGunmen killed five labourers on Monday.", "2024-05-07"),
        # after the place filed from, with a time zone dateutil does not know
        (
            "Web Desk\nNew Delhi, UPDATED: Nov 9, 2023 11:20 IST\n\nA jawan was killed.",
            "2023-11-09",
        ),
        # a date the story tells is not the report's: an event's, a month's, a sentence's
        ("Gunmen killed five labourers in Turbat in May 2024, officials said.", None),
        ("Five killed\nOn March 26, 2024, a suicide bomber rammed a convoy.", None),
        ("The attack in March 2023 killed 5.\n\nQUETTA: Gunmen killed five on Monday.", None),
    ],
)
def test_a_report_without_a_date_may_give_its_own(text: str, day: str | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning reaches the user ("IST" not understood)
        found = text_published(text)
    assert (found.isoformat() if found else None) == day


def test_a_paragraph_that_lost_its_full_stops_is_cut_into_its_sentences() -> None:
    text = (
        "Two policemen were shot dead by unidentified gunmen near a checkpoint in Quetta on "
        "May 24 reports Daily Times Islamic State claimed responsibility for the killing in a "
        "statement issued on Telegram The attackers fled on a motorcycle after the attack "
        "according to The News They had been posted at the checkpoint for a week"
    )
    out = repunctuate(text)
    assert len(out) == len(text)
    parts = [s.text for s in split_sentences(out)]
    assert parts[0].endswith("reports Daily Times")
    assert parts[1].startswith("Islamic State claimed") and parts[1].endswith("on Telegram")
    # "according to The News" keeps its paper; then a sentence begins
    assert parts[2].endswith("according to The News")
    assert parts[-1].startswith("They had been posted")
    punctuated = "Two policemen were shot dead in Quetta. The attackers fled. " * 5
    assert repunctuate(punctuated) == punctuated


def test_a_text_written_in_lower_case_gets_the_capitals_of_the_names_it_knows() -> None:
    text = "five killed in blast near police van in quetta on monday. the bla claimed it."
    out = truecase(text)
    assert len(out) == len(text)
    assert out == "Five killed in blast near police van in Quetta on Monday. The BLA claimed it."
    # words that are also small places stay words; a text with capitals is left as it is
    assert truecase("more than 20 people said the hub of trade and the road were closed") == (
        "More than 20 people said the hub of trade and the road were closed"
    )
    assert (
        truecase("Five killed in Quetta. police said so.")
        == "Five killed in Quetta. police said so."
    )
    # a text all in capitals too
    assert (
        truecase("BREAKING: TWO FC PERSONNEL MARTYRED IN TURBAT ON TUESDAY; BLA CLAIMS ATTACK")
        == "Breaking: Two FC personnel martyred in Turbat on Tuesday; BLA claims attack"
    )


def test_a_recalled_event_is_cut_out_of_its_sentence() -> None:
    text = (
        "Officials met in Lahore on Friday after the Gwadar attack, which killed two guards "
        "last month, to review security."
    )
    parts = split_recalled(split_sentences(text))
    assert [p.recalled for p in parts] == [False, True, False]
    assert parts[1].text.startswith("the Gwadar attack") and parts[2].continuation
    for p in parts:
        assert text[p.start : p.end] == p.text


def test_claim_blame_and_no_claim_are_told_apart() -> None:
    claimed = Sentence(0, 40, "The BLF claimed responsibility for it.")
    mark_attribution(claimed)
    assert claimed.claim is not None and claimed.blame is False
    unclaimed = Sentence(0, 60, "No group has so far claimed the attack, police said.")
    mark_attribution(unclaimed)
    assert unclaimed.claim is None
    blamed = Sentence(0, 60, "Police blamed the TTP for the blast.")
    mark_attribution(blamed)
    assert blamed.claim is None and blamed.blame is True


def test_an_anaphoric_trigger_starts_no_event() -> None:
    s = Sentence(0, 50, "The blast drew condemnation from the governor.")
    mark_triggers(s)
    assert s.trigger is None and s.all_triggers[0][3] is True
    s = Sentence(0, 50, "Gunmen attacked a bus in Kalat on Monday.")
    s.dates = find_dates(s.text, date(2024, 5, 8))
    mark_triggers(s)
    assert s.trigger is not None and s.trigger[0] == "attack"


def test_places_prefer_pakistan_and_the_dateline_is_read() -> None:
    text = "Hyderabad: a cracker exploded outside a shop in Hyderabad on Sunday."
    places, _actors = find_mentions(text)
    disambiguate(places)
    assert places and all(m.place is not None and m.place.country == "PK" for m in places)
    dl = dateline(text)
    assert dl is not None and dl.place is not None and dl.place.province == "Sindh"


def test_event_date_prefers_an_event_date_to_a_reporting_one() -> None:
    pub = date(2024, 5, 8)  # a Wednesday
    first = find_dates("A bomb went off in Quetta on Monday, police said on Wednesday.", pub)
    chosen = event_date([first], trigger_start=2)
    assert chosen is not None
    d, conf = chosen
    assert d.value == date(2024, 5, 6) and conf == CONFIDENCE.date_relative
    later = find_dates("It happened on 3 May 2024.", pub)
    d2, conf2 = event_date([[], later], trigger_start=0) or (None, 0.0)
    assert d2 is not None and conf2 == pytest.approx(
        CONFIDENCE.date_absolute - CONFIDENCE.date_later_sentence_penalty
    )


def test_raw_field_confidences_come_from_the_table() -> None:
    (ev,) = RuleExtractor(calibrated=False).extract(
        "A suicide bomber blew himself up at a checkpost in Bannu on 3 May 2024, killing "
        "two policemen. The TTP claimed responsibility.",
        published=date(2024, 5, 4),
    )
    fc = ev.field_confidence
    assert fc["kind"] == CONFIDENCE.kind_specific_trigger
    assert fc["event_date"] == CONFIDENCE.date_absolute
    assert fc["city"] == CONFIDENCE.place_cued
    assert fc["claimed_by"] == CONFIDENCE.claim
    assert fc["fatalities"] == CONFIDENCE.fatalities_counted


def test_a_site_of_a_category_outside_the_lexicon_is_a_target_not_a_crash() -> None:
    site = {"name": "Thar Block VII", "lat": 24.8, "lon": 70.3, "city": "Islamkot"}
    site |= {"province": "Sindh", "category": "other"}
    (ev,) = extract(
        "Gunmen attacked Thar Block VII on Sunday, injuring two guards.",
        published=date(2024, 5, 8),
        extra_places=[site],
    )
    assert ev.location_name == "Thar Block VII"
    assert ev.target[-1] == "other" and "civilians" in ev.target


def test_a_run_with_no_full_stop_is_cut_into_bounded_sentences_that_cover_it() -> None:
    from safecorridor.extraction.sentences import MAX_SENTENCE_CHARS, split_sentences

    text = "BLA claimed the attack in Turbat on Monday and " * 400  # 18,800 characters
    parts = split_sentences(text)
    assert len(parts) > 1
    assert all(len(p.text) <= MAX_SENTENCE_CHARS for p in parts)
    assert all(text[p.start : p.end] == p.text for p in parts)
    assert "".join(p.text for p in parts).replace(" ", "") == text.replace(" ", "")
    # a real sentence, even a long one, stays whole
    long_one = "Militants attacked a post in Kech, " * 50 + "killing two soldiers."
    assert [p.text for p in split_sentences(long_one)] == [long_one]

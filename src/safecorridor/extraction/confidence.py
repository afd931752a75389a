"""Every raw confidence the rule extractor gives a field, in one table, named by its evidence.

The stages (:mod:`places`, :mod:`actors`, :mod:`kinds`, :mod:`dates`, :mod:`casualties`) read
their values from :data:`CONFIDENCE` and write none of their own; with each value they record
the evidence it rests on (``CandidateEvent.confidence_basis``). A field's confidence is meant
to be the probability that the value is right (``--auto-accept X`` relies on that), so the
extractor replaces these raw values by the shares :mod:`calibration` fitted per evidence on the
development annotations; ``safecorridor eval extraction`` prints a reliability table to check
it. This table is the fallback for evidence the map has not seen and the starting point of a
refit (``make calibrate``).

Invariant: every value is in [0, 1]; the penalties are subtracted from a value of their own
group.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Confidences:
    """The table: one attribute per kind of evidence, grouped by the field it sets."""

    # kind, event_type, sub_event_type: the trigger word that decided the kind
    kind_specific_trigger: float = 0.9  # "suicide bomber", "IED", "abducted", "arrested", "met"
    kind_generic_trigger: float = 0.7  # "attacked", "killed", "fired at"; a request
    event_type_from_trigger: float = 0.8  # the ACLED event type and sub-event type of the trigger
    targets_from_lexicon: float = 0.6  # target categories from words in the event's sentences

    # event_date, date_precision
    date_absolute: float = 0.9  # "on 8 April 2023", "in March 2022" in the event's sentences
    date_relative: float = 0.8  # "on Monday", "last week", resolved against publication
    date_reporting: float = 0.4  # only the date of a statement or report ("said on Monday")
    date_later_sentence_penalty: float = 0.1  # subtracted when the date is not in the first one
    date_inherited: float = 0.5  # a threat after an attack takes the attack's date

    # location_name, city, district, province, country, coordinates, geo_precision
    place_landmark: float = 0.9  # a known site or landmark ("Confucius Institute")
    place_cued: float = 0.8  # a place after a preposition or before "district", "area"
    place_uncued: float = 0.55  # a Pakistani place named anywhere in the event, or the dateline
    place_district_penalty: float = 0.1  # subtracted for the district, read from the place
    place_unknown_area: float = 0.5  # a village the gazetteer lacks: "the Parom area of Panjgur"

    # perpetrator, perpetrator_parent, claimed_by
    claim: float = 0.9  # "claimed responsibility", "owned the attack"
    claim_shared: float = 0.75  # "claimed the attacks" told with another event of the report
    perpetrator_arresting_agency: float = 0.8  # the state force named in an arrest
    perpetrator_in_trigger_sentence: float = 0.85  # an armed group in the event's first sentence
    perpetrator_elsewhere_in_event: float = 0.7  # an armed group in a later sentence of the event
    perpetrator_from_claim: float = 0.7  # no group named as the doer; the claimant
    perpetrator_anaphor: float = 0.6  # "the group" resolved to the last armed group named
    perpetrator_blamed: float = 0.5  # blamed or suspected: "believed to be", "officials blamed"
    perpetrator_party: float = 0.6  # an armed group party to talks or an agreement

    # fatalities, attackers_killed, total_fatalities, foreign_*, injured, abducted
    fatalities_counted: float = 0.85  # victims counted or a toll: "killing four", "toll rose to"
    fatalities_none: float = 0.7  # "no one was killed": 0
    attackers_killed_counted: float = 0.7  # attackers or militants killed
    total_fatalities_sum: float = 0.7  # victims plus attackers (the ACLED figure)
    foreign_counted: float = 0.8  # "three Chinese nationals" among the dead, or a breakdown
    foreign_none: float = 0.6  # "no Chinese national was hurt": 0
    injured_counted: float = 0.8
    injured_none: float = 0.6  # "no one was hurt" in a violent event: 0
    abducted_counted: float = 0.8

    # the event's overall confidence: mean of its field confidences (event and sub-event type
    # left out); this when no field was set
    event_without_fields: float = 0.5


CONFIDENCE = Confidences()


def table() -> list[tuple[str, float]]:
    """(evidence, confidence) rows of the table, in its order."""
    return [(f.name, float(getattr(CONFIDENCE, f.name))) for f in fields(CONFIDENCE)]

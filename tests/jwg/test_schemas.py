"""What the JWG's request bodies accept: the language tags the CLI and the pages accept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from safecorridor.jwg.schemas import BriefingRequest, DelegationIn, MeetingCreate
from safecorridor.registry.measures import MeasureCreate


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("zh", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh_Hans", "zh_Hans"),
        ("en", "en"),
        ("en-GB", "en"),
    ],
)
def test_a_briefing_takes_the_language_as_the_cli_does(tag: str, locale: str) -> None:
    req = BriefingRequest(period_from="2024-01-01", period_to="2024-02-01", language=tag)
    assert req.language == locale
    assert DelegationIn(organisation="SSD", language=tag).language == locale


def test_a_language_the_app_does_not_speak_is_refused_with_the_choices() -> None:
    with pytest.raises(ValidationError, match=r"language must be one of en, zh_Hans"):
        BriefingRequest(period_from="2024-01-01", period_to="2024-02-01", language="fr")


@pytest.mark.parametrize(
    "body",
    [
        {"number": 3, "held_on": "2024-01-01", "venue": "Islamabad\x00"},
        {"number": 3, "held_on": "2024-01-01", "series": "JWG\x1b[31m"},
        {
            "number": 3,
            "held_on": "2024-01-01",
            "decisions": [{"text": "Decided\x07", "actions": []}],
        },
    ],
)
def test_a_meeting_holding_a_control_character_is_refused_naming_the_field(
    body: dict[str, object],
) -> None:
    """A NUL was stored (and PostgreSQL refuses one), an escape printed into pages."""
    with pytest.raises(ValidationError, match="control character"):
        MeetingCreate.model_validate(body)


def test_a_measure_not_in_place_has_no_in_place_day_and_no_control_character() -> None:
    """A planned measure given in_place_from dropped the day without a word."""
    with pytest.raises(ValidationError, match="in_place_from is the day a measure in place"):
        MeasureCreate(site_id=1, kind="cctv", state="planned", in_place_from="2024-01-01")
    with pytest.raises(ValidationError, match="control character"):
        MeasureCreate(site_id=1, kind="cctv", description="guards\x00")
    placed = MeasureCreate(site_id=1, kind="cctv", state="in_place", in_place_from="2024-01-01")
    assert str(placed.in_place_from) == "2024-01-01"

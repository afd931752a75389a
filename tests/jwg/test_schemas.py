"""What the JWG's request bodies accept: the language tags the CLI and the pages accept."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from safecorridor.jwg.schemas import BriefingRequest, DelegationIn


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

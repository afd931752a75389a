from __future__ import annotations

import pytest

from safecorridor import taxonomy
from safecorridor.taxonomy.choices import TLP, DatePrecision, RiskLevel


def test_enums_match_the_data_files() -> None:
    assert [m.value for m in TLP] == list(taxonomy.tlp_markings())
    assert [m.value for m in RiskLevel] == list(taxonomy.risk_levels())
    assert [m.value for m in DatePrecision] == list(taxonomy.date_precisions())


def test_tlp_and_risk_ranks_increase() -> None:
    assert [taxonomy.tlp_rank(m) for m in TLP] == [0, 1, 2, 3, 4]
    assert taxonomy.risk_rank("critical") > taxonomy.risk_rank("low")


def test_acled_types_are_complete_and_normalised() -> None:
    types = taxonomy.event_types()
    assert set(types) == {
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
    }
    assert "Suicide bomb" in types["Explosions/Remote violence"]
    assert taxonomy.check_event_type("explosions/remote VIOLENCE", "suicide bomb") == (
        "Explosions/Remote violence",
        "Suicide bomb",
    )
    assert taxonomy.event_type_of("Abduction/forced disappearance") == "Violence against civilians"


def test_unknown_types_are_refused_with_the_options() -> None:
    with pytest.raises(taxonomy.TaxonomyError, match="not a known ACLED event type"):
        taxonomy.check_event_type("Terrorism")
    with pytest.raises(taxonomy.TaxonomyError, match="sub-event type of Battles"):
        taxonomy.check_event_type("Battles", "Suicide bomb")


def test_kinds_follow_the_sub_event_type() -> None:
    assert taxonomy.kind_of("Suicide bomb") == "suicide_attack"
    assert taxonomy.kind_of("Grenade") == "bombing"
    assert taxonomy.kind_of("Remote explosive/landmine/IED") == "bombing"
    assert taxonomy.kind_of("Arrests") == "arrest"
    assert taxonomy.kind_of(None) == "other"


def test_admiralty_codes() -> None:
    assert list(taxonomy.reliability_codes()) == list("ABCDEF")
    assert list(taxonomy.credibility_codes()) == ["1", "2", "3", "4", "5", "6"]


def test_precision_mappings() -> None:
    assert taxonomy.precision_from_acled(1) == "day"
    assert taxonomy.precision_from_acled(3) == "month"
    assert taxonomy.precision_from_acled(None) == "day"  # no code: ACLED's date is a day's
    assert taxonomy.precision_from_ucdp(4) == "month"
    assert taxonomy.precision_from_ucdp(5) == "year"
    assert taxonomy.acled_time_precision("week") == 2


def test_the_level_colours_are_the_web_pages_colours() -> None:
    """One palette: the PNG maps (taxonomy) and the pages' stylesheet name the same colours."""
    import re
    from importlib.resources import files

    css = files("safecorridor.web").joinpath("static/app.css").read_text("utf-8")
    web = dict(re.findall(r"--(low|moderate|high|severe|critical): (#[0-9a-f]{6})", css))
    assert web == taxonomy.level_colours()

"""Rule extractor: the seed report, dates, casualties, places, multi-event, kinds, eval, CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from safecorridor.cli.extract import app
from safecorridor.extraction import CandidateEvent, Extractor, RuleExtractor, extract
from safecorridor.extraction.casualties import parse
from safecorridor.extraction.dates import find_dates
from safecorridor.extraction.evaluate import evaluate, load_gold
from safecorridor.taxonomy import event_type_of, kind_of
from tests.conftest import SEED_REPORT

HERE = Path(__file__).parent
SEED = SEED_REPORT
PUB = date(2022, 9, 12)  # a Monday


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[CandidateEvent]]:
    text = SEED.read_text("utf-8")
    return text, extract(text, published=PUB)


def _span(text: str, ev: CandidateEvent, field: str) -> str:
    s, e = ev.evidence[field]
    return text[s:e]


def test_seed_attack(seed: tuple[str, list[CandidateEvent]]) -> None:
    text, events = seed
    (attack,) = [e for e in events if e.kind == "suicide_attack"]
    assert attack.event_type == "Explosions/Remote violence"
    assert attack.sub_event_type == "Suicide bomb"
    assert (attack.event_date, attack.date_precision) == (date(2022, 4, 1), "month")
    assert attack.to_dict()["event_date"] == "2022-04"
    assert attack.location_name == "Confucius Institute"
    assert (attack.city, attack.province, attack.country) == ("Karachi", "Sindh", "Pakistan")
    assert attack.geo_precision == 1 and attack.latitude and attack.longitude
    assert attack.perpetrator == "Majeed Brigade"
    assert attack.perpetrator_parent == "Baloch Liberation Army"
    assert attack.claimed_by == "Baloch Liberation Army"
    assert (attack.fatalities, attack.foreign_fatalities, attack.foreign_nationality) == (
        4,
        3,
        "Chinese",
    )
    assert "foreign_nationals" in attack.target
    assert "killed four people" in _span(text, attack, "fatalities")
    assert "three of them Chinese" in _span(text, attack, "foreign_fatalities")
    assert "April this year" in _span(text, attack, "event_date")
    assert "Confucius Institute" in _span(text, attack, "city")
    assert "Baloch Liberation Army" in _span(text, attack, "claimed_by")
    assert "Majeed Brigade" in _span(text, attack, "perpetrator")
    assert attack.extractor == "safecorridor-rules" and attack.extractor_version
    assert 0 < attack.confidence <= 1


def test_a_named_person_is_never_an_actor() -> None:
    """Actors are organisations and categories: a bomber or a victim named in a report is not
    recorded as one (the name below is made up for this test)."""
    text = (
        "A suicide bomber struck a police van in Turbat on Tuesday, killing two constables. "
        "The Baloch Liberation Army claimed the attack and named the bomber as Zarina Example."
    )
    events = extract(text, published=date(2024, 5, 8))
    assert events and all(
        not any("Zarina" in a for a in e.actors) and "Zarina" not in (e.perpetrator or "")
        for e in events
    )
    assert any(e.claimed_by == "Baloch Liberation Army" for e in events)


def test_seed_other_events(seed: tuple[str, list[CandidateEvent]]) -> None:
    text, events = seed
    kinds = [e.kind for e in events]
    assert kinds == ["meeting", "suicide_attack", "threat", "other"]
    meeting = events[0]
    assert (meeting.city, meeting.province) == ("Islamabad", "Islamabad Capital Territory")
    assert "Chinese embassy" in _span(text, meeting, "city")
    # reported "on Monday" on a Monday: the report's day; the meeting itself only to the month
    assert meeting.to_dict()["event_date"] == "2022-09" and meeting.date_precision == "month"
    threat = events[2]
    assert threat.perpetrator == "Baloch Liberation Army" and "warned" in _span(
        text, threat, "kind"
    )
    request = events[3]
    assert request.sub_event_type == "Other" and request.event_type == "Strategic developments"
    assert request.event_date is None  # unknown values stay null


@pytest.mark.parametrize(
    ("phrase", "expected", "precision"),
    [
        ("The attack took place on 26 April 2022.", date(2022, 4, 26), "day"),
        ("The attack took place on April 26.", date(2022, 4, 26), "day"),
        ("The attack took place on 26/4/2022.", date(2022, 4, 26), "day"),
        ("Gunmen attacked the post yesterday.", date(2022, 9, 11), "day"),
        ("Gunmen attacked the post last month.", date(2022, 8, 1), "month"),
        ("Gunmen attacked the post in April this year.", date(2022, 4, 1), "month"),
        ("Gunmen attacked the post earlier this week.", date(2022, 9, 12), "week"),
        ("Gunmen attacked the post last week.", date(2022, 9, 5), "week"),
        ("Gunmen attacked the post earlier this month.", date(2022, 9, 1), "month"),
        ("Gunmen attacked the post on Saturday.", date(2022, 9, 10), "day"),
        # GUIDE.md: a weekday equal to the publication's is that day; "last Monday" the one before
        ("Gunmen attacked the post on Monday.", date(2022, 9, 12), "day"),
        ("Gunmen attacked the post last Monday.", date(2022, 9, 5), "day"),
        ("The blast was reported by police on Monday.", date(2022, 9, 12), "day"),
        ("Gunmen attacked the post in 2019.", date(2019, 1, 1), "year"),
        ("Gunmen attacked the post in May 2019.", date(2019, 5, 1), "month"),
    ],
)
def test_dates(phrase: str, expected: date, precision: str) -> None:
    (d,) = find_dates(phrase, PUB)
    assert (d.value, d.precision) == (expected, precision)


@pytest.mark.parametrize(
    ("sentence", "killed", "foreign", "injured"),
    [
        ("The bomber struck, killing four, including three Chinese professors.", 4, 3, None),
        ("At least 11 people were killed and 20 injured.", 11, 0, 20),
        ("Five Chinese nationals and their Pakistani driver were killed.", 6, 5, None),
        ("Two soldiers were martyred while three others sustained injuries.", 2, 0, 3),
        ("Gunmen killed two police officers and two visitors.", 4, 0, None),
        ("Thirteen people, including nine Chinese nationals, were killed.", 13, 9, None),
        ("The blast left five dead and 12 injured.", 5, 0, 12),
    ],
)
def test_casualties(sentence: str, killed: int, foreign: int, injured: int | None) -> None:
    c = parse(sentence, 0)
    kills = [x for x in c.counts if x.what == "kill" and not x.attackers]
    assert max(x.n for x in kills) == killed
    brk = sum(n for n, *_ in (c.breakdown or []))
    assert (brk or sum(x.foreign for x in kills)) == foreign
    inj = [x.n for x in c.counts if x.what == "injure"]
    assert (max(inj) if inj else None) == injured


def test_attackers_excluded() -> None:
    (ev,) = extract(
        "Gunmen stormed a hotel in Gwadar on Saturday, killing five people. Three attackers were also killed.",
        published=date(2019, 5, 12),
    )
    assert ev.fatalities == 5 and ev.attackers_killed == 3


def test_place_disambiguation() -> None:
    (ev,) = extract("A bomb exploded in Hyderabad on Friday, injuring six people.", published=PUB)
    assert (ev.city, ev.province, ev.country) == ("Hyderabad", "Sindh", "Pakistan")
    (ev2,) = extract("An IED struck an FC vehicle in Kech district on Sunday.", published=PUB)
    assert (ev2.city, ev2.district, ev2.province, ev2.geo_precision) == (
        None,
        "Kech",
        "Balochistan",
        2,
    )
    (ev3,) = extract("Militants attacked a checkpost in Balochistan on Sunday.", published=PUB)
    assert ev3.province == "Balochistan" and ev3.geo_precision == 3


def test_extra_places_and_aliases() -> None:
    site = {
        "name": "Thar Block VII",
        "lat": 24.8,
        "lon": 70.3,
        "city": "Islamkot",
        "district": "Tharparkar",
        "province": "Sindh",
        "category": "corridor_project",
    }
    (ev,) = extract(
        "Gunmen attacked Thar Block VII on Sunday. The Sindh Freedom Front claimed responsibility.",
        published=PUB,
        extra_places=[site],
        extra_aliases={"Sindh Freedom Front": "SFF"},
    )
    assert ev.location_name == "Thar Block VII" and ev.claimed_by == "SFF"


def test_multi_event() -> None:
    text = (
        "A roadside bomb struck a Levies vehicle in Mastung on 8 April 2023, martyring three "
        "personnel. Separately, a landmine blast in Dera Bugti killed a shepherd on Friday."
    )
    events = extract(text, published=date(2023, 4, 10))
    assert [(e.kind, e.city, e.fatalities) for e in events] == [
        ("bombing", "Mastung", 3),
        ("bombing", "Dera Bugti", 1),
    ]


@pytest.mark.parametrize(
    ("text", "kind", "sub"),
    [
        ("A suicide bomber blew himself up in Quetta on Monday.", "suicide_attack", "Suicide bomb"),
        (
            "An IED exploded near a convoy in Turbat on Monday.",
            "bombing",
            "Remote explosive/landmine/IED",
        ),
        ("Unknown men hurled a grenade at a shop in Turbat on Monday.", "bombing", "Grenade"),
        (
            "Gunmen kidnapped two engineers in Hub on Monday.",
            "abduction",
            "Abduction/forced disappearance",
        ),
        ("Police arrested three suspects in Karachi on Monday.", "arrest", "Arrests"),
        (
            "Soldiers and militants exchanged fire in Kech district on Monday.",
            "armed_clash",
            "Armed clash",
        ),
        ("The two countries signed an agreement in Beijing on Monday.", "agreement", "Agreement"),
        ("The minister met Chinese officials in Islamabad on Monday.", "meeting", "Other"),
        ("The BLA warned China to leave Balochistan on Monday.", "threat", "Other"),
    ],
)
def test_kinds(text: str, kind: str, sub: str) -> None:
    (ev,) = extract(text, published=PUB)
    assert (ev.kind, ev.sub_event_type) == (kind, sub)
    assert ev.event_type == event_type_of(sub)
    assert kind_of(sub) in (kind, "other")


def test_no_event() -> None:
    assert (
        extract("The cabinet approved a new power tariff for CPEC coal plants.", published=PUB)
        == []
    )
    assert extract("", published=PUB) == []


def test_protocol() -> None:
    assert isinstance(RuleExtractor(), Extractor)


def test_dev_targets() -> None:
    report = evaluate(load_gold(HERE / "gold" / "dev.jsonl"))
    f = {k: v.f1 for k, v in report.fields.items()}
    assert report.documents >= 30
    for name in ("kind", "date", "city", "province"):
        assert f[name] >= 0.9, (name, f[name])
    for name in ("perpetrator", "claimed_by", "fatalities"):
        assert f[name] >= 0.85, (name, f[name])


def test_cli_format_is_read_in_any_case_and_a_wrong_one_named() -> None:
    runner = CliRunner()
    upper = runner.invoke(
        app, ["extract", str(SEED), "--published", "2022-09-12", "--format", "JSON"]
    )
    lower = runner.invoke(
        app, ["extract", str(SEED), "--published", "2022-09-12", "--format", "json"]
    )
    assert upper.exit_code == 0 and json.loads(upper.output) == json.loads(lower.output)
    wrong = runner.invoke(app, ["extract", str(SEED), "--format", "yaml"])
    assert wrong.exit_code != 0 and "--format must be text or json" in wrong.output


def test_cli_json(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["extract", str(SEED), "--published", "2022-09-12", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    attack = next(e for e in data["events"] if e["kind"] == "suicide_attack")
    for key in (
        "kind",
        "event_type",
        "sub_event_type",
        "event_date",
        "date_precision",
        "city",
        "district",
        "province",
        "country",
        "latitude",
        "longitude",
        "perpetrator",
        "claimed_by",
        "target",
        "fatalities",
        "foreign_fatalities",
        "foreign_nationality",
        "injured",
        "confidence",
        "evidence",
    ):
        assert key in attack
    assert attack["event_date"] == "2022-04" and attack["evidence"]["fatalities"][1] > 0
    result = runner.invoke(
        app, ["eval", "extraction", str(HERE / "gold" / "dev.jsonl"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["events"]["f1"] >= 0.9


def _extract_cli(tmp_path: Path, text: str, *args: str) -> Result:
    """``safecorridor extract`` on a report of ``text``."""
    report = tmp_path / "report.txt"
    report.write_text(text, "utf-8")
    return CliRunner().invoke(app, ["extract", str(report), *args])


_BANNU = "Gunmen shot dead two policemen in Bannu on Monday.\n"


def test_cli_text_names_the_district_when_no_town_places_the_event(tmp_path: Path) -> None:
    result = _extract_cli(
        tmp_path,
        "Gunmen kidnapped three engineers of a road firm in Panjgur district on Monday.\n"
        "Separately, a bomb killed two people in Quetta's Sariab area on Tuesday.\n",
        "--published",
        "2024-05-08",
    )
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln[:1].isdigit()]
    assert "Panjgur district, Balochistan" in lines[0]
    assert "Quetta, Balochistan" in lines[1] and "Quetta district" not in lines[1]


@pytest.mark.parametrize(
    ("name", "floors"),
    [
        # the rules were fitted to these sets too (once "heldout", "test2", "test3"), so these
        # are seen scores, not unseen ones (issue 14; gold/README.md); floors sit a little
        # below their scores so that regressions fail
        ("fitted-1.jsonl", {"events": 0.85, "date": 0.9, "city": 0.9, "province": 0.9}),
        (
            "fitted-2.jsonl",
            {
                "events": 0.9,
                "kind": 0.9,
                "date": 0.9,
                "city": 0.85,
                "province": 0.9,
                "perpetrator": 0.9,
                "claimed_by": 0.9,
                "fatalities": 0.9,
                "injured": 0.9,
            },
        ),
        ("fitted-3.jsonl", {"events": 0.85, "kind": 0.85, "date": 0.9, "province": 0.9}),
    ],
)
def test_regression_floors_on_fitted_sets(name: str, floors: dict[str, float]) -> None:
    report = evaluate(load_gold(HERE / "gold" / name))
    scores = {"events": report.events.f1, **{k: v.f1 for k, v in report.fields.items()}}
    for field, floor in floors.items():
        assert scores[field] >= floor, (name, field, scores[field])


@pytest.mark.parametrize(
    ("phrase", "published", "expected"),
    [
        ("The bomb went off late Thursday.", date(2022, 5, 20), date(2022, 5, 19)),
        ("Gunmen struck in the early hours of Sunday.", date(2023, 8, 21), date(2023, 8, 20)),
        ("A roadside bomb hit a convoy early Sunday.", date(2024, 3, 17), date(2024, 3, 17)),
        (
            "Police arrested him two days after Friday's raid.",
            date(2018, 11, 25),
            date(2018, 11, 25),
        ),
        (
            "Officials said on Thursday the blast hit the bus the day before.",
            date(2021, 7, 16),
            date(2021, 7, 14),
        ),
        ("Two labourers were killed on 9th May.", date(2023, 5, 12), date(2023, 5, 9)),
        ("The attack took place on 2023-05-09.", date(2023, 5, 11), date(2023, 5, 9)),
    ],
)
def test_dates_generalised(phrase: str, published: date, expected: date) -> None:
    ds = find_dates(phrase, published)
    assert ds and ds[-1].value == expected, [(d.text, d.value) for d in ds]


def test_claims_blame_and_attribution() -> None:
    (ev,) = extract(
        "Fourteen soldiers were martyred when their convoy came under attack in Pasni on Friday. "
        "The BLF owned the ambush in a message to reporters.",
        published=date(2023, 11, 4),
    )
    assert ev.kind == "armed_clash" and ev.claimed_by == "Balochistan Liberation Front"
    (ev,) = extract(
        "A bomb planted on a motorcycle went off in Karachi late Thursday, killing one person. "
        "The Sindhudesh Revolutionary Army said it was behind the explosion.",
        published=date(2022, 5, 20),
    )
    assert ev.perpetrator == "Sindhudesh Revolutionary Army" and ev.claimed_by is None
    (ev,) = extract(
        "A suicide bomber struck a procession in Mastung on Friday, killing 52 people. No group "
        "claimed it, but police said the bombing bore the hallmarks of the Islamic State "
        "Khorasan Province.",
        published=date(2023, 9, 30),
    )
    assert ev.perpetrator == "Islamic State Khorasan Province" and ev.claimed_by is None
    assert ev.confidence_basis["perpetrator"].startswith("perpetrator:blamed:")


def test_recalled_event_is_its_own() -> None:
    events = extract(
        "Chinese and Pakistani officials held talks in Islamabad on Saturday on the safety of "
        "Chinese workers after the Besham attack, which killed five Chinese citizens last week.",
        published=date(2024, 4, 2),
    )
    by_kind = {e.kind: e for e in events}
    assert set(by_kind) == {"meeting", "attack"}
    assert by_kind["meeting"].city == "Islamabad" and by_kind["meeting"].fatalities is None
    attack = by_kind["attack"]
    assert (attack.city, attack.fatalities, attack.foreign_fatalities) == ("Besham", 5, 5)
    assert attack.date_precision == "week"


def test_security_operation_and_arrest_raid() -> None:
    (ev,) = extract(
        "Security forces killed 12 terrorists in an intelligence-based operation in Zhob "
        "district on Wednesday. Two soldiers, including a major, embraced shahadat.",
        published=date(2024, 1, 25),
    )
    assert ev.kind == "armed_clash" and ev.perpetrator is None
    assert (ev.fatalities, ev.attackers_killed, ev.total_fatalities) == (2, 12, 14)
    (ev,) = extract(
        "The CTD apprehended two terrorists during a raid in Quetta and recovered hand grenades "
        "and a suicide jacket from their possession.",
        published=date(2023, 5, 18),
    )
    assert ev.kind == "arrest" and ev.perpetrator == "Counter Terrorism Department"


def test_spelling_variants() -> None:
    (ev,) = extract(
        "Terrorists attacked a police post in D.I. Khan on Tuesday night. The Tehreek-i-Taliban "
        "Pakistan claimed responsibility.",
        published=date(2023, 3, 15),
    )
    assert ev.province == "Khyber Pakhtunkhwa" and ev.claimed_by == "Tehrik-i-Taliban Pakistan"


def test_a_gazetteer_spelling_coded_in_the_same_district_is_the_known_town() -> None:
    # UCDP codes "Machh" in Kachhi district far from GeoNames' point for Mach: one town
    from safecorridor.extraction import resources as res

    assert res.canonical_place("Machh") == res.canonical_place("Mach") == ("Mach", "Balochistan")
    (ev,) = extract(
        "Gunmen attacked a passenger coach near Machh on Tuesday.", published=date(2024, 5, 8)
    )
    assert ev.city == "Mach"


def test_a_village_named_beside_its_district_in_another_spelling_is_the_known_town() -> None:
    (ev,) = extract(
        "Militants attacked a checkpost in the Landikotal area of Khyber district on Tuesday.",
        published=date(2024, 5, 8),
    )
    assert (ev.city, ev.district) == ("Landi Kotal", "Khyber")
    assert ev.latitude is not None and abs(ev.latitude - 34.1) < 0.1  # the town's own point
    # a village the standard gazetteers do not know keeps the text's spelling
    (ev,) = extract(
        "Militants attacked a checkpost in the Zarghunkhel area of Khyber district on Tuesday.",
        published=date(2024, 5, 8),
    )
    assert (ev.city, ev.district) == ("Zarghunkhel", "Khyber")


def test_a_short_other_name_of_a_town_abroad_is_no_match() -> None:
    """ "in Wan" (a headline's Wana cut short) is not China's Wanxian, whose other name is
    "Wan": no town abroad is known by an other name of three letters."""
    from safecorridor.extraction import resources as res

    short = [
        (key, p.name)
        for key, places in res.gazetteer().items()
        if len(key) < 4
        for p in places
        if p.country != "PK" and p.kind == "town" and res.norm(p.name) != key
    ]
    assert short == []
    (ev,) = extract("Seven killed in another US missile attack in Wan", published=date(2010, 1, 1))
    assert ev.city is None and ev.fatalities == 7


def test_kashmiri_towns_go_by_the_spellings_their_reporting_uses() -> None:
    """Indian-administered Kashmir's towns are known by the spellings its reporting uses
    ("Baramulla", "Poonch", "Sopore"), and the small Line of Control towns too ("Uri"), but
    none by an other name that names a Pakistani place (Anantnag's "Islamabad") or that is a
    word (Poonch's "Punch")."""
    from safecorridor.extraction import resources as res

    index = res.gazetteer()

    def where(name: str) -> set[tuple[str, str | None, str]]:
        return {(p.name, p.province, p.country) for p in index.get(res.norm(name), [])}

    assert where("Baramulla") == {("Baramulla", "Jammu and Kashmir", "IN")}
    assert where("Poonch") == {("Poonch", "Jammu and Kashmir", "IN")}
    assert ("Sopore", "Jammu and Kashmir", "IN") in where("Sopore")
    assert ("Uri", "Jammu and Kashmir", "IN") in where("Uri")
    assert {country for _n, _p, country in where("Islamabad")} == {"PK"}
    assert where("Punch") == set()
    (ev,) = extract(
        "Unidentified gunmen fired at a house in the Kreeri area of Pattan tehsil in Baramulla "
        "District on Tuesday, injuring two girls.",
        published=date(2024, 5, 8),
    )
    assert (ev.province, ev.country) == ("Jammu and Kashmir", "India")
    (ev,) = extract("A blast in Pattan, Lower Kohistan, killed two people on Tuesday.")
    assert (ev.city, ev.province) == ("Pattan", "Khyber Pakhtunkhwa")


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("A rocket hit a police post in the Matani area of Peshawar on Tuesday.", "Mattani"),
        ("A bomb went off near a school in Badhaber area of Peshawar on Tuesday.", "Badaber"),
        # a neighbourhood of the city stays the city
        ("A bomb went off near a school in the Gulbahar area of Peshawar on Tuesday.", "Peshawar"),
    ],
)
def test_peshawars_tehsil_towns_are_not_the_city(text: str, city: str) -> None:
    (ev,) = extract(text, published=date(2024, 5, 8))
    assert (ev.city, ev.district) == (city, "Peshawar")


def test_group_names_written_without_their_hyphens() -> None:
    (ev,) = extract(
        "Gunmen shot dead two Hazara traders in Quetta on Tuesday. Lashkar e Jhangvi claimed "
        "responsibility for the attack.",
        published=date(2024, 5, 8),
    )
    assert ev.claimed_by == "Lashkar-e-Jhangvi"


def test_cli_says_why_dates_are_missing_without_a_publication_date(tmp_path: Path) -> None:
    without = _extract_cli(tmp_path, _BANNU)
    assert without.exit_code == 0, without.output
    assert "no --published date" in without.stderr
    assert "? [-]" in without.stdout  # the event, undated
    dated = _extract_cli(tmp_path, _BANNU, "--published", "2024-05-08")
    assert "no --published" not in dated.stderr and "2024-05-06" in dated.stdout


def test_cli_reads_the_publication_date_a_report_gives_for_itself(tmp_path: Path) -> None:
    result = _extract_cli(tmp_path, _BANNU + "\nPublished in Dawn, May 7th, 2024\n")
    assert result.exit_code == 0, result.output
    assert "publication date: 2024-05-07, as the report gives it" in result.stderr
    assert "no --published" not in result.stderr and "2024-05-06" in result.stdout


def test_cli_takes_a_publication_date_after_today_for_a_misprint(tmp_path: Path) -> None:
    """As ingest does: a report saying it came out in 2099 has no publication day, and its
    "on Monday" is not dated against that day."""
    result = _extract_cli(tmp_path, _BANNU + "\nPublished in Dawn, May 7th, 2099\n")
    assert result.exit_code == 0, result.output
    assert "gives 2099-05-07 as its publication date, which is after today" in result.stderr
    assert "none the report gives can be used" in result.stderr
    assert "2099" not in result.stdout and "? [-]" in result.stdout


def test_cli_shows_a_day_and_month_of_an_unknown_year(tmp_path: Path) -> None:
    report = tmp_path / "timeline.txt"
    report.write_text(
        "Incidents of the week\n\nOctober 27: Gunmen shot dead two policemen in Bannu.\n\n"
        "October 29: A roadside bomb wounded three soldiers in Kohlu.\n",
        "utf-8",
    )
    result = CliRunner().invoke(app, ["extract", str(report)])
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.stdout.splitlines() if ln[:1].isdigit()]
    assert "--10-27 [day] Bannu" in lines[0] and "--10-29 [day] Kohlu" in lines[1]
    assert "--MM-DD" in result.stderr
    data = json.loads(CliRunner().invoke(app, ["extract", str(report), "--format", "json"]).stdout)
    assert [(e["event_date"], e["month_day"]) for e in data["events"]] == [
        ("--10-27", "--10-27"),
        ("--10-29", "--10-29"),
    ]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "is empty"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03binary\x00\x00", "binary file"),
        (("Gunmen shot dead a policeman in Bannu. " * 6_000).encode(), "split it into its reports"),
    ],
)
def test_cli_extract_refuses_what_is_not_one_report_with_the_reason(
    tmp_path: Path, content: bytes, said: str
) -> None:
    report = tmp_path / "report.txt"
    report.write_bytes(content)
    result = CliRunner().invoke(app, ["extract", str(report)])
    assert result.exit_code == 1 and said in result.stderr, result.output
    assert result.stdout == ""  # no event made up from it


def test_cli_extract_reads_a_report_as_ingest_does(tmp_path: Path) -> None:
    text = "Gunmen shot dead two policemen in Bannu on Monday.\n"
    report = tmp_path / "report.txt"
    report.write_text(text, "utf-16")  # with its byte-order mark, as Windows tools save it
    result = CliRunner().invoke(app, ["extract", str(report), "--published", "2024-05-08"])
    assert result.exit_code == 0 and "2024-05-06" in result.stdout, result.output
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(
        "Gunmen shot dead two policemen in Bannu on Monday — police.\n".encode("cp1252")
    )
    result = CliRunner().invoke(app, ["extract", str(legacy), "--encoding", "cp1252"])
    assert result.exit_code == 0 and "Bannu" in result.stdout, result.output


@pytest.mark.calendar
def test_cli_extract_refuses_a_publication_date_after_today(tmp_path: Path) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()  # the clock the CLI reads
    result = _extract_cli(tmp_path, _BANNU, "--published", tomorrow)
    assert result.exit_code == 1 and "after today" in result.stderr, result.output
    today = date.today().isoformat()
    assert _extract_cli(tmp_path, _BANNU, "--published", today).exit_code == 0

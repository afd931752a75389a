"""Review of candidates: accept (new incident or merge), edit, reject, merge by hand, auto;
merging reports of one event with their disagreements; and the matching rules."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.review.merge import (
    dates_compatible,
    find_matching_incident,
    kind_group,
    places_compatible,
)
from safecorridor.review.models import Candidate
from safecorridor.review.service import (
    CandidateDecidedError,
    CandidateIncompleteError,
    accept_candidate,
    reject_candidate,
)
from tests.conftest import SEED_REPORT
from tests.factories import create_incident
from tests.ingestion.conftest import invoke


def _by_kind(session: Session) -> dict[str, Candidate]:
    return {c.kind: c for c in session.scalars(select(Candidate).order_by(Candidate.id))}


@pytest.fixture
def seeded(engine: Engine, session: Session) -> dict[str, Candidate]:
    code, out = invoke("ingest", SEED_REPORT, "--published", "2022-09-12")
    assert code == 0, out
    return _by_kind(session)


def test_review_lists_and_shows_candidates_with_their_evidence(
    seeded: dict[str, Candidate],
) -> None:
    code, out = invoke("review")
    assert code == 0, out
    assert "pending candidates (4)" in out and "suicide_attack" in out
    code, out = invoke("review", "--limit", "2")  # a queue cut short says so
    assert code == 0 and "pending candidates (2 of 4; --limit for more)" in out
    bomb = seeded["suicide_attack"]
    code, out = invoke("review", "show", str(bomb.id))
    assert code == 0, out
    assert "perpetrator" in out and "Majeed Brigade" in out
    assert "killed four people" in out and "Confucius Institute, which China runs" in out
    # output that is no terminal keeps no colour: each field's evidence is marked in the text
    assert "»Majeed Brigade«" in out or "»Majeed Brigade’s«" in out
    assert invoke("review", "show", "999")[1].startswith("error: no candidate with id 999")


def test_evidence_is_highlighted_in_its_sentence() -> None:
    from safecorridor.cli.review import highlighted

    text = "First sentence. Gunmen killed [two] people in Turbat. Last one."
    start = text.index("Turbat")
    assert highlighted(text, start, start + 6) == (
        r"Gunmen killed \[two] people in [bold black on yellow]Turbat[/]."
    )


def test_accept_reject_merge_and_edit_are_kept_in_the_history(
    seeded: dict[str, Candidate], session: Session
) -> None:
    bomb, meeting, threat, request = (
        seeded[k] for k in ("suicide_attack", "meeting", "threat", "other")
    )

    # an edit before accepting: the incident has it, the history says who and from what
    code, out = invoke("review", "accept", str(bomb.id), "--set", "injured=4", "--reviewer", "ana")
    assert code == 0, out
    assert f"candidate #{bomb.id} accepted as incident #" in out
    session.expire_all()
    bomb = session.get_one(Candidate, bomb.id)
    assert bomb.status == "accepted" and bomb.decided_by == "ana" and bomb.decided_at
    inc = session.get_one(Incident, bomb.incident_id)
    assert inc.injured == 4 and inc.fatalities == 4
    entry = next(h for h in inc.history if h.action == "accepted")
    assert entry.changed_by == "ana"
    assert entry.changes == {
        "candidate": bomb.id,
        "document": bomb.document_id,
        "edits": {"injured": [None, 4]},
    }

    # a decided candidate cannot be decided again
    code, out = invoke("review", "accept", str(bomb.id), "--reviewer", "ana")
    assert code == 1 and f"candidate #{bomb.id} is already accepted (incident #{inc.id})" in out

    # no place: cannot be accepted without coordinates
    code, out = invoke("review", "accept", str(request.id), "--reviewer", "ana")
    assert code == 1
    assert "cannot become an incident without coordinates (latitude and longitude)" in out
    # the example is of what is missing (it was --set event_date=YYYY-MM-DD alone)
    assert "with --set FIELD=VALUE (e.g. --set latitude=LAT --set longitude=LON" in out
    # an event date after today is no incident, nor a reviewer without a name a decider
    code, out = invoke(
        "review", "accept", str(request.id),
        "--set", "latitude=33.6844", "--set", "longitude=73.0479",
        "--set", "event_date=2999-06-15", "--set", "date_precision=day", "--reviewer", "ana",
    )  # fmt: skip
    assert code == 1 and "event_date 2999-06-15 is after today" in out
    code, out = invoke("review", "reject", str(request.id), "--reason", "x", "--reviewer", " ")
    assert code == 1 and "error: a reviewer's name is needed, not an empty one" in out
    # none given: it was recorded as 'analyst', a role, in the history and the audit log
    for decision in (("accept",), ("reject", "--reason", "x"), ("merge", str(inc.id))):
        code, out = invoke("review", decision[0], str(request.id), *decision[1:])
        assert code == 1, out
        assert out.startswith("error: a reviewer's name is needed: give --reviewer NAME"), out
    session.expire_all()
    assert session.get_one(Candidate, request.id).status == "pending"
    code, out = invoke(
        "review", "accept", str(request.id),
        "--set", "latitude=33.6844", "--set", "longitude=73.0479",
        "--set", "location=Islamabad", "--set", "admin1=Islamabad Capital Territory",
        "--set", "event_date=2022-06-15", "--set", "date_precision=month", "--reviewer", "ana",
    )  # fmt: skip
    assert code == 0, out
    code, out = invoke(
        "review", "accept", str(threat.id), "--set", "fatalities=many", "--reviewer", "ana"
    )
    assert code == 1 and "fatalities='many'" in out

    # reject with a reason
    code, out = invoke(
        "review",
        "reject",
        str(threat.id),
        "--reason",
        "rhetoric, not an event",
        "--reviewer",
        "ana",
    )
    assert code == 0, out
    session.expire_all()
    threat = session.get_one(Candidate, threat.id)
    assert (threat.status, threat.decision_note) == ("rejected", "rhetoric, not an event")

    # merge by hand into a named incident: the document becomes one of its sources
    code, out = invoke("review", "merge", str(meeting.id), str(inc.id), "--reviewer", "bo")
    assert code == 0, out
    session.expire_all()
    inc = session.get_one(Incident, inc.id)
    merged = [h for h in inc.history if h.action == "merged"]
    assert merged[-1].changed_by == "bo" and merged[-1].changes["candidate"] == meeting.id
    assert session.get_one(Candidate, meeting.id).status == "merged"
    assert invoke("review")[1].strip() == "no pending candidates"
    code, out = invoke("review", "--status", "all")
    assert "rejected" in out and "merged" in out


def test_two_reports_of_one_bombing_merge_and_keep_their_disagreement(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    corpus = tmp_path / "two.jsonl"
    reports = [
        {
            "text": "A roadside bomb killed nine soldiers of the Frontier Corps in Turbat, Kech "
            "district, on 3 May 2023, officials said. No group claimed responsibility.",
            "published": "2023-05-04",
            "publisher": "Daily A",
        },
        {
            "text": "Ten Frontier Corps personnel were martyred when an IED struck their "
            "vehicle near Turbat on Wednesday, the ISPR said in a statement.",
            "published": "2023-05-04",
            "publisher": "Daily B",
        },
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in reports), "utf-8")
    code, out = invoke("ingest", corpus, "--auto-accept", "0.5")
    assert code == 0, out
    assert "documents: 2 new" in out and "incidents: 1" in out
    (inc,) = session.scalars(select(Incident)).all()
    assert len(inc.documents) == 2
    assert inc.fatalities == 9  # a machine merge never overwrites a known value
    assert inc.geo_precision == 1 and inc.source == "Daily A; Daily B"
    first, second = session.scalars(select(Candidate).order_by(Candidate.id)).all()
    assert inc.extra["disagreements"]["fatalities"] == [
        {"value": 9, "candidate_id": first.id, "document_id": None},
        {"value": 10, "candidate_id": second.id, "document_id": second.document_id},
    ]
    merged = next(h for h in inc.history if h.action == "merged")
    assert merged.changes["disagreements"] == {"fatalities": [9, 10]}
    assert (first.status, second.status) == ("accepted", "merged")


def test_auto_accept_leaves_what_cannot_be_an_incident_pending(
    seeded: dict[str, Candidate], session: Session
) -> None:
    code, out = invoke("review", "auto", "--min-confidence", "0.7")
    assert code == 0, out
    assert "accepted: 3 new incidents, 0 merged; 1 left pending" in out
    assert f"#{seeded['other'].id}: candidate #{seeded['other'].id} (other) cannot become" in out


def test_services_raise_typed_errors(seeded: dict[str, Candidate], session: Session) -> None:
    request = seeded["other"]
    with pytest.raises(CandidateIncompleteError, match="without coordinates"):
        accept_candidate(session=session, candidate_id=request.id, decided_by="t")
    session.rollback()
    reject_candidate(session=session, candidate_id=request.id, decided_by="t", reason="no event")
    with pytest.raises(CandidateDecidedError):
        reject_candidate(session=session, candidate_id=request.id, decided_by="t", reason="again")


def test_a_candidate_far_away_or_of_another_kind_does_not_merge(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    with Session(sqlite_engine) as s:
        create_incident(s)  # the Karachi University bombing, 2022-04-26
        s.commit()
    code, out = invoke(
        "ingest",
        SEED_REPORT,
        "--published",
        "2022-09-12",
        "--auto-accept",
        "0.7",
        "--max-km",
        "0.01",
    )
    assert code == 0, out
    with Session(sqlite_engine) as s:
        # 100 m is closer than the two geocodes of the campus: a new incident, not a merge
        assert len(s.scalars(select(Incident)).all()) == 4


@pytest.mark.parametrize(
    ("day", "precision"),
    [(date(1, 1, 1), "day"), (date(1, 1, 3), "week"), (date(9999, 12, 31), "week")],
)
def test_a_candidate_dated_at_the_calendars_end_breaks_no_page(
    seeded: dict[str, Candidate], session: Session, day: date, precision: str
) -> None:
    """Candidates dated 0001 (a publication date typed as 0001-01-01, before it was refused)
    made the matching's date window overflow: the queue, a candidate's page and `review
    show` failed for everyone."""
    create_incident(session)  # the Karachi University bombing, 2022-04-26
    bomb = seeded["suicide_attack"]
    bomb.event_date, bomb.date_precision = day, precision
    session.commit()
    assert find_matching_incident(session, bomb) is None
    assert dates_compatible(day, precision, day, "day")
    assert not dates_compatible(day, precision, date(2022, 4, 26), "day")
    code, out = invoke("review", "show", str(bomb.id))
    assert code == 0 and "Traceback" not in out, out
    assert "accepting merges it" not in out


def test_matching_rules() -> None:
    april = date(2022, 4, 1)
    assert dates_compatible(april, "month", date(2022, 4, 26), "day")
    assert not dates_compatible(april, "month", date(2022, 5, 3), "day")
    assert dates_compatible(date(2023, 5, 3), "day", date(2023, 5, 4), "day")
    assert not dates_compatible(date(2023, 5, 3), "day", date(2023, 5, 6), "day")
    assert kind_group("suicide_attack", None, None) == kind_group("bombing", None, None)
    assert kind_group(None, "Explosions/Remote violence", "Suicide bomb") == "violence"
    assert kind_group("meeting", None, None) != kind_group("threat", None, None)
    inc = Incident(latitude=24.94, longitude=67.12, geo_precision=1, admin1="Sindh")
    near = Candidate(latitude=25.0, longitude=67.2, geo_precision=1, admin1="Sindh")
    far = Candidate(latitude=24.86, longitude=66.70, geo_precision=1, admin1="Sindh")
    province = Candidate(latitude=26.0, longitude=68.5, geo_precision=3, admin1="Sindh")
    assert places_compatible(near, inc) and not places_compatible(far, inc)
    assert places_compatible(province, inc)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fatalities", "many", "fatalities='many': not a whole number"),
        ("latitude", "north", "latitude='north': not a number"),
        ("event_date", "26/04/2022", "event_date='26/04/2022': not a date (YYYY-MM-DD)"),
        ("date_precision", "fortnight", "date_precision='fortnight': not one of"),
    ],
)
def test_an_edit_of_the_wrong_kind_is_refused_in_plain_words(
    field: str, value: str, message: str
) -> None:
    from safecorridor.review.service import CandidateEditError, parse_edits

    with pytest.raises(CandidateEditError) as err:
        parse_edits({field: value})
    assert str(err.value).startswith(message)
    assert "invalid literal" not in str(err.value) and "isoformat" not in str(err.value)


def test_moving_a_candidates_place_without_its_coordinates_is_refused(
    seeded: dict[str, Candidate], session: Session
) -> None:
    placed = next(c for c in seeded.values() if c.latitude is not None)
    before = (placed.location, placed.latitude, placed.longitude)
    code, out = invoke(
        "review", "accept", str(placed.id), "--reviewer", "ana",
        "--set", "location=Islamabad", "--set", "admin1=Islamabad Capital Territory",
    )  # fmt: skip
    assert code == 1, out
    assert "change the place but its coordinates would stay those of" in out
    assert "give latitude and longitude too" in out
    session.expire_all()
    c = session.get_one(Candidate, placed.id)
    assert (c.status, c.location, c.latitude, c.longitude) == ("pending", *before)
    code, out = invoke(
        "review", "accept", str(placed.id), "--reviewer", "ana",
        "--set", "location=Islamabad", "--set", "admin1=Islamabad Capital Territory",
        "--set", "latitude=33.6844", "--set", "longitude=73.0479",
    )  # fmt: skip
    assert code == 0, out


def test_the_queue_shows_a_day_and_month_without_a_year(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    report = tmp_path / "timeline.txt"
    report.write_text(
        "A week of incidents in Balochistan\n\n"
        "October 27: Militants attacked a Frontier Corps check post in Turbat, killing two "
        "soldiers.\n\n"
        "October 29: A roadside bomb wounded three policemen in Quetta.\n",
        "utf-8",
    )
    code, out = invoke("ingest", str(report))
    assert code == 0, out
    c, _second = session.scalars(select(Candidate).order_by(Candidate.position)).all()
    assert (c.event_date, c.month_day, c.date_precision) == (None, "--10-27", "day")
    code, out = invoke("review")
    assert code == 0 and "--10-27" in out
    code, out = invoke("review", "accept", str(c.id), "--reviewer", "ana")
    assert code == 1 and "the report gives only --10-27: event_date YYYY-10-27" in out
    assert "(e.g. --set event_date=YYYY-MM-DD)" in out


def test_an_edit_the_record_refuses_is_said_without_pydantic_s_wording(
    seeded: dict[str, Candidate], session: Session
) -> None:
    """More foreign dead than dead was refused as 'record: Value error, foreign_fatalities (3)
    exceed fatalities (2)': a reviewer reads the record's own sentence, as an import's row."""
    bomb = seeded["suicide_attack"]
    code, out = invoke(
        "review",
        "accept",
        str(bomb.id),
        "--set",
        "fatalities=2",
        "--set",
        "foreign_fatalities=3",
        "--reviewer",
        "ana",
    )
    assert code == 1, out
    assert f"candidate #{bomb.id} is not a valid incident: foreign_fatalities (3) exceed" in out
    assert "Value error" not in out and "record:" not in out
    session.expire_all()
    assert session.get_one(Candidate, bomb.id).status == "pending"

"""The deployment's active policy in the store: activation, history, fall-back, integrity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safecorridor.risk import policies
from safecorridor.risk.models import RiskPolicy
from safecorridor.risk.policy import PolicyError, default_policy_text, dump_policy, load_policy

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _variant(version: str, radius: float = 30.0) -> tuple[object, str]:
    pol = load_policy().with_overrides(version=version, **{"probability.radius_km": radius})
    return pol, dump_policy(pol.data)


def test_without_an_activation_the_shipped_default_is_active(session: Session) -> None:
    assert policies.active_policy(session).sha256 == load_policy().sha256
    assert policies.active_policy_text(session) == default_policy_text()
    assert policies.policy_history(session) == []


def test_activating_makes_a_policy_active_and_keeps_the_history(session: Session) -> None:
    first, text1 = _variant("site-2027.1", 30.0)
    second, text2 = _variant("site-2027.2", 20.0)
    policies.activate_policy(session, first, text=text1, note="first", now=T0)  # type: ignore[arg-type]
    policies.activate_policy(session, second, text=text2, note="second", now=T0)  # type: ignore[arg-type]
    session.commit()
    active = policies.active_policy(session)
    assert active.version == "site-2027.2" and active.probability_radius_km == 20.0
    assert policies.active_policy_text(session) == text2
    history = policies.policy_history(session)
    assert [r.version for r in history] == ["site-2027.2", "site-2027.1"]
    assert history[0].activated_at == datetime(2026, 12, 1, 9, 0)
    # re-activating an older version appends a row with its text; nothing is rewritten
    again = policies.activate_version(session, "site-2027.1", now=T0)
    session.commit()
    assert again.document == text1 and again.note.startswith("again")
    assert [r.version for r in policies.policy_history(session)] == [
        "site-2027.1",
        "site-2027.2",
        "site-2027.1",
    ]
    assert policies.active_policy(session).version == "site-2027.1"
    policies.activate_version(session, "default", now=T0)
    session.commit()
    assert policies.active_policy(session).sha256 == load_policy().sha256


def test_a_policy_file_is_activated_with_its_comments(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ours.yaml"
    path.write_text(default_policy_text().replace("version: default-2026.12", "version: ours-1"))
    row = policies.activate_file(session, path, now=T0)
    session.commit()
    assert row.document.startswith("# SafeCorridor risk policy")
    assert policies.active_policy(session).version == "ours-1"
    assert row.summary["train_until"] == "2017-01-01"  # kept from the calibration record


def test_text_that_is_not_the_policy_is_refused_and_nothing_is_stored(session: Session) -> None:
    pol, _ = _variant("x-1")
    with pytest.raises(PolicyError, match="does not match"):
        policies.activate_policy(session, pol, text=default_policy_text())  # type: ignore[arg-type]
    session.rollback()
    assert session.scalars(select(RiskPolicy)).all() == []
    with pytest.raises(policies.PolicyNotFoundError):
        policies.activate_version(session, "never-stored")


def test_a_stored_document_that_no_longer_matches_its_hash_is_refused(session: Session) -> None:
    pol, text = _variant("tampered-1")
    row = policies.activate_policy(session, pol, text=text, now=T0)  # type: ignore[arg-type]
    session.commit()
    changed = text.replace("radius_km: 30.0", "radius_km: 5.0")
    session.execute(update(RiskPolicy).where(RiskPolicy.id == row.id).values(document=changed))
    session.commit()
    policies._cache.clear()
    session.expire_all()
    with pytest.raises(PolicyError, match="does not match its hash"):
        policies.active_policy(session)

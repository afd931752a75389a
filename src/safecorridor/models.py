"""Imports every model so that the metadata (and Alembic) see all tables."""

from safecorridor.accounts.models import (
    ApiToken,
    LoginAttempt,
    Organisation,
    User,
    organisation_partners,
)
from safecorridor.incidents.models import (
    Actor,
    ActorAlias,
    Incident,
    IncidentChange,
    Route,
    Site,
    incident_documents,
)
from safecorridor.review.models import Candidate
from safecorridor.risk.models import RiskResult
from safecorridor.sharing.models import AuditEvent, RecordGrant
from safecorridor.sources.models import Document, ImportRun, IngestRun

__all__ = [
    "Actor",
    "ActorAlias",
    "ApiToken",
    "AuditEvent",
    "Candidate",
    "Document",
    "ImportRun",
    "Incident",
    "IncidentChange",
    "IngestRun",
    "LoginAttempt",
    "Organisation",
    "RecordGrant",
    "RiskResult",
    "Route",
    "Site",
    "User",
    "incident_documents",
    "organisation_partners",
]

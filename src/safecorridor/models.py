"""Imports every model so that the metadata (and Alembic) see all tables."""

from safecorridor.accounts.models import Organisation, User, organisation_partners
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
from safecorridor.sources.models import Document, ImportRun, IngestRun

__all__ = [
    "Actor",
    "ActorAlias",
    "Candidate",
    "Document",
    "ImportRun",
    "Incident",
    "IncidentChange",
    "IngestRun",
    "Organisation",
    "RiskResult",
    "Route",
    "Site",
    "User",
    "incident_documents",
    "organisation_partners",
]

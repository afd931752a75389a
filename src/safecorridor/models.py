"""Imports every model so that the metadata (and Alembic) see all tables."""

from safecorridor.accounts.models import (
    ApiToken,
    AuthEpoch,
    LoginAttempt,
    Organisation,
    User,
    WebSession,
    organisation_escorts,
    organisation_partners,
)
from safecorridor.alerts.models import Alert, AlertRule, Delivery, Notification, WorkerRun
from safecorridor.incidents.models import (
    Actor,
    ActorAlias,
    Incident,
    IncidentChange,
    incident_documents,
)
from safecorridor.interop.models import Feed, FeedRun, TaxiiStatus
from safecorridor.jwg.models import (
    ActionItem,
    ActionItemChange,
    AgendaItem,
    BriefingPack,
    Decision,
    JwgLink,
    Meeting,
    MeetingDelegation,
)
from safecorridor.movements.models import CheckIn, Movement, MovementTransition
from safecorridor.registry.measures import MeasureChange, ProtectiveMeasure
from safecorridor.registry.models import Route, Site
from safecorridor.review.models import Candidate
from safecorridor.risk.models import RiskPolicy, RiskResult
from safecorridor.sharing.models import AuditEvent, RecordGrant
from safecorridor.sources.models import Document, ImportRun, IngestRun

__all__ = [
    "ActionItem",
    "ActionItemChange",
    "Actor",
    "ActorAlias",
    "AgendaItem",
    "Alert",
    "AlertRule",
    "ApiToken",
    "AuditEvent",
    "AuthEpoch",
    "BriefingPack",
    "Candidate",
    "CheckIn",
    "Decision",
    "Delivery",
    "Document",
    "Feed",
    "FeedRun",
    "ImportRun",
    "Incident",
    "IncidentChange",
    "IngestRun",
    "JwgLink",
    "LoginAttempt",
    "MeasureChange",
    "Meeting",
    "MeetingDelegation",
    "Movement",
    "MovementTransition",
    "Notification",
    "Organisation",
    "ProtectiveMeasure",
    "RecordGrant",
    "RiskPolicy",
    "RiskResult",
    "Route",
    "Site",
    "TaxiiStatus",
    "User",
    "WebSession",
    "WorkerRun",
    "incident_documents",
    "organisation_escorts",
    "organisation_partners",
]

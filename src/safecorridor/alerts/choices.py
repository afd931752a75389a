"""Fixed vocabularies of alerting."""

from __future__ import annotations

from enum import StrEnum


class RuleKind(StrEnum):
    INCIDENT_NEAR = "incident_near"
    FOREIGN_FATALITIES = "foreign_fatalities"
    RISK_RISING = "risk_rising"
    MOVEMENT_OVERDUE = "movement_overdue"
    REVIEW_BACKLOG = "review_backlog"
    #: a JWG action item passed its due date (jwg.service.alert_action_overdue)
    ACTION_OVERDUE = "action_overdue"


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    ERROR = "error"

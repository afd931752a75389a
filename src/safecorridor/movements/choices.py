"""Fixed vocabularies of journey management."""

from __future__ import annotations

from enum import StrEnum


class MovementState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    UNDER_WAY = "under_way"
    OVERDUE = "overdue"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MovementAction(StrEnum):
    REQUEST = "request"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    START = "start"
    CHECKIN = "checkin"
    COMPLETE = "complete"
    CANCEL = "cancel"
    MARK_OVERDUE = "mark_overdue"
    ESCALATE = "escalate"
    RECOVER = "recover"


#: states in which a movement is on the road
ACTIVE_STATES = (MovementState.UNDER_WAY, MovementState.OVERDUE)
#: states nothing leaves
FINAL_STATES = (MovementState.COMPLETED, MovementState.CANCELLED, MovementState.REJECTED)

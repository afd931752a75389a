"""Fixed vocabularies of the Joint Working Group's work, with their labels marked for
translation (shown in the reader's language by the pages and the briefing packs)."""

from __future__ import annotations

from enum import StrEnum

from safecorridor.i18n import N_


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"


#: statuses an item leaves only by being reopened
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.CANCELLED)
#: statuses of an item that still needs work
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.OVERDUE)

ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: N_("open"),
    ActionStatus.IN_PROGRESS: N_("in progress"),
    ActionStatus.DONE: N_("done"),
    ActionStatus.CANCELLED: N_("cancelled"),
    ActionStatus.OVERDUE: N_("overdue"),
}


class LinkRole(StrEnum):
    """What a link of an agenda item or action item means."""

    LINK = "link"  # the item is about this record
    EVIDENCE = "evidence"  # the record shows the item was done (a measure put in place)


class LinkedType(StrEnum):
    """The kinds of record an agenda item or action item can link."""

    INCIDENT = "incident"
    SITE = "site"
    ROUTE = "route"
    MOVEMENT = "movement"
    MEASURE = "measure"


class ItemType(StrEnum):
    AGENDA_ITEM = "agenda_item"
    ACTION_ITEM = "action_item"


#: risk levels as the pages and packs name them
RISK_LEVEL_LABELS = {
    "low": N_("low"),
    "moderate": N_("moderate"),
    "high": N_("high"),
    "severe": N_("severe"),
    "critical": N_("critical"),
}

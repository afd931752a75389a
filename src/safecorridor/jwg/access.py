"""Who reads an action item: the read rule of its pages, lists and alerts (a module of its
own, below the services, so the alert inbox applies the same rule)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from safecorridor.jwg.models import ActionItem
from safecorridor.sharing.policy import Viewer, visible
from safecorridor.taxonomy.choices import TLP


def readable_actions_clause(viewer: Viewer) -> ColumnElement[bool]:
    """Action items ``viewer`` may read: the TLP rule, or recorded by their organisation
    (except TLP:RED, which only its named readers read)."""
    if not viewer.is_authenticated:
        return visible(ActionItem, viewer)
    return or_(
        visible(ActionItem, viewer),
        and_(
            ActionItem.recorded_by_org_id == viewer.organisation_id,
            ActionItem.tlp != TLP.RED,
        ),
    )


def readable_actions(q: Any, viewer: Viewer | None) -> Any:
    return q if viewer is None else q.where(readable_actions_clause(viewer))

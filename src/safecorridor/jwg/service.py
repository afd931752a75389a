"""Services over the JWG's work: meetings, their decisions and the action items they create,
the action board of each organisation, carry-over between meetings, overdue items.

Each function takes ``viewer`` (a signed-in person: read rules, write rules and the audit
chain apply) or ``None`` (a trusted local caller: the CLI on the server, the demo loader, the
worker). Read rules:

- a meeting (and its agenda items and decisions) by the TLP rule of ``sharing.policy``;
- an action item by the TLP rule on its owner organisation (the one that must act), and
  by the organisation that recorded it unless it is RED (:func:`readable_actions`);
- a link is shown only when its record is readable (``links_for``); a link never names a
  hidden incident, site, route, movement or measure.

Write rules: analysts and admins record meetings for their organisation; an action item's
status is changed by members of its owner organisation (not viewers) or by analysts and admins
of the organisation that recorded it. Marking an item done needs evidence: a note, a document
address or a measure put in place. ``overdue`` is set by the worker alone
(:func:`mark_overdue_actions`), once, by a conditional UPDATE, and raises the alerts of
:func:`alert_action_overdue`.

Overdue alerts (documented choice): an automatic alert to the owner organisation (its active
members in-app, its admins by e-mail) and to the JWG secretariat (organisations of kind
``secretariat`` and the organisation that recorded the item; admins and analysts, in-app and
e-mail), each only if that organisation may read the item; plus every ``action_overdue`` rule
of those organisations, through the rule's own channels (e.g. a webhook).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import find_organisation
from safecorridor.alerts.choices import RuleKind
from safecorridor.alerts.service import Recipients, alert_rules_of, create_alert, members
from safecorridor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from safecorridor.i18n import ordinal
from safecorridor.incidents.models import Incident
from safecorridor.jwg.access import readable_actions as readable_actions  # (re-exported)
from safecorridor.jwg.choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    ItemType,
    LinkedType,
    LinkRole,
)
from safecorridor.jwg.models import (
    ActionItem,
    ActionItemChange,
    AgendaItem,
    Decision,
    JwgLink,
    Meeting,
    MeetingDelegation,
)
from safecorridor.jwg.schemas import (
    ActionChange,
    ActionCreate,
    ActionIn,
    ActionPublic,
    AgendaPublic,
    DecisionPublic,
    DelegationPublic,
    LinkIn,
    LinkPublic,
    MeetingCreate,
    MeetingPublic,
)
from safecorridor.movements.models import Movement
from safecorridor.registry.measures import (
    MeasureCreate,
    MeasureState,
    ProtectiveMeasure,
    create_measure,
)
from safecorridor.registry.measures import readable as readable_measures
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, require_write, restrict
from safecorridor.sharing.service import clash, keep_readable_by_writer
from safecorridor.taxonomy.choices import Role
from safecorridor.validation import whole_number

SECRETARIAT_KIND = "secretariat"
MAX_LIST = 2000

#: who may change an item's status: from which statuses to which
STATUS_MOVES: dict[ActionStatus, tuple[ActionStatus, ...]] = {
    ActionStatus.OPEN: (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED),
    ActionStatus.IN_PROGRESS: (ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.CANCELLED),
    ActionStatus.OVERDUE: (ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED),
    ActionStatus.DONE: (ActionStatus.OPEN,),
    ActionStatus.CANCELLED: (ActionStatus.OPEN,),
}

LINK_MODELS: dict[str, Any] = {
    LinkedType.INCIDENT: Incident,
    LinkedType.SITE: Site,
    LinkedType.ROUTE: Route,
    LinkedType.MOVEMENT: Movement,
    LinkedType.MEASURE: ProtectiveMeasure,
}


# --- read rules ---------------------------------------------------------------------------


def can_read_action(session: Session, item: ActionItem, viewer: Viewer) -> bool:
    return (
        session.scalar(
            readable_actions(select(ActionItem.id).where(ActionItem.id == item.id), viewer)
        )
        is not None
    )


def _readable_ids(session: Session, model: Any, ids: set[int], viewer: Viewer | None) -> set[int]:
    if not ids:
        return set()
    q = select(model.id).where(model.id.in_(sorted(ids)))
    q = readable_measures(q, viewer) if model is ProtectiveMeasure else restrict(q, model, viewer)
    return set(session.scalars(q))


# --- organisations ------------------------------------------------------------------------


def secretariat_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Organisation.id)
            .where(Organisation.kind == SECRETARIAT_KIND)
            .order_by(Organisation.id)
        )
    )


# --- links --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    record_type: str
    record_id: int
    label: str
    role: str

    @property
    def url(self) -> str:
        paths = {
            "incident": "/incidents/",
            "site": "/sites/",
            "route": "/routes/",
            "movement": "/movements/",
            "measure": "/measures?measure=",
        }
        return f"{paths.get(self.record_type, '/')}{self.record_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "record_type": self.record_type,
            "record_id": self.record_id,
            "label": self.label,
            "role": self.role,
        }


def _check_links(session: Session, links: Sequence[LinkIn], viewer: Viewer | None) -> None:
    """Every linked record exists and the writer may read it (a link never points at a
    record its writer cannot see)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for link in links:
        wanted[str(link.record_type)].add(link.record_id)
    for kind, ids in wanted.items():
        found = _readable_ids(session, LINK_MODELS[kind], ids, viewer)
        missing = sorted(ids - found)
        if missing:
            scope = " that you may read" if viewer is not None else ""
            raise NotFoundError(f"no {kind} with id {missing[0]}{scope}")


def _add_links(
    session: Session, item_type: str, item_id: int, links: Sequence[LinkIn], role: str
) -> None:
    seen: set[tuple[str, int]] = set()
    for link in links:
        key = (str(link.record_type), link.record_id)
        if key in seen:
            continue
        seen.add(key)
        exists = session.scalar(
            select(JwgLink.id).where(
                JwgLink.item_type == item_type,
                JwgLink.item_id == item_id,
                JwgLink.record_type == key[0],
                JwgLink.record_id == key[1],
                JwgLink.role == role,
            )
        )
        if exists is None:
            session.add(
                JwgLink(
                    item_type=item_type,
                    item_id=item_id,
                    record_type=key[0],
                    record_id=key[1],
                    role=role,
                )
            )


def _label(record_type: str, obj: Any) -> str:
    if record_type == LinkedType.INCIDENT:
        return f"#{obj.id} {obj.event_date} {obj.event_type}, {obj.location or obj.admin1 or ''}"
    if record_type == LinkedType.MOVEMENT:
        return f"#{obj.id} {obj.route_name}"
    if record_type == LinkedType.MEASURE:
        return f"#{obj.id} {obj.kind} ({obj.subject_name})"
    return str(obj.name)


def links_for(
    session: Session, viewer: Viewer | None, item_type: str, item_ids: Sequence[int]
) -> dict[int, list[LinkView]]:
    """The links of the items, only to records ``viewer`` may read."""
    out: dict[int, list[LinkView]] = defaultdict(list)
    if not item_ids:
        return out
    rows = list(
        session.scalars(
            select(JwgLink)
            .where(JwgLink.item_type == item_type, JwgLink.item_id.in_(list(item_ids)))
            .order_by(JwgLink.id)
        )
    )
    by_kind: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        by_kind[r.record_type].add(r.record_id)
    objects: dict[tuple[str, int], Any] = {}
    for kind, ids in by_kind.items():
        model = LINK_MODELS.get(kind)
        if model is None:
            continue
        readable = _readable_ids(session, model, ids, viewer)
        if readable:
            for obj in session.scalars(select(model).where(model.id.in_(sorted(readable)))):
                objects[(kind, obj.id)] = obj
    for r in rows:
        obj = objects.get((r.record_type, r.record_id))
        if obj is not None:
            out[r.item_id].append(
                LinkView(r.record_type, r.record_id, _label(r.record_type, obj), r.role)
            )
    return out


# --- meetings -----------------------------------------------------------------------------


def _new_action(
    session: Session,
    *,
    meeting: Meeting,
    decision: Decision,
    action_in: ActionIn,
    viewer: Viewer | None,
    actor: str,
) -> ActionItem:
    owner = find_organisation(session, action_in.owner)
    _check_links(session, action_in.links, viewer)
    item = ActionItem(
        meeting_id=meeting.id,
        decision_id=decision.id,
        title=action_in.title,
        details=action_in.details,
        owner_org_id=owner.id,
        recorded_by_org_id=meeting.owner_org_id,
        responsible_role=action_in.responsible_role,
        due_on=action_in.due_on,
        status=ActionStatus.OPEN,
        # by default as strictly marked as the meeting that decided it
        tlp=str(action_in.tlp or meeting.tlp),
    )
    item.history.append(
        ActionItemChange(from_status=None, to_status=ActionStatus.OPEN, actor=actor, note="created")
    )
    session.add(item)
    session.flush()
    if viewer is not None:
        keep_readable_by_writer(session, viewer, item)
    _add_links(session, ItemType.ACTION_ITEM, item.id, action_in.links, LinkRole.LINK)
    # audited for a trusted caller too (the CLI, the demo loader), as ``actor``
    audit_write(session=session, viewer=viewer, action="create", obj=item, actor=actor)
    return item


def create_meeting(
    *,
    session: Session,
    meeting_in: MeetingCreate,
    viewer: Viewer | None,
    owner_org_id: int | None = None,
    actor: str = "system",
) -> Meeting:
    """Record a meeting with its delegations, agenda, decisions and the action items they
    create, all in the caller's transaction (a refusal leaves nothing behind)."""
    if viewer is not None:
        require_write(viewer, "meeting")
        owner_org_id, actor = viewer.organisation_id, viewer.email
    # a clash is a record of the writer's organisation, or one it may read (two records of
    # one meeting it would have to tell apart); another organisation's record it may not
    # read is none, and refusing for it would tell that it exists
    reader = viewer
    if reader is None and owner_org_id is not None:
        reader = Viewer.for_organisation(owner_org_id)
    same = and_(Meeting.series == meeting_in.series, Meeting.number == meeting_in.number)
    found = clash(session, Meeting, same, owner_org_id=owner_org_id, reader=reader)
    if found is not None:
        recorded, own = found
        what = f"the {ordinal(meeting_in.number, 'en')} meeting of {meeting_in.series!r}"
        if own:
            raise ConflictError(f"{what} is recorded already (meeting {recorded.id}); change it")
        raise ConflictError(
            f"{what} is recorded already by another organisation, which shares it with yours "
            f"(meeting {recorded.id})"
        )
    meeting = Meeting(
        series=meeting_in.series,
        number=meeting_in.number,
        held_on=meeting_in.held_on,
        venue=meeting_in.venue,
        chair=meeting_in.chair,
        summary=meeting_in.summary,
        tlp=str(meeting_in.tlp),
        is_illustrative=meeting_in.is_illustrative,
        owner_org_id=owner_org_id,
    )
    session.add(meeting)
    session.flush()
    if viewer is not None:
        keep_readable_by_writer(session, viewer, meeting)
    seen_orgs: set[int] = set()
    for d in meeting_in.delegations:
        org = find_organisation(session, d.organisation)
        if org.id in seen_orgs:
            raise InvalidInputError(f"organisation {org.name!r} is listed twice as a delegation")
        seen_orgs.add(org.id)
        session.add(
            MeetingDelegation(
                meeting_id=meeting.id,
                organisation_id=org.id,
                side=d.side,
                roles=d.roles,
                language=d.language,
            )
        )
    agenda: list[AgendaItem] = []
    for position, a in enumerate(meeting_in.agenda, start=1):
        _check_links(session, a.links, viewer)
        item = AgendaItem(meeting_id=meeting.id, position=position, title=a.title, notes=a.notes)
        session.add(item)
        session.flush()
        _add_links(session, ItemType.AGENDA_ITEM, item.id, a.links, LinkRole.LINK)
        agenda.append(item)
    for position, d_in in enumerate(meeting_in.decisions, start=1):
        decision = Decision(
            meeting_id=meeting.id,
            position=position,
            text=d_in.text,
            agenda_item_id=agenda[d_in.agenda_item - 1].id if d_in.agenda_item else None,
        )
        session.add(decision)
        session.flush()
        for a_in in d_in.actions:
            _new_action(
                session,
                meeting=meeting,
                decision=decision,
                action_in=a_in,
                viewer=viewer,
                actor=actor,
            )
    session.flush()
    audit_write(session=session, viewer=viewer, action="create", obj=meeting, actor=actor)
    return meeting


def get_meeting(
    session: Session, meeting_id: int, *, viewer: Viewer | None, action: str | None = "read"
) -> Meeting:
    q = restrict(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.delegations).selectinload(MeetingDelegation.organisation),
            selectinload(Meeting.agenda),
            selectinload(Meeting.decisions),
        ),
        Meeting,
        viewer,
    )
    m = session.scalar(q)
    if m is None:
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no meeting with id {meeting_id}{scope}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[m], action=action)
    return m


def find_meeting(session: Session, ref: str, *, viewer: Viewer | None) -> Meeting:
    """By id, or by number ("9") in the only series that has it (among readable meetings)."""
    ref = ref.strip()
    ident = whole_number(ref[3:]) if ref.lower().startswith("id:") else None
    if ident is not None:
        return get_meeting(session, ident, viewer=viewer)
    number = whole_number(ref)
    if number is None:
        raise InvalidInputError(f"name the meeting by its number or id:N, not {ref[:60]!r}")
    found = list(
        session.scalars(
            restrict(select(Meeting).where(Meeting.number == number), Meeting, viewer).limit(3)
        )
    )
    if len(found) == 1:
        return get_meeting(session, found[0].id, viewer=viewer)
    if not found:
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no meeting number {ref}{scope}")
    raise InvalidInputError(f"several series have a meeting number {ref}; give id:N")


def list_meetings(
    session: Session, *, viewer: Viewer | None, series: str | None = None
) -> list[Meeting]:
    q = select(Meeting)
    if series:
        q = q.where(Meeting.series == series)
    q = restrict(q, Meeting, viewer).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    rows = list(session.scalars(q.limit(MAX_LIST)))
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return rows


def previous_meeting(session: Session, meeting: Meeting, viewer: Viewer | None) -> Meeting | None:
    """The meeting of the same series held last before this one (that the reader may read)."""
    q = restrict(
        select(Meeting).where(
            Meeting.series == meeting.series,
            or_(
                Meeting.held_on < meeting.held_on,
                and_(Meeting.held_on == meeting.held_on, Meeting.number < meeting.number),
            ),
        ),
        Meeting,
        viewer,
    )
    return session.scalar(q.order_by(Meeting.held_on.desc(), Meeting.number.desc()).limit(1))


# --- action items -------------------------------------------------------------------------


def get_action(
    session: Session, action_id: int, *, viewer: Viewer | None, action: str | None = "read"
) -> ActionItem:
    q = readable_actions(
        select(ActionItem)
        .where(ActionItem.id == action_id)
        .options(selectinload(ActionItem.history), selectinload(ActionItem.owner)),
        viewer,
    )
    item: ActionItem | None = session.scalar(q)
    if item is None:
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no action item with id {action_id}{scope}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[item], action=action)
    return item


def record_measure(
    session: Session,
    measure_in: MeasureCreate,
    *,
    viewer: Viewer | None,
    today: date,
    actor: str = "system",
) -> ProtectiveMeasure:
    """Record a measure (``registry.measures.create_measure``) whose action item, when it
    names one, exists and is one the viewer may read: a 404 naming it otherwise."""
    if measure_in.action_item_id is not None:
        get_action(session, measure_in.action_item_id, viewer=viewer, action=None)
    return create_measure(
        session=session, measure_in=measure_in, viewer=viewer, today=today, actor=actor
    )


def list_actions(
    session: Session,
    *,
    viewer: Viewer | None,
    owner_org_id: int | None = None,
    statuses: Sequence[str] = (),
    meeting_id: int | None = None,
    action: str = "list",
) -> list[ActionItem]:
    """Action items the reader may read, by due date."""
    q = select(ActionItem).options(selectinload(ActionItem.owner))
    if owner_org_id is not None:
        q = q.where(ActionItem.owner_org_id == owner_org_id)
    if statuses:
        q = q.where(ActionItem.status.in_([str(s) for s in statuses]))
    if meeting_id is not None:
        q = q.where(ActionItem.meeting_id == meeting_id)
    q = readable_actions(q, viewer).order_by(ActionItem.due_on, ActionItem.id)
    rows = list(session.scalars(q.limit(MAX_LIST)))
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action=action)
    return rows


def add_action(
    *,
    session: Session,
    decision_id: int,
    action_in: ActionCreate,
    viewer: Viewer | None,
    actor: str = "system",
    meeting_id: int | None = None,
) -> ActionItem:
    """Another action item of a decision (analysts and admins of the meeting's owner); with
    ``meeting_id`` (a page's address names both), the decision must be that meeting's."""
    decision = session.get(Decision, decision_id)
    missing = NotFoundError(
        f"no decision with id {decision_id}"
        + (f" in meeting {meeting_id}" if meeting_id is not None else "")
    )
    if decision is None or meeting_id not in (None, decision.meeting_id):
        raise missing
    try:
        meeting = get_meeting(session, decision.meeting_id, viewer=viewer, action=None)
    except NotFoundError:
        raise missing from None  # a decision of a meeting you may not read is no decision
    if viewer is not None:
        require_write(viewer, "meeting")
        if meeting.owner_org_id != viewer.organisation_id:
            raise ForbiddenError(
                "only the organisation that recorded the meeting adds action items to it"
            )
        actor = viewer.email
    return _new_action(
        session, meeting=meeting, decision=decision, action_in=action_in, viewer=viewer, actor=actor
    )


def may_update_action(viewer: Viewer, item: ActionItem) -> bool:
    """Members of the owner organisation (not viewers), or analysts and admins of the
    organisation that recorded the item."""
    if not viewer.is_person:
        return False
    if viewer.organisation_id == item.owner_org_id and viewer.role != Role.VIEWER:
        return True
    return viewer.organisation_id == item.recorded_by_org_id and viewer.role in (
        Role.ANALYST,
        Role.ADMIN,
    )


def update_action(
    *,
    session: Session,
    action_id: int,
    change: ActionChange,
    viewer: Viewer | None,
    today: date,
    actor: str = "system",
) -> ActionItem:
    """Change an item's status (kept in its history), evidence or due date."""
    item = get_action(session, action_id, viewer=viewer, action=None)
    if viewer is not None:
        if not may_update_action(viewer, item):
            raise ForbiddenError(
                "action items are updated by their owner organisation's members, or by "
                "analysts and admins of the organisation that recorded them"
            )
        actor = viewer.email
    if change.evidence_note is not None:
        item.evidence_note = change.evidence_note or None
    if change.evidence_url is not None:
        item.evidence_url = change.evidence_url or None
    if change.evidence_measure_id is not None:
        measure = session.scalar(
            readable_measures(
                select(ProtectiveMeasure).where(ProtectiveMeasure.id == change.evidence_measure_id),
                viewer,
            )
        )
        if measure is None:
            scope = " that you may read" if viewer is not None else ""
            raise NotFoundError(f"no measure with id {change.evidence_measure_id}{scope}")
        if measure.state != MeasureState.IN_PLACE:
            raise ConflictError(
                f"measure {measure.id} is {measure.state}; only a measure in place is evidence"
            )
        _add_links(
            session,
            ItemType.ACTION_ITEM,
            item.id,
            [LinkIn(record_type=LinkedType.MEASURE, record_id=measure.id)],
            LinkRole.EVIDENCE,
        )
    if change.due_on is not None and change.due_on != item.due_on:
        item.history.append(
            ActionItemChange(
                from_status=item.status,
                to_status=item.status,
                actor=actor,
                note=f"due date {item.due_on} -> {change.due_on}",
            )
        )
        item.due_on = change.due_on
        if item.status == ActionStatus.OVERDUE and change.due_on >= today:
            item.status, item.overdue_since = ActionStatus.IN_PROGRESS, None
    if change.status is not None and change.status != item.status:
        current = ActionStatus(item.status)
        to = ActionStatus(change.status)
        if to not in STATUS_MOVES[current]:
            allowed = ", ".join(str(s) for s in STATUS_MOVES[current])
            raise ConflictError(f"action item {item.id} is {current}; it can become {allowed}")
        session.flush()
        if to == ActionStatus.DONE and not _has_evidence(session, item):
            raise InvalidInputError(
                "evidence of completion is needed to mark an item done: a note, a document "
                "address or a measure put in place"
            )
        day = change.effective_on or today
        item.completed_on = day if to == ActionStatus.DONE else None
        if to in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS) and item.due_on < today:
            # reopened after its due date: overdue again at the worker's next round
            item.overdue_since = None
        item.history.append(
            ActionItemChange(
                from_status=str(current), to_status=str(to), actor=actor, note=change.note or None
            )
        )
        item.status = str(to)
    session.flush()
    audit_write(session=session, viewer=viewer, action="update", obj=item, actor=actor)
    return item


def _has_evidence(session: Session, item: ActionItem) -> bool:
    if item.evidence_note or item.evidence_url:
        return True
    return (
        session.scalar(
            select(JwgLink.id).where(
                JwgLink.item_type == ItemType.ACTION_ITEM,
                JwgLink.item_id == item.id,
                JwgLink.role == LinkRole.EVIDENCE,
            )
        )
        is not None
    )


# --- carry-over ---------------------------------------------------------------------------


def open_on(item: ActionItem, day: date) -> bool:
    """Whether the item was still to be done on ``day`` (not done, not cancelled by then)."""
    if item.status == ActionStatus.CANCELLED:
        return False
    if item.status == ActionStatus.DONE:
        return item.completed_on is None or item.completed_on > day
    return True


def carried_over(session: Session, meeting: Meeting, *, viewer: Viewer | None) -> list[ActionItem]:
    """Items of earlier meetings of the series still open when this meeting was held."""
    earlier = select(Meeting.id).where(
        Meeting.series == meeting.series, Meeting.held_on < meeting.held_on
    )
    q = readable_actions(
        select(ActionItem)
        .where(ActionItem.meeting_id.in_(earlier))
        .options(selectinload(ActionItem.owner)),
        viewer,
    ).order_by(ActionItem.due_on, ActionItem.id)
    return [i for i in session.scalars(q.limit(MAX_LIST)) if open_on(i, meeting.held_on)]


def open_since(
    session: Session, item: ActionItem, viewer: Viewer | None, locale: str = "en"
) -> str | None:
    """'the 7th meeting' for an item made at a meeting the reader may read, else None."""
    m = session.scalar(
        restrict(select(Meeting).where(Meeting.id == item.meeting_id), Meeting, viewer)
    )
    return None if m is None else ordinal(m.number, locale)


def meetings_by_id(
    session: Session, ids: Sequence[int], viewer: Viewer | None
) -> dict[int, Meeting]:
    if not ids:
        return {}
    q = restrict(select(Meeting).where(Meeting.id.in_(sorted(set(ids)))), Meeting, viewer)
    return {m.id: m for m in session.scalars(q)}


# --- overdue ------------------------------------------------------------------------------


def due_overdue_actions(session: Session, *, today: date) -> list[int]:
    """Open or in-progress items whose due date has passed."""
    return list(
        session.scalars(
            select(ActionItem.id)
            .where(
                ActionItem.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
                ActionItem.due_on < today,
            )
            .order_by(ActionItem.id)
            .limit(MAX_LIST)
        )
    )


def mark_overdue(*, session: Session, action_id: int, today: date, now: datetime) -> bool:
    """Mark one item overdue, if it still is open past its due date; True for exactly one
    caller (a conditional UPDATE), which then writes the history and the alerts."""
    result = session.execute(
        update(ActionItem)
        .where(
            ActionItem.id == action_id,
            ActionItem.status.in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
            ActionItem.due_on < today,
        )
        .values(status=ActionStatus.OVERDUE, overdue_since=today, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    item = session.get(ActionItem, action_id)
    assert item is not None
    session.refresh(item)
    previous = item.history[-1].to_status if item.history else ActionStatus.OPEN
    item.history.append(
        ActionItemChange(
            from_status=previous,
            to_status=ActionStatus.OVERDUE,
            actor="worker",
            at=now,
            note=f"due on {item.due_on}",
        )
    )
    session.flush()
    # the item's new state in the audit chain, else `audit verify` would name it as changed
    # behind the services' back
    audit_write(session=session, viewer=None, action="overdue", obj=item, actor="worker")
    return True


def _org_may_read(session: Session, item: ActionItem, org_id: int) -> bool:
    return can_read_action(session, item, Viewer.for_organisation(org_id))


def alert_action_overdue(
    session: Session, *, item: ActionItem, now: datetime, max_attempts: int | None = None
) -> int:
    """The alerts of an item that became overdue (see the module's docstring). Each
    organisation's names the item's meeting only if it may read that meeting (an item of a
    restricted meeting may be shared with an organisation the meeting is not)."""
    owner = item.owner_org_id
    title = f"Action item {item.id} OVERDUE: {item.title}"[:300]
    base_key = f"action:{item.id}:overdue:{item.due_on}"
    made = 0
    secretariats = sorted(
        {o for o in [*secretariat_ids(session), item.recorded_by_org_id] if o and o != owner}
    )
    targets: list[tuple[int, Recipients]] = []
    if _org_may_read(session, item, owner):  # a RED item is read by its named readers only
        r = Recipients()
        r.add_users(members(session, owner), in_app=True, email=False)
        r.add_users(members(session, owner, [Role.ADMIN]), in_app=True, email=True)
        targets.append((owner, r))
    for org in secretariats:
        if not _org_may_read(session, item, org):
            continue  # the secretariat may not read this item: it hears nothing of it
        rs = Recipients()
        rs.add_users(members(session, org, [Role.ADMIN, Role.ANALYST]), in_app=True, email=True)
        targets.append((org, rs))
    for org, recipients in targets:
        body, payload = _overdue_text(session, item, org)
        if create_alert(
            session,
            key=f"{base_key}:org:{org}",
            organisation_id=org,
            kind=RuleKind.ACTION_OVERDUE,
            title=title,
            body=body,
            subject_type="action_item",
            subject_id=item.id,
            payload=payload,
            recipients=recipients,
            now=now,
            max_attempts=max_attempts,
        ):
            made += 1
        made += alert_rules_of(
            session,
            RuleKind.ACTION_OVERDUE,
            {org},
            base_key=base_key,
            title=title,
            body=body,
            subject_type="action_item",
            subject_id=item.id,
            payload=payload,
            now=now,
            max_attempts=max_attempts,
        )
    return made


def _overdue_text(session: Session, item: ActionItem, org: int) -> tuple[str, dict[str, Any]]:
    """The body and payload of an overdue item's alert to ``org``: its meeting's number and
    id only if ``org`` may read that meeting."""
    since = open_since(session, item, Viewer.for_organisation(org))
    body = (
        f"Action item {item.id}{f' (from the {since} meeting)' if since else ''} was due on "
        f"{item.due_on} and is not done. Responsible: {item.owner.name}"
        + (f", {item.responsible_role}" if item.responsible_role else "")
        + "."
    )
    payload = {
        "action_item_id": item.id,
        "meeting_id": item.meeting_id if since else None,
        "due_on": item.due_on.isoformat(),
        "owner_org_id": item.owner_org_id,
        "tlp": item.tlp,
    }
    return body, payload


def board(items: Sequence[ActionItem]) -> dict[str, list[ActionItem]]:
    """Items by status column (overdue first, then open, in progress, done, cancelled)."""
    columns: dict[str, list[ActionItem]] = {
        str(s): []
        for s in (
            ActionStatus.OVERDUE,
            ActionStatus.OPEN,
            ActionStatus.IN_PROGRESS,
            ActionStatus.DONE,
            ActionStatus.CANCELLED,
        )
    }
    for i in items:
        columns.setdefault(i.status, []).append(i)
    return columns


# --- what the faces show ------------------------------------------------------------------


def actions_public(
    session: Session,
    items: Sequence[ActionItem],
    viewer: Viewer | None,
    *,
    locale: str = "en",
    at_meeting: Meeting | None = None,
    history: bool = False,
) -> list[ActionPublic]:
    """Items as shown: owner, readable links, and (for items of an earlier meeting than
    ``at_meeting``, or still open) the meeting they have been open since."""
    links = links_for(session, viewer, ItemType.ACTION_ITEM, [i.id for i in items])
    meetings = meetings_by_id(session, [i.meeting_id for i in items], viewer)
    out = []
    for i in items:
        m = meetings.get(i.meeting_id)
        carried = m is not None and (
            (at_meeting is not None and m.id != at_meeting.id)
            or (at_meeting is None and i.status in OPEN_STATUSES)
        )
        # an item's meeting and decision are shown to those who may read the meeting
        shown = viewer is None or m is not None
        out.append(
            ActionPublic(
                id=i.id,
                meeting_id=i.meeting_id if shown else None,
                decision_id=i.decision_id if shown else None,
                title=i.title,
                details=i.details,
                owner_org_id=i.owner_org_id,
                owner=i.owner.name,
                responsible_role=i.responsible_role,
                due_on=i.due_on,
                status=i.status,
                overdue_since=i.overdue_since,
                completed_on=i.completed_on,
                evidence_note=i.evidence_note,
                evidence_url=i.evidence_url,
                tlp=i.tlp,
                open_since=ordinal(m.number, locale) if carried and m is not None else None,
                links=[LinkPublic(**lv.as_dict()) for lv in links.get(i.id, [])],
                history=[
                    {
                        "at": h.at.isoformat(),
                        "from": h.from_status,
                        "to": h.to_status,
                        "actor": h.actor,
                        "note": h.note,
                    }
                    for h in i.history
                ]
                if history
                else [],
            )
        )
    return out


def meeting_public(
    session: Session, meeting: Meeting, viewer: Viewer | None, *, locale: str = "en"
) -> MeetingPublic:
    """A meeting with its delegations, agenda (readable links), decisions with their readable
    action items, and the items of earlier meetings carried over to it."""
    agenda_links = links_for(session, viewer, ItemType.AGENDA_ITEM, [a.id for a in meeting.agenda])
    own = list_actions(session, viewer=viewer, meeting_id=meeting.id, action="read")
    by_decision: dict[int, list[ActionItem]] = defaultdict(list)
    for item in own:
        by_decision[item.decision_id].append(item)
    shown = {
        a.id: a for a in actions_public(session, own, viewer, locale=locale, at_meeting=meeting)
    }
    carried = carried_over(session, meeting, viewer=viewer)
    return MeetingPublic(
        id=meeting.id,
        series=meeting.series,
        number=meeting.number,
        held_on=meeting.held_on,
        venue=meeting.venue,
        chair=meeting.chair,
        summary=meeting.summary,
        tlp=meeting.tlp,
        owner_org_id=meeting.owner_org_id,
        is_illustrative=meeting.is_illustrative,
        delegations=[
            DelegationPublic(
                organisation_id=d.organisation_id,
                organisation=d.organisation.name,
                side=d.side,
                roles=list(d.roles),
                language=d.language,
            )
            for d in meeting.delegations
        ],
        agenda=[
            AgendaPublic(
                id=a.id,
                position=a.position,
                title=a.title,
                notes=a.notes,
                links=[LinkPublic(**lv.as_dict()) for lv in agenda_links.get(a.id, [])],
            )
            for a in meeting.agenda
        ],
        decisions=[
            DecisionPublic(
                id=d.id,
                position=d.position,
                text=d.text,
                agenda_item_id=d.agenda_item_id,
                actions=[shown[i.id] for i in by_decision.get(d.id, [])],
            )
            for d in meeting.decisions
        ],
        carried_over=actions_public(session, carried, viewer, locale=locale, at_meeting=meeting),
    )


__all__ = [
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "LinkView",
    "add_action",
    "alert_action_overdue",
    "board",
    "carried_over",
    "create_meeting",
    "due_overdue_actions",
    "get_action",
    "get_meeting",
    "links_for",
    "list_actions",
    "list_meetings",
    "mark_overdue",
    "open_since",
    "ordinal",
    "update_action",
]

"""The one Jinja environment of the web pages, and :func:`render`, which gives every page the
header's context (the user, their organisation, the review queue's and the alerts' counts, the
reader's language).

Its globals are set here, when the environment is built, and nowhere else. Jinja's i18n
extension is installed on it by ``i18n.install_jinja``: ``{{ _("...") }}`` and
``{% trans %}`` translate into the reader's language (``locale`` in the context, chosen by
:func:`request_locale`), and the filters ``date``, ``number``, ``percent`` format per locale.
Stored codes (a site's type, a movement's state, an alert rule's kind) are shown through the
``label`` filter, which translates their labels in :data:`LABELS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from sqlalchemy.orm import Session, object_session

from safecorridor import i18n
from safecorridor.accounts.models import Organisation, User
from safecorridor.alerts.service import unread_count
from safecorridor.review.service import pending_count
from safecorridor.risk.probability import Probabilities, percent
from safecorridor.settings import get_settings
from safecorridor.sharing.policy import Viewer, can_write
from safecorridor.taxonomy.choices import TLP, RiskLevel

HERE = Path(__file__).parent

TLP_LEGEND = [
    (TLP.CLEAR, i18n.N_("public: anyone")),
    (TLP.GREEN, i18n.N_("every signed-in user")),
    (TLP.AMBER, i18n.N_("owner organisation and its partners")),
    (TLP.AMBER_STRICT, i18n.N_("owner organisation only")),
    (TLP.RED, i18n.N_("named readers only")),
]
#: role names as the header shows them
ROLE_LABELS = {
    "admin": i18n.N_("admin"),
    "analyst": i18n.N_("analyst"),
    "site_manager": i18n.N_("site manager"),
    "escort_officer": i18n.N_("escort officer"),
    "viewer": i18n.N_("viewer"),
}
#: stored codes the pages show, by vocabulary, with their labels (translated where shown, by
#: the ``label`` filter: ``{{ s.site_type|label("site_type") }}``)
LABELS: dict[str, dict[str, str]] = {
    "site_type": {
        "port": i18n.N_("port"),
        "power_plant": i18n.N_("power plant"),
        "dam": i18n.N_("dam"),
        "road_section": i18n.N_("road section"),
        "sez": i18n.N_("special economic zone"),
        "campus": i18n.N_("campus"),
        "office": i18n.N_("office"),
        "camp": i18n.N_("camp"),
        "mine": i18n.N_("mine"),
        "airport": i18n.N_("airport"),
        "rail": i18n.N_("rail"),
    },
    "movement_state": {
        "draft": i18n.N_("draft"),
        "submitted": i18n.N_("submitted"),
        "approved": i18n.N_("approved"),
        "rejected": i18n.N_("rejected"),
        "under_way": i18n.N_("under way"),
        "overdue": i18n.N_("overdue"),
        "completed": i18n.N_("completed"),
        "cancelled": i18n.N_("cancelled"),
    },
    "movement_action": {
        "request": i18n.N_("request"),
        "submit": i18n.N_("submit"),
        "approve": i18n.N_("approve"),
        "reject": i18n.N_("reject"),
        "start": i18n.N_("start"),
        "checkin": i18n.N_("check in"),
        "complete": i18n.N_("complete"),
        "cancel": i18n.N_("cancel"),
        "mark_overdue": i18n.N_("mark overdue"),
        "escalate": i18n.N_("escalate"),
        "recover": i18n.N_("recover"),
    },
    "rule_kind": {
        "incident_near": i18n.N_("incident near"),
        "foreign_fatalities": i18n.N_("foreign fatalities"),
        "risk_rising": i18n.N_("risk rising"),
        "movement_overdue": i18n.N_("movement overdue"),
        "review_backlog": i18n.N_("review backlog"),
        "action_overdue": i18n.N_("action item overdue"),
    },
    "channel": {
        "in_app": i18n.N_("in-app"),
        "email": i18n.N_("email"),
        "webhook": i18n.N_("webhook"),
    },
    "incident_status": {
        "confirmed": i18n.N_("confirmed"),
        "merged": i18n.N_("merged"),
        "retracted": i18n.N_("retracted"),
    },
    # what an incident's history says was done to it
    "incident_change": {
        "created": i18n.N_("created"),
        "imported": i18n.N_("imported"),
        "reimported": i18n.N_("re-imported"),
        "accepted": i18n.N_("accepted from review"),
        "updated": i18n.N_("edited"),
        "merged": i18n.N_("merged"),
        "retracted": i18n.N_("retracted"),
    },
    "date_precision": {
        "day": i18n.N_("day"),
        "week": i18n.N_("week"),
        "month": i18n.N_("month"),
        "year": i18n.N_("year"),
    },
    # the fields of a candidate a reviewer may edit before accepting it
    "candidate_field": {
        "event_type": i18n.N_("event type"),
        "sub_event_type": i18n.N_("sub-event type"),
        "event_date": i18n.N_("event date"),
        "date_precision": i18n.N_("date precision"),
        "location": i18n.N_("place"),
        "admin1": i18n.N_("province"),
        "latitude": i18n.N_("latitude"),
        "longitude": i18n.N_("longitude"),
        "perpetrator": i18n.N_("perpetrator"),
        "claimed_by": i18n.N_("claimed by"),
        "fatalities": i18n.N_("killed"),
        "foreign_fatalities": i18n.N_("foreigners killed"),
        "foreign_nationality": i18n.N_("nationality of the foreigners"),
        "injured": i18n.N_("injured"),
    },
    # the Admiralty code (taxonomy/data/admiralty.yaml): a source's reliability, an
    # incident's credibility
    "reliability": {
        "A": i18n.N_("completely reliable"),
        "B": i18n.N_("usually reliable"),
        "C": i18n.N_("fairly reliable"),
        "D": i18n.N_("not usually reliable"),
        "E": i18n.N_("unreliable"),
        "F": i18n.N_("reliability cannot be judged"),
    },
    "credibility": {
        "1": i18n.N_("confirmed by other sources"),
        "2": i18n.N_("probably true"),
        "3": i18n.N_("possibly true"),
        "4": i18n.N_("doubtful"),
        "5": i18n.N_("improbable"),
        "6": i18n.N_("truth cannot be judged"),
    },
}
#: a risk's probability sentence (``risk.probability.sentence``) for a reader of another
#: language than English, by the event its levels band; the English page shows the service's
#: own sentence
RISK_SENTENCES = {
    "any": i18n.N_("%(level)s: %(p)s chance of an incident within %(km)s km in %(days)s days"),
    "fatal": i18n.N_(
        "%(level)s: %(p)s chance of a fatal incident within %(km)s km in %(days)s days"
    ),
}
#: the same for a route, whose chance is that of its riskiest stretch
ROUTE_RISK_SENTENCES = {
    "any": i18n.N_(
        "%(level)s: %(p)s chance of an incident within %(km)s km of its riskiest stretch"
        " (km %(at)s) in %(days)s days"
    ),
    "fatal": i18n.N_(
        "%(level)s: %(p)s chance of a fatal incident within %(km)s km of its riskiest stretch"
        " (km %(at)s) in %(days)s days"
    ),
}
RISK_LEVELS = [str(level) for level in RiskLevel]
MARKINGS = [str(t) for t in TLP]


def _alert_count(user: User | None) -> int:
    """The user's unread in-app alerts (the header's badge), read in the page's session."""
    session = object_session(user) if user is not None else None
    if user is None or session is None:
        return 0
    return unread_count(session, user)


def web_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) URL (a link may be followed), else None: a stored
    ``javascript:`` or ``data:`` address is shown as text, never as a link."""
    if not value:
        return None
    scheme = urlsplit(value.strip()).scheme.lower()
    return value if scheme in ("http", "https") else None


@pass_context
def _label(context: Any, code: str | None, vocabulary: str) -> str:
    """The label of a stored ``code`` of ``vocabulary`` in the reader's language (a code
    without a label is shown with spaces for its underscores)."""
    if not code:
        return ""
    label = LABELS.get(vocabulary, {}).get(code)
    if label is None:
        return code.replace("_", " ")
    return i18n.gettext(label, str(context.get("locale") or i18n.DEFAULT))


@pass_context
def _risk_sentence(
    context: Any,
    chances: Probabilities | Mapping[str, Any],
    worst_km: float | None = None,
    after_badge: bool = False,
) -> str:
    """``chances``' sentence in the reader's language (``chances``: the probabilities, or
    their stored dict; ``worst_km``: a route's riskiest stretch); in English, the service's
    own sentence. ``after_badge``: without the level it starts with, which the badge before
    it shows ("low low: 1% chance" otherwise)."""
    locale = str(context.get("locale") or i18n.DEFAULT)
    fields = chances if isinstance(chances, Mapping) else asdict(chances)
    outcome = str(fields.get("outcome") or "")
    event, _, days = outcome.partition("_")
    table = RISK_SENTENCES if worst_km is None else ROUTE_RISK_SENTENCES
    level = str(fields.get("level"))
    if locale == i18n.DEFAULT or event not in table or outcome not in fields:
        text = str(fields.get("sentence") or "")
    else:
        level = i18n.gettext(level, locale)
        text = i18n.gettext(table[event], locale) % {
            "level": level,
            "p": percent(float(fields[outcome])),
            "km": f"{float(fields.get('radius_km') or 0):g}",
            "days": days,
            "at": f"{worst_km or 0:.0f}",
        }
    for sep in (": ", "："):
        if after_badge and text.startswith(level + sep):
            return text[len(level + sep) :]
    return text


def _build() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    i18n.install_jinja(templates.env)
    templates.env.globals.update(
        alert_count=_alert_count,
        tlp_legend=TLP_LEGEND,
        role_labels=ROLE_LABELS,
        risk_sentence=_risk_sentence,
        chance=percent,  # a probability as the risk sentences give it: 62%, <1%, >99%
    )
    templates.env.filters["web_url"] = web_url
    templates.env.filters["label"] = _label
    return templates


TEMPLATES = _build()


def request_locale(request: Request, user: User | None) -> str:
    """The reader's language: their choice, the visitor's cookie, the browser, English."""
    return i18n.choose(
        user_locale=user.locale if user is not None else None,
        cookie=request.cookies.get(i18n.COOKIE),
        accept_language=request.headers.get("accept-language"),
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    session: Session,
    user: User | None,
    template: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page (or partial) with the header's context: user, organisation, pending count."""
    ctx: dict[str, Any] = {
        "user": user,
        "risk_levels": RISK_LEVELS,
        "csrf": getattr(request.state, "csrf", None),
        "tile_url": get_settings().tile_url,
        "path": request.url.path,
        "locale": request_locale(request, user),
    }
    if user is not None:
        viewer = Viewer.of(user)
        ctx.update(
            viewer=viewer,
            organisation=session.get(Organisation, user.organisation_id),
            is_analyst=can_write(viewer, "incident"),
            is_site_manager=can_write(viewer, "site"),
            pending=pending_count(session, viewer) if can_write(viewer, "candidate") else None,
        )
    ctx.update(context)
    return TEMPLATES.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers
    )

"""The language switch: a signed-in user's choice is kept on their account (``User.locale``),
a visitor's in the ``sc_lang`` cookie; the page reloads in the chosen language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from safecorridor import i18n
from safecorridor.api.deps import OptionalUser, SessionDep
from safecorridor.errors import InvalidInputError
from safecorridor.web.deps import FormData
from safecorridor.web.errors import PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)

#: a year: the choice outlives a session
COOKIE_SECONDS = 365 * 24 * 3600


@router.post("/language")
def choose_language(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    locale = i18n.normalise(form.get("language"))
    if locale is None:
        raise InvalidInputError(
            f"language must be one of {', '.join(i18n.LOCALES)}, not {form.get('language')!r}"
        )
    if user is not None:
        user.locale = locale
        session.flush()
    response = Response(status_code=204, headers={"HX-Refresh": "true"})
    response.set_cookie(i18n.COOKIE, locale, max_age=COOKIE_SECONDS, samesite="lax", httponly=True)
    return response

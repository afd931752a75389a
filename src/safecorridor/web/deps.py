"""Dependencies of the web pages: who is signed in, the posted form, the clock.

:data:`PageUser` is the signed-in user, or a :class:`LoginRequiredError` that the web's error
handler turns into a redirect to the sign-in page (an ``HX-Redirect`` for HTMX requests), so
no page checks for a missing user itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from safecorridor.accounts.models import User
from safecorridor.api.deps import ClockDep, OptionalUser, SessionDep
from safecorridor.errors import InvalidInputError
from safecorridor.sharing.policy import Viewer

__all__ = ["ClockDep", "FormData", "Ident", "LoginRequiredError", "PageUser", "SessionDep"]

#: the longest text field a form may post (the ingest page's pasted text has its own limit)
MAX_FIELD = 20_000
#: the most fields a form may post
MAX_FIELDS = 200


#: a record's id in a page's path (beyond it, a 404 rather than an overflow in the database)
Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]


class LoginRequiredError(Exception):
    """The page needs a signed-in user."""


def page_user(request: Request, user: OptionalUser) -> User:
    if user is None:
        raise LoginRequiredError
    request.state.user_id = user.id  # the error pages show the header of the signed-in user
    return user


PageUser = Annotated[User, Depends(page_user)]


def page_viewer(user: PageUser) -> Viewer:
    return Viewer.of(user)


PageViewer = Annotated[Viewer, Depends(page_viewer)]


async def posted_form(request: Request) -> dict[str, str]:
    """The text fields of a posted form, stripped (files are read by the pages that take
    them); at most :data:`MAX_FIELDS` fields of :data:`MAX_FIELD` characters: a longer one is
    refused with its name (422), never cut short and saved."""
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    fields = {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}
    for name, value in fields.items():
        if len(value) > MAX_FIELD:
            raise InvalidInputError(
                f"{name[:60]}: {len(value)} characters, more than any field of a form takes "
                f"({MAX_FIELD}); nothing was saved"
            )
    return fields


FormData = Annotated[dict[str, str], Depends(posted_form)]

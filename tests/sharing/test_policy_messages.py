"""The refusals of the sharing rules name the record they are about."""

from __future__ import annotations

import pytest

from safecorridor.errors import ForbiddenError
from safecorridor.sharing.policy import Viewer, require_change


def test_a_refused_measure_names_the_site_it_is_about() -> None:
    manager = Viewer(user_id=7, organisation_id=2, role="site_manager", email="m@x.example")
    with pytest.raises(ForbiddenError, match=r"^site 17 belongs to another organisation"):
        require_change(manager, "measure", 3, 17, what="site")
    with pytest.raises(ForbiddenError, match=r"^measure 17 belongs to another organisation"):
        require_change(manager, "measure", 3, 17)

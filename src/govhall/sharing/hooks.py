"""What the sharing platform learns from the contexts above it when Django starts (it imports none of
them).

``register_acting_authority(check)``: who may act on an application (confirm, decline or fetch again
its fetched data): ``check(actor, application, lock=True)`` raises when the actor may not
(cases.authority.ensure_acting_authority, registered by cases.apps). Without a registration everyone
is refused (deny by default). This module imports no model, so an app config may import it at
module level.
"""

from __future__ import annotations

from govhall.core.errors import NotFound


def _refuse_everyone(actor, application, *, lock: bool = False):
    raise NotFound(str(getattr(application, "public_id", "")))


_acting_authority = _refuse_everyone


def register_acting_authority(check) -> None:
    global _acting_authority
    _acting_authority = check


def ensure_acting_authority(actor, application, *, lock: bool = False):
    return _acting_authority(actor, application, lock=lock)

"""The federation operation the licences context answers for other nodes (registered when the app is
ready): ``licenses.verify``."""

from __future__ import annotations

from govhall.core.audit import jsonable
from govhall.core.errors import DomainError, Problem
from govhall.federation.handlers import Context, handler
from govhall.federation.operations import need


@handler("licenses.verify")
def licenses_verify(ctx: Context, body: dict) -> dict:
    """Body ``{"identifier": "1.2.156.3005.2...."}``; answer: the public verification of a licence
    issued here (never forwarded to another node), as ``GET /api/v1/licenses/verify`` gives it."""
    from . import selectors  # on the first call: start-up stays light (this module is imported at ready)

    problems: list[Problem] = []
    identifier = need(body, "identifier", str, problems)
    if problems:
        raise DomainError(problems)
    return jsonable(selectors.verify(identifier, federated=False).as_dict())

"""The federation operation the data sharing platform answers for other nodes (registered when the app
is ready): ``sharing.lookup``."""

from __future__ import annotations

from govhall.core.audit import jsonable
from govhall.core.errors import DomainError, Problem
from govhall.federation.handlers import Context, handler
from govhall.federation.operations import need


@handler("sharing.lookup")
def sharing_lookup(ctx: Context, body: dict) -> dict:
    """Body ``{"resource_code" (or "resource"), "subject_key", "fields": [...], "legal_basis",
    "requester"}``; the purpose and case number are the signed message's (copies in the body are
    ignored). Answered by the sharing platform."""
    problems: list[Problem] = []
    if "resource_code" not in body and "resource" in body:  # both spellings are accepted
        body = {**body, "resource_code": body["resource"]}
    resource_code = need(body, "resource_code", str, problems, max_length=100)
    subject_key = need(body, "subject_key", str, problems, max_length=100)
    fields = need(body, "fields", list, problems)
    legal_basis = need(body, "legal_basis", str, problems, max_length=500)
    requester = need(body, "requester", str, problems, max_length=200)
    if problems:
        raise DomainError(problems)
    from . import services  # on the first call: start-up stays light (this module is imported at ready)

    answer = services.answer_peer_lookup(peer=ctx.peer.code, resource_code=resource_code, subject_key=subject_key,
                                fields=fields, purpose=ctx.purpose, legal_basis=legal_basis,
                                case_number=ctx.case_number, requester=requester)
    return jsonable(answer)

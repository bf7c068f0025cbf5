"""The operations every GovHall node answers (registered when the app is ready)."""

from __future__ import annotations

from govhall.core.audit import jsonable
from govhall.core.errors import DomainError, Problem

from .handlers import Context, handler


def _need(body: dict, name: str, kind, problems: list[Problem], *, max_length: int = 200):
    value = body.get(name)
    ok = isinstance(value, kind) and (kind is not str or 0 < len(value) <= max_length)
    if kind is list:
        ok = ok and all(isinstance(v, str) and 0 < len(v) <= 100 for v in value) and len(value) <= 200
    if not ok:
        problems.append(Problem("federation.body", f"请求缺少或错误的字段 {name}", f"missing or invalid body field {name}",
                                name))
    return value


@handler("federation.ping")
def ping(ctx: Context, body: dict) -> dict:
    """A signed "here I am": checks keys, addresses and clocks both ways (``govhall federation ping``)."""
    from . import envelope, selectors

    return {"node_code": selectors.node_code(), "node_name": selectors.node_name(), "time": envelope.now_text()}


@handler("licenses.verify")
def licenses_verify(ctx: Context, body: dict) -> dict:
    """Body ``{"identifier": "1.2.156.3005.2...."}``; answer: the public verification of a licence
    issued here (never forwarded to another node), as ``GET /api/v1/licenses/verify`` gives it."""
    from govhall.licenses import selectors

    problems: list[Problem] = []
    identifier = _need(body, "identifier", str, problems)
    if problems:
        raise DomainError(problems)
    return jsonable(selectors.verify(identifier, federated=False).as_dict())


@handler("sharing.lookup")
def sharing_lookup(ctx: Context, body: dict) -> dict:
    """Body ``{"resource_code" (or "resource"), "subject_key", "fields": [...], "legal_basis",
    "requester"}``; the purpose and case number are the signed message's (copies in the body are
    ignored). Answered by the sharing platform."""
    try:
        from govhall.sharing.services import answer_peer_lookup
    except ImportError:
        raise DomainError.single("federation.not_supported", "本节点暂不提供数据共享查询",
                                 "this node does not answer data-sharing lookups yet") from None
    problems: list[Problem] = []
    if "resource_code" not in body and "resource" in body:  # both spellings are accepted
        body = {**body, "resource_code": body["resource"]}
    resource_code = _need(body, "resource_code", str, problems, max_length=100)
    subject_key = _need(body, "subject_key", str, problems, max_length=100)
    fields = _need(body, "fields", list, problems)
    legal_basis = _need(body, "legal_basis", str, problems, max_length=500)
    requester = _need(body, "requester", str, problems, max_length=200)
    if problems:
        raise DomainError(problems)
    answer = answer_peer_lookup(peer=ctx.peer.code, resource_code=resource_code, subject_key=subject_key,
                                fields=fields, purpose=ctx.purpose, legal_basis=legal_basis,
                                case_number=ctx.case_number, requester=requester)
    return jsonable(answer)

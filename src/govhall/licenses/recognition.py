"""Mutual recognition of licences (issue 6): a licence issued on another GovHall node verifies
here through that node's signed answer (asked through ``govhall.federation``, which the licences
context sits above; the answering side is ``federation_handlers.licenses_verify``).

``verify_foreign(parts)`` is called by ``licenses.selectors.verify`` for an identifier that is not in
this node's register. It answers None when the issuer is one of this node's organs or belongs to no
trusted peer (the caller's "unknown" stands); otherwise it asks the peer authoritative for the
issuer (``licenses.verify``) and returns that answer, marked as verified by the peer. An
unreachable peer or an answer that does not verify is never "valid".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from govhall.catalog.models import Organ
from govhall.federation import client, selectors

from .selectors import REASONS, DisclosedField, VerificationResult

PURPOSE = "电子证照核验（互认） / licence verification (mutual recognition)"

FOREIGN_REASONS = {
    "peer_unavailable": ("发证机关所在节点“{name}”暂时无法连接，现在无法证明该证照的真实性，请稍后再试",
                         "the node of the issuer, {name}, cannot be reached now: nothing is proven; try again later"),
    "peer_answer_invalid": ("发证机关所在节点“{name}”的答复未通过签名核验，无法证明该证照的真实性",
                            "the answer of the issuer's node, {name}, did not verify: nothing is proven"),
}


@dataclass
class ForeignVerificationResult(VerificationResult):
    """A verification answered by a trusted peer node (its signed answer, checked here)."""

    node_code: str = ""
    node_name: str = ""
    answer_id: str = ""
    answer_key_id: str = ""
    answer_signed_at: str = ""
    answer_sm3: str = ""

    @property
    def message_zh(self) -> str:
        if self.reason in FOREIGN_REASONS:
            return FOREIGN_REASONS[self.reason][0].format(name=self.node_name)
        return f"{REASONS[self.reason][0]}（由互信节点“{self.node_name}”核验并签名答复）"

    @property
    def message_en(self) -> str:
        if self.reason in FOREIGN_REASONS:
            return FOREIGN_REASONS[self.reason][1].format(name=self.node_name)
        return f"{REASONS[self.reason][1]} (verified and signed by the trusted node {self.node_name})"

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["verified_by"] = {"node_code": self.node_code, "node_name": self.node_name,
                               "answer_id": self.answer_id or None, "key_id": self.answer_key_id or None,
                               "signed_at": self.answer_signed_at or None, "answer_sm3": self.answer_sm3 or None}
        return data


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def _moment(value) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _from_answer(identifier: str, answer: client.Answer) -> ForeignVerificationResult | None:
    """The peer's answer as a result, or None when it does not make sense (then: invalid)."""
    body = answer.body
    try:
        reason = body["reason"]["code"]
        authentic, valid = body["authentic"], body["valid"]
        if reason not in REASONS or not isinstance(authentic, bool) or not isinstance(valid, bool):
            return None
        if valid and (reason != "valid" or not authentic):
            return None
        if authentic and body["identifier"] != identifier:
            return None
        kind, issuer = body.get("type") or {}, body.get("issuer") or {}
        fields = [DisclosedField(str(f["name"]), str(f["label_zh"]), str(f["label_en"]), f["value"])
                  for f in body.get("disclosed_fields") or []]
        return ForeignVerificationResult(
            authentic=authentic, valid=valid, reason=reason, identifier=identifier, status=body.get("status") or "",
            type_code=str(kind.get("code", "")), type_name=str(kind.get("name", "")),
            issuer_code=str(issuer.get("credit_code", "")), issuer_name=str(issuer.get("name", "")),
            holder_name=str(body.get("holder_name") or ""), version=str(body.get("version") or ""),
            issued_on=_date(body.get("issued_on")), valid_from=_date(body.get("valid_from")),
            valid_until=_date(body.get("valid_until")), status_changed_at=_moment(body.get("status_changed_at")),
            replaced_by=str(body.get("replaced_by") or ""), fields=fields,
            node_code=answer.peer.code, node_name=answer.peer.name, answer_id=answer.response_id,
            answer_key_id=answer.key_id, answer_signed_at=answer.signed_at, answer_sm3=answer.digest)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def verify_foreign(parts) -> VerificationResult | None:
    """The answer of the trusted node for ``parts`` (an IdentifierParts), or None when no trusted
    node is authoritative for its issuer."""
    if Organ.objects.filter(credit_code=parts.issuer_code).exists():
        return None  # one of ours: only our register answers for it
    peer = selectors.peer_for_issuer(parts.issuer_code)
    if peer is None:
        return None

    def failed(reason: str) -> ForeignVerificationResult:
        return ForeignVerificationResult(False, False, reason, identifier=parts.identifier, node_code=peer.code,
                                         node_name=peer.name)

    try:
        # someone is waiting on the page: one retry at most (connection refused, a lost answer)
        answer = client.exchange(peer.code, "licenses.verify", {"identifier": parts.identifier}, case_number="",
                                 purpose=PURPOSE, retries=min(1, settings.GOVHALL_FEDERATION_RETRIES))
    except client.PeerUnavailable:
        return failed("peer_unavailable")
    except (client.PeerAnswerInvalid, client.PeerRefused):
        return failed("peer_answer_invalid")
    return _from_answer(parts.identifier, answer) or failed("peer_answer_invalid")

"""API v1 router for licences (mounted at /api/v1/licenses): public verification.

Endpoints parse, call a licenses selector and map to the schemas below; no rules live here.
Answers are never cached: a revocation changes the answer at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from govhall.api.permissions import permission
from govhall.api.schemas import ErrorOut
from govhall.core.permissions import PUBLIC
from govhall.licenses import selectors

# operation_id: the ids the OpenAPI document has published since this router lived in govhall.licenses.api
# (clients generated from the document name their methods after them); they do not change.
router = Router(tags=["licenses"])


class ReasonOut(Schema):
    code: str = Field(description="valid | empty | malformed | check_character | unknown | suspended | revoked | "
                                  "expired | replaced | not_yet_valid | share_unknown | share_revoked | share_expired | "
                                  "peer_unavailable | peer_answer_invalid")
    message_zh: str
    message_en: str


class CodeName(Schema):
    code: str
    name: str


class IssuerOut(Schema):
    credit_code: str
    name: str


class DisclosedFieldOut(Schema):
    name: str
    label_zh: str
    label_en: str
    value: Any


class VerifiedByOut(Schema):
    node_code: str
    node_name: str
    answer_id: str | None = Field(None, description="message id of the peer's signed answer (in the message log)")
    key_id: str | None = None
    signed_at: str | None = None
    answer_sm3: str | None = None


class VerificationOut(Schema):
    authentic: bool = Field(description="a licence with this identifier was issued on this platform")
    valid: bool = Field(description="authentic, status valid and in force today; never true for anything unproven")
    status: str | None = Field(None, description="valid | suspended | revoked | expired | replaced")
    identifier: str
    reason: ReasonOut
    type: CodeName | None = None
    issuer: IssuerOut | None = None
    holder_name: str | None = Field(None, description="persons' names masked")
    version: str | None = None
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    status_changed_at: dt.datetime | None = None
    replaced_by: str | None = None
    disclosed_fields: list[DisclosedFieldOut] = []
    link_expires_at: dt.datetime | None = None
    verified_by: VerifiedByOut | None = Field(None, description="set when a trusted peer node answered (mutual "
                                              "recognition of a licence issued there); see docs/federation.md")


class VerifyQuery(Schema):
    identifier: str = Field(..., max_length=200, description="1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>")


@router.get("/verify", response={200: VerificationOut, 422: ErrorOut}, url_name="licenses_verify",
            operation_id="govhall_licenses_api_verify",
            summary="核验电子证照 / verify a licence")
@permission(PUBLIC)
def verify(request, response: HttpResponse, query: Query[VerifyQuery]):
    """Authentic or not, current status, issuer, validity and the face fields disclosed by default.
    Always 200 with ``reason``: an unknown identifier or a wrong check character is an answer, not an error."""
    response["Cache-Control"] = "no-store"
    return selectors.verify(query.identifier).as_dict()


@router.get("/verify/token/{token}", response={200: VerificationOut, 404: ErrorOut, 422: ErrorOut},
            url_name="licenses_verify_token",
            operation_id="govhall_licenses_api_verify_token",
            summary="核验分享链接 / verify by share-link token")
@permission(PUBLIC)
def verify_token(request, response: HttpResponse, token: str):
    """The licence behind a holder's share link with only the fields the holder chose; an unknown,
    withdrawn or expired link answers ``authentic: false`` with its reason."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return selectors.verify_token(token).as_dict()

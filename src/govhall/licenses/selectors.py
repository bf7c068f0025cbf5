"""Licence reads: public verification (by identifier or share-link token) and the holder's wallet.

Verification never answers "valid" for anything not proven: ``valid`` is True only for a licence
issued here, whose identifier's check character is right, whose status is valid and whose
validity period contains today. Every other answer names its reason with a stable code and a
message in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from govhall.core.errors import NotFound

from .identifier import IdentifierError, normalise, parse_identifier
from .models import HIDDEN, MASKED, PUBLIC, Licence, LicenceStatus, ShareLink, disclosure, mask_value
from .services import mask_name

S = LicenceStatus

# reason code → (zh, en)
REASONS = {
    "valid": ("证照真实有效", "authentic and valid"),
    "empty": ("请输入证照标识", "enter a licence identifier"),
    "malformed": ("证照标识格式不正确", "this is not a licence identifier"),
    "check_character": ("证照标识校验位错误，标识有误或被篡改，无法证明该证照的真实性",
                        "wrong check character: the identifier was mistyped or altered; nothing is proven"),
    "unknown": ("本平台未签发该标识的证照，无法证明其真实性", "no licence with this identifier was issued here: "
                "nothing is proven"),
    "suspended": ("证照已被中止使用，当前不能作为有效证照", "the licence is suspended: it is not valid now"),
    "revoked": ("证照已被注销，不再有效", "the licence was revoked: it is no longer valid"),
    "expired": ("证照已过有效期", "the licence has expired"),
    "replaced": ("证照已换发新版本，本版本不再有效", "the licence was replaced by a newer version: this one is no longer valid"),
    "not_yet_valid": ("证照尚未到有效期起始日", "the licence is not yet in force"),
    "share_unknown": ("分享链接不存在，无法证明任何证照", "unknown share link: nothing is proven"),
    "share_revoked": ("持证人已撤销该分享链接", "the holder has withdrawn this share link"),
    "share_expired": ("分享链接已过期，请向持证人索取新的链接", "the share link has expired: ask the holder for a new one"),
}


@dataclass(frozen=True)
class DisclosedField:
    name: str
    label_zh: str
    label_en: str
    value: object


@dataclass
class VerificationResult:
    """``authentic``: a licence with this identifier was issued here (check character right).
    ``valid``: authentic, status valid and in force today. ``reason``: a key of REASONS."""

    authentic: bool
    valid: bool
    reason: str
    identifier: str = ""
    status: str = ""
    type_code: str = ""
    type_name: str = ""
    issuer_code: str = ""
    issuer_name: str = ""
    holder_name: str = ""
    version: str = ""
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    status_changed_at: dt.datetime | None = None
    replaced_by: str = ""
    fields: list[DisclosedField] = field(default_factory=list)
    link_expires_at: dt.datetime | None = None
    licence: Licence | None = None

    @property
    def message_zh(self) -> str:
        return REASONS[self.reason][0]

    @property
    def message_en(self) -> str:
        return REASONS[self.reason][1]

    def as_dict(self) -> dict:
        return {
            "authentic": self.authentic, "valid": self.valid, "status": self.status or None,
            "identifier": self.identifier, "reason": {"code": self.reason, "message_zh": self.message_zh,
                                                      "message_en": self.message_en},
            "type": {"code": self.type_code, "name": self.type_name} if self.authentic else None,
            "issuer": {"credit_code": self.issuer_code, "name": self.issuer_name} if self.authentic else None,
            "holder_name": self.holder_name or None, "version": self.version or None,
            "issued_on": self.issued_on, "valid_from": self.valid_from, "valid_until": self.valid_until,
            "status_changed_at": self.status_changed_at, "replaced_by": self.replaced_by or None,
            "disclosed_fields": [{"name": f.name, "label_zh": f.label_zh, "label_en": f.label_en, "value": f.value}
                                 for f in self.fields],
            "link_expires_at": self.link_expires_at,
        }


def _answer(licence: Licence, disclosed: list[str], today: dt.date) -> VerificationResult:
    status = licence.effective_status(today)
    if status == S.VALID and licence.valid_from > today:
        reason = "not_yet_valid"
    else:
        reason = str(status)
    licence_type = licence.licence_type
    fields = []
    for f in licence_type.face_schema:
        policy = disclosure(f)
        if f["name"] in disclosed and f["name"] in licence.face and policy != HIDDEN:
            value = licence.face[f["name"]]
            fields.append(DisclosedField(f["name"], f["label_zh"], f["label_en"],
                                         mask_value(value) if policy == MASKED else value))
    return VerificationResult(
        authentic=True, valid=reason == "valid", reason=reason, identifier=licence.identifier, status=status,
        type_code=licence_type.type_code, type_name=licence_type.name, issuer_code=licence.issuer.credit_code,
        issuer_name=licence.issuer.name, holder_name=mask_name(licence), version=licence.version_code,
        issued_on=licence.issued_on, valid_from=licence.valid_from, valid_until=licence.valid_until,
        status_changed_at=licence.status_changed_at,
        replaced_by=licence.replaced_by.identifier if licence.replaced_by_id else "", fields=fields,
        licence=licence)


# what ``_answer`` reads: the licence, its type's schema and names, the issuer's code and name
VERIFY_COLUMNS = ("identifier", "version", "holder_name", "holder_code_type", "face", "issued_on", "valid_from",
                  "valid_until", "status", "status_changed_at", "licence_type__type_code", "licence_type__name",
                  "licence_type__face_schema", "issuer__credit_code", "issuer__name", "replaced_by__identifier")


def _licences() -> QuerySet[Licence]:
    return Licence.objects.select_related("licence_type", "issuer", "replaced_by")


def verify(identifier: str, today: dt.date | None = None, *, federated: bool = True) -> VerificationResult:
    """What anyone may learn about ``identifier``: authenticity, status, issuer, validity and the face
    fields the type discloses by default. Read straight from the database: a revocation shows at once.
    ``federated``: a licence not issued here whose issuer belongs to a trusted peer node is answered
    by that node (licenses/recognition.py, through govhall.federation); False when answering a peer (no forwarding)."""
    today = today or timezone.localdate()
    text = normalise(identifier)
    if not text:
        return VerificationResult(False, False, "empty")
    try:
        parts = parse_identifier(text)
    except IdentifierError as exc:
        return VerificationResult(False, False, exc.code, identifier=text[:200])
    # the public hot path: the identifier is unique (no ORDER BY), and only the columns the answer uses
    rows = (_licences().filter(identifier=parts.identifier).order_by()
            .only(*VERIFY_COLUMNS)[:1])
    licence = next(iter(rows), None)
    if licence is None:
        if federated:  # mutual recognition (issue 6): the node of a trusted peer's issuer answers
            from .recognition import verify_foreign  # it imports this module

            if (foreign := verify_foreign(parts)) is not None:
                return foreign
        return VerificationResult(False, False, "unknown", identifier=parts.identifier)
    return _answer(licence, licence.licence_type.public_fields, today)


def verify_token(token: str, now: dt.datetime | None = None) -> VerificationResult:
    """The answer for a share link: only the fields the holder chose. An unknown, withdrawn or expired
    link proves nothing and says so (no licence data)."""
    now = now or timezone.now()
    link = (ShareLink.objects.select_related("licence__licence_type", "licence__issuer", "licence__replaced_by")
            .filter(token=(token or "").strip()[:64]).first()) if token else None
    if link is None:
        return VerificationResult(False, False, "share_unknown")
    if link.revoked:
        return VerificationResult(False, False, "share_revoked")
    if link.expires_at <= now:
        return VerificationResult(False, False, "share_expired")
    result = _answer(link.licence, link.fields, timezone.localdate(now))
    result.link_expires_at = link.expires_at
    return result


# --- the holder's wallet -------------------------------------------------------------------------


def licences_of(user) -> QuerySet[Licence]:
    """The user's licences, newest first (replaced versions included: the history stays visible)."""
    if not getattr(user, "is_authenticated", False):
        return Licence.objects.none()
    return _licences().filter(holder_user=user)


def access_licence(user, identifier: str) -> Licence:
    """A licence the user holds; NotFound for unknown identifiers and other people's licences alike."""
    licence = licences_of(user).filter(identifier=normalise(identifier)).first()
    if licence is None:
        raise NotFound(identifier)
    return licence


def share_links_of(licence: Licence) -> QuerySet[ShareLink]:
    return licence.share_links.all()


def access_share_link(user, identifier: str, pk: int) -> ShareLink:
    licence = access_licence(user, identifier)
    link = licence.share_links.filter(pk=pk).first()
    if link is None:
        raise NotFound(str(pk))
    return link


def face_rows(licence: Licence) -> list[dict]:
    """The face as labelled rows in schema order (the holder's own view: every field)."""
    return [{"name": f["name"], "label_zh": f["label_zh"], "label_en": f["label_en"],
             "public": disclosure(f) in (PUBLIC, MASKED), "disclosure": disclosure(f), "value": licence.face.get(f["name"])}
            for f in licence.licence_type.face_schema if f["name"] in licence.face]

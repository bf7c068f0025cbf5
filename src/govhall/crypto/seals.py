"""Electronic seals (GB/T 38540-2020 structures): the seal registry, sealing and verification.

An organ's seal is an SM2 key in the key store (purpose ``seal.o<organ pk>.<n>``), a certificate for
that key issued by the platform CA (usage "seal", the organ's credit code in the subject) and a
``SESeal`` DER made by the CA: header "ES"/4/vendor, seal id, properties (type, name, the signer
certificate list, created, valid from/to) and a PNG picture, signed by the CA (the seal maker) with
SM2-with-SM3. Sealing a document produces a ``SES_Signature`` DER over the SM3 hash of the document.
See docs/seals.md for the ASN.1, the simplifications and how a third party verifies offline
(docs/verify_seal.py, OpenSSL 3 and asn1crypto only).

Services: ``seal_create``, ``seal_authorise``, ``seal_unauthorise``, ``seal_revoke`` (atomic,
audited ``crypto.seal.*``) and ``seal_sign`` (audited ``crypto.seal.used``; refusals audited as
``crypto.seal.refused`` and committed before the DomainError is raised: see ``_refuse``).
``seal_verify`` writes nothing (the CRL is kept current by ``ca.crl_refresh``, a periodic job).
Who may manage a seal: ``policy.py`` (checked here; seals are read through ``Seal.objects.for_actor``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import struct
import zlib
from dataclasses import dataclass, field

from asn1crypto import core
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from govhall.core import audit, refusals
from govhall.core.errors import DomainError, NotFound

from . import ca, keystore, policy, sm
from . import x509 as X
from .models import KeyPair, Seal, SealAuthorisation

log = logging.getLogger("govhall.security")

SEAL_VERSION = 4  # GB/T 38540-2020 header version
SIGNATURE_VERSION = 4
CERT_LIST_CERTS = 1  # certListType 1: the list holds certificates (2 would be digests; not produced)
CLOCK_SKEW = dt.timedelta(minutes=5)


# --- ASN.1 (GB/T 38540-2020 §7, field names in snake case) ----------------------------------------


class SESHeader(core.Sequence):
    """``SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER, Vid IA5String }``"""

    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertInfoList(core.SequenceOf):
    """``CertInfoList ::= SEQUENCE OF OCTET STRING`` (DER certificates)."""

    _child_spec = core.OctetString


class ExtData(core.Sequence):
    _fields = [("extn_id", core.ObjectIdentifier), ("critical", core.Boolean, {"default": False}),
               ("extn_value", core.OctetString)]


class ExtensionDatas(core.SequenceOf):
    _child_spec = ExtData


class SESPropertyInfo(core.Sequence):
    """``SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
    certList SES_CertList, createDate GeneralizedTime, validStart GeneralizedTime,
    validEnd GeneralizedTime }``. Only certListType 1 (a list of certificates) is modelled."""

    _fields = [("type", core.Integer), ("name", core.UTF8String), ("cert_list_type", core.Integer),
               ("cert_list", CertInfoList), ("create_date", core.GeneralizedTime),
               ("valid_start", core.GeneralizedTime), ("valid_end", core.GeneralizedTime)]


class SESPictureInfo(core.Sequence):
    """``SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER,
    height INTEGER }`` (width and height in millimetres)."""

    _fields = [("type", core.IA5String), ("data", core.OctetString), ("width", core.Integer),
               ("height", core.Integer)]


class SESSealInfo(core.Sequence):
    _fields = [("header", SESHeader), ("es_id", core.IA5String), ("property", SESPropertyInfo),
               ("picture", SESPictureInfo), ("ext_datas", ExtensionDatas, {"optional": True})]


class SESeal(core.Sequence):
    """``SESeal ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING (the maker's),
    signAlgID OBJECT IDENTIFIER, signedValue BIT STRING }``; signedValue = SM2 over eSealInfo DER."""

    _fields = [("eseal_info", SESSealInfo), ("cert", core.OctetString), ("sign_alg_id", core.ObjectIdentifier),
               ("signed_value", core.OctetBitString)]


class TBSSign(core.Sequence):
    """``TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo GeneralizedTime,
    dataHash BIT STRING, propertyInfo IA5String, extDatas ExtensionDatas OPTIONAL }``"""

    _fields = [("version", core.Integer), ("eseal", SESeal), ("time_info", core.GeneralizedTime),
               ("data_hash", core.OctetBitString), ("property_info", core.IA5String),
               ("ext_datas", ExtensionDatas, {"optional": True})]


class SESSignature(core.Sequence):
    """``SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING (the signer's),
    signatureAlgID OBJECT IDENTIFIER, signature BIT STRING, timeStamp [0] BIT STRING OPTIONAL }``;
    signature = SM2 (SM3, id 1234567812345678) over the DER of toSign."""

    _fields = [("to_sign", TBSSign), ("cert", core.OctetString), ("signature_alg_id", core.ObjectIdentifier),
               ("signature", core.OctetBitString),
               ("time_stamp", core.OctetBitString, {"implicit": 0, "optional": True})]


def _gtime(moment: dt.datetime) -> core.GeneralizedTime:
    return core.GeneralizedTime(moment.astimezone(dt.UTC).replace(microsecond=0))


# --- the picture ----------------------------------------------------------------------------------


def _png(width: int, height: int, rows: list[bytes], text: dict[str, str]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every scanline
    extra = b"".join(chunk(b"iTXt", k.encode("latin-1") + b"\x00\x00\x00\x00\x00" + v.encode())
                     for k, v in text.items())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + extra + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def seal_picture(title: str, *, size: int = 236) -> bytes:
    """A round red seal (ring and five-pointed star) as an RGBA PNG with a transparent background;
    ``title`` (the seal's name) is stored in an iTXt "Title" chunk. Drawn here with zlib: the
    platform has no imaging library, and a font rasteriser is not worth adding for this. 236 px
    is 40 mm at 150 dpi."""
    red, clear = b"\xd4\x1e\x1e\xff", b"\x00\x00\x00\x00"
    c = (size - 1) / 2
    r_out, r_in = c * 0.98, c * 0.90
    star_r, inner = c * 0.36, c * 0.36 * 0.382
    points = []  # ten vertices, alternating outer and inner radius, first one pointing up
    for i in range(10):
        radius = star_r if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((c + radius * math.cos(angle), c + radius * math.sin(angle)))
    edges = list(zip(points, points[1:] + points[:1], strict=True))

    def in_star(x: float, y: float) -> bool:
        inside = False
        for (x1, y1), (x2, y2) in edges:
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
        return inside

    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            d = math.hypot(x - c, y - c)
            on = r_in <= d <= r_out or (d <= star_r and in_star(x, y))
            row += red if on else clear
        rows.append(bytes(row))
    return _png(size, size, rows, {"Title": title, "Software": "GovHall"})


# --- errors and helpers ---------------------------------------------------------------------------


def _err(code: str, zh: str, en: str, field: str = "") -> DomainError:
    return DomainError.single(code, zh, en, field)


def _vendor() -> str:
    return getattr(settings, "GOVHALL_SEAL_VENDOR", "GovHall")


def _ascii(value: str) -> bool:
    return all(32 <= ord(ch) < 127 for ch in value)


def _seal_summary(seal: Seal) -> dict:
    return {"seal_id": seal.seal_id, "name": seal.name, "organ": seal.organ_id, "seal_type": seal.seal_type,
            "certificate": seal.certificate.serial, "valid_from": seal.valid_from, "valid_to": seal.valid_to,
            "state": seal.state}


# --- registry services ----------------------------------------------------------------------------


@transaction.atomic
def seal_create(*, actor, organ, name: str, seal_type: int = Seal.SealType.ORGAN, days: int = 1825,
                width_mm: int = 40, height_mm: int = 40) -> Seal:
    """Create a seal for ``organ``: a new key in the key store, a seal certificate from the CA
    (valid ``days``, at most to the root's end), the picture and the SESeal signed by the CA.
    ``organ`` is a catalogue organ (crypto does not import the catalogue: it uses the organ's pk,
    credit code and name). Only the organ's seal managers (policy.can_manage_organ_seals) and the
    system may; anyone else gets NotFound. Audit: crypto.key.generated, crypto.ca.issued,
    crypto.seal.created."""
    if not policy.can_manage_organ_seals(actor, organ.pk):
        raise NotFound("organ not in the actor's seal scope")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _err("crypto.seal.name", "印章名称须为 1 至 100 个字符", "the seal name must be 1-100 characters", "name")
    if seal_type not in Seal.SealType.values:
        raise _err("crypto.seal.type", "未知的印章类型", "unknown seal type", "seal_type")
    if not 1 <= days <= 3650:
        raise _err("crypto.seal.days", "印章有效期须为 1 至 3650 天", "validity must be 1 to 3650 days", "days")
    if not _ascii(organ.credit_code):
        raise _err("crypto.seal.organ", "机关的统一社会信用代码无效", "the organ's credit code is not valid", "organ")
    organ = type(organ).objects.select_for_update().get(pk=organ.pk)  # one seal number at a time per organ
    n = Seal.objects.filter(organ=organ).count() + 1
    seal_id = f"{organ.credit_code}{n:04d}"
    purpose = f"seal.o{organ.pk}.{n}"
    ca.ca_ensure(actor=actor)
    keystore.key_generate(actor=actor, purpose=purpose)
    cert = ca.certificate_issue(actor=actor, key_purpose=purpose, usage="seal", days=days,
                                subject={"common_name": name, "organization": organ.name,
                                         "credit_code": organ.credit_code})
    root = ca.root()
    now = timezone.now().replace(microsecond=0)
    valid_to = min(now + dt.timedelta(days=days), cert.not_after)
    picture = seal_picture(name)
    info = SESSealInfo({
        "header": {"id": "ES", "version": SEAL_VERSION, "vid": _vendor()},
        "es_id": seal_id,
        "property": {"type": int(seal_type), "name": name, "cert_list_type": CERT_LIST_CERTS,
                     "cert_list": [bytes(cert.der)], "create_date": _gtime(now),
                     "valid_start": _gtime(now), "valid_end": _gtime(valid_to)},
        "picture": {"type": "png", "data": picture, "width": width_mm, "height": height_mm},
    })
    info_der = info.dump(force=True)
    _key_id, maker_signature = keystore.sign(purpose=ca.ROOT_PURPOSE, data=info_der)
    eseal = SESeal({"eseal_info": SESSealInfo.load(info_der), "cert": bytes(root.der),
                    "sign_alg_id": X.SM2_SM3_OID, "signed_value": maker_signature}).dump()
    seal = Seal.objects.create(organ=organ, seal_id=seal_id, seal_type=seal_type, name=name, key_purpose=purpose,
                               certificate=cert, eseal_der=eseal, picture=picture, width_mm=width_mm,
                               height_mm=height_mm, valid_from=now, valid_to=valid_to)
    audit.record(actor=actor, action="crypto.seal.created", target=seal, after=_seal_summary(seal))
    return seal


def _locked(actor, seal: Seal) -> Seal:
    """The seal, locked, if ``actor`` manages it (crypto/policy.py); NotFound otherwise."""
    found = Seal.objects.for_actor(actor).select_for_update().filter(pk=seal.pk).first()
    if found is None:
        raise NotFound(str(seal.seal_id))
    return found


@transaction.atomic
def seal_authorise(*, actor, seal: Seal, user) -> SealAuthorisation:
    """Allow ``user`` to use ``seal``. Only a manager of the seal may (another organ's seal: NotFound),
    and only for a staff member of the seal's organ (crypto.seal.user); the system may authorise its
    own service accounts (policy.can_authorise_seal_user). Audit: crypto.seal.authorised."""
    seal = _locked(actor, seal)
    if not policy.can_authorise_seal_user(actor, seal, user):
        raise _err("crypto.seal.user", "只能授权本机关的工作人员使用印章",
                   "only staff of the seal's organ can be authorised", "user")
    if seal.state != Seal.State.ACTIVE:
        raise _err("crypto.seal.revoked", "印章已注销，不能授权", "the seal is revoked", "seal")
    if SealAuthorisation.objects.filter(seal=seal, user=user, revoked_at__isnull=True).exists():
        raise _err("crypto.seal.already_authorised", "该人员已获授权使用此印章",
                   "the user is already authorised for this seal", "user")
    grant = SealAuthorisation.objects.create(seal=seal, user=user,
                                             granted_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="crypto.seal.authorised", target=seal,
                 after={"user": user.pk, "username": user.get_username()})
    return grant


@transaction.atomic
def seal_unauthorise(*, actor, seal: Seal, user) -> None:
    """End ``user``'s authorisation for ``seal`` (managers of the seal only: NotFound for anyone else).
    Audit: crypto.seal.authorisation_revoked."""
    seal = _locked(actor, seal)
    grant = SealAuthorisation.objects.select_for_update().filter(seal=seal, user=user,
                                                                 revoked_at__isnull=True).first()
    if grant is None:
        raise _err("crypto.seal.not_authorised", "该人员未获授权使用此印章", "the user holds no authorisation", "user")
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="crypto.seal.authorisation_revoked", target=seal,
                 before={"user": user.pk, "username": user.get_username()})


@transaction.atomic
def seal_revoke(*, actor, seal: Seal, reason: str = "cessation_of_operation") -> Seal:
    """Revoke the seal and its certificate (new CRL); live authorisations end. Signatures made with
    it no longer verify. Managers of the seal only (NotFound for anyone else). Audit: crypto.seal.revoked,
    crypto.ca.revoked, crypto.ca.crl_issued."""
    locked = _locked(actor, seal)
    locked = Seal.objects.select_related("certificate").get(pk=locked.pk)
    if locked.state == Seal.State.REVOKED:
        raise _err("crypto.seal.revoked", "印章已注销", "the seal is already revoked", "seal")
    now = timezone.now()
    locked.state, locked.revoked_at = Seal.State.REVOKED, now
    locked.save(update_fields=["state", "revoked_at"])
    SealAuthorisation.objects.filter(seal=locked, revoked_at__isnull=True).update(revoked_at=now)
    if locked.certificate.revoked_at is None:
        ca.certificate_revoke(actor=actor, certificate=locked.certificate, reason=reason)
    audit.record(actor=actor, action="crypto.seal.revoked", target=locked, before={"state": "active"},
                 after={"state": "revoked", "certificate": locked.certificate.serial}, reason=reason)
    seal.state, seal.revoked_at = locked.state, locked.revoked_at
    return locked


def is_authorised(seal: Seal, user) -> bool:
    return bool(getattr(user, "pk", None)) and SealAuthorisation.objects.filter(
        seal=seal, user=user, revoked_at__isnull=True).exists()


# --- sealing --------------------------------------------------------------------------------------


def _refuse(*, actor, seal: Seal, document_sm3: str, code: str, zh: str, en: str) -> None:
    """Raise the refusal of a seal's use and keep its audit event (``core.refusals``: it survives the
    refused transaction when the caller holds none or is decorated ``refusals.keeping``). Inside
    another caller's transaction the record shares its fate, so the refusal is also written to the
    ``govhall.security`` log, which does not roll back."""
    log.warning("seal use refused: seal=%s actor=%s code=%s document_sm3=%s%s", seal.seal_id,
                getattr(actor, "pk", None), code, document_sm3,
                " (inside the caller's transaction)" if connection.in_atomic_block else "")
    refusals.refuse(_err(code, zh, en, "seal"), record=lambda: audit.record(
        actor=actor, action="crypto.seal.refused", target=seal, reason=code,
        after={"seal_id": seal.seal_id, "document_sm3": document_sm3, "code": code}))


def seal_sign(*, actor, seal: Seal, document: bytes, properties: str = "") -> bytes:
    """Seal ``document``: returns the SES_Signature DER (store it beside the document).

    Refused with DomainError (and audited crypto.seal.refused, see ``_refuse``) when ``actor`` is
    not authorised for the seal (crypto.seal.unauthorised), the seal is revoked
    (crypto.seal.revoked), outside its validity (crypto.seal.expired) or its certificate is revoked,
    expired or no longer matches the seal key (crypto.seal.certificate). ``properties`` (ASCII, the
    document's properties, e.g. a file name or licence identifier) is signed as propertyInfo.
    Every use is audited crypto.seal.used with the document's SM3."""
    document = bytes(document)
    if not _ascii(properties) or len(properties) > 1000:
        raise _err("crypto.seal.properties", "文档属性须为不超过 1000 个字符的 ASCII 文本",
                   "properties must be printable ASCII, at most 1000 characters", "properties")
    digest = sm.sm3(document)
    seal = Seal.objects.select_related("certificate").get(pk=seal.pk)  # current state, not the caller's copy
    now = timezone.now().replace(microsecond=0)
    if not is_authorised(seal, actor):
        _refuse(actor=actor, seal=seal, document_sm3=digest.hex(), code="crypto.seal.unauthorised",
                      zh="您未获授权使用该印章", en="you are not authorised to use this seal")
    if seal.state != Seal.State.ACTIVE:
        _refuse(actor=actor, seal=seal, document_sm3=digest.hex(), code="crypto.seal.revoked",
                      zh="印章已注销", en="the seal is revoked")
    if not seal.valid_from <= now <= seal.valid_to:
        _refuse(actor=actor, seal=seal, document_sm3=digest.hex(), code="crypto.seal.expired",
                      zh="印章不在有效期内", en="the seal is outside its validity period")
    cert = seal.certificate
    active = KeyPair.objects.filter(purpose=seal.key_purpose, state=KeyPair.State.ACTIVE).first()
    if (cert.revoked_at is not None or not cert.not_before <= now <= cert.not_after
            or active is None or active.key_id != cert.key_id):
        _refuse(actor=actor, seal=seal, document_sm3=digest.hex(), code="crypto.seal.certificate",
                      zh="印章证书已吊销、过期或与印章密钥不符",
                      en="the seal certificate is revoked, expired or does not match the seal key")
    to_sign = TBSSign({"version": SIGNATURE_VERSION, "eseal": SESeal.load(bytes(seal.eseal_der)),
                       "time_info": _gtime(now), "data_hash": digest, "property_info": properties})
    to_sign_der = to_sign.dump(force=True)
    key_id, signature = keystore.sign(purpose=seal.key_purpose, data=to_sign_der)
    if key_id != cert.key_id:  # rotated between the check and the signature
        raise _err("crypto.seal.certificate", "印章密钥已更换", "the seal key changed while signing", "seal")
    der = SESSignature({"to_sign": TBSSign.load(to_sign_der), "cert": bytes(cert.der),
                        "signature_alg_id": X.SM2_SM3_OID, "signature": signature}).dump()
    with transaction.atomic():
        audit.record(actor=actor, action="crypto.seal.used", target=seal,
                     after={"seal_id": seal.seal_id, "document_sm3": digest.hex(), "time": now,
                            "properties": properties, "signature_sm3": sm.sm3_hex(der)})
    return der


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealCheck:
    """``ok`` only when everything was proven; otherwise ``code`` and ``reason`` say what failed."""

    ok: bool
    code: str
    reason: str
    seal_id: str = ""
    seal_name: str = ""
    signer: str = ""
    signed_at: dt.datetime | None = None
    document_sm3: str = ""
    properties: str = ""
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def parse_signature(signature_der: bytes) -> SESSignature:
    """Strict DER parse of a SES_Signature; ValueError for anything else."""
    try:
        value = SESSignature.load(bytes(signature_der), strict=True)
        value.native  # noqa: B018 - parse every field now
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ValueError("not a SES_Signature") from exc
    return value


def verify_signature(signature_der: bytes, document: bytes, *, root_der: bytes, crl_der: bytes | None,
                     now: dt.datetime | None = None) -> SealCheck:
    """Check a SES_Signature against ``document`` and a trusted root and CRL, without the database.

    Proves, in order: the structure parses; version and algorithms are the ones we know; the
    document's SM3 equals dataHash; the signer certificate's key verifies the SM2 signature over
    toSign; the signing time is not in the future; the signer certificate chains to the root, was
    valid at the signing time and is not on the (current, root-signed) CRL; the seal was made by
    the root (maker certificate = root, maker signature over the seal info verifies); the signer
    certificate is in the seal's certificate list; the seal was valid at the signing time."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        sig = parse_signature(signature_der)
    except ValueError:
        return SealCheck(False, "malformed", "the signature file is not a GB/T 38540 SES_Signature")
    tbs = sig["to_sign"]
    eseal, info = tbs["eseal"], tbs["eseal"]["eseal_info"]
    prop = info["property"]
    base = {"seal_id": info["es_id"].native, "seal_name": prop["name"].native,
            "signed_at": tbs["time_info"].native, "document_sm3": bytes(tbs["data_hash"].native).hex(),
            "properties": tbs["property_info"].native}

    def fail(code: str, reason: str, **extra) -> SealCheck:
        return SealCheck(False, code, reason, **base, **extra)

    if tbs["version"].native != SIGNATURE_VERSION or sig["signature_alg_id"].dotted != X.SM2_SM3_OID:
        return fail("algorithm", "unknown signature version or algorithm (expected version 4, SM2-with-SM3)")
    if bytes(tbs["data_hash"].native) != sm.sm3(bytes(document)):
        return fail("document_altered", "the document's SM3 hash does not match the signed hash: "
                    "the document was altered or is not the one that was sealed")
    signer_der = bytes(sig["cert"].native)
    try:
        signer = X.load_certificate(signer_der)
        signer_key = X.certificate_public_key(signer)
    except (ValueError, sm.InvalidKey):
        return fail("certificate.malformed", "the signer certificate cannot be read or holds no SM2 key")
    if not sm.sm2_verify(signer_key, tbs.dump(), bytes(sig["signature"].native)):
        return fail("signature_invalid", "the SM2 signature does not verify with the signer certificate's key: "
                    "forged or damaged", signer=signer.subject.human_friendly)
    signed_at = tbs["time_info"].native
    if signed_at > now + CLOCK_SKEW:
        return fail("signed_in_future", "the signing time lies in the future")
    cert_check = X.verify_certificate(signer_der, root_der, at=signed_at, crl_der=crl_der, crl_now=now)
    if not cert_check.ok:
        return fail(f"certificate.{cert_check.code}", f"signer certificate: {cert_check.reason}",
                    signer=cert_check.subject or signer.subject.human_friendly)
    header = info["header"]
    if header["id"].native != "ES" or header["version"].native != SEAL_VERSION:
        return fail("seal.header", "the seal header is not GB/T 38540 (\"ES\", version 4)")
    maker_der = bytes(eseal["cert"].native)
    if maker_der != bytes(root_der) or eseal["sign_alg_id"].dotted != X.SM2_SM3_OID:
        return fail("seal.maker", "the seal was not made by the trusted root CA")
    maker_key = X.certificate_public_key(X.load_certificate(maker_der))
    if not sm.sm2_verify(maker_key, info.dump(), bytes(eseal["signed_value"].native)):
        return fail("seal.forged", "the seal maker's signature over the seal information does not verify")
    if prop["cert_list_type"].native != CERT_LIST_CERTS or signer_der not in [
            bytes(c.native) for c in prop["cert_list"]]:
        return fail("seal.signer", "the signer certificate is not one of the seal's certificates")
    if not prop["valid_start"].native <= signed_at <= prop["valid_end"].native:
        return fail("seal.expired", "the seal was not valid at the signing time "
                    f"({prop['valid_start'].native.isoformat()} – {prop['valid_end'].native.isoformat()})")
    return SealCheck(True, "valid", "the document is unaltered, the seal signature verifies, the signer "
                     "certificate chains to the root and is not revoked, and the seal was valid when used",
                     signer=cert_check.subject, details={"certificate": cert_check.serial,
                                                         "revocation": cert_check.details.get("revocation", "")},
                     **base)


def seal_verify(signature_der: bytes, document: bytes, *, at: dt.datetime | None = None) -> SealCheck:
    """Verify a sealed document with the platform's root and current CRL (``verify_signature``),
    then the registry: the seal must be ours (same SESeal as registered) and not revoked, and its
    certificate not revoked in the register. ``at`` is the moment of verification (default now):
    certificate and seal validity are checked at the signing time, revocation as of ``at``."""
    root = ca.root()
    if root is None:
        return SealCheck(False, "no_root", "the platform has no root CA: nothing can be verified")
    result = verify_signature(signature_der, document, root_der=bytes(root.der), crl_der=ca.current_crl(), now=at)
    if not result.ok:
        return result
    seal = Seal.objects.select_related("certificate").filter(seal_id=result.seal_id).first()
    eseal_der = parse_signature(signature_der)["to_sign"]["eseal"].dump()
    if seal is None or bytes(seal.eseal_der) != eseal_der:
        return SealCheck(False, "seal.unknown", "the seal is not in the platform's seal registry",
                         **_fields_of(result))
    if seal.state != Seal.State.ACTIVE:
        return SealCheck(False, "seal.revoked", f"the seal was revoked on {seal.revoked_at.isoformat()}",
                         **_fields_of(result))
    if seal.certificate.revoked_at is not None:
        return SealCheck(False, "certificate.revoked", "signer certificate: revoked on "
                         f"{seal.certificate.revoked_at.isoformat()} ({seal.certificate.revocation_reason})",
                         **_fields_of(result))
    return result


def _fields_of(result: SealCheck) -> dict:
    return {"seal_id": result.seal_id, "seal_name": result.seal_name, "signer": result.signer,
            "signed_at": result.signed_at, "document_sm3": result.document_sm3, "properties": result.properties}

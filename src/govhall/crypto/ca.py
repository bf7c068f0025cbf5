"""The platform certificate authority: one self-signed SM2 root issuing certificates and CRLs.

The root's key is the key store's active key of purpose ``ca.root``; subject keys are the active
keys of the purpose named at issuance, so no private key is ever handled here. Writes are atomic
and audited (``crypto.ca.root_created``, ``crypto.ca.issued``, ``crypto.ca.revoked``,
``crypto.ca.crl_issued``); entry permission is the caller's business, as for every service.
Revoking a certificate issues a new CRL in the same transaction, so the current CRL is never behind
the register.

Settings: ``GOVHALL_CA_NAME`` (root common name, default "GovHall Root CA"), ``GOVHALL_CA_ORG``
(default "GovHall"), ``GOVHALL_CRL_DAYS`` (nextUpdate, default 7).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError

from . import keystore
from . import x509 as X
from .models import Certificate, CertificateRevocationList, KeyPair

ROOT_PURPOSE = "ca.root"
ROOT_YEARS = 20
SUBJECT_FIELDS = {"common_name", "organization", "organizational_unit", "credit_code"}


def _root_name():
    return X.name(common_name=getattr(settings, "GOVHALL_CA_NAME", "GovHall Root CA"),
                  organization=getattr(settings, "GOVHALL_CA_ORG", "GovHall"))


def _signer(purpose: str):
    def sign(data: bytes) -> bytes:
        return keystore.sign(purpose=purpose, data=data)[1]
    return sign


def _summary(cert: Certificate) -> dict:
    return {"serial": cert.serial, "subject": cert.subject, "usage": cert.usage, "key_id": cert.key_id,
            "not_before": cert.not_before, "not_after": cert.not_after}


def _store(der: bytes, *, pair: KeyPair, usage: str, issuer: Certificate | None) -> Certificate:
    parsed = X.load_certificate(der)
    validity = parsed["tbs_certificate"]["validity"]
    cn = parsed.subject.native.get("common_name", "")
    cert = Certificate(serial=X.serial_hex(parsed), subject_cn=cn[:200],
                       subject=parsed.subject.human_friendly[:500], key_id=pair.key_id, purpose=pair.purpose,
                       usage=usage, der=der, not_before=validity["not_before"].native,
                       not_after=validity["not_after"].native, issuer=issuer)
    cert.save(force_insert=True)
    return cert


def _add_years(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def root() -> Certificate | None:
    """The current root certificate: the newest unrevoked, unexpired self-signed CA certificate
    whose key is still the active ``ca.root`` key."""
    pair = KeyPair.objects.filter(purpose=ROOT_PURPOSE, state=KeyPair.State.ACTIVE).first()
    if pair is None:
        return None
    return (Certificate.objects.filter(usage=Certificate.Usage.CA, issuer__isnull=True, key_id=pair.key_id,
                                       revoked_at__isnull=True, not_after__gt=timezone.now())
            .order_by("-not_after").first())


@transaction.atomic
def ca_ensure(*, actor) -> Certificate:
    """Return the platform root CA certificate, creating the ``ca.root`` key and a self-signed
    certificate valid 20 years if there is none. Audit: crypto.ca.root_created (only when made)."""
    existing = root()
    if existing is not None:
        return existing
    # Lock the root key row so that concurrent callers do not both self-sign a root; the first
    # key's creation is guarded by the key store's one-active-key-per-purpose constraint.
    pair = KeyPair.objects.select_for_update().filter(purpose=ROOT_PURPOSE, state=KeyPair.State.ACTIVE).first()
    if pair is None:
        pair = keystore.key_generate(actor=actor, purpose=ROOT_PURPOSE)
    elif (existing := root()) is not None:
        return existing
    public = keystore.public_key(pair.key_id)
    now = timezone.now()
    der = X.build_certificate(subject=_root_name(), subject_key=public, issuer=_root_name(), issuer_key=public,
                              sign=_signer(ROOT_PURPOSE), serial=X.random_serial(), not_before=now,
                              not_after=_add_years(now, ROOT_YEARS), usage="ca")
    cert = _store(der, pair=pair, usage="ca", issuer=None)
    audit.record(actor=actor, action="crypto.ca.root_created", target=cert, after=_summary(cert))
    return cert


def _bad(code: str, zh: str, en: str, field: str = "") -> DomainError:
    return DomainError.single(code, zh, en, field)


@transaction.atomic
def certificate_issue(*, actor, key_purpose: str, subject: dict, usage: str, days: int) -> Certificate:
    """Issue a certificate for the active key of ``key_purpose``, signed by the root.

    ``subject``: common_name (required), organization, organizational_unit, credit_code (the unified
    social credit code, written as organizationIdentifier). ``usage``: seal, signer or tls. Serial:
    16 random bytes. Audit: crypto.ca.issued. DomainError for a bad subject, usage, period or a
    purpose without an active key."""
    unknown = set(subject) - SUBJECT_FIELDS
    if unknown:
        raise _bad("crypto.ca.subject", f"证书主体含未知字段：{', '.join(sorted(unknown))}",
                   f"unknown subject fields: {', '.join(sorted(unknown))}", "subject")
    if not str(subject.get("common_name", "")).strip():
        raise _bad("crypto.ca.subject", "证书主体须有通用名称", "the subject needs a common name", "subject")
    if usage not in ("seal", "signer", "tls"):
        raise _bad("crypto.ca.usage", "证书用途须为 seal、signer 或 tls", "usage must be seal, signer or tls", "usage")
    if not 1 <= days <= 3650:
        raise _bad("crypto.ca.days", "证书有效期须为 1 至 3650 天", "validity must be 1 to 3650 days", "days")
    ca = ca_ensure(actor=actor)
    pair = KeyPair.objects.filter(purpose=key_purpose, state=KeyPair.State.ACTIVE).first()
    if pair is None or key_purpose == ROOT_PURPOSE:
        raise _bad("crypto.ca.no_key", f"用途 {key_purpose} 没有可用的密钥",
                   f"{key_purpose} has no active key to certify", "key_purpose")
    now = timezone.now()
    not_after = min(now + dt.timedelta(days=days), ca.not_after)  # never outlive the issuer
    ca_public = keystore.public_key(ca.key_id)
    der = X.build_certificate(
        subject=X.name(**{k: str(v) for k, v in subject.items() if v}), subject_key=keystore.public_key(pair.key_id),
        issuer=X.load_certificate(bytes(ca.der)).subject, issuer_key=ca_public, sign=_signer(ROOT_PURPOSE),
        serial=X.random_serial(), not_before=now, not_after=not_after, usage=usage)
    cert = _store(der, pair=pair, usage=usage, issuer=ca)
    audit.record(actor=actor, action="crypto.ca.issued", target=cert, after=_summary(cert))
    if crl_due():  # relying parties can check the new certificate's status at once
        crl_issue(actor=actor)
    return cert


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str = "unspecified") -> Certificate:
    """Revoke ``certificate`` (reason: an RFC 5280 CRLReason name such as key_compromise,
    superseded, cessation_of_operation) and publish a new CRL. Audit: crypto.ca.revoked and
    crypto.ca.crl_issued. DomainError if already revoked, the root, or an unknown reason."""
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if reason not in X.REVOCATION_REASONS or reason == "remove_from_crl":
        raise _bad("crypto.ca.reason", f"未知的吊销原因 {reason}", f"unknown revocation reason {reason}", "reason")
    if cert.issuer_id is None:
        raise _bad("crypto.ca.root", "根证书不能通过证书吊销列表吊销，请更换根密钥",
                   "the root cannot revoke itself; rotate the root key instead", "certificate")
    if cert.revoked_at is not None:
        raise _bad("crypto.ca.already_revoked", "该证书已吊销", "the certificate is already revoked", "certificate")
    cert.revoked_at, cert.revocation_reason = timezone.now(), reason
    cert.save(update_fields=["revoked_at", "revocation_reason"])
    audit.record(actor=actor, action="crypto.ca.revoked", target=cert, before={"revoked": False},
                 after={"revoked_at": cert.revoked_at, "reason": reason}, reason=reason)
    crl_issue(actor=actor)
    certificate.revoked_at, certificate.revocation_reason = cert.revoked_at, cert.revocation_reason
    return cert


@transaction.atomic
def crl_issue(*, actor=None) -> bytes:
    """Sign and store a new CRL listing every revoked certificate of the root; returns the DER.
    Audit: crypto.ca.crl_issued."""
    ca = ca_ensure(actor=actor)
    ca = Certificate.objects.select_for_update().get(pk=ca.pk)  # one CRL number at a time
    last = CertificateRevocationList.objects.order_by("-number").values_list("number", flat=True).first() or 0
    now = timezone.now()
    revoked = [X.Revoked(int(c.serial, 16), c.revoked_at, c.revocation_reason)
               for c in Certificate.objects.filter(issuer=ca, revoked_at__isnull=False).order_by("revoked_at")]
    next_update = now + dt.timedelta(days=getattr(settings, "GOVHALL_CRL_DAYS", 7))
    der = X.build_crl(issuer=X.load_certificate(bytes(ca.der)).subject, issuer_key=keystore.public_key(ca.key_id),
                      sign=_signer(ROOT_PURPOSE), number=last + 1, this_update=now, next_update=next_update,
                      revoked=revoked)
    row = CertificateRevocationList.objects.create(number=last + 1, der=der, this_update=now.replace(microsecond=0),
                                                   next_update=next_update.replace(microsecond=0), issuer=ca)
    audit.record(actor=actor, action="crypto.ca.crl_issued", target=row,
                 after={"number": row.number, "revoked": len(revoked), "next_update": row.next_update})
    return der


def _latest_crl() -> CertificateRevocationList | None:
    ca = root()
    return CertificateRevocationList.objects.filter(issuer=ca).order_by("-number").first() if ca else None


def current_crl() -> bytes | None:
    """The newest CRL DER (None before the first). A read: it writes nothing. The list is kept current
    by the write paths (``certificate_issue`` and ``certificate_revoke`` publish one) and by the
    periodic ``crypto.crl_refresh`` job (``crl_refresh``); a list past its nextUpdate is returned as it
    is, and verification then says revocation is unknown (``crl.stale``) rather than guessing."""
    latest = _latest_crl()
    return bytes(latest.der) if latest is not None else None


def crl_due(now: dt.datetime | None = None) -> bool:
    """Whether a new CRL should be published: the root exists and there is no CRL yet, or the newest
    reaches its nextUpdate within ``GOVHALL_CRL_REFRESH_HOURS`` (default 24). A read."""
    if root() is None:
        return False
    latest = _latest_crl()
    margin = dt.timedelta(hours=getattr(settings, "GOVHALL_CRL_REFRESH_HOURS", 24))
    return latest is None or latest.next_update - margin <= (now or timezone.now())


@transaction.atomic
def crl_refresh(*, actor) -> bytes | None:
    """Publish a new CRL when one is due (``crl_due``); the new DER, or None when the current one
    stands. The periodic job ``crypto.crl_refresh`` runs it hourly as the system. Audit:
    crypto.ca.crl_issued (only when one is issued)."""
    if root() is None:
        return None
    Certificate.objects.select_for_update().get(pk=root().pk)  # one refresh at a time
    if not crl_due():
        return None
    return crl_issue(actor=actor)


def root_pem() -> str:
    """The root certificate PEM a third party installs as trust anchor. Raises DomainError if the
    CA has not been set up (``ca_ensure``)."""
    ca = root()
    if ca is None:
        raise _bad("crypto.ca.none", "平台根证书尚未建立", "the platform root CA has not been created")
    return X.to_pem(bytes(ca.der))


def certificate_status(certificate_der: bytes, *, at: dt.datetime | None = None) -> X.CertCheck:
    """Is ``certificate_der`` one of ours, chained to the current root, valid at ``at`` (default
    now) and unrevoked? Checks the signatures and the current CRL, then our register (a certificate
    the register does not know is refused even if its signature verifies). Never raises."""
    ca = root()
    if ca is None:
        return X.CertCheck(False, "no_root", "the platform has no root CA")
    check = X.verify_certificate(bytes(certificate_der), bytes(ca.der), at=at, crl_der=current_crl())
    if not check.ok:
        return check
    row = Certificate.objects.filter(serial=check.serial).first()
    if row is None or bytes(row.der) != bytes(certificate_der):
        return X.CertCheck(False, "unknown", "the certificate is not in the platform's register",
                           subject=check.subject, serial=check.serial)
    if row.revoked_at is not None:
        return X.CertCheck(False, "revoked", f"the certificate was revoked on {row.revoked_at.isoformat()} "
                           f"(reason: {row.revocation_reason})", subject=check.subject, serial=check.serial,
                           revocation=X.Revoked(int(row.serial, 16), row.revoked_at, row.revocation_reason))
    return check

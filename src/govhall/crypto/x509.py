"""X.509 v3 certificates and v2 CRLs signed with SM2-with-SM3, built and checked with asn1crypto.

Pure library (no Django): the caller supplies a ``sign(tbs_der) -> DER signature`` callable (the key
store's ``sign`` for the platform CA) so that private keys never come through here.

- Signature algorithm ``SM2-with-SM3`` (1.2.156.10197.1.501, parameters absent, as OpenSSL writes
  it); the signature is SM2 over the DER of the TBS structure with SM3 and the default signer id
  ``1234567812345678`` (``sm.sm2_sign``/``sm.sm2_verify``). OpenSSL 3 uses the same id by default,
  so ``openssl verify`` needs no ``-vfyopt distid:`` option (see docs/seals.md).
- Subject public keys are SM2 SubjectPublicKeyInfo from keys.py (id-ecPublicKey + sm2p256v1).
- Key identifiers (subjectKeyIdentifier, authorityKeyIdentifier) are the **SHA-1 of the
  subjectPublicKey BIT STRING value** (RFC 5280 §4.2.1.2 method 1, what ``openssl x509`` computes
  for ``subjectKeyIdentifier=hash``). An identifier, not a security mechanism: SM3 would gain nothing
  and would differ from every other tool.
- An organ's unified social credit code goes into the subject as ``organizationIdentifier``
  (2.5.4.97, e.g. ``organizationIdentifier=91340100MA2N0X1X2L``).

``verify_certificate`` never raises for a bad certificate: it returns a ``CertCheck`` with ``ok``,
a stable ``code`` and a readable ``reason``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from asn1crypto import algos, crl, pem, x509
from asn1crypto import keys as asn1_keys

from . import keys, sm

SM2_SM3_OID = "1.2.156.10197.1.501"
SM2_SM3 = "sm2_sm3"

# Teach asn1crypto the SM2-with-SM3 signature algorithm (both directions of its OID map).
if SM2_SM3_OID not in algos.SignedDigestAlgorithmId._map:
    algos.SignedDigestAlgorithmId._map[SM2_SM3_OID] = SM2_SM3
    if algos.SignedDigestAlgorithmId._reverse_map is not None:
        algos.SignedDigestAlgorithmId._reverse_map[SM2_SM3] = SM2_SM3_OID

USAGES = ("ca", "seal", "signer", "tls")
_KEY_USAGE = {
    "ca": {"key_cert_sign", "crl_sign"},
    "seal": {"digital_signature", "non_repudiation"},
    "signer": {"digital_signature", "non_repudiation"},
    "tls": {"digital_signature", "key_agreement"},
}
REVOCATION_REASONS = tuple(v for k, v in sorted(crl.CRLReason._map.items()))
Signer = Callable[[bytes], bytes]


class CertificateError(ValueError):
    """Input that cannot be turned into a certificate (bad subject, usage, dates)."""


# --- helpers --------------------------------------------------------------------------------------


def _time(moment: dt.datetime) -> x509.Time:
    """UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5); whole seconds, UTC."""
    moment = moment.astimezone(dt.UTC).replace(microsecond=0)
    return x509.Time(name="utc_time" if moment.year < 2050 else "general_time", value=moment)


def _algorithm() -> algos.SignedDigestAlgorithm:
    return algos.SignedDigestAlgorithm({"algorithm": SM2_SM3})


def key_identifier(public: sm.SM2PublicKey) -> bytes:
    """SHA-1 of the subjectPublicKey bits (04||x||y): RFC 5280 method 1."""
    return hashlib.sha1(public.to_bytes(), usedforsecurity=False).digest()


def name(*, common_name: str, organization: str = "", organizational_unit: str = "",
         credit_code: str = "", country: str = "CN") -> x509.Name:
    """A distinguished name, UTF8String values (Chinese names allowed), country PrintableString."""
    if not common_name:
        raise CertificateError("a certificate subject needs a common name")
    attrs: dict[str, str] = {"country_name": country}
    if organization:
        attrs["organization_name"] = organization
    if organizational_unit:
        attrs["organizational_unit_name"] = organizational_unit
    if credit_code:
        attrs["organization_identifier"] = credit_code
    attrs["common_name"] = common_name
    return x509.Name.build(attrs)


def random_serial() -> int:
    """16 random bytes, positive and non-zero (RFC 5280 allows up to 20 octets)."""
    while True:
        value = int.from_bytes(secrets.token_bytes(16), "big") >> 1  # top bit clear: positive
        if value:
            return value


# --- certificates ---------------------------------------------------------------------------------


def build_certificate(*, subject: x509.Name, subject_key: sm.SM2PublicKey, issuer: x509.Name,
                      issuer_key: sm.SM2PublicKey, sign: Signer, serial: int, not_before: dt.datetime,
                      not_after: dt.datetime, usage: str, path_length: int | None = None) -> bytes:
    """DER of an X.509 v3 certificate signed by ``sign`` (the issuer's SM2 key).

    ``usage`` is "ca" (basicConstraints CA:TRUE, keyCertSign + cRLSign), "seal" or "signer"
    (digitalSignature + nonRepudiation) or "tls" (digitalSignature + keyAgreement, serverAuth and
    clientAuth). For a self-signed root pass the same name and key as subject and issuer."""
    if usage not in USAGES:
        raise CertificateError(f"unknown certificate usage {usage!r}")
    if not_after <= not_before:
        raise CertificateError("not_after must be later than not_before")
    if serial <= 0:
        raise CertificateError("serial numbers are positive")
    extensions = [
        {"extn_id": "basic_constraints", "critical": True,
         "extn_value": {"ca": usage == "ca", "path_len_constraint": path_length if usage == "ca" else None}},
        {"extn_id": "key_usage", "critical": True, "extn_value": set(_KEY_USAGE[usage])},
        {"extn_id": "key_identifier", "critical": False, "extn_value": key_identifier(subject_key)},
        {"extn_id": "authority_key_identifier", "critical": False,
         "extn_value": {"key_identifier": key_identifier(issuer_key)}},
    ]
    if usage == "tls":
        extensions.append({"extn_id": "extended_key_usage", "critical": False,
                           "extn_value": ["server_auth", "client_auth"]})
    tbs = x509.TbsCertificate({
        "version": "v3",
        "serial_number": serial,
        "signature": _algorithm(),
        "issuer": issuer,
        "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
        "subject": subject,
        "subject_public_key_info": asn1_keys.PublicKeyInfo.load(keys.public_key_to_der(subject_key)),
        "extensions": extensions,
    })
    tbs_der = tbs.dump(force=True)
    cert = x509.Certificate({"tbs_certificate": x509.TbsCertificate.load(tbs_der),
                             "signature_algorithm": _algorithm(), "signature_value": sign(tbs_der)})
    return cert.dump()


def load_certificate(data: bytes | str) -> x509.Certificate:
    """DER or PEM. Raises ValueError for anything that is not a certificate."""
    raw = data.encode("ascii") if isinstance(data, str) else bytes(data)
    if pem.detect(raw):
        label, _h, raw = pem.unarmor(raw)
        if label != "CERTIFICATE":
            raise ValueError(f"expected a PEM CERTIFICATE, got {label}")
    try:
        cert = x509.Certificate.load(raw, strict=True)
        cert.native  # noqa: B018 - parse everything now, so later access cannot raise
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not an X.509 certificate") from exc
    return cert


def to_pem(der: bytes, label: str = "CERTIFICATE") -> str:
    return pem.armor(label, bytes(der)).decode("ascii")


def certificate_public_key(cert: x509.Certificate) -> sm.SM2PublicKey:
    """The SM2 public key of ``cert``; raises sm.InvalidKey for another algorithm or curve."""
    return keys.load_public_key(cert["tbs_certificate"]["subject_public_key_info"].dump())


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def _subject_key_id(cert: x509.Certificate) -> bytes | None:
    value = cert.key_identifier_value
    return value.native if value is not None else None


def _authority_key_id(cert: x509.Certificate) -> bytes | None:
    value = cert.authority_key_identifier_value
    return value["key_identifier"].native if value is not None else None


def _validity(cert: x509.Certificate) -> tuple[dt.datetime, dt.datetime]:
    validity = cert["tbs_certificate"]["validity"]
    return validity["not_before"].native, validity["not_after"].native


def _signed_by(signed, tbs_key: str, public: sm.SM2PublicKey) -> bool:
    """SM2-with-SM3 signature of a Certificate or CertificateList, checked with ``public``."""
    try:
        outer = signed["signature_algorithm"]["algorithm"].dotted
        inner = signed[tbs_key]["signature"]["algorithm"].dotted
        if outer != SM2_SM3_OID or inner != SM2_SM3_OID:
            return False
        value_key = "signature_value" if tbs_key == "tbs_certificate" else "signature"
        return sm.sm2_verify(public, signed[tbs_key].dump(), signed[value_key].native)
    except (ValueError, TypeError, KeyError):
        return False


# --- CRLs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revoked:
    serial: int
    revoked_at: dt.datetime
    reason: str = "unspecified"


def build_crl(*, issuer: x509.Name, issuer_key: sm.SM2PublicKey, sign: Signer, number: int,
              this_update: dt.datetime, next_update: dt.datetime, revoked: list[Revoked]) -> bytes:
    """DER of a v2 CRL: revoked serials with dates and reason codes, CRL number, AKI."""
    entries = []
    for item in revoked:
        if item.reason not in REVOCATION_REASONS:
            raise CertificateError(f"unknown revocation reason {item.reason!r}")
        entry = {"user_certificate": item.serial, "revocation_date": _time(item.revoked_at)}
        if item.reason != "unspecified":  # RFC 5280 §5.3.1: omit rather than write unspecified
            entry["crl_entry_extensions"] = [{"extn_id": "crl_reason", "critical": False,
                                              "extn_value": item.reason}]
        entries.append(entry)
    tbs = {
        "version": "v2",
        "signature": _algorithm(),
        "issuer": issuer,
        "this_update": _time(this_update),
        "next_update": _time(next_update),
        "crl_extensions": [
            {"extn_id": "authority_key_identifier", "critical": False,
             "extn_value": {"key_identifier": key_identifier(issuer_key)}},
            {"extn_id": "crl_number", "critical": False, "extn_value": number},
        ],
    }
    if entries:  # an empty list must be left out, not written as an empty SEQUENCE
        tbs["revoked_certificates"] = entries
    tbs_der = crl.TbsCertList(tbs).dump(force=True)
    return crl.CertificateList({"tbs_cert_list": crl.TbsCertList.load(tbs_der),
                                "signature_algorithm": _algorithm(), "signature": sign(tbs_der)}).dump()


def load_crl(data: bytes | str) -> crl.CertificateList:
    raw = data.encode("ascii") if isinstance(data, str) else bytes(data)
    if pem.detect(raw):
        label, _h, raw = pem.unarmor(raw)
        if label != "X509 CRL":
            raise ValueError(f"expected a PEM X509 CRL, got {label}")
    try:
        value = crl.CertificateList.load(raw, strict=True)
        value.native  # noqa: B018
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError("not a CRL") from exc
    return value


def crl_revoked(value: crl.CertificateList) -> dict[int, Revoked]:
    found = {}
    for entry in value["tbs_cert_list"]["revoked_certificates"]:
        reason = entry.crl_reason_value.native if entry.crl_reason_value is not None else "unspecified"
        serial = entry["user_certificate"].native
        found[serial] = Revoked(serial, entry["revocation_date"].native, reason)
    return found


# --- verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertCheck:
    """Outcome of ``verify_certificate``. ``ok`` only when every check passed."""

    ok: bool
    code: str
    reason: str
    subject: str = ""
    serial: str = ""
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    revocation: Revoked | None = None
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok


def _fail(code: str, reason: str, cert: x509.Certificate | None = None, **extra) -> CertCheck:
    if cert is not None:
        try:
            nb, na = _validity(cert)
            extra.setdefault("subject", cert.subject.human_friendly)
            extra.setdefault("serial", serial_hex(cert))
            extra.setdefault("not_before", nb)
            extra.setdefault("not_after", na)
        except (ValueError, TypeError, KeyError):
            pass
    return CertCheck(False, code, reason, **extra)


def verify_certificate(cert_der: bytes, root_der: bytes, *, at: dt.datetime | None = None,
                       crl_der: bytes | None = None, crl_now: dt.datetime | None = None,
                       require_crl: bool = True) -> CertCheck:
    """Does ``cert_der`` chain to ``root_der`` (directly, or is the root itself), is it within its
    validity at ``at`` (default: now) and not on the root's CRL?

    The CRL must be signed by the root and current at ``crl_now`` (default: now); without a CRL the
    answer is "not valid" unless ``require_crl=False`` (then ``details['revocation']`` says
    "not checked"). Any revocation makes the certificate invalid whatever its date: the CRL entry is
    returned in ``revocation``. Never raises for bad input."""
    now = dt.datetime.now(dt.UTC)
    at = at or now
    crl_now = crl_now or now
    try:
        cert = load_certificate(cert_der)
    except ValueError:
        return _fail("malformed", "the certificate cannot be parsed")
    try:
        root = load_certificate(root_der)
    except ValueError:
        return _fail("root.malformed", "the trusted root certificate cannot be parsed", cert)
    try:
        root_key = certificate_public_key(root)
    except (sm.InvalidKey, ValueError):
        return _fail("root.key", "the trusted root does not hold an SM2 public key", cert)
    if not root.ca or not _signed_by(root, "tbs_certificate", root_key):
        return _fail("root.invalid", "the trusted root is not a self-signed SM2 CA certificate", cert)
    if cert["tbs_certificate"]["version"].native != "v3":
        return _fail("version", "only X.509 v3 certificates are accepted", cert)
    if cert.issuer != root.subject:
        return _fail("issuer", f"issued by {cert.issuer.human_friendly}, not by the trusted root", cert)
    aki = _authority_key_id(cert)
    if aki is not None and aki != _subject_key_id(root):
        return _fail("issuer", "the authority key identifier does not name the trusted root's key", cert)
    if not _signed_by(cert, "tbs_certificate", root_key):
        return _fail("signature", "the certificate's SM2-with-SM3 signature does not verify with the root key",
                     cert)
    try:
        certificate_public_key(cert)
    except (sm.InvalidKey, ValueError):
        return _fail("key", "the certificate's public key is not an SM2 key", cert)
    for holder, label in ((root, "root"), (cert, "certificate")):
        nb, na = _validity(holder)
        if at < nb:
            return _fail("not_yet_valid", f"the {label} is not valid before {nb.isoformat()}", cert)
        if at > na:
            return _fail("expired", f"the {label} expired on {na.isoformat()}", cert)
    revocation_note = "not checked"
    if crl_der is not None:
        try:
            crl_value = load_crl(crl_der)
        except ValueError:
            return _fail("crl.malformed", "the CRL cannot be parsed", cert)
        tbs = crl_value["tbs_cert_list"]
        if crl_value.issuer != root.subject or not _signed_by(crl_value, "tbs_cert_list", root_key):
            return _fail("crl.signature", "the CRL is not signed by the trusted root", cert)
        next_update = tbs["next_update"].native
        if tbs["this_update"].native > crl_now + dt.timedelta(minutes=5):
            return _fail("crl.future", "the CRL's thisUpdate is in the future", cert)
        if next_update is None or next_update < crl_now:
            return _fail("crl.stale", "the CRL is out of date (nextUpdate has passed): revocation unknown", cert)
        entry = crl_revoked(crl_value).get(cert.serial_number)
        if entry is not None:
            return _fail("revoked", f"the certificate was revoked on {entry.revoked_at.isoformat()} "
                         f"(reason: {entry.reason})", cert, revocation=entry)
        revocation_note = f"not on CRL #{crl_value.crl_number_value.native if crl_value.crl_number_value else '?'}"
    elif require_crl:
        return _fail("crl.missing", "no CRL was given: revocation status unknown", cert)
    nb, na = _validity(cert)
    return CertCheck(True, "valid", "the certificate chains to the trusted root, is in its validity period "
                     f"and {revocation_note}", subject=cert.subject.human_friendly, serial=serial_hex(cert),
                     not_before=nb, not_after=na, details={"revocation": revocation_note})


def describe(cert: x509.Certificate) -> dict:
    """A JSON-friendly summary for audit events and pages."""
    nb, na = _validity(cert)
    return {"serial": serial_hex(cert), "subject": cert.subject.human_friendly,
            "issuer": cert.issuer.human_friendly, "not_before": nb, "not_after": na,
            "ca": bool(cert.ca), "key_usage": sorted(cert.key_usage_value.native) if cert.key_usage_value else []}


__all__ = ["CertCheck", "CertificateError", "Revoked", "SM2_SM3_OID", "build_certificate", "build_crl",
           "certificate_public_key", "crl_revoked", "describe", "key_identifier", "load_certificate",
           "load_crl", "name", "random_serial", "serial_hex", "to_pem", "verify_certificate"]

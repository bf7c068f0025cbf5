"""PAdES signatures (ECDSA P-256, SHA-256) with pyHanko, and the platform's document-signing keys.

pyHanko cannot sign with SM2, so the PDF's own signature uses an international algorithm: a
platform **document-signing root** (ECDSA P-256, self-signed, 20 years) certifies one
**document-signing certificate** (ECDSA P-256, 3 years; a new one is issued automatically when
the active one has less than 30 days left). Both private keys are PKCS#8 DER wrapped by
``crypto.master.key_wrapper()`` with the key id as associated data, as the SM2 key store does; they
are unwrapped only for one signature. The organ's identity and seal are carried by the GB/T 38540
signature over the final bytes (see services.py); the PAdES signature proves the file came from the
platform unaltered, and any PDF reader can show it.

Writes are audited: ``documents.pades.root_created``, ``documents.pades.signer_created``.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core import audit
from govhall.crypto.master import key_wrapper

from .models import PadesKey

ROOT_YEARS = 20
SIGNER_DAYS = 3 * 365
RENEW_BEFORE = dt.timedelta(days=30)
SIGNATURE_BYTES = 8192  # room reserved in the PDF for the CMS signature (hex-encoded: twice that)
# id-kp-documentSigning (RFC 9336)
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _name(common_name: str) -> x509.Name:
    org = getattr(settings, "GOVHALL_CA_ORG", "GovHall")
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _summary(key: PadesKey) -> dict:
    return {"key_id": key.key_id, "role": key.role, "serial": key.serial, "subject": key.subject,
            "not_before": key.not_before, "not_after": key.not_after}


def _store(*, role: str, private: ec.EllipticCurvePrivateKey, cert: x509.Certificate,
           issuer: PadesKey | None) -> PadesKey:
    key_id = f"pades.{role}-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    version, wrapped = key_wrapper().wrap(pkcs8, aad=key_id.encode())
    return PadesKey.objects.create(
        key_id=key_id, role=role, certificate_der=cert.public_bytes(serialization.Encoding.DER),
        serial=f"{cert.serial_number:x}", subject=cert.subject.rfc4514_string()[:300], private_key_wrapped=wrapped,
        wrap_version=version, issuer=issuer, not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc)


def _active(role: str) -> PadesKey | None:
    return PadesKey.objects.filter(role=role, active=True).first()


def _make_root(actor) -> PadesKey:
    private = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now().replace(microsecond=0)
    name = _name(getattr(settings, "GOVHALL_PADES_ROOT_NAME", "GovHall Document Signing Root"))
    ski = x509.SubjectKeyIdentifier.from_public_key(private.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now.replace(year=now.year + ROOT_YEARS) if not (now.month == 2 and now.day == 29)
                             else now.replace(year=now.year + ROOT_YEARS, day=28))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(private, hashes.SHA256()))
    key = _store(role=PadesKey.Role.ROOT, private=private, cert=cert, issuer=None)
    audit.record(actor=actor, action="documents.pades.root_created", target=key, after=_summary(key))
    return key


def _make_signer(actor, root: PadesKey) -> PadesKey:
    root_cert = x509.load_der_x509_certificate(bytes(root.certificate_der))
    root_private = _private_key(root)
    private = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now().replace(microsecond=0)
    not_after = min(now + dt.timedelta(days=SIGNER_DAYS), root_cert.not_valid_after_utc)
    name = _name(getattr(settings, "GOVHALL_PADES_SIGNER_NAME", "GovHall Document Signer"))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(root_cert.subject)
            .public_key(private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(private.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_private.public_key()),
                           critical=False)
            .sign(root_private, hashes.SHA256()))
    key = _store(role=PadesKey.Role.SIGNER, private=private, cert=cert, issuer=root)
    audit.record(actor=actor, action="documents.pades.signer_created", target=key, after=_summary(key))
    return key


def keys_ensure(*, actor=None) -> tuple[PadesKey, PadesKey]:
    """The active (root, signer), creating them on first use and renewing the signer certificate
    30 days before it ends (the old one stays for verification)."""
    root, signer = _active(PadesKey.Role.ROOT), _active(PadesKey.Role.SIGNER)
    now = timezone.now()
    if root is not None and signer is not None and signer.not_after - RENEW_BEFORE > now:
        return root, signer
    try:
        with transaction.atomic():
            root = PadesKey.objects.select_for_update().filter(role=PadesKey.Role.ROOT, active=True).first()
            if root is None:
                root = _make_root(actor)
            signer = PadesKey.objects.select_for_update().filter(role=PadesKey.Role.SIGNER, active=True).first()
            if signer is not None and signer.not_after - RENEW_BEFORE <= now:
                PadesKey.objects.filter(pk=signer.pk).update(active=False)
                signer = None
            if signer is None:
                signer = _make_signer(actor, root)
    except IntegrityError:  # made at the same moment by another transaction
        root, signer = _active(PadesKey.Role.ROOT), _active(PadesKey.Role.SIGNER)
    return root, signer


def _private_key(key: PadesKey) -> ec.EllipticCurvePrivateKey:
    der = key_wrapper().unwrap(bytes(key.private_key_wrapped), version=key.wrap_version, aad=key.key_id.encode())
    return serialization.load_der_private_key(der, password=None)


def chain_pem(signer: PadesKey) -> str:
    """The signer certificate and its root, PEM."""
    out = []
    key: PadesKey | None = signer
    while key is not None:
        out.append(x509.load_der_x509_certificate(bytes(key.certificate_der)).public_bytes(
            serialization.Encoding.PEM).decode("ascii"))
        key = key.issuer
    return "".join(out)


def quiet_pyhanko() -> None:
    """Import pyHanko once without its import-time CryptographyDeprecationWarning (about DSA, which
    we never use), so that command output stays readable."""
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        import pyhanko.sign  # noqa: F401
        import pyhanko.sign.validation  # noqa: F401


def sign_pdf(pdf: bytes, *, signer: PadesKey, root: PadesKey, reason: str = "", location: str = "",
             contact: str = "") -> bytes:
    """Sign ``pdf`` (incremental update) with a PAdES B-B signature (``ETSI.CAdES.detached``,
    SHA-256, ECDSA P-256), embedding the signer and root certificates."""
    quiet_pyhanko()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = key_wrapper().unwrap(bytes(signer.private_key_wrapped), version=signer.wrap_version,
                               aad=signer.key_id.encode())
    root_cert = asn1_x509.Certificate.load(bytes(root.certificate_der))
    simple = signers.SimpleSigner(signing_cert=asn1_x509.Certificate.load(bytes(signer.certificate_der)),
                                  signing_key=asn1_keys.PrivateKeyInfo.load(der),
                                  cert_registry=SimpleCertificateStore.from_certs([root_cert]))
    meta = signers.PdfSignatureMetadata(field_name="GovHallSignature", md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES, reason=reason or None,
                                        location=location or None, contact_info=contact or None)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # A fixed reservation for the CMS blob (two certificates and an ECDSA signature take about 1.5 KB):
    # without it pyHanko signs a dry run first to measure the size, which doubles the cost.
    out = signers.PdfSigner(meta, signer=simple).sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES)
    return out.getvalue()

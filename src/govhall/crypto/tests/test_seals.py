"""Electronic seals (GB/T 38540): creation, authorised use only (refusals audited), sealing,
verification here, by OpenSSL and by the standalone docs/verify_seal.py script."""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.utils import timezone

from govhall.catalog import testing
from govhall.core import audit
from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.crypto import ca, keys, seals, sm
from govhall.crypto import x509 as X
from govhall.crypto.models import Seal, SealAuthorisation
from govhall.identity.models import StaffRole, User
from govhall.identity.roles import Role

from .test_openssl_interop import _openssl_problem, openssl

pytestmark = pytest.mark.django_db
DISTID = "distid:1234567812345678"
SCRIPT = Path(__file__).resolve().parents[4] / "docs" / "verify_seal.py"
DOCUMENT = "准予行政许可决定书 六市监许〔2026〕123号".encode() * 20
needs_openssl = pytest.mark.skipif(bool(_openssl_problem()), reason=_openssl_problem() or "openssl ok")


@pytest.fixture
def clerk(organ):
    """Staff of the seal's organ (only they may be authorised to use its seals)."""
    user = User.objects.create_user(username="clerk", password="Correct-Horse-9", display_name="李文书")
    StaffRole.objects.create(user=user, role=Role.WINDOW_OFFICER, organ=organ)
    return user


@pytest.fixture
def stranger(db):
    return User.objects.create_user(username="stranger", password="Correct-Horse-9")


@pytest.fixture
def seal(security_admin, organ, clerk):
    made = seals.seal_create(actor=security_admin, organ=organ, name="六安市市场监督管理局行政审批专用章",
                             seal_type=Seal.SealType.ORGAN, days=365)
    seals.seal_authorise(actor=security_admin, seal=made, user=clerk)
    return made


@pytest.fixture
def sealed(seal, clerk):
    return seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT, properties="decision-2026-123.pdf")


def _png_ok(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, width, height, idat = 8, 0, 0, b""
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body, crc = data[pos + 8:pos + 8 + length], data[pos + 8 + length:pos + 12 + length]
        assert struct.unpack(">I", crc)[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert len(zlib.decompress(idat)) == height * (1 + 4 * width)
    return width, height


# --- the seal -------------------------------------------------------------------------------------


def test_seal_creation_builds_a_gbt38540_seal_signed_by_the_ca(seal, organ):
    assert seal.seal_id == f"{organ.credit_code}0001" and seal.key_purpose == f"seal.o{organ.pk}.1"
    eseal = seals.SESeal.load(bytes(seal.eseal_der), strict=True)
    info = eseal["eseal_info"]
    assert info["header"].native == {"id": "ES", "version": 4, "vid": "GovHall"}
    assert info["es_id"].native == seal.seal_id
    prop = info["property"]
    assert prop["type"].native == 1 and prop["name"].native == seal.name and prop["cert_list_type"].native == 1
    assert [bytes(c.native) for c in prop["cert_list"]] == [bytes(seal.certificate.der)]
    assert prop["valid_start"].native == seal.valid_from and prop["valid_end"].native == seal.valid_to
    picture = info["picture"]
    assert picture["type"].native == "png" and (picture["width"].native, picture["height"].native) == (40, 40)
    assert bytes(picture["data"].native) == bytes(seal.picture) and _png_ok(bytes(seal.picture)) == (236, 236)
    root = ca.root()
    assert bytes(eseal["cert"].native) == bytes(root.der) and eseal["sign_alg_id"].dotted == X.SM2_SM3_OID
    maker = X.certificate_public_key(X.load_certificate(bytes(root.der)))
    assert sm.sm2_verify(maker, info.dump(), bytes(eseal["signed_value"].native))
    subject = X.load_certificate(bytes(seal.certificate.der)).subject.native
    assert subject["organization_identifier"] == organ.credit_code and subject["organization_name"] == organ.name
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert {"crypto.key.generated", "crypto.ca.issued", "crypto.seal.created", "crypto.seal.authorised"} <= set(actions)
    assert audit.verify().ok


def test_a_second_seal_of_the_organ_gets_its_own_key_and_number(seal, security_admin, organ):
    second = seals.seal_create(actor=security_admin, organ=organ, name="六安市市场监督管理局合同专用章", days=30)
    assert second.seal_id.endswith("0002") and second.key_purpose != seal.key_purpose
    assert second.certificate.key_id != seal.certificate.key_id


@pytest.mark.parametrize("kwargs, code", [({"name": ""}, "crypto.seal.name"), ({"seal_type": 7}, "crypto.seal.type"),
                                          ({"days": 0}, "crypto.seal.days")])
def test_seal_creation_refuses_bad_input(security_admin, organ, kwargs, code):
    with pytest.raises(DomainError) as exc:
        seals.seal_create(**({"actor": security_admin, "organ": organ, "name": "章", "days": 10} | kwargs))
    assert exc.value.problems[0].code == code
    assert not Seal.objects.exists()


# --- sealing and verifying ------------------------------------------------------------------------


def test_an_authorised_user_seals_and_the_result_verifies(seal, clerk, sealed):
    sig = seals.parse_signature(sealed)
    tbs = sig["to_sign"]
    assert tbs["version"].native == 4 and bytes(tbs["data_hash"].native) == sm.sm3(DOCUMENT)
    assert tbs["property_info"].native == "decision-2026-123.pdf"
    assert bytes(tbs["eseal"].dump()) == bytes(seal.eseal_der)
    assert bytes(sig["cert"].native) == bytes(seal.certificate.der)
    assert sig["signature_alg_id"].dotted == "1.2.156.10197.1.501"
    result = seals.seal_verify(sealed, DOCUMENT)
    assert result.ok and result.code == "valid", result.reason
    assert result.seal_id == seal.seal_id and result.seal_name == seal.name
    assert result.document_sm3 == sm.sm3_hex(DOCUMENT) and "六安市" in result.signer
    used = AuditEvent.objects.get(action="crypto.seal.used")
    assert used.actor == clerk and used.after["document_sm3"] == sm.sm3_hex(DOCUMENT)
    assert used.target_id == str(seal.pk)


def test_an_altered_document_is_not_valid(sealed):
    result = seals.seal_verify(sealed, DOCUMENT + b" ")
    assert not result.ok and result.code == "document_altered" and "altered" in result.reason


def test_a_forged_or_damaged_signature_is_not_valid(sealed, seal):
    sig = seals.parse_signature(sealed)
    # same structure, signature value from another key
    forged = seals.SESSignature({"to_sign": sig["to_sign"], "cert": sig["cert"],
                                 "signature_alg_id": X.SM2_SM3_OID,
                                 "signature": sm.sm2_sign(sm.sm2_generate(), sig["to_sign"].dump())}).dump()
    assert seals.seal_verify(forged, DOCUMENT).code == "signature_invalid"
    # the document hash replaced by an attacker's, signature left as it was
    tbs = seals.TBSSign.load(sig["to_sign"].dump())
    other = b"another document"
    tbs["data_hash"] = sm.sm3(other)
    swapped = seals.SESSignature({"to_sign": tbs, "cert": sig["cert"], "signature_alg_id": X.SM2_SM3_OID,
                                  "signature": sig["signature"].native}).dump(force=True)
    assert seals.seal_verify(swapped, other).code == "signature_invalid"
    for junk in (b"", b"\x30\x00", sealed[:-5], sealed + b"\x00"):
        assert seals.seal_verify(junk, DOCUMENT).code == "malformed"


def test_a_self_made_certificate_and_seal_are_not_valid(sealed):
    """An attacker with their own key and self-signed certificate copies our seal structure."""
    key = sm.sm2_generate()
    own = X.name(common_name="六安市市场监督管理局行政审批专用章")
    now = dt.datetime.now(dt.UTC)
    cert = X.build_certificate(subject=own, subject_key=key.public, issuer=own, issuer_key=key.public,
                               sign=lambda d: sm.sm2_sign(key, d), serial=5, not_before=now - dt.timedelta(days=1),
                               not_after=now + dt.timedelta(days=9), usage="seal")
    tbs = seals.parse_signature(sealed)["to_sign"]
    sig = seals.SESSignature({"to_sign": tbs, "cert": cert, "signature_alg_id": X.SM2_SM3_OID,
                              "signature": sm.sm2_sign(key, tbs.dump())}).dump(force=True)
    result = seals.seal_verify(sig, DOCUMENT)
    assert not result.ok and result.code == "certificate.issuer"


def test_an_unauthorised_user_is_refused_and_the_attempt_audited(seal, stranger):
    with pytest.raises(DomainError) as exc:
        seals.seal_sign(actor=stranger, seal=seal, document=DOCUMENT)
    assert exc.value.problems[0].code == "crypto.seal.unauthorised"
    event = AuditEvent.objects.get(action="crypto.seal.refused")
    assert event.actor == stranger and event.reason == "crypto.seal.unauthorised"
    assert event.after["document_sm3"] == sm.sm3_hex(DOCUMENT)
    assert not AuditEvent.objects.filter(action="crypto.seal.used").exists()
    with pytest.raises(DomainError):
        seals.seal_sign(actor=None, seal=seal, document=DOCUMENT)  # the system is not authorised either


@pytest.mark.django_db(transaction=True)
def test_the_refusal_audit_survives_the_raised_error(security_admin, organ, stranger):
    """Called outside a transaction, the refusal event is committed before the error is raised."""
    made = seals.seal_create(actor=security_admin, organ=organ, name="测试专用章", days=30)
    with pytest.raises(DomainError):
        seals.seal_sign(actor=stranger, seal=made, document=b"x")
    assert AuditEvent.objects.filter(action="crypto.seal.refused", actor=stranger).count() == 1
    assert audit.verify().ok


def test_an_ended_authorisation_is_refused(seal, clerk, security_admin):
    seals.seal_unauthorise(actor=security_admin, seal=seal, user=clerk)
    with pytest.raises(DomainError) as exc:
        seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT)
    assert exc.value.problems[0].code == "crypto.seal.unauthorised"
    assert SealAuthorisation.objects.get(seal=seal, user=clerk).revoked_at is not None
    seals.seal_authorise(actor=security_admin, seal=seal, user=clerk)  # can be granted again
    assert seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT)


def test_a_revoked_seal_refuses_use_and_its_signatures_stop_verifying(seal, clerk, sealed, security_admin):
    deputy = testing.make_staff("deputy", Role.REVIEWER, organ=seal.organ)
    seals.seal_authorise(actor=security_admin, seal=seal, user=deputy)
    seals.seal_revoke(actor=security_admin, seal=seal, reason="key_compromise")
    seal.refresh_from_db()
    assert seal.state == "revoked" and seal.certificate.revoked_at is not None
    result = seals.seal_verify(sealed, DOCUMENT)
    assert not result.ok and result.code == "certificate.revoked" and "key_compromise" in result.reason
    with pytest.raises(DomainError) as exc:  # authorisations ended with the seal
        seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT)
    assert exc.value.problems[0].code == "crypto.seal.unauthorised"
    assert AuditEvent.objects.filter(action="crypto.seal.revoked").exists()


def test_a_revoked_certificate_refuses_use(seal, clerk, security_admin):
    ca.certificate_revoke(actor=security_admin, certificate=seal.certificate, reason="superseded")
    with pytest.raises(DomainError) as exc:
        seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT)
    assert exc.value.problems[0].code == "crypto.seal.certificate"


def test_an_expired_seal_refuses_use_but_earlier_signatures_still_verify(seal, clerk, sealed):
    Seal.objects.filter(pk=seal.pk).update(valid_to=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT)
    assert exc.value.problems[0].code == "crypto.seal.expired"
    assert seals.seal_verify(sealed, DOCUMENT).ok  # the SESeal it carries was valid when it was used


def test_verification_after_the_certificate_expired_checks_validity_at_signing_time(sealed):
    later = timezone.now() + dt.timedelta(days=400)
    result = seals.seal_verify(sealed, DOCUMENT, at=later)
    # the CRL in the database is not current at `later`: revocation cannot be proven, so not valid
    assert not result.ok and result.code == "certificate.crl.stale"


def test_properties_must_be_ascii(seal, clerk):
    with pytest.raises(DomainError) as exc:
        seals.seal_sign(actor=clerk, seal=seal, document=DOCUMENT, properties="决定书.pdf")
    assert exc.value.problems[0].code == "crypto.seal.properties"


def test_verify_without_a_root_is_not_valid(db):
    assert seals.seal_verify(b"\x30\x00", b"").code == "no_root"


# --- OpenSSL and the offline script ---------------------------------------------------------------


def _write(tmp_path, sealed, document=DOCUMENT):
    (tmp_path / "doc.pdf").write_bytes(document)
    (tmp_path / "doc.pdf.sig").write_bytes(sealed)
    (tmp_path / "root.pem").write_text(ca.root_pem())
    (tmp_path / "crl.pem").write_text(X.to_pem(ca.current_crl(), "X509 CRL"))
    return tmp_path


def _script(tmp_path, *extra):
    return subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "doc.pdf"), str(tmp_path / "doc.pdf.sig"),
                           str(tmp_path / "root.pem"), *extra], capture_output=True, text=True, timeout=60)


@needs_openssl
def test_openssl_verifies_the_sm2_signature_over_tosign(tmp_path, sealed, seal):
    sig = seals.parse_signature(sealed)
    (tmp_path / "signer.pem").write_text(X.to_pem(bytes(sig["cert"].native)))
    pub = openssl("x509", "-in", str(tmp_path / "signer.pem"), "-noout", "-pubkey")
    assert keys.load_public_key(pub) == X.certificate_public_key(X.load_certificate(bytes(seal.certificate.der)))
    (tmp_path / "pub.pem").write_bytes(pub)
    (tmp_path / "tosign.der").write_bytes(sig["to_sign"].dump())
    (tmp_path / "sig.der").write_bytes(bytes(sig["signature"].native))
    out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin", "-digest", "sm3",
                  "-pkeyopt", DISTID, "-in", str(tmp_path / "tosign.der"), "-sigfile", str(tmp_path / "sig.der"))
    assert b"Signature Verified Successfully" in out
    # and OpenSSL's SM3 of the document is the signed dataHash
    assert openssl("dgst", "-sm3", "-binary", stdin=DOCUMENT) == bytes(sig["to_sign"]["data_hash"].native)
    # the whole SES_Signature is well-formed DER for OpenSSL's parser too
    assert b"SEQUENCE" in openssl("asn1parse", "-inform", "DER", stdin=sealed)


@needs_openssl
def test_the_offline_script_says_valid(tmp_path, sealed):
    done = _script(_write(tmp_path, sealed), "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("VALID:")
    assert sm.sm3_hex(DOCUMENT) in done.stdout


@needs_openssl
def test_the_offline_script_refuses_an_altered_document_and_a_forged_signature(tmp_path, sealed):
    done = _script(_write(tmp_path, sealed, DOCUMENT[:-1]), "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 1 and "NOT VALID" in done.stdout and "SM3" in done.stdout
    damaged = bytearray(sealed)
    damaged[-10] ^= 0x55  # inside the signature value
    done = _script(_write(tmp_path, bytes(damaged)), "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 1 and "NOT VALID" in done.stdout
    done = _script(_write(tmp_path, b"garbage"), "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 1 and "not a GB/T 38540" in done.stdout


@needs_openssl
def test_the_offline_script_refuses_a_revoked_certificate_and_needs_a_crl(tmp_path, sealed, seal, security_admin):
    done = _script(_write(tmp_path, sealed))
    assert done.returncode == 2 and "NOT PROVEN" in done.stdout  # no CRL, no verdict
    seals.seal_revoke(actor=security_admin, seal=seal, reason="key_compromise")
    done = _script(_write(tmp_path, sealed), "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 1 and "revoked" in done.stdout and "key_compromise" in done.stdout


@needs_openssl
def test_the_offline_script_refuses_another_root(tmp_path, sealed):
    _write(tmp_path, sealed)
    key = sm.sm2_generate()
    other = X.name(common_name="Someone Else CA")
    now = dt.datetime.now(dt.UTC)
    (tmp_path / "root.pem").write_text(X.to_pem(X.build_certificate(
        subject=other, subject_key=key.public, issuer=other, issuer_key=key.public, sign=lambda d: sm.sm2_sign(key, d),
        serial=9, not_before=now - dt.timedelta(days=1), not_after=now + dt.timedelta(days=9), usage="ca")))
    done = _script(tmp_path, "--crl", str(tmp_path / "crl.pem"))
    assert done.returncode == 1 and "does not chain" in done.stdout

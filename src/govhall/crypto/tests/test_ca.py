"""The platform CA: a root in the key store, certificates for key-store keys, revocation and CRLs,
all audited; OpenSSL verifies what it issues."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.crypto import ca, keystore
from govhall.crypto import x509 as X
from govhall.crypto.models import Certificate, CertificateRevocationList

from .test_openssl_interop import _openssl_problem

pytestmark = pytest.mark.django_db
DISTID = "distid:1234567812345678"
needs_openssl = pytest.mark.skipif(bool(_openssl_problem()), reason=_openssl_problem() or "openssl ok")

SUBJECT = {"common_name": "六安市市场监督管理局电子印章", "organization": "六安市市场监督管理局",
           "credit_code": "11341500MB0000001X"}


@pytest.fixture
def signer_cert(system_admin):
    keystore.key_generate(actor=system_admin, purpose="seal.test")
    return ca.certificate_issue(actor=system_admin, key_purpose="seal.test", subject=SUBJECT, usage="seal", days=365)


def test_ca_ensure_creates_one_root_and_reuses_it(system_admin):
    root = ca.ca_ensure(actor=system_admin)
    assert ca.ca_ensure(actor=None) == root == ca.root()
    assert root.usage == "ca" and root.issuer is None and root.purpose == "ca.root"
    parsed = X.load_certificate(bytes(root.der))
    assert parsed.ca and parsed.subject == parsed.issuer
    assert 7300 <= (root.not_after - root.not_before).days <= 7306
    assert keystore.active_key("ca.root").key_id == root.key_id
    assert AuditEvent.objects.filter(action="crypto.ca.root_created").count() == 1


def test_issued_certificate_is_stored_audited_and_valid(system_admin, signer_cert):
    parsed = X.load_certificate(bytes(signer_cert.der))
    assert signer_cert.serial == X.serial_hex(parsed) and len(bytes.fromhex(signer_cert.serial.zfill(32))) == 16
    assert signer_cert.key_id == keystore.active_key("seal.test").key_id
    assert X.certificate_public_key(parsed) == keystore.public_key(signer_cert.key_id)
    assert signer_cert.issuer == ca.root() and signer_cert.subject_cn == SUBJECT["common_name"]
    assert parsed.subject.native["organization_identifier"] == "11341500MB0000001X"
    event = AuditEvent.objects.get(action="crypto.ca.issued")
    assert event.actor == system_admin and event.after["serial"] == signer_cert.serial
    status = ca.certificate_status(bytes(signer_cert.der))
    assert status.ok, status.reason
    assert audit.verify().ok


@pytest.mark.parametrize("kwargs, code", [
    ({"usage": "ca"}, "crypto.ca.usage"),
    ({"days": 0}, "crypto.ca.days"),
    ({"subject": {"organization": "x"}}, "crypto.ca.subject"),
    ({"subject": {"common_name": "x", "email": "a@b"}}, "crypto.ca.subject"),
    ({"key_purpose": "nothing.here"}, "crypto.ca.no_key"),
    ({"key_purpose": "ca.root"}, "crypto.ca.no_key"),
])
def test_issue_refuses_bad_requests(system_admin, kwargs, code):
    keystore.key_generate(actor=system_admin, purpose="seal.test")
    args = {"actor": system_admin, "key_purpose": "seal.test", "subject": SUBJECT, "usage": "seal", "days": 30} | kwargs
    with pytest.raises(DomainError) as exc:
        ca.certificate_issue(**args)
    assert exc.value.problems[0].code == code


def test_revocation_publishes_a_crl_and_changes_the_status(system_admin, signer_cert):
    first = ca.crl_issue(actor=None)
    assert X.crl_revoked(X.load_crl(first)) == {}
    first_number = CertificateRevocationList.objects.order_by("-number").first().number
    ca.certificate_revoke(actor=system_admin, certificate=signer_cert, reason="key_compromise")
    assert signer_cert.revoked_at is not None
    latest = CertificateRevocationList.objects.order_by("-number").first()
    assert latest.number == first_number + 1 and bytes(latest.der) == ca.current_crl()
    entry = X.crl_revoked(X.load_crl(bytes(latest.der)))[int(signer_cert.serial, 16)]
    assert entry.reason == "key_compromise"
    status = ca.certificate_status(bytes(signer_cert.der))
    assert not status.ok and status.code == "revoked" and "key_compromise" in status.reason
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="crypto.ca.").order_by("seq")][-2:] == \
        ["crypto.ca.revoked", "crypto.ca.crl_issued"]
    with pytest.raises(DomainError) as exc:
        ca.certificate_revoke(actor=system_admin, certificate=signer_cert, reason="superseded")
    assert exc.value.problems[0].code == "crypto.ca.already_revoked"


def test_revoke_refuses_the_root_and_unknown_reasons(system_admin, signer_cert):
    with pytest.raises(DomainError) as exc:
        ca.certificate_revoke(actor=system_admin, certificate=ca.root(), reason="superseded")
    assert exc.value.problems[0].code == "crypto.ca.root"
    with pytest.raises(DomainError) as exc:
        ca.certificate_revoke(actor=system_admin, certificate=signer_cert, reason="bored")
    assert exc.value.problems[0].code == "crypto.ca.reason"


def test_issuing_a_certificate_publishes_a_crl_when_none_is_current(system_admin, signer_cert):
    assert CertificateRevocationList.objects.count() == 1 and ca.current_crl() is not None
    assert ca.certificate_status(bytes(signer_cert.der)).ok


def test_reading_a_stale_crl_writes_nothing_and_the_refresh_job_replaces_it(system_admin, signer_cert):
    import time_machine

    from govhall.crypto.tasks import refresh_crl

    assert ca.crl_refresh(actor=None) is None  # the CRL published with the certificate is current
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):  # past the CRL's nextUpdate
        events = AuditEvent.objects.count()
        status = ca.certificate_status(bytes(signer_cert.der))  # a read: revocation unknown, said so
        assert not status.ok and status.code == "crl.stale"
        assert ca.current_crl() is not None and ca.crl_due()
        assert CertificateRevocationList.objects.count() == 1 and AuditEvent.objects.count() == events
        assert refresh_crl.call() == {"issued": True}  # the periodic job (as the system)
        assert CertificateRevocationList.objects.count() == 2 and ca.certificate_status(bytes(signer_cert.der)).ok
        assert AuditEvent.objects.filter(action="crypto.ca.crl_issued").latest("seq").actor_label == "system"
        assert ca.crl_refresh(actor=None) is None  # current again: nothing to do


def test_status_refuses_foreign_unknown_and_garbage(system_admin, signer_cert):
    assert ca.certificate_status(b"not a certificate").code == "malformed"
    Certificate.objects.filter(pk=signer_cert.pk).update(serial="ff")  # register no longer knows it
    assert ca.certificate_status(bytes(signer_cert.der)).code == "unknown"


def test_status_without_a_root(db):
    assert ca.certificate_status(b"whatever").code == "no_root"


@needs_openssl
def test_openssl_verifies_issued_certificates_and_refuses_revoked_ones(tmp_path, system_admin, signer_cert):
    (tmp_path / "root.pem").write_text(ca.root_pem())
    (tmp_path / "leaf.pem").write_text(X.to_pem(bytes(signer_cert.der)))
    done = subprocess.run(["openssl", "verify", "-vfyopt", DISTID, "-x509_strict", "-CAfile",
                           str(tmp_path / "root.pem"), str(tmp_path / "leaf.pem")], capture_output=True)
    assert done.returncode == 0 and done.stdout.strip().endswith(b": OK"), done.stderr
    text = subprocess.run(["openssl", "x509", "-in", str(tmp_path / "leaf.pem"), "-noout", "-text"],
                          capture_output=True).stdout.decode()
    assert "Signature Algorithm: SM2-with-SM3" in text
    ca.certificate_revoke(actor=system_admin, certificate=signer_cert, reason="key_compromise")
    (tmp_path / "crl.pem").write_text(X.to_pem(ca.current_crl(), "X509 CRL"))
    crl_text = subprocess.run(["openssl", "crl", "-in", str(tmp_path / "crl.pem"), "-noout", "-text"],
                              capture_output=True).stdout.decode().replace(":", "").upper()
    assert signer_cert.serial.upper().lstrip("0") in crl_text and "KEY COMPROMISE" in crl_text
    done = subprocess.run(["openssl", "verify", "-vfyopt", DISTID, "-crl_check", "-CRLfile", str(tmp_path / "crl.pem"),
                           "-CAfile", str(tmp_path / "root.pem"), str(tmp_path / "leaf.pem")], capture_output=True)
    assert done.returncode != 0

"""Sealed PDF documents: the embedded font, the PAdES signature (pyHanko, pdfsig), the GB/T 38540
seal over the final bytes (here, and by docs/verify_seal.py), who may seal, seals made on first use."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from govhall.catalog import testing
from govhall.core.errors import DomainError
from govhall.core.models import AuditEvent
from govhall.crypto import ca, seals
from govhall.crypto import x509 as X
from govhall.crypto.models import Seal
from govhall.documents import pdf, selectors, services
from govhall.documents.models import PadesKey, SignedDocument
from govhall.identity.models import User
from govhall.identity.roles import Role

from .conftest import needs_poppler, pdftotext

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[4] / "docs" / "verify_seal.py"


def content(**extra) -> pdf.Content:
    return pdf.Content(title="准予行政许可决定书", number="准予许可〔2026〕000000000001", addressee="张三：",
                       organ_name="六安市市场监督管理局", date=dt.date(2026, 6, 1),
                       sections=[pdf.Section(heading="理由", paragraphs=["申请材料齐全，符合法定条件。"],
                                             rows=[("办件编号", "CASE-2026-0001"), ("申请事项", "食品经营许可")])],
                       footer="核验方法见平台说明。", **extra)


@pytest.fixture
def document(organ, media):
    return services.document_issue(actor=None, kind="decision", organ=organ, content=content(),
                                   filename="decision-CASE-2026-0001.pdf", properties="decision;case=CASE-2026-0001")


def test_font_is_embedded_and_chinese_text_extracts(document):
    data = selectors.read_pdf(document)
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data
    assert b"WenQuanYi" in data  # the subset's base font name
    text = pdftotext(data)
    for phrase in ("准予行政许可决定书", "六安市市场监督管理局", "申请材料齐全，符合法定条件", "2026年6月1日",
                   "食品经营许可"):
        assert phrase in text


def test_missing_font_is_a_clear_error(settings, organ, media):
    settings.GOVHALL_PDF_FONT = "/nonexistent/font.ttc"
    with pytest.raises(DomainError) as exc:
        pdf.render(content())
    problem = exc.value.problems[0]
    assert problem.code == "documents.font.missing"
    assert "fonts-wqy-microhei" in problem.message_zh and "GOVHALL_PDF_FONT" in problem.message_en


def test_pades_signature_validates_with_pyhanko(document):
    data = selectors.read_pdf(document)
    root = PadesKey.objects.get(role="root", active=True)
    result = selectors.pades_check(data, bytes(root.certificate_der))
    assert result.intact and result.valid and result.trusted and result.covers_whole_file and result.ok
    assert "GovHall Document Signer" in result.signer
    # against another root: intact and valid, but not trusted
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "Somebody else")])
    now = dt.datetime.now(dt.UTC)
    other = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
             .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    foreign = selectors.pades_check(data, other.public_bytes(serialization.Encoding.DER))
    assert foreign.intact and foreign.valid and not foreign.trusted and not foreign.ok


@needs_poppler
def test_pdfsig_reports_the_signature_valid(document, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(selectors.read_pdf(document))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature #1" in out
    assert "Signature Validation: Signature is Valid." in out
    assert "ECDSA" in out or "SHA-256" in out or "SHA256" in out


def test_ses_seal_covers_the_final_bytes_and_fails_after_one_byte(document):
    data = selectors.read_pdf(document)
    check = seals.seal_verify(bytes(document.ses_der), data)
    assert check.ok, check.reason
    assert check.document_sm3 == document.sm3 and check.properties == "decision;case=CASE-2026-0001"
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    bad = seals.seal_verify(bytes(document.ses_der), bytes(altered))
    assert not bad.ok and bad.code == "document_altered"
    assert selectors.verify(document)["ok"]


def test_verify_seal_script_checks_a_produced_document(document, tmp_path):
    (tmp_path / "doc.pdf").write_bytes(selectors.read_pdf(document))
    (tmp_path / "doc.pdf.ses").write_bytes(bytes(document.ses_der))
    (tmp_path / "root.pem").write_text(X.to_pem(bytes(ca.root().der)))
    (tmp_path / "crl.pem").write_text(X.to_pem(ca.current_crl(), "X509 CRL"))
    args = [sys.executable, str(SCRIPT), "doc.pdf", "doc.pdf.ses", "root.pem", "--crl", "crl.pem"]
    run = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VALID" in run.stdout
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.7 something else")
    run = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 1 and "NOT VALID" in run.stdout


def test_organ_without_a_seal_gets_one_on_first_use_and_it_is_audited(document, organ):
    seal = Seal.objects.get(organ=organ)
    assert document.seal == seal and document.sealed_by == "platform"
    assert AuditEvent.objects.filter(action="documents.seal.auto_created").count() == 1
    issued = AuditEvent.objects.filter(action="documents.document.issued").get()
    assert issued.after["sm3"] == document.sm3 and issued.after["seal_id"] == seal.seal_id
    # the platform's account is authorised (audited) and used
    assert AuditEvent.objects.filter(action="crypto.seal.authorised").count() == 1
    assert AuditEvent.objects.filter(action="crypto.seal.used").count() == 1
    platform = User.objects.get(username=services.PLATFORM_SEALER)
    assert not platform.is_active and not platform.has_usable_password()
    # the second document reuses the seal
    services.document_issue(actor=None, kind="decision", organ=organ, content=content(), filename="b.pdf",
                            properties="b")
    assert Seal.objects.filter(organ=organ).count() == 1


def test_a_revoked_seal_is_replaced_by_a_new_one(document, organ, security_admin):
    seals.seal_revoke(actor=security_admin, seal=document.seal)
    later = services.document_issue(actor=None, kind="decision", organ=organ, content=content(), filename="c.pdf",
                                    properties="c")
    assert later.seal != document.seal and later.seal.state == "active"
    assert not seals.seal_verify(bytes(document.ses_der), selectors.read_pdf(document)).ok


def test_manual_sealing_by_an_unauthorised_person_is_refused_and_audited(organ, media, system_admin,
                                                                          security_admin):
    clerk = testing.make_staff("clerk", Role.WINDOW_OFFICER, organ=organ)
    seal = services.organ_seal(actor=system_admin, organ=organ)
    before = SignedDocument.objects.count()
    with pytest.raises(DomainError) as exc:
        services.document_issue(actor=clerk, kind="decision", organ=organ, content=content(), filename="x.pdf",
                                properties="x", sealer=clerk)
    assert exc.value.problems[0].code == "crypto.seal.unauthorised"
    assert exc.value.problems[0].message_zh and exc.value.problems[0].message_en
    assert SignedDocument.objects.count() == before
    refused = AuditEvent.objects.filter(action="crypto.seal.refused").get()
    assert refused.actor_id == clerk.pk and refused.after["code"] == "crypto.seal.unauthorised"
    # once authorised, the same person seals, and the document says so
    seals.seal_authorise(actor=security_admin, seal=seal, user=clerk)
    doc = services.document_issue(actor=clerk, kind="decision", organ=organ, content=content(), filename="x.pdf",
                                  properties="x", sealer=clerk)
    assert doc.sealed_by == "person" and doc.sealer == clerk
    assert seals.seal_verify(bytes(doc.ses_der), selectors.read_pdf(doc)).ok


def test_the_document_signing_root_is_published(client, document):
    response = client.get("/pki/document-signing-root.pem")
    assert response.status_code == 200 and response.content.startswith(b"-----BEGIN CERTIFICATE-----")
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = x509.load_pem_x509_certificate(response.content)
    root = PadesKey.objects.get(role="root", active=True)
    assert bytes(root.certificate_der) == cert.public_bytes(Encoding.DER)

"""Licence PDFs (face, seal, QR code to the verification page), their download from the wallet, the
offline bundle and ``govhall licenses verify``: passes on a good bundle, fails on an altered PDF, an
altered log entry and a revoked seal certificate."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govhall.crypto import ca, seals
from govhall.crypto import x509 as X
from govhall.documents import selectors as documents
from govhall.documents.models import SignedDocument
from govhall.licenses import bundle, services
from govhall.translog.models import LogEntry

pytestmark = pytest.mark.django_db


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_issue_renders_a_sealed_pdf_logged_with_its_sm3(person_licence, settings):
    document = SignedDocument.objects.get(licence=person_licence)
    assert document.kind == "licence" and person_licence.document_sha256 == document.sha256
    data = documents.read_pdf(document)
    text = _text(data)
    for phrase in ("食品安全管理员证", "张三", "3415**********1235", "餐饮服务", "2024年5月6日", person_licence.identifier,
                   "六安市市场监督管理局", "有效期限", "/licences/verify/?identifier="):
        assert phrase in text, phrase
    assert b"/FontFile2" in data
    assert seals.seal_verify(bytes(document.ses_der), data).ok
    entry = LogEntry.objects.get(index=person_licence.log_index)
    assert entry.payload["document_sm3"] == document.sm3


def test_qr_code_points_at_the_verification_page(person_licence, settings):
    from govhall.licenses.render import verify_url

    settings.GOVHALL_SITE_URL = "https://zwfw.luan.example.cn"
    url = verify_url(person_licence.identifier)
    assert url == f"https://zwfw.luan.example.cn/licences/verify/?identifier={person_licence.identifier}"
    import segno

    qr = segno.make_qr(url, error="m")
    assert not qr.is_micro


def test_replacement_gets_its_own_pdf(person_licence):
    new = services.licence_replace(actor=None, licence=person_licence, face_changes={"category": "集体用餐配送"},
                                   reason="类别变更")
    document = SignedDocument.objects.get(licence=new)
    assert "集体用餐配送" in _text(documents.read_pdf(document)) and new.identifier in _text(documents.read_pdf(document))
    assert LogEntry.objects.get(index=new.log_index).payload["document_sm3"] == document.sm3
    assert SignedDocument.objects.filter(kind="licence").count() == 2


def test_wallet_downloads_for_the_holder_only(client, person_licence, stranger):
    client.force_login(person_licence.holder_user)
    page = client.get(f"/my/licences/{person_licence.identifier}/").content.decode()
    assert f"/my/licences/{person_licence.identifier}/pdf/" in page and "/bundle/" in page
    response = client.get(f"/my/licences/{person_licence.identifier}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content == documents.read_pdf(SignedDocument.objects.get(licence=person_licence))
    response = client.get(f"/my/licences/{person_licence.identifier}/bundle/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(response.content)).namelist())
    assert {"licence.pdf", "licence.pdf.ses", "seal-chain.pem", "crl.pem", "log.json", "manifest.json"} <= names
    client.force_login(stranger)
    assert client.get(f"/my/licences/{person_licence.identifier}/pdf/").status_code == 404
    assert client.get(f"/my/licences/{person_licence.identifier}/bundle/").status_code == 404


def _write(tmp_path, data: bytes, name="bundle.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _rezip(data: bytes, **replace: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, replace.get(name.replace(".", "_").replace("-", "_"), src.read(name)))
    return out.getvalue()


def _verify(path, *extra) -> tuple[bool, str]:
    out = io.StringIO()
    try:
        call_command("licenses", "verify", path, *extra, stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_cli_verifies_a_good_bundle(person_licence, tmp_path):
    data = bundle.build(person_licence)
    ok, output = _verify(_write(tmp_path, data))
    assert ok, output
    for step in ("seal signature", "certificate chain", "log entry", "inclusion", "tree head signature",
                 "PDF signature"):
        assert f"PASS  {step}" in output
    assert "VERIFIED" in output and "NOT VERIFIED" not in output
    assert "TRUST:" in output  # anchors taken from the bundle are named as such
    root = tmp_path / "root.pem"
    root.write_text(X.to_pem(bytes(ca.root().der)))
    ok, output = _verify(_write(tmp_path, data), "--root", str(root))
    assert ok and "the root given with --root" in output


def test_cli_fails_on_an_altered_pdf(person_licence, tmp_path):
    data = bundle.build(person_licence)
    pdf = bytearray(zipfile.ZipFile(io.BytesIO(data)).read("licence.pdf"))
    pdf[len(pdf) // 3] ^= 0x01
    ok, output = _verify(_write(tmp_path, _rezip(data, licence_pdf=bytes(pdf))))
    assert not ok
    assert "FAIL  seal signature: document_altered" in output and "NOT VERIFIED" in output
    assert "FAIL  log entry" in output  # the entry records the original PDF's SM3
    assert "VERIFIED / 核验通过" not in output


def test_cli_fails_on_an_altered_log_entry(person_licence, company_licence, tmp_path):
    data = bundle.build(person_licence)
    log = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("log.json"))
    leaf = json.loads(log["entry"]["leaf_data"])
    leaf["payload"]["valid_until"] = "2099-12-31"
    from govhall.translog.services import canonical_json

    log["entry"]["leaf_data"] = canonical_json(leaf).decode()
    ok, output = _verify(_write(tmp_path, _rezip(data, log_json=json.dumps(log).encode())))
    assert not ok and "FAIL  inclusion" in output and "PASS  seal signature" in output
    # another licence's entry, with its own valid proof: the entry does not name this licence
    other = json.loads(zipfile.ZipFile(io.BytesIO(bundle.build(company_licence))).read("log.json"))
    ok, output = _verify(_write(tmp_path, _rezip(data, log_json=json.dumps(other).encode()), "b2.zip"))
    assert not ok and "FAIL  log entry" in output and "PASS  inclusion" in output


def test_cli_fails_on_a_revoked_seal_certificate(person_licence, tmp_path, security_admin):
    document = SignedDocument.objects.get(licence=person_licence)
    seals.seal_revoke(actor=security_admin, seal=document.seal, reason="key_compromise")
    ok, output = _verify(_write(tmp_path, bundle.build(person_licence)))
    assert not ok and "FAIL  certificate chain: certificate.revoked" in output


def test_the_govhall_command_line_exits_non_zero_on_failure(person_licence, tmp_path):
    import shutil
    import sys
    from pathlib import Path

    govhall = shutil.which("govhall") or str(Path(sys.executable).with_name("govhall"))
    data = bundle.build(person_licence)
    good = subprocess.run([govhall, "licenses", "verify", _write(tmp_path, data)], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    print(good.stdout)
    pdf = bytearray(zipfile.ZipFile(io.BytesIO(data)).read("licence.pdf"))
    pdf[100] ^= 0x01
    bad = subprocess.run([govhall, "licenses", "verify", _write(tmp_path, _rezip(data, licence_pdf=bytes(pdf)), "x.zip")],
                         capture_output=True, text=True)
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr
    print(bad.stdout, bad.stderr)
    missing = subprocess.run([govhall, "licenses", "verify", str(tmp_path / "none.zip")], capture_output=True, text=True)
    assert missing.returncode == 2

"""A closed case becomes a verifiable archival package: BagIt with SHA-256, SHA-512 and SM3
manifests (checked here with bagit-python and hashlib), the metadata record, the archiving organ's
seal over the tag manifest (checked with OpenSSL), the sealed PDFs (checked with pdfsig), the
transparency log entry, new versions on rebuild, the restore drill and the command line."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govhall.archives import bag as B
from govhall.archives import services
from govhall.archives.models import ArchivePackage
from govhall.core.models import AuditEvent
from govhall.crypto import seals
from govhall.crypto import x509 as X
from govhall.crypto.tests.test_openssl_interop import _openssl_problem, openssl
from govhall.translog.models import LogEntry

pytestmark = pytest.mark.django_db
DISTID = "distid:1234567812345678"


def sm3_manifest_holds(bag_dir: Path) -> None:
    """The SM3 manifests, checked with hashlib only (not the platform's code)."""
    for manifest, base in (("manifest-sm3.txt", bag_dir), ("tagmanifest-sm3.txt", bag_dir)):
        lines = (bag_dir / manifest).read_text(encoding="utf-8").splitlines()
        assert lines
        for line in lines:
            digest, name = line.split(maxsplit=1)
            assert hashlib.new("sm3", (base / name).read_bytes()).hexdigest() == digest, name
    listed = {line.split(maxsplit=1)[1] for line in (bag_dir / "manifest-sm3.txt").read_text().splitlines()}
    on_disk = {p.relative_to(bag_dir).as_posix() for p in (bag_dir / "data").rglob("*") if p.is_file()}
    assert listed == on_disk


def openssl_verifies_seal(bag_dir: Path, tmp_path: Path) -> None:
    """The GB/T 38540 seal over tagmanifest-sm3.txt: OpenSSL checks the SM2 signature over toSign
    with the signer certificate's key, its SM3 of the manifest equals the signed dataHash, and the
    signer certificate chains to the root carried in the package."""
    sig = seals.parse_signature((bag_dir / B.SEAL_FILE).read_bytes())
    (tmp_path / "signer.pem").write_text(X.to_pem(bytes(sig["cert"].native)))
    (tmp_path / "pub.pem").write_bytes(openssl("x509", "-in", str(tmp_path / "signer.pem"), "-noout", "-pubkey"))
    (tmp_path / "tosign.der").write_bytes(sig["to_sign"].dump())
    (tmp_path / "sig.der").write_bytes(bytes(sig["signature"].native))
    out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"), "-rawin", "-digest", "sm3",
                  "-pkeyopt", DISTID, "-in", str(tmp_path / "tosign.der"), "-sigfile", str(tmp_path / "sig.der"))
    assert b"Signature Verified Successfully" in out
    manifest = (bag_dir / B.SEALED_FILE).read_bytes()
    assert openssl("dgst", "-sm3", "-binary", stdin=manifest) == bytes(sig["to_sign"]["data_hash"].native)
    out = openssl("verify", "-vfyopt", DISTID, "-CAfile", str(bag_dir / "data" / "pki" / "root.pem"),
                  str(tmp_path / "signer.pem"))
    assert b"OK" in out


@pytest.mark.skipif(bool(_openssl_problem()), reason=_openssl_problem() or "openssl ok")
@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) is not installed")
def test_a_granted_case_is_archived_with_everything_and_verifies_outside_the_platform(granted, tmp_path, capsys):
    package = ArchivePackage.objects.get(case_number=granted.number)
    assert package.version == 1 and package.current and package.result_code == "granted"
    failures = list(package.events.filter(outcome="failure").values_list("check_name", "detail"))
    assert package.last_check == "passed", failures
    checks = package.events.filter(event_type="four-property check")
    assert {e.prop for e in checks} == {"authenticity", "integrity", "usability", "security"}
    assert set(checks.values_list("outcome", flat=True)) <= {"success", "not_applicable"}
    # exported bag: bagit-python validates SHA-256/SHA-512, hashlib the SM3 manifests
    bag_dir = services.export(package=package, directory=tmp_path / "out")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}  # bagit reads only these: SM3 is ours to check
    sm3_manifest_holds(bag_dir)
    names = {p.relative_to(bag_dir).as_posix() for p in bag_dir.rglob("*") if p.is_file()}
    for expected in ("data/metadata/archival-metadata.xml", "data/metadata/premis-events.xml",
                     "data/application/signed-application.json", "data/application/signature.sm2",
                     "data/licence/licence-reference.json", "data/process/timeline.json",
                     "data/process/audit-events.json", "data/pki/root.pem", B.SEAL_FILE):
        assert expected in names, expected
    pdfs = sorted(n for n in names if n.startswith("data/documents/") and n.endswith(".pdf"))
    assert [p.split("-", 1)[1] for p in pdfs] == ["acceptance_notice.pdf", "decision.pdf", "licence.pdf"]
    assert any(n.startswith("data/seals/") and n.endswith(".seal") for n in names)
    assert any(n.startswith("data/materials/") for n in names)
    xml = (bag_dir / "data/metadata/archival-metadata.xml").read_text(encoding="utf-8")
    assert granted.number in xml and "张*" in xml and "张三" not in xml  # the applicant masked
    # the seal over the tag manifest, verified by OpenSSL
    openssl_verifies_seal(bag_dir, tmp_path)
    # and the platform's offline verifier (OpenSSL and asn1crypto only). It runs on the real clock while
    # this test's clock is frozen months earlier, so the CRL carried in the package is out of date for
    # it: without a CRL everything but revocation is proven (exit 2), with the old one it says so.
    script = Path(__file__).resolve().parents[4] / "docs" / "verify_seal.py"
    done = subprocess.run([sys.executable, str(script), B.SEALED_FILE, B.SEAL_FILE, "data/pki/root.pem"],
                          cwd=bag_dir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "NOT PROVEN" in done.stdout, done.stdout + done.stderr
    assert hashlib.new("sm3", (bag_dir / B.SEALED_FILE).read_bytes()).hexdigest() in done.stdout
    done = subprocess.run([sys.executable, str(script), B.SEALED_FILE, B.SEAL_FILE, "data/pki/root.pem", "--crl",
                           "data/pki/crl.pem"], cwd=bag_dir, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "CRL is out of date" in done.stdout
    # every sealed PDF: pdfsig says valid
    for name in pdfs:
        out = subprocess.run(["pdfsig", str(bag_dir / name)], capture_output=True, text=True).stdout
        assert "Signature Validation: Signature is Valid." in out, name
    # the transparency log holds the package's SM3; the creation is audited
    entry = LogEntry.objects.get(index=package.log_index)
    assert entry.kind == "archives.package" and entry.payload["package_sm3"] == package.sm3
    data = (Path(services.storage.primary().path(package.storage_name))).read_bytes()
    assert hashlib.new("sm3", data).hexdigest() == package.sm3
    assert AuditEvent.objects.filter(action="archives.package.created", target_id=str(package.pk)).exists()
    # a rebuild makes version 2 and keeps version 1
    second = services.package_build(actor=None, case=granted, trigger="rebuild", reason="test")
    assert second.version == 2 and second.current
    package.refresh_from_db()
    assert not package.current and services.storage.primary().exists(package.storage_name)
    # the restore drill proves it and records the result
    result = services.drill(package=second)
    assert result.ok, result.steps
    assert any(name.startswith("pdfsig") for name, _, _ in result.steps)
    assert second.events.filter(event_type="restore drill", outcome="success").exists()
    # the commands
    call_command("archives", "list")
    assert granted.number in capsys.readouterr().out
    call_command("archives", "check")
    assert "0 failed" in capsys.readouterr().out
    call_command("archives", "drill")
    assert "drill passed" in capsys.readouterr().out
    call_command("archives", "export", granted.number, str(tmp_path / "cmd"))
    assert (tmp_path / "cmd" / second.bag_name / "bagit.txt").is_file()


def test_a_refused_case_is_archived_and_a_subscriber_rerun_changes_nothing(refused):
    from govhall.archives.subscribers import package_closed_case
    from govhall.core.models import DomainEvent

    package = ArchivePackage.objects.get(case_number=refused.number)
    assert package.result_code == "not_accepted" and package.last_check == "passed"
    event = DomainEvent.objects.get(name="case.closed", payload__number=refused.number)
    from govhall.core import events

    package_closed_case(events.Event(event.pk, event.name, event.version, event.payload, event.occurred_at))
    assert ArchivePackage.objects.filter(case_number=refused.number).count() == 1


def test_an_interrupted_build_leaves_no_package(refused, monkeypatch, archive_root):
    before = sorted(p for p in archive_root.rglob("*.zip"))

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(B, "zip_dir", broken)
    with pytest.raises(OSError):
        services.package_build(actor=None, case=refused, trigger="rebuild")
    assert sorted(p for p in archive_root.rglob("*.zip")) == before
    assert ArchivePackage.objects.filter(case_number=refused.number).count() == 1


def test_a_second_copy_is_written_and_checked(refused, settings, tmp_path):
    settings.GOVHALL_ARCHIVES_COPY_ROOT = str(tmp_path / "copy")
    package = services.package_build(actor=None, case=refused, trigger="rebuild")
    assert package.copy_storage_name and (tmp_path / "copy" / package.copy_storage_name).is_file()
    assert package.last_check == "passed"
    assert services.drill(package=package, source="copy").ok
    (tmp_path / "copy" / package.copy_storage_name).write_bytes(b"damaged")
    run = services.package_check(actor=None, package=package)
    assert [r.check for r in run.results if r.failed] == ["security_carrier_sound"]


def test_the_check_command_exits_non_zero_on_a_failure(refused):
    package = ArchivePackage.objects.get(case_number=refused.number)
    path = Path(services.storage.primary().path(package.storage_name))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    name = next(n for n in entries if n.endswith(".pdf"))
    entries[name] = entries[name][:-40]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for n, content in entries.items():
            zf.writestr(n, content)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(CommandError) as exc:
        call_command("archives", "check")
    assert exc.value.returncode == 1
    package.refresh_from_db()
    assert package.last_check == "failed" and path.exists()  # recorded, nothing deleted
    assert AuditEvent.objects.filter(action="archives.check.failed", target_id=str(package.pk)).exists()
    with pytest.raises(CommandError):
        call_command("archives", "drill", refused.number)
    assert package.events.filter(event_type="restore drill", outcome="failure").exists()

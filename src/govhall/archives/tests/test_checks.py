"""四性检测: each check of each property fails on the damage it is there to find, and a failure is
recorded and alerted, never deleting anything. Damaged copies of one exported bag are checked with
``services.check_bag`` (the same checks the platform runs at archiving, on schedule and at receipt)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from govhall.archives import bag as B
from govhall.archives import checks, services
from govhall.archives.models import ArchivePackage
from govhall.cases.models import MaterialFile

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(refused, tmp_path):
    package = ArchivePackage.objects.get(case_number=refused.number)
    return package, services.export(package=package, directory=tmp_path / "original")


def damaged(exported, tmp_path, name, change) -> list:
    """Copy the bag, apply ``change(bag_dir)``, run every check; the failed ones by name."""
    package, original = exported
    target = tmp_path / name / original.name
    shutil.copytree(original, target)
    change(target)
    return {r.check: r for r in services.check_bag(target, package) if r.failed}


def _case_json(bag_dir: Path, edit) -> None:
    path = bag_dir / "data" / B.CASE_JSON_PATH
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def _pdf(bag_dir: Path) -> Path:
    return next((bag_dir / "data" / "documents").glob("*.pdf"))


def test_the_untouched_package_passes_every_check(exported):
    package, bag_dir = exported
    results = services.check_bag(bag_dir, package)
    assert not [r for r in results if r.failed]
    assert {name for _, name, _ in checks.CHECKS} == {r.check for r in results}
    assert [r.outcome for r in results if r.check == "security_virus_scan"] == ["not_applicable"]


def test_authenticity_checks_fail(exported, tmp_path):
    def bad_values(bag):
        _case_json(bag, lambda r: r["case"].update(result_code="maybe", received_at="yesterday"))

    failed = damaged(exported, tmp_path, "values", bad_values)
    assert "authenticity_metadata_types_and_ranges" in failed
    assert "maybe" in failed["authenticity_metadata_types_and_ranges"].detail

    def forged_seal(bag):
        data = bytearray((bag / B.SEAL_FILE).read_bytes())
        data[-10] ^= 0x55
        (bag / B.SEAL_FILE).write_bytes(bytes(data))

    failed = damaged(exported, tmp_path, "seal", forged_seal)
    assert "package seal" in failed["authenticity_signatures_verify"].detail

    def altered_manifest(bag):  # the sealed tag manifest changed: the seal no longer covers it
        with open(bag / B.SEALED_FILE, "a", encoding="utf-8") as fh:
            fh.write("0" * 64 + " extra.txt\n")

    failed = damaged(exported, tmp_path, "manifest", altered_manifest)
    assert "authenticity_signatures_verify" in failed and "authenticity_metadata_agrees_with_content" in failed

    def altered_pdf(bag):  # one byte of a sealed PDF, manifests recomputed to hide it from BagIt
        pdf = _pdf(bag)
        data = bytearray(pdf.read_bytes())
        data[len(data) // 2] ^= 0x01
        pdf.write_bytes(bytes(data))

    failed = damaged(exported, tmp_path, "pdf", altered_pdf)
    assert "seal:" in failed["authenticity_signatures_verify"].detail
    assert "SM3 does not match" in failed["authenticity_metadata_agrees_with_content"].detail


def test_a_file_that_no_longer_matches_its_registered_digest_is_archived_with_the_failure(refused, media):
    stored = MaterialFile.objects.filter(application_material__application=refused.application).first().stored
    path = Path(media) / stored.storage_name
    path.write_bytes(path.read_bytes() + b"% tampered in storage\n")
    package = services.package_build(actor=None, case=refused, trigger="rebuild")
    assert package.version == 2 and package.last_check == "failed"
    failed = package.events.filter(event_type="four-property check", outcome="failure")
    assert list(failed.values_list("check_name", flat=True)) == ["authenticity_metadata_agrees_with_content"]
    assert "registered" in failed.get().detail


def test_authenticity_recorded_location_fails_when_the_stored_object_changes(refused):
    package = ArchivePackage.objects.get(case_number=refused.number)
    path = Path(services.storage.primary().path(package.storage_name))
    path.write_bytes(path.read_bytes() + b"\0")
    run = services.package_check(actor=None, package=package)
    assert "authenticity_recorded_location" in {r.check for r in run.results if r.failed}
    assert path.exists()


def test_integrity_checks_fail(exported, tmp_path, refused, media):
    def empty_element(bag):
        path = bag / "data" / B.METADATA_PATH
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f">{refused.number}</CaseNumber>", "></CaseNumber>", 1), encoding="utf-8")

    failed = damaged(exported, tmp_path, "element", empty_element)
    assert "Case/CaseNumber is missing or empty" in failed["integrity_metadata_items_present"].detail

    def gap(bag):
        _case_json(bag, lambda r: r["files"][1].update(number=7))

    failed = damaged(exported, tmp_path, "gap", gap)
    assert "integrity_numbering_continuous" in failed

    def removed(bag):
        _pdf(bag).unlink()

    failed = damaged(exported, tmp_path, "removed", removed)
    assert "is missing" in failed["integrity_files_present"].detail

    # a registered file gone from storage: archived all the same, with the failure recorded
    stored = MaterialFile.objects.filter(application_material__application=refused.application).first().stored
    (Path(media) / stored.storage_name).unlink()
    package = services.package_build(actor=None, case=refused, trigger="rebuild")
    assert package.last_check == "failed"
    assert package.events.filter(check_name="integrity_files_present", outcome="failure").exists()
    assert package.events.filter(event_type="capture", outcome="failure").exists()


def test_usability_checks_fail(exported, tmp_path):
    def truncated(bag):
        pdf = next((bag / "data" / "materials").rglob("*.pdf"))
        pdf.write_bytes(pdf.read_bytes()[:30])

    failed = damaged(exported, tmp_path, "truncated", truncated)
    assert "does not open" in failed["usability_files_open"].detail or "end-of-file" in failed[
        "usability_files_open"].detail

    def odd_format(bag):
        (bag / "data" / "materials" / "x.exe").write_bytes(b"MZ\x90\x00")

    failed = damaged(exported, tmp_path, "format", odd_format)
    assert ".exe is not an archival format" in failed["usability_formats_allowed"].detail

    def compressed(bag):
        import zipfile

        with zipfile.ZipFile(bag / "data" / "materials" / "more.json", "w") as zf:
            zf.writestr("a.txt", "x")

    failed = damaged(exported, tmp_path, "zip", compressed)
    assert "ZIP archive" in failed["usability_no_encryption_or_compression"].detail

    def encrypted(bag):
        pdf = next((bag / "data" / "materials").rglob("*.pdf"))
        from io import BytesIO

        from pyhanko.pdf_utils.crypt import StandardSecurityHandler
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.pdf_utils.writer import copy_into_new_writer

        writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf.read_bytes()), strict=False))
        writer.security_handler = StandardSecurityHandler.build_from_pw("secret", "secret")
        writer._assign_security_handler(writer.security_handler)
        out = BytesIO()
        writer.write(out)
        pdf.write_bytes(out.getvalue())
        assert IncrementalPdfFileWriter  # imported for the side effect of loading the writers

    failed = damaged(exported, tmp_path, "encrypted", encrypted)
    assert "encrypted PDF" in failed["usability_no_encryption_or_compression"].detail


def test_security_checks_fail(exported, tmp_path, settings, refused):
    settings.GOVHALL_ARCHIVES_VIRUS_SCANNER = "false"  # a scanner that reports every bag infected
    failed = damaged(exported, tmp_path, "virus", lambda bag: None)
    assert "exit 1" in failed["security_virus_scan"].detail
    settings.GOVHALL_ARCHIVES_VIRUS_SCANNER = "true"
    assert "security_virus_scan" not in damaged(exported, tmp_path, "clean", lambda bag: None)
    settings.GOVHALL_ARCHIVES_VIRUS_SCANNER = ""
    package = ArchivePackage.objects.get(case_number=refused.number)
    services.storage.primary().delete(package.storage_name)
    run = services.package_check(actor=None, package=package)
    failed = {r.check for r in run.results if r.failed}
    assert {"security_carrier_sound", "authenticity_recorded_location"} <= failed
    ArchivePackage.objects.filter(pk=package.pk).update(log_index=None)
    package.refresh_from_db()
    assert "not in the transparency log" in security_result(package, exported)


def security_result(package, exported) -> str:
    _, bag_dir = exported
    return checks.security_process_recorded(checks.Subject(bag_dir, package))[0].detail

"""A closed case becomes a verifiable archival package: BagIt with SHA-256, SHA-512 and SM3
manifests, the metadata record, the seal over the tag manifest, the transparency log entry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import bagit
import pytest

from govhall.archives import bag as B
from govhall.archives import services
from govhall.archives.models import ArchivePackage

pytestmark = pytest.mark.django_db


def test_a_granted_case_is_archived_with_everything(granted, tmp_path):
    package = ArchivePackage.objects.get(case_number=granted.number)
    assert package.version == 1 and package.current and package.result_code == "granted"
    assert package.last_check == "passed", list(package.events.filter(outcome="failure").values_list("detail", flat=True))
    bag_dir = services.export(package=package, directory=tmp_path)
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert set(bag.algorithms) >= {"sha256", "sha512"}
    names = {p.relative_to(bag_dir).as_posix() for p in bag_dir.rglob("*") if p.is_file()}
    assert "data/metadata/archival-metadata.xml" in names and "data/application/signed-application.json" in names
    assert any(n.startswith("data/documents/") and n.endswith("decision.pdf") for n in names)
    assert any(n.endswith("licence.pdf") for n in names)
    assert "data/licence/licence-reference.json" in names and B.SEAL_FILE in names
    # SM3 manifest checked with hashlib, independently of the platform's code
    for line in (bag_dir / "manifest-sm3.txt").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        assert hashlib.new("sm3", (bag_dir / name).read_bytes()).hexdigest() == digest
    assert B.verify_sm3_manifests(Path(bag_dir)) == []

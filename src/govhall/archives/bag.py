"""Forming the archival information package: a BagIt bag (RFC 8493, bagit-python) with SHA-256,
SHA-512 and SM3 manifests, the metadata record (XML), the PREMIS-style event record, the seal over
``tagmanifest-sm3.txt`` and the ZIP that is stored.

Layout (``<case number>-v<version>/``)::

    bagit.txt  bag-info.txt
    manifest-sha256.txt  manifest-sha512.txt  manifest-sm3.txt
    tagmanifest-sha256.txt  tagmanifest-sha512.txt  tagmanifest-sm3.txt
    tagmanifest-sm3.txt.ses          GB/T 38540 seal signature over tagmanifest-sm3.txt
    data/metadata/archival-metadata.xml   data/metadata/case.json   data/metadata/premis-events.xml
    data/application/…  data/materials/…  data/documents/…  data/seals/…  data/results/…
    data/licence/…  data/process/…  data/pki/…

bagit-python writes ``manifest-sm3.txt`` and ``tagmanifest-sm3.txt`` (hashlib knows SM3 through
OpenSSL) but ignores them when validating (it only reads algorithms in
``hashlib.algorithms_guaranteed``): ``verify_sm3_manifests`` checks them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import bagit

from .collect import Collected

CHECKSUMS = ["sha256", "sha512", "sm3"]
logging.getLogger("bagit").setLevel(logging.WARNING)  # one INFO line per file and step otherwise
SEAL_FILE = "tagmanifest-sm3.txt.ses"
SEALED_FILE = "tagmanifest-sm3.txt"
METADATA_PATH = "metadata/archival-metadata.xml"
CASE_JSON_PATH = "metadata/case.json"
PREMIS_PATH = "metadata/premis-events.xml"
NS = "urn:govhall:archives:metadata:1"
PREMIS_NS = "http://www.loc.gov/premis/v3"
SOFTWARE = "GovHall archives"

# (element, metadata key, Chinese label) — the order of the record; see docs/archives.md for the
# mapping to GB/T 42727 §8 (whose exact element names are not reproduced here).
CASE_ELEMENTS = [
    ("CaseNumber", "case_number", "办件编号"), ("ItemCode", "item_code", "事项实施编码"),
    ("ItemBasicCode", "item_basic_code", "事项基本编码"), ("ItemName", "item_name", "事项名称"),
    ("ItemType", "item_type", "事项类型"), ("ItemVersion", "item_version", "事项版本"),
    ("Organ", "organ_name", "受理机构"), ("OrganCode", "organ_code", "受理机构统一社会信用代码"),
    ("Applicant", "applicant", "申请人（脱敏）"), ("ApplicantIdMasked", "applicant_id_masked", "申请人证件号（脱敏）"),
    ("ApplicantKind", "applicant_kind", "申请人类型"), ("Channel", "channel", "申请渠道"),
    ("ReceivedAt", "received_at", "收件时间"), ("AcceptedOn", "accepted_on", "受理日期"),
    ("DecidedAt", "decided_at", "决定时间"), ("DecisionNumber", "decision_number", "决定文书编号"),
    ("DeliveredAt", "delivered_at", "送达时间"), ("ClosedAt", "closed_at", "办结时间"),
    ("State", "state", "办件状态"), ("ResultCode", "result_code", "办理结果代码"), ("Result", "result", "办理结果"),
]
REQUIRED_CASE_ELEMENTS = ["CaseNumber", "ItemCode", "ItemName", "ItemVersion", "Organ", "Applicant", "ReceivedAt",
                          "ClosedAt", "State", "ResultCode"]
PACKAGE_ELEMENTS = ["Identifier", "Version", "CreatedAt", "ArchivingOrgan", "ArchivingOrganCode", "RetentionPeriod",
                    "FileCount"]


@dataclass
class Built:
    workdir: Path
    bag_dir: Path
    zip_path: Path
    tagmanifest_sm3: str
    payload_files: int
    payload_bytes: int
    file_records: list[dict]

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _el(parent, tag: str, text=None, **attrs):
    node = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = str(text)
    return node


def metadata_xml(metadata: dict, package: dict, records: list[dict]) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}ArchivalPackage", {"profile": "GB/T 42727-2023 (structure); element names: GovHall"})
    pkg = _el(root, "Package", label="归档信息包")
    for tag in PACKAGE_ELEMENTS:
        _el(pkg, tag, package.get(tag, ""))
    case = _el(root, "Case", label="办件")
    for tag, key, label in CASE_ELEMENTS:
        value = metadata.get(key)
        _el(case, tag, "" if value is None else value, label=label)
    if metadata.get("licences"):
        lic = _el(root, "Licences", label="证照")
        for identifier in metadata["licences"]:
            _el(lic, "LicenceIdentifier", identifier)
    files = _el(root, "Files", label="电子文件", count=len(records))
    for rec in records:
        f = _el(files, "File", number=rec["number"], present="true" if rec["present"] else "false")
        for tag, key in (("Path", "path"), ("Kind", "kind"), ("Title", "title"), ("Origin", "origin"),
                         ("Size", "size"), ("SHA256", "sha256"), ("SM3", "sm3"),
                         ("RegisteredSHA256", "registered_sha256"), ("RegisteredSM3", "registered_sm3")):
            value = rec.get(key)
            _el(f, tag, "" if value is None else value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def premis_xml(events: list[dict], identifier: str) -> bytes:
    ET.register_namespace("premis", PREMIS_NS)

    def p(parent, tag, text=None):
        node = ET.SubElement(parent, f"{{{PREMIS_NS}}}{tag}")
        if text is not None:
            node.text = str(text)
        return node

    root = ET.Element(f"{{{PREMIS_NS}}}premis", {"version": "3.0"})
    obj = p(root, "object")
    oid = p(obj, "objectIdentifier")
    p(oid, "objectIdentifierType", "local")
    p(oid, "objectIdentifierValue", identifier)
    for i, event in enumerate(events, 1):
        ev = p(root, "event")
        eid = p(ev, "eventIdentifier")
        p(eid, "eventIdentifierType", "local")
        p(eid, "eventIdentifierValue", f"{identifier}-e{i}")
        p(ev, "eventType", event["type"])
        p(ev, "eventDateTime", event["at"])
        p(ev, "eventDetailInformation").append(_text(PREMIS_NS, "eventDetail", event.get("detail", "")))
        outcome = p(ev, "eventOutcomeInformation")
        p(outcome, "eventOutcome", event.get("outcome", "success"))
        agent = p(ev, "linkingAgentIdentifier")
        p(agent, "linkingAgentIdentifierType", "local")
        p(agent, "linkingAgentIdentifierValue", event.get("agent", SOFTWARE))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _text(ns: str, tag: str, text: str):
    node = ET.Element(f"{{{ns}}}{tag}")
    node.text = text
    return node


def build(collected: Collected, *, bag_name: str, bag_info: dict, package: dict, events: list[dict],
          tmp_root: str | None = None, seal=None) -> Built:
    """Write the bag into a fresh temporary folder, seal ``tagmanifest-sm3.txt`` with ``seal``
    (a callable taking the bytes and returning the SES_Signature DER) and zip it. The caller stores
    the ZIP and calls ``cleanup``."""
    workdir = Path(tempfile.mkdtemp(prefix="govhall-aip-", dir=tmp_root))
    try:
        bag_dir = workdir / bag_name
        bag_dir.mkdir()
        records = []
        for number, item in enumerate(collected.files, 1):
            records.append(item.record(number))
            if item.data is None:
                continue
            target = bag_dir / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data)
        package = dict(package, FileCount=len(records))
        meta_dir = bag_dir / "metadata"
        meta_dir.mkdir(exist_ok=True)
        (meta_dir / "archival-metadata.xml").write_bytes(metadata_xml(collected.metadata, package, records))
        import json

        (meta_dir / "case.json").write_bytes(json.dumps({"case": collected.metadata, "package": package,
                                                         "files": records}, ensure_ascii=False, indent=2,
                                                        sort_keys=True).encode() + b"\n")
        (meta_dir / "premis-events.xml").write_bytes(premis_xml(events, bag_name))
        made = bagit.make_bag(str(bag_dir), bag_info=dict(bag_info), checksums=CHECKSUMS)
        oxum = made.info.get("Payload-Oxum", "0.0")
        payload_bytes, payload_files = (int(x) for x in oxum.split(".", 1))
        sealed = (bag_dir / SEALED_FILE).read_bytes()
        if seal is not None:
            (bag_dir / SEAL_FILE).write_bytes(seal(sealed))
        zip_path = workdir / f"{bag_name}.zip"
        zip_dir(bag_dir, zip_path)
        return Built(workdir, bag_dir, zip_path, hashlib.new("sm3", sealed).hexdigest(), payload_files,
                     payload_bytes, records)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def zip_dir(bag_dir: Path, zip_path: Path) -> None:
    """The bag as a ZIP with the bag folder as its single top-level entry (sorted, deflated)."""
    base = bag_dir.parent
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for folder, dirs, names in os.walk(bag_dir):
            dirs.sort()
            for name in sorted(names):
                full = Path(folder) / name
                zf.write(full, full.relative_to(base).as_posix())


MAX_ENTRIES = 100_000
MAX_UNPACKED = 20 * 1024 ** 3


def unzip(data_or_path, target: Path) -> Path:
    """Extract a package ZIP into ``target`` safely (no absolute paths, no ``..``, no links, bounded
    size); returns the bag folder."""
    source = data_or_path
    if isinstance(data_or_path, bytes | bytearray):
        import io

        source = io.BytesIO(data_or_path)
    with zipfile.ZipFile(source) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
            raise ValueError("the package ZIP is too large to unpack")
        tops = set()
        for info in infos:
            name = info.filename
            parts = Path(name).parts
            if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0] or (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise ValueError(f"unsafe entry in the package ZIP: {name!r}")
            tops.add(parts[0])
        if len(tops) != 1:
            raise ValueError("the package ZIP must hold exactly one bag folder")
        zf.extractall(target)
    return target / tops.pop()


def read_manifest(path: Path) -> dict[str, str]:
    """``{relative path: digest}`` of a BagIt manifest (bagit's percent-encoding of CR/LF/% undone)."""
    entries = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.lstrip(" ").replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        entries[name] = digest.lower()
    return entries


def sm3_file(path: Path) -> str:
    h = hashlib.new("sm3")
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def verify_sm3_manifests(bag_dir: Path) -> list[str]:
    """Problems with ``manifest-sm3.txt`` and ``tagmanifest-sm3.txt`` (empty list: both hold every file
    they must and every digest matches). bagit-python skips these manifests, so the platform checks
    them here: every payload file listed, nothing listed that is absent, every SM3 equal."""
    problems = []
    manifest = bag_dir / "manifest-sm3.txt"
    if not manifest.is_file():
        return ["manifest-sm3.txt is missing"]
    entries = read_manifest(manifest)
    on_disk = {p.relative_to(bag_dir).as_posix() for p in (bag_dir / "data").rglob("*") if p.is_file()}
    for name in sorted(on_disk - set(entries)):
        problems.append(f"{name} is not in manifest-sm3.txt")
    for name, digest in sorted(entries.items()):
        path = bag_dir / name
        if name not in on_disk:
            problems.append(f"{name} is listed in manifest-sm3.txt but absent")
        elif sm3_file(path) != digest:
            problems.append(f"{name}: SM3 does not match manifest-sm3.txt")
    tag = bag_dir / "tagmanifest-sm3.txt"
    if not tag.is_file():
        problems.append("tagmanifest-sm3.txt is missing")
    else:
        tags = read_manifest(tag)
        for required in ("bagit.txt", "bag-info.txt", "manifest-sm3.txt", "manifest-sha256.txt"):
            if required not in tags:
                problems.append(f"{required} is not in tagmanifest-sm3.txt")
        for name, digest in sorted(tags.items()):
            path = bag_dir / name
            if not path.is_file():
                problems.append(f"{name} is listed in tagmanifest-sm3.txt but absent")
            elif sm3_file(path) != digest:
                problems.append(f"{name}: SM3 does not match tagmanifest-sm3.txt")
    return problems

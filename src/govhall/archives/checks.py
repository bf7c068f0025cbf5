"""四性检测 (DA/T 70-2018): the four-property checks of an archival package, as code.

Each check is a named function of one property; its docstring carries the wording of the check as
the issue and DOMAIN.md give it (the standard's own item numbers and Chinese wording are not in the
project's references; see docs/archives.md). A check returns ``Result``\\ s with outcome
``success``, ``failure`` or ``not_applicable`` (e.g. no virus scanner configured, or a package
received from elsewhere that has no stored copy here) and a readable detail.

Checks run over a bag folder (``Subject``): at archiving, on schedule, by ``govhall archives
check``, during a restore drill and when a package arrives from another node (``check_bag``).
Checks never change or delete anything; ``services.package_check`` stores their results as
``PackageEvent`` rows and raises the alert.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import bagit
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.conf import settings

from govhall.cases.models import FINAL_STATES
from govhall.catalog.codesets import ItemType
from govhall.core.codes import credit_check_char
from govhall.core.models import AuditEvent
from govhall.crypto import ca, keys, seals, sm
from govhall.documents import selectors as documents
from govhall.translog.models import LogEntry

from . import bag as B
from . import storage

AUTHENTICITY, INTEGRITY, USABILITY, SECURITY = "authenticity", "integrity", "usability", "security"
PROPERTIES = {AUTHENTICITY: "真实性", INTEGRITY: "完整性", USABILITY: "可用性", SECURITY: "安全性"}
SUCCESS, FAILURE, NOT_APPLICABLE = "success", "failure", "not_applicable"
RESULT_CODES = {"granted", "denied", "not_accepted", "withdrawn", "correction_expired"}
ALLOWED_EXTENSIONS = {"pdf", "ofd", "jpg", "jpeg", "png", "xml", "json", "html", "txt", "pem", "ses", "seal", "sm2"}
CASE_NUMBER = re.compile(r"^[0-9A-Za-z]{10,43}$")


@dataclass(frozen=True)
class Result:
    prop: str
    check: str
    outcome: str
    detail: str

    @property
    def failed(self) -> bool:
        return self.outcome == FAILURE


@dataclass
class Subject:
    """What is checked: the bag folder, and (when the package is stored here) its row."""

    bag_dir: Path
    package: object = None
    _cache: dict = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.bag_dir / "data"

    def case_record(self) -> dict | None:
        if "case" not in self._cache:
            try:
                self._cache["case"] = json.loads((self.data / B.CASE_JSON_PATH).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache["case"] = None
        return self._cache["case"]

    def metadata_tree(self):
        if "xml" not in self._cache:
            try:
                self._cache["xml"] = SafeET.parse(self.data / B.METADATA_PATH).getroot()
            except (OSError, ET.ParseError, DefusedXmlException):
                self._cache["xml"] = None
        return self._cache["xml"]

    def files(self) -> list[dict]:
        record = self.case_record() or {}
        return list(record.get("files") or [])


CHECKS: list[tuple[str, str, Callable[[Subject], list[Result]]]] = []


def check(prop: str):
    def decorate(func):
        CHECKS.append((prop, func.__name__, func))
        return func

    return decorate


def _ok(prop, name, detail) -> list[Result]:
    return [Result(prop, name, SUCCESS, detail)]


def _fail(prop, name, problems: list[str]) -> list[Result]:
    return [Result(prop, name, FAILURE, "; ".join(problems[:20]) + (f" (+{len(problems) - 20} more)"
                                                                   if len(problems) > 20 else ""))]


def _verdict(prop, name, problems: list[str], ok_detail: str) -> list[Result]:
    return _fail(prop, name, problems) if problems else _ok(prop, name, ok_detail)


def _element_text(root, path: str) -> str | None:
    node = root.find(path, {"m": B.NS})
    return None if node is None else (node.text or "")


def _parse_time(value: str) -> dt.datetime | dt.date | None:
    try:
        return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    except ValueError:
        return None


# --- 真实性 authenticity ---------------------------------------------------------------------------


@check(AUTHENTICITY)
def authenticity_metadata_types_and_ranges(s: Subject) -> list[Result]:
    """真实性：元数据项的数据类型、长度、格式和值域符合要求 / metadata types and ranges: every
    metadata element has the type, length, format and range it must have (case number, codes, dates,
    states, result codes, version numbers)."""
    name, problems = "authenticity_metadata_types_and_ranges", []
    record = s.case_record()
    if record is None:
        return _fail(AUTHENTICITY, name, ["metadata/case.json is missing or not JSON"])
    case = record.get("case") or {}
    if not CASE_NUMBER.match(str(case.get("case_number", ""))):
        problems.append(f"case number {case.get('case_number')!r} is not 10-43 letters and digits")
    if case.get("item_type") not in ItemType.values:
        problems.append(f"item type {case.get('item_type')!r} is not a catalogue item type")
    if not isinstance(case.get("item_version"), int) or case["item_version"] < 1:
        problems.append("item version is not a positive integer")
    if case.get("state") not in FINAL_STATES:
        problems.append(f"case state {case.get('state')!r} is not a final state")
    if case.get("result_code") not in RESULT_CODES:
        problems.append(f"result code {case.get('result_code')!r} is not one of {sorted(RESULT_CODES)}")
    code = case.get("organ_code") or ""
    if code and (len(code) != 18 or credit_check_char(code[:17]) != code[17]):
        problems.append(f"organ code {code!r} is not a valid unified social credit code")
    times = {}
    for key in ("received_at", "accepted_on", "decided_at", "delivered_at", "closed_at"):
        value = case.get(key) or ""
        if value:
            parsed = _parse_time(value)
            if parsed is None:
                problems.append(f"{key} {value!r} is not an ISO 8601 date or time")
            else:
                times[key] = parsed
    if "received_at" in times and "closed_at" in times and times["closed_at"] < times["received_at"]:
        problems.append("the case closed before it was received")
    for rec in s.files():
        if rec.get("present") and not (re.fullmatch(r"[0-9a-f]{64}", rec.get("sha256", ""))
                                       and re.fullmatch(r"[0-9a-f]{64}", rec.get("sm3", ""))):
            problems.append(f"file {rec.get('number')}: digests are not 64 hex characters")
    return _verdict(AUTHENTICITY, name, problems, "case number, codes, dates, states and digests are well-formed")


def _platform_roots() -> tuple[bytes | None, bytes | None, bytes | None]:
    root = ca.root()
    pades = documents.pades_root()
    return (bytes(root.der) if root else None, ca.current_crl() if root else None,
            bytes(pades.certificate_der) if pades else None)


@check(AUTHENTICITY)
def authenticity_signatures_verify(s: Subject) -> list[Result]:
    """真实性：电子签名、电子印章等固化信息有效 / signatures verify: the archiving organ's seal over
    the tag manifest, every document's GB/T 38540 seal and PDF signature, and the applicant's SM2
    signature over the application as signed."""
    name, problems, checked = "authenticity_signatures_verify", [], 0
    root_der, crl_der, pades_root = _platform_roots()
    if root_der is None:
        return _fail(AUTHENTICITY, name, ["the platform has no root CA: no signature can be verified"])
    seal_file, sealed = s.bag_dir / B.SEAL_FILE, s.bag_dir / B.SEALED_FILE
    if not seal_file.is_file() or not sealed.is_file():
        problems.append(f"{B.SEAL_FILE} or {B.SEALED_FILE} is missing")
    else:
        result = seals.verify_signature(seal_file.read_bytes(), sealed.read_bytes(), root_der=root_der,
                                        crl_der=crl_der)
        checked += 1
        if not result.ok:
            problems.append(f"package seal: {result.reason}")
    for rec in s.files():
        path = s.bag_dir / rec["path"]
        if rec.get("kind") == "sealed_pdf" and rec.get("present") and path.is_file():
            pdf = path.read_bytes()
            ses = s.bag_dir / rec.get("signature", "")
            if not ses.is_file():
                problems.append(f"{rec['path']}: its seal signature file is missing")
            else:
                result = seals.verify_signature(ses.read_bytes(), pdf, root_der=root_der, crl_der=crl_der)
                checked += 1
                if not result.ok:
                    problems.append(f"{rec['path']}: seal: {result.reason}")
            if pades_root is None:
                problems.append(f"{rec['path']}: the platform has no PDF-signing root")
            else:
                pades = documents.pades_check(pdf, pades_root)
                checked += 1
                if not pades.ok:
                    problems.append(f"{rec['path']}: PDF signature: {pades.reason}")
    application = s.data / "application" / "signed-application.json"
    signature = s.data / "application" / "signature.sm2"
    public = s.data / "application" / "signer-public-key.pem"
    if signature.is_file():
        try:
            ok = sm.sm2_verify(keys.load_public_key(public.read_bytes()), application.read_bytes(),
                               signature.read_bytes())
        except (OSError, ValueError, sm.CryptoError):
            ok = False
        checked += 1
        if not ok:
            problems.append("the applicant's signature does not verify over the application as signed")
    elif any(r.get("kind") == "signature" for r in s.files()):
        problems.append("the applicant's signature file is missing")
    return _verdict(AUTHENTICITY, name, problems, f"{checked} signatures and seals verify")


@check(AUTHENTICITY)
def authenticity_metadata_agrees_with_content(s: Subject) -> list[Result]:
    """真实性：元数据与电子文件内容关联一致 / metadata agrees with the content: each file's digests in
    the metadata equal the file in the package and the digests the platform registered when the file
    came in; the SM3 manifests hold; the XML record says what case.json says."""
    name, problems = "authenticity_metadata_agrees_with_content", []
    problems += B.verify_sm3_manifests(s.bag_dir)
    for rec in s.files():
        path = s.bag_dir / rec["path"]
        if not rec.get("present") or not path.is_file():
            continue
        actual = B.sm3_file(path)
        if actual != rec.get("sm3"):
            problems.append(f"{rec['path']}: SM3 differs from the metadata")
        if rec.get("registered_sm3") and rec["registered_sm3"] != actual:
            problems.append(f"{rec['path']}: SM3 differs from the digest registered when it was received")
        if rec.get("registered_sha256"):
            import hashlib

            if hashlib.sha256(path.read_bytes()).hexdigest() != rec["registered_sha256"]:
                problems.append(f"{rec['path']}: SHA-256 differs from the digest registered when it was received")
    root, case = s.metadata_tree(), (s.case_record() or {}).get("case") or {}
    if root is None:
        problems.append("metadata/archival-metadata.xml is missing or not XML")
    else:
        for tag, key, _label in B.CASE_ELEMENTS:
            value = case.get(key)
            if (_element_text(root, f"m:Case/m:{tag}") or "") != ("" if value is None else str(value)):
                problems.append(f"XML element {tag} differs from case.json")
    if s.package is not None and case.get("case_number") != s.package.case_number:
        problems.append("the package's case number differs from its registration")
    return _verdict(AUTHENTICITY, name, problems, "digests, SM3 manifests and both metadata records agree")


@check(AUTHENTICITY)
def authenticity_recorded_location(s: Subject) -> list[Result]:
    """真实性：归档信息包的存储位置与登记一致 / recorded location true: the stored object at the
    registered name is this package (same SM3 as registered)."""
    name = "authenticity_recorded_location"
    p = s.package
    if p is None:
        return [Result(AUTHENTICITY, name, NOT_APPLICABLE, "the package is not registered on this platform")]
    try:
        data = storage.read(storage.primary(), p.storage_name)
    except (FileNotFoundError, OSError) as exc:
        return _fail(AUTHENTICITY, name, [f"no object at the registered location {p.storage_name}: {exc}"])
    if sm.sm3_hex(data) != p.sm3:
        return _fail(AUTHENTICITY, name, [f"the object at {p.storage_name} is not the registered package (SM3 differs)"])
    return _ok(AUTHENTICITY, name, f"{p.storage_name} holds the registered package")


# --- 完整性 integrity ------------------------------------------------------------------------------


@check(INTEGRITY)
def integrity_metadata_items_present(s: Subject) -> list[Result]:
    """完整性：元数据项完整，必填项不为空 / every metadata item present: the required elements of the
    package and case records exist and are not empty."""
    name, problems = "integrity_metadata_items_present", []
    root = s.metadata_tree()
    if root is None:
        return _fail(INTEGRITY, name, ["metadata/archival-metadata.xml is missing or not XML"])
    for tag in B.PACKAGE_ELEMENTS:
        if not (_element_text(root, f"m:Package/m:{tag}") or "").strip():
            problems.append(f"Package/{tag} is missing or empty")
    for tag in B.REQUIRED_CASE_ELEMENTS:
        if not (_element_text(root, f"m:Case/m:{tag}") or "").strip():
            problems.append(f"Case/{tag} is missing or empty")
    if root.find("m:Files", {"m": B.NS}) is None:
        problems.append("Files is missing")
    for path in (s.bag_dir / "bag-info.txt", s.data / B.PREMIS_PATH):
        if not path.is_file():
            problems.append(f"{path.name} is missing")
    return _verdict(INTEGRITY, name, problems, "every required metadata element is present")


@check(INTEGRITY)
def integrity_numbering_continuous(s: Subject) -> list[Result]:
    """完整性：编号连续，无缺号 / no gaps in numbering: the files are numbered 1…n, the metadata counts
    n files, and the case's package versions run 1…v."""
    name, problems = "integrity_numbering_continuous", []
    numbers = [r.get("number") for r in s.files()]
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"file numbers are not 1…{len(numbers)} in order")
    root = s.metadata_tree()
    if root is not None:
        count = _element_text(root, "m:Package/m:FileCount")
        if count != str(len(numbers)):
            problems.append(f"FileCount {count} differs from the {len(numbers)} files listed")
    if s.package is not None:
        from .models import ArchivePackage

        versions = sorted(ArchivePackage.objects.filter(case_number=s.package.case_number)
                          .values_list("version", flat=True))
        if versions != list(range(1, len(versions) + 1)):
            problems.append(f"package versions {versions} have gaps")
    return _verdict(INTEGRITY, name, problems, f"{len(numbers)} files numbered without gaps")


@check(INTEGRITY)
def integrity_files_present(s: Subject) -> list[Result]:
    """完整性：电子文件齐全 / every file present: every file the platform registered for the case is in
    the package, and the bag is complete and valid (BagIt: Payload-Oxum, SHA-256 and SHA-512)."""
    name, problems = "integrity_files_present", []
    missing = [r["path"] for r in s.files() if not r.get("present") or not (s.bag_dir / r["path"]).is_file()]
    problems += [f"{path} is missing" for path in missing]
    try:
        bagit.Bag(str(s.bag_dir)).validate()
    except bagit.BagError as exc:
        details = getattr(exc, "details", None) or []
        problems.append(f"BagIt: {exc}" + (": " + "; ".join(str(d) for d in details[:5]) if details else ""))
    return _verdict(INTEGRITY, name, problems, f"all {len(s.files())} registered files present; the bag is valid")


# --- 可用性 usability ------------------------------------------------------------------------------


def _extension(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


def _payload(s: Subject) -> list[Path]:
    return sorted(p for p in s.data.rglob("*") if p.is_file())


@check(USABILITY)
def usability_files_open(s: Subject) -> list[Result]:
    """可用性：电子文件可以正常打开和读取 / files open: every PDF parses, every XML and JSON file parses,
    every text file is UTF-8."""
    name, problems = "usability_files_open", []
    from .readers import opens

    for path in _payload(s):
        problem = opens(path)
        if problem:
            problems.append(f"{path.relative_to(s.bag_dir).as_posix()}: {problem}")
    return _verdict(USABILITY, name, problems, "every file opens")


@check(USABILITY)
def usability_formats_allowed(s: Subject) -> list[Result]:
    """可用性：文件格式符合归档要求 / allowed formats: each file is of a format the archive accepts
    (PDF, OFD, JPEG, PNG, XML, JSON, HTML, text, PEM, DER signatures and seals), and its content is
    what its name says."""
    name, problems = "usability_formats_allowed", []
    from .readers import content_matches

    for path in _payload(s):
        rel = path.relative_to(s.bag_dir).as_posix()
        ext = _extension(rel)
        if ext not in ALLOWED_EXTENSIONS:
            problems.append(f"{rel}: format .{ext or '(none)'} is not an archival format")
        elif not content_matches(path, ext):
            problems.append(f"{rel}: the content is not .{ext}")
    return _verdict(USABILITY, name, problems, "every file is in an archival format")


@check(USABILITY)
def usability_no_encryption_or_compression(s: Subject) -> list[Result]:
    """可用性：无专有加密、无压缩 / no proprietary encryption or compression: no encrypted PDF, no
    archive (ZIP, RAR, 7z, gzip) inside the package (OFD, a ZIP container by its standard, excepted)."""
    name, problems = "usability_no_encryption_or_compression", []
    from .readers import encrypted_or_compressed

    for path in _payload(s):
        problem = encrypted_or_compressed(path)
        if problem:
            problems.append(f"{path.relative_to(s.bag_dir).as_posix()}: {problem}")
    return _verdict(USABILITY, name, problems, "no encrypted or compressed files")


# --- 安全性 security -------------------------------------------------------------------------------


@check(SECURITY)
def security_virus_scan(s: Subject) -> list[Result]:
    """安全性：病毒检测 / virus check where a scanner is configured: ``GOVHALL_ARCHIVES_VIRUS_SCANNER``
    (a command, e.g. ``clamscan -r --no-summary``) is run over the bag; exit 0 clean, 1 infected.
    Without a scanner the check is recorded as not applicable, never as passed."""
    name = "security_virus_scan"
    command = getattr(settings, "GOVHALL_ARCHIVES_VIRUS_SCANNER", "")
    if not command:
        return [Result(SECURITY, name, NOT_APPLICABLE, "no virus scanner configured (GOVHALL_ARCHIVES_VIRUS_SCANNER)")]
    import shlex

    args = shlex.split(command)
    if not shutil.which(args[0]):
        return _fail(SECURITY, name, [f"the configured scanner {args[0]!r} is not installed"])
    done = subprocess.run([*args, str(s.bag_dir)], capture_output=True, text=True, timeout=3600)
    if done.returncode == 0:
        return _ok(SECURITY, name, f"{args[0]}: clean")
    return _fail(SECURITY, name, [f"{args[0]} exit {done.returncode}: {(done.stdout + done.stderr).strip()[:500]}"])


@check(SECURITY)
def security_carrier_sound(s: Subject) -> list[Result]:
    """安全性：存储载体安全可靠 / carrier check: the storage holding the package answers, and the second
    copy (when a second location is configured) exists and is identical."""
    name = "security_carrier_sound"
    p = s.package
    if p is None:
        return [Result(SECURITY, name, NOT_APPLICABLE, "the package is not stored on this platform")]
    problems = []
    second = storage.copy()
    if second is None:
        detail = "primary storage answers; no second copy location configured"
    elif not p.copy_storage_name:
        problems.append("a second copy location is configured but this package has no second copy")
    else:
        try:
            if sm.sm3_hex(storage.read(second, p.copy_storage_name)) != p.sm3:
                problems.append("the second copy differs from the registered package")
        except (FileNotFoundError, OSError) as exc:
            problems.append(f"the second copy cannot be read: {exc}")
        detail = "both copies identical"
    try:
        if not storage.primary().exists(p.storage_name):
            problems.append("the primary copy is absent")
    except OSError as exc:
        problems.append(f"the primary storage does not answer: {exc}")
    return _verdict(SECURITY, name, problems, detail)


@check(SECURITY)
def security_process_recorded(s: Subject) -> list[Result]:
    """安全性：归档过程安全可控、留有记录 / process check: the archiving is recorded — the package's
    creation is in the audit chain and its SM3 is in the transparency log at the registered index."""
    name = "security_process_recorded"
    p = s.package
    if p is None:
        return [Result(SECURITY, name, NOT_APPLICABLE, "the package is not registered on this platform")]

    problems = []
    if not AuditEvent.objects.filter(action="archives.package.created", target_type="archives.archivepackage",
                                     target_id=str(p.pk)).exists():
        problems.append("no audit event records the package's creation")
    entry = LogEntry.objects.filter(index=p.log_index).first() if p.log_index is not None else None
    if entry is None:
        problems.append("the package is not in the transparency log")
    else:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        if entry.kind != "archives.package" or payload.get("package_sm3") != p.sm3:
            problems.append(f"transparency log entry {p.log_index} does not hold this package's SM3")
    return _verdict(SECURITY, name, problems, f"audited; in the transparency log at {p.log_index}")


def run_all(subject: Subject) -> list[Result]:
    results = []
    for prop, fname, func in CHECKS:
        try:
            results += func(subject)
        except Exception as exc:  # a check that crashes is a failed check, never a silent pass
            results.append(Result(prop, fname, FAILURE, f"the check could not run: {type(exc).__name__}: {exc}"))
    return results

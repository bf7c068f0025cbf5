"""Archive writes: build a case's package, check packages, restore drills, legal holds, retention
rules, disposal lists. Each service is one transaction, checks the actor's scope at the moment of
action (system work — the ``case.closed`` subscriber, the scheduler — runs with ``actor=None``) and
is audited.

Building (GB/T 42727: collect → arrange → count → form the AIP → fixity → archive check → register →
store): ``collect.collect`` gathers the case; ``bag.build`` writes the bag in a temporary folder,
with SHA-256/SHA-512/SM3 manifests, and seals ``tagmanifest-sm3.txt`` with the archiving organ's
seal; the ZIP is stored once (primary, then the second copy when configured) under a name of its
own; the ``ArchivePackage`` row, its events, the transparency log entry and the audit event are
written in one transaction; then the four-property checks run over the stored package.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bagit
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govhall.cases.models import FINAL_STATES, Case
from govhall.catalog.codesets import ItemType
from govhall.catalog.models import Organ
from govhall.core import audit
from govhall.core.errors import DomainError, NotFound, Problem
from govhall.crypto import fields, seals
from govhall.crypto import sm as crypto_sm
from govhall.documents import services as documents
from govhall.identity.models import StaffRole
from govhall.notifications.services import notify
from govhall.translog import services as translog

from . import bag as B
from . import checks, collect, scope, storage
from .models import (
    RETENTION_YEARS,
    ArchivePackage,
    DisposalList,
    PackageEvent,
    RetentionPeriod,
    RetentionRule,
)
from .permissions import DISPOSAL_APPROVE, DISPOSAL_PROPOSE, PACKAGE_MANAGE

log = logging.getLogger("govhall.archives")
security_log = logging.getLogger("govhall.security")
AGENT = f"{B.SOFTWARE} (bagit {bagit.VERSION})"
APPLICANT_INDEX_FIELD = "archives.applicant_name"


def _err(code: str, zh: str, en: str, field: str = "") -> DomainError:
    return DomainError.single(code, zh, en, field)


def _agent(actor) -> str:
    return getattr(actor, "username", "") or AGENT


# --- what the package is sealed with and kept for -------------------------------------------------


def archiving_organ(case: Case) -> Organ:
    """``GOVHALL_ARCHIVES_ORGAN`` (a credit code: one archive for the platform) or the case's organ."""
    code = getattr(settings, "GOVHALL_ARCHIVES_ORGAN", "")
    if code:
        organ = Organ.objects.filter(credit_code=code).first()
        if organ is None:
            raise _err("archives.organ", f"未找到归档机构 {code}", f"archiving organ {code} not found")
        return organ
    return case.organ


def _sealer_for(organ: Organ):
    """The organ's seal and the platform's sealing account, authorised on first use (audited by
    crypto), as for the notices the platform seals on the organ's behalf."""
    seal = documents.organ_seal(actor=None, organ=organ)
    sealer = documents.platform_sealer()
    if not seals.is_authorised(seal, sealer):
        try:
            with transaction.atomic():
                seals.seal_authorise(actor=None, seal=seal, user=sealer)
        except DomainError as exc:
            if exc.problems[0].code != "crypto.seal.already_authorised":
                raise
    return seal, sealer


def retention_of(item_type: str) -> str:
    rule = RetentionRule.objects.filter(item_type=item_type).first()
    if rule is not None:
        return rule.period
    default = getattr(settings, "GOVHALL_ARCHIVES_DEFAULT_RETENTION", RetentionPeriod.PERMANENT)
    return default if default in RetentionPeriod.values else RetentionPeriod.PERMANENT


def retain_until(period: str, closed: dt.date) -> dt.date | None:
    years = RETENTION_YEARS.get(period)
    if years is None:
        return None
    try:
        return closed.replace(year=closed.year + years)
    except ValueError:  # 29 February
        return closed.replace(year=closed.year + years, day=28)


# --- building ----------------------------------------------------------------------------------


def _event(package: ArchivePackage, event_type: str, outcome: str, detail: str, *, agent: str = AGENT,
           check: str = "", prop: str = "", trigger: str = "", run: str = "") -> PackageEvent:
    return PackageEvent.objects.create(package=package, event_type=event_type, outcome=outcome, detail=detail[:4000],
                                       agent=agent[:150], check_name=check, prop=prop, trigger=trigger, run=run)


def _storage_name(case: Case, version: int) -> str:
    organ = case.organ.credit_code or f"organ-{case.organ_id}"
    return f"{organ}/{case.number}/{case.number}-v{version}-{secrets.token_hex(4)}.zip"


@transaction.atomic
def package_build(*, actor, case: Case, trigger: str = "archiving", reason: str = "",
                  run_checks: bool = True) -> ArchivePackage:
    """Archive ``case`` (closed, not accepted, withdrawn or ended): a new package version, the old
    ones kept. ``actor=None`` is the platform (the ``case.closed`` subscriber); a person needs
    ``archives.package.manage`` in the case's organ. Audit: archives.package.created."""
    case = Case.objects.select_for_update().select_related("organ", "item__catalog_item").get(pk=case.pk)
    if actor is not None:
        scope.ensure(actor, case.organ_id, PACKAGE_MANAGE, label=case.number)
    if case.state not in FINAL_STATES:
        raise _err("archives.case.open", "办件尚未办结，不能归档", "the case has not ended: it cannot be archived yet")
    started = time.perf_counter()
    previous = ArchivePackage.objects.select_for_update().filter(case_number=case.number).order_by("-version")
    last = previous.first()
    version = (last.version + 1) if last else 1
    organ = archiving_organ(case)
    seal, sealer = _sealer_for(organ)
    collected = collect.collect(case)
    period = retention_of(case.item.catalog_item.item_type)
    closed = timezone.localtime(case.closed_at).date() if case.closed_at else timezone.localdate()
    now = timezone.now()
    identity = f"{case.number}-v{version}"
    package_info = {"Identifier": identity, "Version": version, "CreatedAt": timezone.localtime(now).isoformat(),
                    "ArchivingOrgan": organ.name, "ArchivingOrganCode": organ.credit_code or "",
                    "RetentionPeriod": period}
    bag_info = {"Source-Organization": organ.name, "External-Identifier": case.number,
                "External-Description": f"{case.item_name}（{collect.RESULT_LABELS.get(case.result_code, case.result_code)}）",
                "Internal-Sender-Identifier": identity, "Bag-Group-Identifier": case.item.code or case.item.key,
                "Bag-Software-Agent": AGENT, "Bagging-Date": timezone.localdate().isoformat(),
                "GovHall-Seal-Id": seal.seal_id, "GovHall-Retention-Period": period}
    at = timezone.localtime(now).isoformat()
    premis = [{"type": "capture", "at": at, "detail": f"{len(collected.files)} files collected from the case records"},
              {"type": "message digest calculation", "at": at, "detail": "SHA-256, SHA-512 and SM3 of every file"},
              {"type": "metadata extraction", "at": at, "detail": "case metadata (archival-metadata.xml, case.json)"}]
    missing = [f.path for f in collected.files if f.data is None]
    if missing:
        premis.append({"type": "capture", "at": at, "outcome": "failure",
                       "detail": f"{len(missing)} registered files are missing from storage: " + ", ".join(missing[:10])})

    def seal_it(data: bytes) -> bytes:
        return seals.seal_sign(actor=sealer, seal=seal, document=data, properties=f"archives;aip={identity}"[:200])

    tmp_root = getattr(settings, "GOVHALL_ARCHIVES_TMP", None) or None
    built = B.build(collected, bag_name=identity, bag_info=bag_info, package=package_info, events=premis,
                    tmp_root=tmp_root, seal=seal_it)
    try:
        zip_bytes = built.zip_path.read_bytes()
        name = _storage_name(case, version)
        storage.put(storage.primary(), name, built.zip_path)
        second = storage.copy()
        copy_name = storage.put(second, name, built.zip_path) if second is not None else ""
        seal_der = (built.bag_dir / B.SEAL_FILE).read_bytes()
    finally:
        built.cleanup()
    if last is not None:
        ArchivePackage.objects.filter(case_number=case.number, current=True).update(current=False)
    package = ArchivePackage.objects.create(
        case=case, case_number=case.number, version=version, current=True, item_code=case.item.code or case.item.key,
        item_name=case.item_name, item_type=case.item.catalog_item.item_type, item_version=case.version.number,
        organ=case.organ, archiving_organ=organ, applicant_masked=collect.mask_name(case.applicant_name),
        applicant_index=fields.blind_index(case.applicant_name, APPLICANT_INDEX_FIELD), case_state=case.state,
        result_code=case.result_code, received_at=case.received_at, closed_at=case.closed_at, storage_name=name,
        copy_storage_name=copy_name, size=len(zip_bytes), sha256=hashlib.sha256(zip_bytes).hexdigest(),
        sm3=crypto_sm.sm3_hex(zip_bytes), tagmanifest_sm3=built.tagmanifest_sm3, payload_files=built.payload_files,
        payload_bytes=built.payload_bytes, seal=seal, seal_der=seal_der, retention_period=period,
        retain_until=retain_until(period, closed), built_in_ms=int((time.perf_counter() - started) * 1000),
        created_at=now, created_by=actor if getattr(actor, "pk", None) else None)
    entry = translog.append(kind="archives.package", payload={
        "case_number": case.number, "version": version, "package_sm3": package.sm3, "package_sha256": package.sha256,
        "tagmanifest_sm3": package.tagmanifest_sm3, "archiving_organ": organ.credit_code or organ.name,
        "seal_id": seal.seal_id, "size": package.size})
    package.log_index = entry.index
    package.save(update_fields=["log_index"])
    agent = _agent(actor)
    _event(package, "creation", "success", f"{trigger}: {built.payload_files} payload files, {package.size} bytes"
           + (f"; reason: {reason}" if reason else ""), agent=agent)
    if missing:
        _event(package, "capture", "failure", f"{len(missing)} registered files missing from storage: "
               + ", ".join(missing[:20]), agent=agent)
    _event(package, "message digest calculation", "success", f"package SM3 {package.sm3}; SHA-256 {package.sha256}")
    _event(package, "digital signature generation", "success",
           f"tagmanifest-sm3.txt sealed with {seal.seal_id} ({seal.name})")
    _event(package, "ingestion", "success", f"stored at {storage.describe(storage.primary())}: {name}")
    if copy_name:
        _event(package, "replication", "success", f"second copy at {storage.describe(second)}: {copy_name}")
    _event(package, "registration", "success", f"transparency log entry {entry.index}")
    audit.record(actor=actor, action="archives.package.created", target=package,
                 target_label=f"{case.number} v{version}",
                 after={"case": case.number, "version": version, "sm3": package.sm3, "size": package.size,
                        "seal_id": seal.seal_id, "log_index": entry.index, "storage": name, "copy": copy_name,
                        "retention": period, "trigger": trigger, "missing_files": len(missing)}, reason=reason)
    if run_checks:
        package_check(actor=actor, package=package, trigger=trigger, _scoped=False)
    return package


# --- checking ------------------------------------------------------------------------------------


@dataclass
class CheckRun:
    package: ArchivePackage
    run: str
    results: list

    @property
    def ok(self) -> bool:
        return not any(r.failed for r in self.results)


def _open_stored(package: ArchivePackage, target: Path) -> Path:
    data = storage.read(storage.primary(), package.storage_name)
    return B.unzip(data, target)


def _alert(package: ArchivePackage, failed: list, trigger: str) -> None:
    names = ", ".join(sorted({r.check for r in failed}))
    security_log.error("archive check failed: package=%s v%s trigger=%s checks=%s", package.case_number,
                       package.version, trigger, names)
    audit.record(actor=None, action="archives.check.failed", target=package,
                 target_label=f"{package.case_number} v{package.version}",
                 after={"checks": sorted({r.check for r in failed}), "trigger": trigger,
                        "details": [r.detail[:300] for r in failed][:10]})

    users = {r.user for r in StaffRole.objects.select_related("user").filter(
        role__in=scope.roles_with(PACKAGE_MANAGE), user__is_active=True)
        if package.organ_id in scope.organ_ids(r.user, PACKAGE_MANAGE)}
    for user in users:
        notify(recipient=user, kind="archives.check_failed",
               subject_zh=f"电子档案四性检测未通过：{package.case_number}",
               subject_en=f"Archive check failed: {package.case_number}",
               body_zh=f"归档信息包 {package.case_number} 第 {package.version} 版未通过：{names}。未删除任何内容，请核查。",
               body_en=f"Package {package.case_number} v{package.version} failed: {names}. Nothing was deleted; "
                       "please investigate.",
               link=f"/console/archives/{package.case_number}/", case_number=package.case_number)


@transaction.atomic
def _record_run(package: ArchivePackage, results: list, trigger: str, actor, extra_failure: str = "") -> CheckRun:
    run = secrets.token_hex(8)
    agent = _agent(actor)
    for r in results:
        _event(package, "four-property check", r.outcome, r.detail, agent=agent, check=r.check, prop=r.prop,
               trigger=trigger, run=run)
    failed = [r for r in results if r.failed]
    ArchivePackage.objects.filter(pk=package.pk).update(
        last_check=ArchivePackage.Check.FAILED if failed else ArchivePackage.Check.PASSED,
        last_checked_at=timezone.now())
    package.refresh_from_db(fields=["last_check", "last_checked_at"])
    if failed:
        _alert(package, failed, trigger)
    return CheckRun(package, run, results)


def check_bag(bag_dir: Path, package: ArchivePackage | None = None) -> list:
    """The four-property checks over a bag folder (e.g. a package received from another node)."""
    return checks.run_all(checks.Subject(Path(bag_dir), package))


def package_check(*, actor, package: ArchivePackage, trigger: str = "command", _scoped: bool = True) -> CheckRun:
    """Run every four-property check over the stored package and record the results as events;
    failures raise the alert (audit archives.check.failed, security log, the archivists' inbox).
    Never changes or deletes the package."""
    if _scoped and actor is not None:
        scope.ensure(actor, package.organ_id, PACKAGE_MANAGE, label=package.case_number)
    with tempfile.TemporaryDirectory(prefix="govhall-aip-check-") as tmp:
        try:
            bag_dir = _open_stored(package, Path(tmp))
        except (FileNotFoundError, OSError, ValueError) as exc:
            results = [checks.Result(checks.INTEGRITY, "integrity_files_present", checks.FAILURE,
                                     f"the stored package cannot be opened: {exc}")]
            subject = checks.Subject(Path(tmp), package)
            results += checks.authenticity_recorded_location(subject) + checks.security_carrier_sound(subject)
        else:
            results = check_bag(bag_dir, package)
    return _record_run(package, results, trigger, actor)


def check_all(*, trigger: str = "schedule", actor=None) -> list[CheckRun]:
    """Check every stored package (the scheduled fixity and four-property run, and the command)."""
    runs = []
    for package in ArchivePackage.objects.filter(state=ArchivePackage.State.STORED).order_by("pk"):
        runs.append(package_check(actor=actor, package=package, trigger=trigger, _scoped=False))
    return runs


# --- restore drill --------------------------------------------------------------------------------


@dataclass
class DrillResult:
    package: ArchivePackage
    ok: bool
    steps: list[tuple[str, bool, str]]


def _pdfsig(path: Path) -> tuple[bool, str] | None:
    if not shutil.which("pdfsig"):
        return None
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=120).stdout
    ok = "Signature Validation: Signature is Valid." in out
    return ok, "pdfsig: valid" if ok else f"pdfsig: {out.strip()[-200:]}"


def drill(*, actor=None, package: ArchivePackage | None = None, source: str = "primary") -> DrillResult:
    """Restore a package (random among the stored current ones unless given) from storage into a
    temporary folder and prove it: the bag validates (bagit), the SM3 manifests hold, the seal over
    the tag manifest verifies, every PDF's signatures verify (PAdES with pyHanko and, when
    installed, pdfsig; the GB/T 38540 seal). The result is recorded as a ``restore drill`` event and
    audited (archives.drill.run); a failed drill also raises the alert."""
    if package is None:
        candidates = list(ArchivePackage.objects.filter(state=ArchivePackage.State.STORED, current=True)
                          .values_list("pk", flat=True))
        if not candidates:
            raise _err("archives.drill.empty", "没有可演练的归档信息包", "there is no package to restore")
        package = ArchivePackage.objects.get(pk=random.SystemRandom().choice(candidates))  # noqa: S311
    steps: list[tuple[str, bool, str]] = []
    store = storage.copy() if source == "copy" else storage.primary()
    name = package.copy_storage_name if source == "copy" else package.storage_name
    with tempfile.TemporaryDirectory(prefix="govhall-aip-drill-") as tmp:
        try:
            data = storage.read(store, name)
            steps.append(("restore", crypto_sm.sm3_hex(data) == package.sm3,
                          f"{len(data)} bytes from {source} storage; SM3 as registered"
                          if crypto_sm.sm3_hex(data) == package.sm3 else "SM3 differs from the registration"))
            bag_dir = B.unzip(data, Path(tmp))
        except (FileNotFoundError, OSError, ValueError, AttributeError) as exc:
            steps.append(("restore", False, f"cannot restore: {exc}"))
            bag_dir = None
        if bag_dir is not None:
            try:
                bagit.Bag(str(bag_dir)).validate()
                steps.append(("bagit", True, "bag valid (SHA-256, SHA-512, Payload-Oxum)"))
            except bagit.BagError as exc:
                steps.append(("bagit", False, str(exc)))
            problems = B.verify_sm3_manifests(bag_dir)
            steps.append(("sm3", not problems, "; ".join(problems) or "manifest-sm3.txt and tagmanifest-sm3.txt hold"))
            subject = checks.Subject(bag_dir, package)
            for result in checks.authenticity_signatures_verify(subject):
                steps.append(("seals_and_signatures", not result.failed, result.detail))
            for rec in subject.files():
                if rec.get("kind") == "sealed_pdf" and (bag_dir / rec["path"]).is_file():
                    outcome = _pdfsig(bag_dir / rec["path"])
                    if outcome is not None:
                        steps.append((f"pdfsig {rec['path']}", outcome[0], outcome[1]))
            for result in checks.usability_files_open(subject):
                steps.append(("files_open", not result.failed, result.detail))
    ok = all(step[1] for step in steps)
    with transaction.atomic():
        detail = "; ".join(f"{n}: {'ok' if good else 'FAILED'} ({d[:200]})" for n, good, d in steps)
        _event(package, "restore drill", "success" if ok else "failure", detail, agent=_agent(actor), trigger="drill")
        audit.record(actor=actor, action="archives.drill.run", target=package,
                     target_label=f"{package.case_number} v{package.version}",
                     after={"ok": ok, "source": source, "steps": [[n, good] for n, good, _ in steps]})
        if not ok:
            _alert(package, [checks.Result("drill", n, checks.FAILURE, d) for n, good, d in steps if not good], "drill")
    return DrillResult(package, ok, steps)


# --- export ---------------------------------------------------------------------------------------


def export(*, package: ArchivePackage, directory: Path) -> Path:
    """The package as a bag folder under ``directory`` (``<case number>-v<version>/``)."""
    if package.state != ArchivePackage.State.STORED:
        raise _err("archives.disposed", "该归档信息包已销毁", "this package was destroyed")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / package.bag_name).exists():
        raise _err("archives.export.exists", "目标目录已存在同名档案包", f"{directory / package.bag_name} exists")
    return _open_stored(package, directory)


# --- legal holds and retention ---------------------------------------------------------------------


@transaction.atomic
def legal_hold_set(*, actor, package: ArchivePackage, hold: bool, reason: str) -> ArchivePackage:
    """Put every version of the case's package under legal hold (or lift it), with a reason.
    A package under hold cannot be disposed. Audit: archives.legal_hold.set / .lifted."""
    scope.ensure(actor, package.organ_id, PACKAGE_MANAGE, label=package.case_number)
    if not (reason or "").strip():
        raise _err("archives.legal_hold.reason", "请填写法律保全的理由", "a legal hold needs its reason", "reason")
    ArchivePackage.objects.select_for_update().filter(case_number=package.case_number).update(
        legal_hold=hold, legal_hold_reason=reason.strip()[:300])
    package.refresh_from_db()
    for p in ArchivePackage.objects.filter(case_number=package.case_number):
        _event(p, "legal hold" if hold else "legal hold lifted", "success", reason.strip(), agent=_agent(actor))
    audit.record(actor=actor, action="archives.legal_hold.set" if hold else "archives.legal_hold.lifted",
                 target=package, target_label=package.case_number, reason=reason.strip())
    return package


@transaction.atomic
def retention_set(*, actor, item_type: str, period: str, note: str = "") -> RetentionRule:
    """Set the retention period of an item type (applies to packages built from now on; existing
    packages keep the period they were archived with). Audit: archives.retention.set."""

    from .scope import organ_ids

    if actor is not None and not organ_ids(actor, PACKAGE_MANAGE):
        raise NotFound("retention")
    problems = []
    if item_type not in ItemType.values:
        problems.append(("archives.retention.item_type", "事项类型无效", "unknown item type", "item_type"))
    if period not in RetentionPeriod.values:
        problems.append(("archives.retention.period", "保管期限须为10年、30年或永久",
                         "the period must be 10 years, 30 years or permanent", "period"))
    if problems:
        from govhall.core.errors import Problem

        raise DomainError([Problem(*p) for p in problems])
    rule = RetentionRule.objects.select_for_update().filter(item_type=item_type).first()
    before = {"period": rule.period} if rule else None
    rule, _ = RetentionRule.objects.update_or_create(item_type=item_type, defaults={
        "period": period, "note": note.strip()[:300], "updated_at": timezone.now(),
        "updated_by": actor if getattr(actor, "pk", None) else None})
    audit.record(actor=actor, action="archives.retention.set", target=rule, target_label=item_type, before=before,
                 after={"period": period, "note": rule.note})
    return rule


# --- disposal -----------------------------------------------------------------------------------


def _disposal_problems(packages: list[ArchivePackage], today: dt.date) -> list:

    problems = []
    for p in packages:
        if p.legal_hold:
            problems.append(Problem("archives.disposal.legal_hold", f"{p.case_number} 处于法律保全中，不能销毁",
                                    f"{p.case_number} is under legal hold and cannot be destroyed", "packages"))
        if p.state != ArchivePackage.State.STORED:
            problems.append(Problem("archives.disposal.state", f"{p.case_number} 第 {p.version} 版已销毁",
                                    f"{p.case_number} v{p.version} is already destroyed", "packages"))
        if p.retain_until is None or p.retain_until > today:
            problems.append(Problem("archives.disposal.not_due", f"{p.case_number} 保管期限未满",
                                    f"{p.case_number} is not due for disposal (kept until "
                                    f"{p.retain_until or 'permanently'})", "packages"))
    return problems


@transaction.atomic
def disposal_propose(*, actor, organ: Organ, packages: list[ArchivePackage], reason: str) -> DisposalList:
    """An archivist proposes a disposal list of the organ's packages whose retention has ended.
    Packages under legal hold, already destroyed or not yet due are refused (every problem listed).
    Audit: archives.disposal.proposed."""
    scope.ensure(actor, organ.pk, DISPOSAL_PROPOSE, label=str(organ.pk))
    packages = list(ArchivePackage.objects.select_for_update().filter(pk__in=[p.pk for p in packages]))
    problems = _disposal_problems(packages, timezone.localdate())
    if not packages:
        from govhall.core.errors import Problem

        problems.append(Problem("archives.disposal.empty", "销毁清单不能为空", "the list is empty", "packages"))
    if any(p.organ_id != organ.pk for p in packages):
        raise NotFound("package")
    if not (reason or "").strip():
        from govhall.core.errors import Problem

        problems.append(Problem("archives.disposal.reason", "请填写销毁理由", "a disposal needs its reason", "reason"))
    if problems:
        raise DomainError(problems)
    disposal = DisposalList.objects.create(organ=organ, reason=reason.strip(), proposed_by=actor)
    disposal.packages.set(packages)
    audit.record(actor=actor, action="archives.disposal.proposed", target=disposal,
                 after={"packages": [f"{p.case_number} v{p.version}" for p in packages]}, reason=reason.strip())
    return disposal


@transaction.atomic
def disposal_decide(*, actor, disposal: DisposalList, approve: bool, note: str = "") -> DisposalList:
    """An approver of the organ approves or rejects a proposed list; approving re-checks every
    package (a legal hold set meanwhile refuses it). The proposer cannot approve their own list.
    Audit: archives.disposal.approved / .rejected."""
    disposal = DisposalList.objects.select_for_update().get(pk=disposal.pk)
    scope.ensure(actor, disposal.organ_id, DISPOSAL_APPROVE, label=str(disposal.pk))
    if disposal.state != DisposalList.State.PROPOSED:
        raise _err("archives.disposal.decided", "该销毁清单已处理", "this list has been decided already")
    if disposal.proposed_by_id == getattr(actor, "pk", None):
        raise _err("archives.disposal.same_person", "提出人不能审批自己的销毁清单",
                   "the proposer cannot approve their own list")
    if approve:
        problems = _disposal_problems(list(disposal.packages.all()), timezone.localdate())
        if problems:
            raise DomainError(problems)
    disposal.state = DisposalList.State.APPROVED if approve else DisposalList.State.REJECTED
    disposal.decided_by, disposal.decided_at, disposal.decision_note = actor, timezone.now(), note.strip()
    disposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action="archives.disposal.approved" if approve else "archives.disposal.rejected",
                 target=disposal, reason=note.strip())
    return disposal


@transaction.atomic
def disposal_execute(*, actor, disposal: DisposalList) -> DisposalList:
    """Destroy the packages of an approved list (both stored copies), keeping the rows, their events
    and the destruction record (case number, version, SM3, size, who proposed, approved and
    executed, when). Legal holds are checked once more. Audit: archives.disposal.executed and one
    archives.package.destroyed per package."""
    disposal = DisposalList.objects.select_for_update().get(pk=disposal.pk)
    scope.ensure(actor, disposal.organ_id, DISPOSAL_PROPOSE, label=str(disposal.pk))
    if disposal.state != DisposalList.State.APPROVED:
        raise _err("archives.disposal.not_approved", "销毁清单尚未批准", "the list is not approved")
    packages = list(ArchivePackage.objects.select_for_update().filter(disposal_lists=disposal))
    problems = _disposal_problems(packages, timezone.localdate())
    if problems:
        raise DomainError(problems)
    now = timezone.now()
    destroyed = []
    for p in packages:
        storage.delete(storage.primary(), p.storage_name)
        storage.delete(storage.copy(), p.copy_storage_name)
        p.state, p.disposed_at = ArchivePackage.State.DISPOSED, now
        p.save(update_fields=["state", "disposed_at"])
        _event(p, "deletion", "success", f"destroyed under disposal list {disposal.pk}", agent=_agent(actor))
        audit.record(actor=actor, action="archives.package.destroyed", target=p,
                     target_label=f"{p.case_number} v{p.version}",
                     after={"sm3": p.sm3, "size": p.size, "disposal_list": disposal.pk})
        destroyed.append({"case_number": p.case_number, "version": p.version, "sm3": p.sm3, "sha256": p.sha256,
                          "size": p.size, "item": p.item_name, "retention": p.retention_period,
                          "retain_until": p.retain_until.isoformat() if p.retain_until else None})
    disposal.state, disposal.executed_by, disposal.executed_at = DisposalList.State.EXECUTED, actor, now
    disposal.record = {"destroyed": destroyed, "proposed_by": disposal.proposed_by.username,
                       "approved_by": disposal.decided_by.username if disposal.decided_by else "",
                       "executed_by": getattr(actor, "username", ""), "executed_at": now.isoformat(),
                       "reason": disposal.reason}
    disposal.save(update_fields=["state", "executed_by", "executed_at", "record"])
    audit.record(actor=actor, action="archives.disposal.executed", target=disposal, after=disposal.record)
    return disposal

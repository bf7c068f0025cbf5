"""``govhall restore FILE``: put a backup back into a fresh instance, or refuse before touching it.

Refused, with every reason at once and nothing changed (``RestoreRefused``):

- the archive is not a GovHall backup, does not match its manifest, or a member's SM3 digest differs;
- the master key: the backup's data is encrypted under the key whose check value the manifest
  records. The key is taken from ``--master-key-file``, else from the archive (``backup
  --include-master-key``), else ``GOVHALL_MASTER_KEY``, else this instance's ``var/master_key``; no key,
  or a key with another check value, is refused. ``GOVHALL_MASTER_KEY``, when set, is the key the
  instance will run with, so it must be the backup's; the production profile takes the key from it only;
- the target is not empty (a database with tables, media files, OIDC keys) and ``force`` is off;
- the backup was made by a newer version (migrations this code does not know) and ``force`` is off.

Then: database, media, OIDC keys, ``var/master_key`` (when the key did not come from the
environment; a different file already there is kept as ``master_key.replaced-<time>``), and checks:
the restored database's check value matches the key, every table has the row count of the
manifest, the audit chain verifies against its anchor. A failed check raises ``RestoreFailed``.
Audit: ops.instance.restored (after the checks, so it is the first event after the backup's head).
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.migrations.loader import MigrationLoader

from govhall.core import audit
from govhall.core.errors import Problem
from govhall.crypto import keycheck, master
from govhall.oidc import keys as oidc_keys

from . import archive, backup, database


class RestoreRefused(Exception):
    """Nothing was changed. ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class RestoreFailed(Exception):
    """The data was put in place but a check after it failed: the instance must not be used as is."""


@dataclass
class RestoreReport:
    manifest: dict
    key_source: str
    checked_tables: int
    audit: audit.VerifyResult
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Key:
    key: master.SettingsMasterKey | None
    source: str
    text: str = ""  # hex to write into var/master_key ('' when it comes from the environment)


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _choose_key(manifest: dict, tar: tarfile.TarFile, key_file: Path | None,
                problems: list[Problem]) -> _Key:
    expected = (manifest.get("master_key") or {}).get("check_value")
    members = manifest.get("members", {})
    env = os.environ.get(master.ENV, "")
    chosen = _Key(None, "")
    try:
        if key_file is not None:
            text = Path(key_file).read_text().strip()
            chosen = _Key(master.parse_key(text, str(key_file)), f"--master-key-file {key_file}", text)
        elif archive.MASTER_KEY in members:
            text = archive.read_checked(tar, archive.MASTER_KEY, members[archive.MASTER_KEY]).decode().strip()
            chosen = _Key(master.parse_key(text, "the archive"), "the archive", text)
        elif env:
            chosen = _Key(master.parse_key(env, master.ENV), master.ENV)
        elif master.key_file().exists():
            chosen = _Key(master.configured_key(), str(master.key_file()))
    except (OSError, UnicodeDecodeError, ImproperlyConfigured, archive.ArchiveError) as exc:
        problems.append(Problem("restore.key.unreadable", f"无法读取主密钥：{exc}", f"cannot read the master key: {exc}",
                                "master_key"))
        return chosen
    if getattr(settings, "GOVHALL_REQUIRE_MASTER_KEY", False) and not env:
        problems.append(Problem("restore.key.environment", "生产配置只从 GOVHALL_MASTER_KEY 读取主密钥：请将其设为备份所用的主密钥",
                                "the production profile takes the master key from GOVHALL_MASTER_KEY only: set it "
                                "to the backup's key", "master_key"))
    if expected is None:
        return chosen  # a backup from before check values: the key cannot be told, the caller warns
    if chosen.key is None:
        problems.append(Problem(
            "restore.key.missing",
            f"备份中的数据以校验值为 {keycheck.short(expected)} 的主密钥加密，但未提供该主密钥：请用 --master-key-file "
            f"指定，或设置 {master.ENV}（见 {keycheck.HELP}）",
            f"the backup's data is encrypted under the master key with check value {keycheck.short(expected)}, "
            f"and that key was not given: pass --master-key-file or set {master.ENV} (see {keycheck.HELP})",
            "master_key"))
        return chosen
    candidates = [(chosen.key, chosen.source)]
    if env and chosen.source != master.ENV:  # the key the restored instance will actually run with
        try:
            candidates.append((master.parse_key(env, master.ENV), master.ENV))
        except ImproperlyConfigured as exc:
            problems.append(Problem("restore.key.unreadable", str(exc), str(exc), "master_key"))
    for key, source in candidates:
        actual = keycheck.kcv(key)
        if not hmac.compare_digest(actual, expected):
            problems.append(Problem(
                "restore.key.mismatch",
                f"{source} 的主密钥（校验值 {keycheck.short(actual)}）不是备份所用的主密钥（校验值 "
                f"{keycheck.short(expected)}）",
                f"the master key from {source} (check value {keycheck.short(actual)}) is not the backup's "
                f"(check value {keycheck.short(expected)})", "master_key"))
    return chosen


def _not_empty(directory: Path | None, pattern: str = "*") -> bool:
    return bool(directory and directory.is_dir() and any(p for p in directory.rglob(pattern) if p.is_file()))


def _target_problems(manifest: dict, force: bool) -> list[Problem]:
    problems = []
    source, target = manifest["database"]["engine"], database.engine()
    if source != target:
        problems.append(Problem("restore.database.engine", f"备份来自 {source} 数据库，本实例配置的是 {target}：请恢复到同类数据库",
                                f"the backup comes from {source}, this instance is configured for {target}: restore "
                                "into the same kind of database", "database"))
    if force:
        return problems
    if tables := database.table_names():
        problems.append(Problem("restore.database.not_empty",
                                f"目标数据库非空（{len(tables)} 张表）：请恢复到空数据库，或用 --force 覆盖",
                                f"the target database is not empty ({len(tables)} tables): restore into an empty "
                                "database, or pass --force to overwrite it", "database"))
    if _not_empty(backup.media_root()):
        problems.append(Problem("restore.media.not_empty", f"目标文件目录 {backup.media_root()} 非空：请清空，或用 --force",
                                f"the target media folder {backup.media_root()} is not empty: empty it, or pass "
                                "--force", "media"))
    if manifest.get("oidc_keys", {}).get("files") and _not_empty(oidc_keys.key_dir()):
        problems.append(Problem("restore.oidc.not_empty", f"目标 OIDC 密钥目录 {oidc_keys.key_dir()} 非空：请清空，或用 --force",
                                f"the target OIDC key folder {oidc_keys.key_dir()} is not empty: empty it, or pass "
                                "--force", "oidc_keys"))
    return problems


def _version_problems(manifest: dict, force: bool, warnings: list[str]) -> list[Problem]:
    disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    if pending := disk - applied:
        warnings.append(f"the backup predates {len(pending)} migration(s) of this version: run govhall migrate")
    unknown = sorted(applied - disk)
    if unknown and not force:
        names = ", ".join(f"{a}.{n}" for a, n in unknown[:5])
        return [Problem("restore.version.newer", f"备份来自更新的版本（本版本不认识的数据库迁移：{names}）",
                        f"the backup comes from a newer version (migrations this version does not know: {names})",
                        "migrations")]
    return []


def _move_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(exist_ok=True, mode=0o700)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            shutil.move(path, destination)


def _install_key(chosen: _Key) -> None:
    if not chosen.text or os.environ.get(master.ENV):
        return
    path = master.key_file()
    if path.exists():
        if path.read_text().strip().lower() == chosen.text.lower():
            return
        path.rename(path.with_name(f"master_key.replaced-{_stamp()}"))
    master.write_key_file(chosen.text.lower(), path)


def _check(manifest: dict, warnings: list[str]) -> tuple[int, audit.VerifyResult]:
    master.master_key.cache_clear()
    facts = database.current_facts()
    expected = (manifest.get("master_key") or {}).get("check_value")
    if expected and facts.key_check != expected:
        raise RestoreFailed(f"the restored database's key check value is {facts.key_check}, the manifest's {expected}")
    master.master_key()  # the key the instance will run with belongs to the restored database
    wrong = {t: (n, facts.tables.get(t)) for t, n in manifest["tables"].items() if facts.tables.get(t) != n}
    if wrong:
        listed = ", ".join(f"{t}: {got} rows, {want} in the backup" for t, (want, got) in sorted(wrong.items())[:10])
        raise RestoreFailed(f"row counts differ from the backup's: {listed}")
    if extra := sorted(set(facts.tables) - set(manifest["tables"])):
        warnings.append(f"tables not in the backup were left as they were: {', '.join(extra[:10])}")
    result = audit.verify()
    if not result.ok:
        raise RestoreFailed(f"the restored audit chain does not verify at event #{result.broken_seq}: {result.problem}")
    return len(manifest["tables"]), result


def restore(path: Path, *, master_key_file: Path | None = None, force: bool = False) -> RestoreReport:
    """Restore the archive at ``path`` into this instance (its database, media folder, OIDC key
    folder and var/). Stop the platform first. Raises RestoreRefused (nothing changed),
    RestoreFailed (a check after restoring failed), ``database.DatabaseToolError``."""
    warnings: list[str] = []
    with tarfile.open(path, "r:*") as tar:
        try:
            manifest = archive.read_manifest(tar)
        except archive.ArchiveError as exc:
            raise RestoreRefused([Problem("restore.archive.invalid", f"备份文件无效：{exc}", str(exc), "file")]) from exc
        problems: list[Problem] = []
        chosen = _choose_key(manifest, tar, master_key_file, problems)
        problems += _target_problems(manifest, force)
        problems += _version_problems(manifest, force, warnings)
        if problems:
            raise RestoreRefused(problems)
        if not (manifest.get("master_key") or {}).get("check_value"):
            warnings.append("the backup records no master key check value: whether the key is right is not known")
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=settings.VAR_DIR))
        try:
            members = manifest["members"]
            for name in members:
                if name != archive.MASTER_KEY:
                    archive.extract_checked(tar, name, members[name], staging / archive.safe_name(name))
        except archive.ArchiveError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise RestoreRefused([Problem("restore.archive.damaged", f"备份文件已损坏：{exc}", str(exc), "file")]) from exc
    try:
        db = manifest["database"]
        database.load(staging / db["member"], member=db["member"], replace=force)
        if (staging / archive.MEDIA).is_dir():
            root = backup.media_root()
            if root is None:
                warnings.append("media: the default storage is not local; the archive's media files were not restored")
            else:
                _move_tree(staging / archive.MEDIA, root)
        if (staging / archive.OIDC_KEYS).is_dir():
            directory = oidc_keys.key_dir()
            if directory.exists() and _not_empty(directory):
                directory.rename(directory.with_name(f"{directory.name}.replaced-{_stamp()}"))
            _move_tree(staging / archive.OIDC_KEYS, directory)
            oidc_keys._cache.clear()
        _install_key(chosen)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    checked, result = _check(manifest, warnings)
    with transaction.atomic():
        audit.record(actor=None, action="ops.instance.restored", target_type="ops.backup",
                     target_id=manifest["created_at"], target_label=Path(path).name,
                     after={"created_at": manifest["created_at"], "key_source": chosen.source,
                            "tables": checked, "audit_head": manifest.get("audit_head"), "force": force})
    return RestoreReport(manifest, chosen.source, checked, result, warnings)

"""``govhall backup FILE``: the database, media files and ID-token signing keys in one archive.

What is in it and why (docs/backup.md):

- the database image, consistent while the platform runs (``database.snapshot``);
- the files of the default storage when it is local (``MEDIA_ROOT``): application materials and
  signed documents; an object store (S3) is backed up by its own means and the manifest says so;
- the OIDC signing keys (``GOVHALL_OIDC_KEY_DIR``), wrapped by the master key (plain PEM files of
  earlier versions are wrapped first);
- **not** the master key, unless asked (``include_master_key``): without it the archive's
  identifiers, key-store keys and OIDC keys are ciphertext; with it, whoever holds the archive holds
  everything. The manifest records the key's *check value* so that a restore can tell the right key;
- not ``SECRET_KEY`` (``var/secret_key``): it protects nothing stored, only sessions, password-reset
  links and in-flight payment callbacks; a restored instance with a new one logs everybody out.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.db import transaction

from govhall.core import audit
from govhall.crypto import keycheck, master
from govhall.oidc import keys as oidc_keys

from . import archive, database

FILE_STORAGE = "django.core.files.storage.FileSystemStorage"


@dataclass
class BackupReport:
    path: Path
    manifest: dict
    warnings: list[str] = field(default_factory=list)


def media_root() -> Path | None:
    """The local folder of the default storage, or None when files live elsewhere (object storage)."""
    storage = settings.STORAGES.get("default", {})
    if storage.get("BACKEND") != FILE_STORAGE:
        return None
    return Path(storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT)


def _files(root: Path):
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _oidc_key_files(warnings: list[str]) -> list[Path]:
    directory = oidc_keys.key_dir()
    if not directory.is_dir():
        return []
    if any(directory.glob("*.pem")):
        oidc_keys.keyring()  # wraps plain PEM files of earlier versions under the master key
    found = [p for p in sorted(directory.iterdir())
             if p.is_file() and (p.suffix == oidc_keys.KEY_SUFFIX or p.name == oidc_keys.ACTIVE_FILE)]
    if any(directory.glob("*.pem")):
        warnings.append("oidc-keys: plain *.pem files were left out (not wrapped)")
    return found


def _software() -> dict:
    try:
        version = metadata.version("govhall")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"govhall": version, "django": django.get_version(), "python": platform.python_version()}


def create(path: Path, *, include_master_key: bool = False) -> BackupReport:
    """Write the archive to ``path`` (mode 0600; refuses to overwrite). Audit: ops.backup.created
    (recorded after the snapshot, so it is in the next backup, not this one). Raises
    FileExistsError, ``database.DatabaseToolError``, ``archive.ArchiveError``."""
    path = Path(path)
    warnings: list[str] = []
    key = master.configured_key() if include_master_key else None
    if include_master_key and key is None:
        raise archive.ArchiveError("no master key is configured: there is none to include")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=settings.VAR_DIR))
    try:
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode=f"w:{archive.compression(path)}",
                                                      format=tarfile.PAX_FORMAT) as tar:
            writer = archive.Writer(tar)
            snap = database.snapshot(staging)
            writer.add_file(snap.member, snap.path)
            snap.path.unlink()
            root = media_root()
            media_count = 0
            if root is None:
                warnings.append(f"media: files are in {settings.STORAGES['default']['BACKEND']}, not in this "
                                "archive: back that storage up by its own means")
            elif root.is_dir():
                for relative, file in _files(root):
                    writer.add_file(f"{archive.MEDIA}/{relative}", file)
                    media_count += 1
            key_files = _oidc_key_files(warnings)
            for file in key_files:
                writer.add_file(f"{archive.OIDC_KEYS}/{file.name}", file)
            if key is not None:
                writer.add_bytes(archive.MASTER_KEY, key.export_hex().encode())
            facts = snap.facts
            if facts.key_check is None and any(facts.tables.get(m._meta.db_table)
                                               for m, _ in keycheck.encrypted_columns()):
                warnings.append("the database has no master key check value yet (run govhall migrate)")
            manifest = {
                "format": archive.FORMAT,
                "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "software": _software(),
                "database": {"engine": snap.engine, "member": snap.member, "server_version": snap.server_version},
                "migrations": facts.migrations,
                "tables": facts.tables,
                "audit_head": facts.audit_head,
                "master_key": {"check_value": facts.key_check, "included": key is not None},
                "media": {"included": root is not None, "files": media_count},
                "oidc_keys": {"files": len(key_files), "from_environment": bool(os.environ.get(oidc_keys.ENV_KEY))},
            }
            writer.add_manifest(manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    with transaction.atomic():  # after the snapshot: the next backup holds it
        audit.record(actor=None, action="ops.backup.created", target_type="ops.backup",
                     target_id=manifest["created_at"], target_label=path.name,
                     after={"file": str(path.resolve()), "master_key_included": key is not None,
                            "tables": len(manifest["tables"]), "media_files": media_count,
                            "audit_head": manifest["audit_head"]})
    return BackupReport(path, manifest, warnings)

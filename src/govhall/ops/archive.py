"""The backup archive: a tar file (gzip when the name ends in ``.gz``/``.tgz``) of

    database/govhall.sqlite3 | database/govhall.pgdump   the database image
    media/<path>                                         uploaded and generated files (local storage)
    oidc-keys/<kid>.key, oidc-keys/active                ID-token signing keys (wrapped by the master key)
    master_key                                           only with --include-master-key
    manifest.json                                        last: what the archive holds, with SM3 digests

The manifest (``format`` ``govhall-backup/1``) records the software versions, the database engine,
the applied migrations, the row count of every table, the audit chain head, the master key's
key-check value, and for every other member its size and SM3 digest. See docs/backup.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time
from pathlib import Path, PurePosixPath
from typing import IO

FORMAT = "govhall-backup/1"
MANIFEST = "manifest.json"
MASTER_KEY = "master_key"
MEDIA = "media"
OIDC_KEYS = "oidc-keys"
CHUNK = 1024 * 1024


class ArchiveError(ValueError):
    """The archive is not a GovHall backup, or it is damaged."""


def compression(path: Path) -> str:
    name = path.name.lower()
    return "gz" if name.endswith((".gz", ".tgz")) else ""


class HashingReader(io.RawIOBase):
    """Reads through to ``fh`` while computing the SM3 digest of what was read."""

    def __init__(self, fh: IO[bytes]):
        self.fh, self.sm3, self.size = fh, hashlib.new("sm3"), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.sm3.update(data)
        self.size += len(data)
        return data


def _info(name: str, size: int, mtime: float | None = None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time() if mtime is None else mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


class Writer:
    """Adds members and remembers their digests for the manifest."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar = tar
        self.members: dict[str, dict] = {}

    def add_file(self, name: str, path: Path) -> None:
        stat = path.stat()
        with path.open("rb") as fh:
            reader = HashingReader(fh)
            self.tar.addfile(_info(name, stat.st_size, stat.st_mtime), reader)
        if reader.size != stat.st_size:
            raise ArchiveError(f"{path} changed while it was being archived")
        self.members[name] = {"size": reader.size, "sm3": reader.sm3.hexdigest()}

    def add_bytes(self, name: str, data: bytes) -> None:
        self.tar.addfile(_info(name, len(data)), io.BytesIO(data))
        self.members[name] = {"size": len(data), "sm3": hashlib.new("sm3", data).hexdigest()}

    def add_manifest(self, manifest: dict) -> None:
        manifest = {**manifest, "members": self.members}
        data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        self.tar.addfile(_info(MANIFEST, len(data)), io.BytesIO(data))


def safe_name(name: str) -> PurePosixPath:
    """A member name as a relative path that stays inside the destination (no '..', not absolute)."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in {"", ".", ".."} for p in path.parts):
        raise ArchiveError(f"unsafe member name {name!r}")
    return path


def read_manifest(tar: tarfile.TarFile) -> dict:
    """The manifest, after checking that the archive holds exactly the members it lists (regular
    files with safe names). Raises ArchiveError."""
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise ArchiveError(f"not a GovHall backup (no readable {MANIFEST})") from exc
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    listed = set(manifest.get("members", {}))
    present = set()
    for info in tar.getmembers():
        if info.name == MANIFEST:
            continue
        safe_name(info.name)
        if not info.isfile():
            raise ArchiveError(f"member {info.name!r} is not a regular file")
        present.add(info.name)
    if present != listed:
        extra, missing = sorted(present - listed), sorted(listed - present)
        raise ArchiveError(f"the archive does not match its manifest (unlisted: {extra[:5]}, missing: {missing[:5]})")
    return manifest


def extract_checked(tar: tarfile.TarFile, name: str, expected: dict, destination: Path) -> None:
    """Copy member ``name`` to ``destination`` (mode 0600), checking its size and SM3 digest."""
    source = tar.extractfile(name)
    if source is None:
        raise ArchiveError(f"member {name!r} cannot be read")
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest, size = hashlib.new("sm3"), 0
    with source, destination.open("xb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    destination.chmod(0o600)
    if size != expected.get("size") or digest.hexdigest() != expected.get("sm3"):
        raise ArchiveError(f"member {name!r} is damaged: its SM3 digest or size differs from the manifest")


def read_checked(tar: tarfile.TarFile, name: str, expected: dict) -> bytes:
    data = tar.extractfile(name).read()
    if len(data) != expected.get("size") or hashlib.new("sm3", data).hexdigest() != expected.get("sm3"):
        raise ArchiveError(f"member {name!r} is damaged: its SM3 digest or size differs from the manifest")
    return data

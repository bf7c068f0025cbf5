"""Where packages live: Django storage, written once.

- Primary: the ``archives`` entry of ``STORAGES`` when configured (e.g. S3-compatible object storage
  with object lock through django-storages), else a local folder ``GOVHALL_ARCHIVES_ROOT`` (default
  ``<MEDIA_ROOT>/archives``), owner-only permissions.
- Second copy: the ``archives_copy`` entry of ``STORAGES``, else ``GOVHALL_ARCHIVES_COPY_ROOT`` (a
  folder, e.g. another disk); none when neither is set.

A package is one ZIP object. On a local folder it is written to ``.partial/`` in the same folder
and moved into place with ``os.replace`` (atomic): an interrupted write leaves no package under its
name. Other storages receive the finished file in one ``save`` (an object store's PUT is atomic).
A name that exists already is never overwritten.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


class AlreadyStored(Exception):
    pass


def _local(path) -> FileSystemStorage:
    return FileSystemStorage(location=str(path), file_permissions_mode=0o600, directory_permissions_mode=0o700)


def primary() -> Storage:
    if "archives" in settings.STORAGES:
        return storages["archives"]
    root = getattr(settings, "GOVHALL_ARCHIVES_ROOT", "") or Path(settings.MEDIA_ROOT) / "archives"
    return _local(root)


def copy() -> Storage | None:
    if "archives_copy" in settings.STORAGES:
        return storages["archives_copy"]
    root = getattr(settings, "GOVHALL_ARCHIVES_COPY_ROOT", "")
    return _local(root) if root else None


def describe(storage: Storage | None) -> str:
    if storage is None:
        return ""
    if isinstance(storage, FileSystemStorage):
        return f"local folder {storage.location}"
    return type(storage).__name__


def put(storage: Storage, name: str, source: Path) -> str:
    """Write ``source`` under ``name`` once; AlreadyStored if the name exists."""
    if storage.exists(name):
        raise AlreadyStored(name)
    if isinstance(storage, FileSystemStorage):
        final = Path(storage.path(name))
        partial = Path(storage.location) / ".partial" / f"{uuid.uuid4().hex}.zip"
        for folder in (final.parent, partial.parent):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(source, "rb") as src, open(partial, "xb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        os.chmod(partial, 0o600)
        if final.exists():
            partial.unlink()
            raise AlreadyStored(name)
        os.replace(partial, final)
        return name
    with open(source, "rb") as fh:
        saved = storage.save(name, File(fh, name=os.path.basename(name)))
    if saved != name:
        storage.delete(saved)
        raise AlreadyStored(name)
    return name


def read(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as fh:
        return fh.read()


def delete(storage: Storage | None, name: str) -> bool:
    if storage is None or not name or not storage.exists(name):
        return False
    storage.delete(name)
    return True

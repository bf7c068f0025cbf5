"""Uploaded application materials (Art. 7: electronic materials must be accepted), stored by content.

``check_and_store`` takes an upload (a Django ``UploadedFile``, any binary file-like object, or
bytes), reads it once in 1 MiB chunks into a spooled temporary file while computing SHA-256 and SM3,
enforces the size limit (``GOVHALL_MAX_UPLOAD_BYTES``, default 20 MiB) and refuses empty files,
decides the type from the content's magic bytes (never from the name or the browser's
Content-Type), refuses types that are not accepted and names whose extension claims another type,
and stores the bytes content-addressed at ``cas/<sha[0:2]>/<sha[2:4]>/<sha256>`` through Django's
default storage. The same content is stored once: one ``StoredFile`` row and one file per SHA-256.

OFD (GB/T 33190) is a ZIP container whose root holds ``OFD.xml``. We only read the ZIP's central
directory (the list of names); nothing is ever extracted or decompressed, and a ZIP whose directory
announces more than ``ZIP_MAX_ENTRIES`` entries is not looked into at all.

Errors raise ``DomainError`` with the stable codes ``cases.upload.empty``, ``cases.upload.too_large``,
``cases.upload.type_not_allowed`` and ``cases.upload.type_mismatch``. See docs/uploads-and-payments.md.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import tempfile
import zipfile
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from govhall.core.errors import DomainError

from .models import StoredFile

MiB = 1024 * 1024
CHUNK = MiB
DEFAULT_MAX_BYTES = 20 * MiB
HEAD_BYTES = 1024  # enough for every signature we recognise
ZIP_MAX_ENTRIES = 10_000
CAS_PREFIX = "cas"

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
OFD = "application/ofd"
TIFF = "image/tiff"
ZIP = "application/zip"
HTML = "text/html"

ALLOWED: frozenset[str] = frozenset({PDF, JPEG, PNG, OFD, TIFF})

# Extensions a file name may carry for each accepted type (lower case, with the dot).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    PNG: (".png",),
    OFD: (".ofd",),
    TIFF: (".tif", ".tiff"),
}
_TYPE_OF_EXTENSION = {ext: ctype for ctype, exts in EXTENSIONS.items() for ext in exts}

LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", OFD: "OFD", TIFF: "TIFF"}


# --- type detection -------------------------------------------------------------------------------


def sniff(head: bytes, zip_names=None) -> str | None:
    """The content type by magic bytes at the start of ``head``; None when unrecognised.

    A ZIP (``PK\\x03\\x04`` or an empty archive's ``PK\\x05\\x06``) is OFD when ``zip_names`` (the
    archive's member names, as ``zip_names_of`` reads them) contains ``OFD.xml`` at the root, else
    plain ``application/zip``. Some types that are never accepted (HTML, ZIP, GIF, executables) are
    recognised too, so that refusals can say what the file really is.
    """
    head = bytes(head[:HEAD_BYTES])
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if zip_names is not None and "OFD.xml" in set(zip_names):
            return OFD
        return ZIP
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"MZ"):
        return "application/x-msdownload"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe")):
        return "image/svg+xml" if b"<svg" in text else HTML
    return None


def zip_names_of(fileobj: IO[bytes]) -> list[str] | None:
    """Member names from a seekable ZIP's central directory, without extracting anything.

    None when it is not a readable ZIP, when its end record announces more than
    ``ZIP_MAX_ENTRIES`` entries (or ZIP64 counts), or when anything about it is odd.
    """
    try:
        fileobj.seek(0, os.SEEK_END)
        size = fileobj.tell()
        tail_len = min(size, 22 + 65535)
        fileobj.seek(size - tail_len)
        tail = fileobj.read(tail_len)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        (entries,) = struct.unpack("<H", tail[at + 10:at + 12])
        if entries == 0xFFFF or entries > ZIP_MAX_ENTRIES:
            return None
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                return None
            return [info.filename for info in infos]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error,
            NotImplementedError, RuntimeError):
        return None
    finally:
        try:
            fileobj.seek(0)
        except (OSError, ValueError):
            pass


def type_of_name(filename: str) -> str | None:
    """The accepted type a file name's extension claims, or None (no or unknown extension)."""
    return _TYPE_OF_EXTENSION.get(_extension(filename))


def _extension(filename: str) -> str:
    return os.path.splitext(_basename(filename))[1].lower()


def _basename(filename: str) -> str:
    return (filename or "").replace("\\", "/").rsplit("/", 1)[-1]


# --- limits and errors ----------------------------------------------------------------------------


def max_bytes() -> int:
    """The upload limit: ``GOVHALL_MAX_UPLOAD_BYTES`` (the platform's one upload limit), else 20 MiB."""
    return int(getattr(settings, "GOVHALL_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _mb(n: int) -> str:
    value = n / MiB
    if value >= 1:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.3g}"


def _accepted_list(sep: str) -> str:
    return sep.join(LABELS[t] for t in (PDF, OFD, JPEG, PNG, TIFF))


def _error(code: str, zh: str, en: str) -> DomainError:
    return DomainError.single(code, zh, en, field="file")


def _too_large(name: str, limit: int) -> DomainError:
    mb = _mb(limit)
    return _error("cases.upload.too_large", f"文件“{name}”超过 {mb} MB 的大小限制，请压缩或拆分后重新上传。",
                  f"The file “{name}” is larger than the {mb} MB limit; compress or split it and upload again.")


def _empty(name: str) -> DomainError:
    return _error("cases.upload.empty", f"文件“{name}”是空文件（0 字节），请重新选择。",
                  f"The file “{name}” is empty (0 bytes); choose it again.")


def _not_allowed(name: str, limit: int) -> DomainError:
    zh_types, en_types = _accepted_list("、"), _accepted_list(", ")
    mb = _mb(limit)
    return _error("cases.upload.type_not_allowed",
                  f"文件“{name}”的格式不被接受。只接受 {zh_types} 格式、不超过 {mb} MB 的文件。",
                  f"The file “{name}” is not of an accepted type. Only {en_types} files of at most {mb} MB "
                  "are accepted.")


def _mismatch(name: str, actual: str, limit: int) -> DomainError:
    label = LABELS.get(actual)
    ext = _extension(name) or "（无）"
    ext_en = _extension(name) or "(none)"
    if label:
        zh = f"文件“{name}”的扩展名 {ext} 与其内容（{label}）不符，请使用正确的扩展名后重新上传。"
        en = (f"The name of the file “{name}” ends in {ext_en} but its content is {label}; "
              "rename it with the right extension and upload it again.")
    else:
        zh_types, en_types = _accepted_list("、"), _accepted_list(", ")
        mb = _mb(limit)
        zh = (f"文件“{name}”的扩展名 {ext} 与其实际内容不符，内容不是可接受的格式。"
              f"只接受 {zh_types} 格式、不超过 {mb} MB 的文件。")
        en = (f"The name of the file “{name}” ends in {ext_en} but its content is not of that type. "
              f"Only {en_types} files of at most {mb} MB are accepted.")
    return _error("cases.upload.type_mismatch", zh, en)


# --- reading and hashing --------------------------------------------------------------------------


class _ChunkedFile(File):
    """Django ``File`` whose ``chunks()`` default to 1 MiB (storage backends write in these chunks)."""

    DEFAULT_CHUNK_SIZE = CHUNK


def _as_stream(upload) -> IO[bytes]:
    if isinstance(upload, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(upload))
    if not hasattr(upload, "read"):
        raise TypeError("upload must be bytes, a binary file-like object or a Django UploadedFile")
    try:
        if getattr(upload, "closed", False) and hasattr(upload, "open"):
            upload.open("rb")
        if hasattr(upload, "seekable") and upload.seekable():
            upload.seek(0)
    except (OSError, ValueError, AttributeError):
        pass
    return upload


def _spool(upload, *, name: str, limit: int):
    """Copy the upload into a spooled temporary file, hashing as we go. Stops reading beyond the limit."""
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(name, limit)
    stream = _as_stream(upload)
    sha256, sm3 = hashlib.sha256(), hashlib.new("sm3")
    spool = tempfile.SpooledTemporaryFile(max_size=CHUNK)
    head = b""
    size = 0
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            if isinstance(chunk, str):
                raise TypeError("upload must be opened in binary mode")
            size += len(chunk)
            if size > limit:
                raise _too_large(name, limit)
            if len(head) < HEAD_BYTES:
                head += chunk[:HEAD_BYTES - len(head)]
            sha256.update(chunk)
            sm3.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, head, size, sha256.hexdigest(), sm3.hexdigest()


def storage_name_for(sha256: str) -> str:
    return f"{CAS_PREFIX}/{sha256[0:2]}/{sha256[2:4]}/{sha256}"


def _digests(fileobj: IO[bytes]) -> tuple[str, str, int]:
    sha256, sm3 = hashlib.sha256(), hashlib.new("sm3")
    size = 0
    while chunk := fileobj.read(CHUNK):
        size += len(chunk)
        sha256.update(chunk)
        sm3.update(chunk)
    return sha256.hexdigest(), sm3.hexdigest(), size


# --- storing --------------------------------------------------------------------------------------


def check_and_store(upload, *, filename: str) -> StoredFile:
    """Check an uploaded material and store it once by content; returns its ``StoredFile`` row.

    Raises ``DomainError`` (codes ``cases.upload.empty|too_large|type_not_allowed|type_mismatch``).
    The file name is used for the messages and the extension check only, never for the storage name.
    """
    name = _basename(filename) or "?"
    limit = max_bytes()
    spool, head, size, sha256, sm3 = _spool(upload, name=name, limit=limit)
    with spool:
        if size == 0:
            raise _empty(name)
        zip_names = zip_names_of(spool) if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) else None
        actual = sniff(head, zip_names)
        claimed = type_of_name(name)
        if claimed is not None and claimed != actual:
            raise _mismatch(name, actual or "", limit)
        if actual not in ALLOWED:
            raise _not_allowed(name, limit)
        if _extension(name) and claimed is None:
            # "photo.exe" or "scan.html" holding a PNG: the name lies about what the file is
            raise _mismatch(name, actual, limit)
        storage_name = storage_name_for(sha256)
        _ensure_stored(storage_name, spool, sha256)
    return _row(sha256=sha256, sm3=sm3, size=size, content_type=actual, storage_name=storage_name)


def _existing(sha256: str) -> StoredFile | None:
    return StoredFile.objects.filter(sha256=sha256).first()


def _row(*, sha256: str, sm3: str, size: int, content_type: str, storage_name: str) -> StoredFile:
    found = _existing(sha256)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return StoredFile.objects.create(sha256=sha256, sm3=sm3, size=size, content_type=content_type,
                                             storage_name=storage_name)
    except IntegrityError:
        # another request stored the same content between our look-up and our insert
        return StoredFile.objects.get(sha256=sha256)


def _ensure_stored(storage_name: str, spool, sha256: str) -> None:
    """Write the bytes under their content address unless a file with exactly these bytes is there.

    A file left there whose bytes do not hash to its name (a write cut short) is replaced.
    """
    storage = default_storage
    if storage.exists(storage_name):
        try:
            with storage.open(storage_name, "rb") as present:
                if _digests(present)[0] == sha256:
                    return
        except OSError:
            pass
        storage.delete(storage_name)
    spool.seek(0)
    saved = storage.save(storage_name, _ChunkedFile(spool, name=storage_name))
    if saved != storage_name:
        # a concurrent writer got there first and the storage picked another name: keep theirs
        storage.delete(saved)


# --- reading back ---------------------------------------------------------------------------------


def open_stored(stored: StoredFile):
    """The stored bytes as a binary file object (close it, or use it in ``with``)."""
    return default_storage.open(stored.storage_name, "rb")


def read_bytes(stored: StoredFile) -> bytes:
    with open_stored(stored) as fh:
        return fh.read()


def verify_fixity(stored: StoredFile) -> bool:
    """Re-hash the stored bytes: True when SHA-256, SM3 and size all match the row; False when the
    file was changed, truncated or is missing."""
    try:
        with open_stored(stored) as fh:
            sha256, sm3, size = _digests(fh)
    except OSError:
        return False
    return sha256 == stored.sha256 and sm3 == stored.sm3 and size == stored.size

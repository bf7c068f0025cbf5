"""Opening the files of a package (usability checks): does it open, is it what its name says, is it
encrypted or compressed. Reads only; nothing is rendered or executed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from defusedxml import ElementTree as SafeET

from govhall.crypto import keys, seals
from govhall.documents.pades import quiet_pyhanko

MAGIC = {
    "pdf": (b"%PDF-",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
    "ofd": (b"PK\x03\x04",), "ses": (b"\x30",), "seal": (b"\x30",), "sm2": (b"\x30",),
}
ARCHIVES = {b"PK\x03\x04": "ZIP", b"Rar!": "RAR", b"7z\xbc\xaf\x27\x1c": "7z", b"\x1f\x8b": "gzip",
            b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz"}


def _is_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "OFD.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _pdf_reader(data: bytes):

    quiet_pyhanko()
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False)


def opens(path: Path) -> str | None:
    """None when the file opens; otherwise why not."""
    data = path.read_bytes()
    ext = path.suffix.lower().lstrip(".")
    try:
        if ext == "pdf":
            reader = _pdf_reader(data)
            reader.root  # noqa: B018 - the document catalogue must be reachable
            if b"%%EOF" not in data[-1024:]:
                return "the PDF has no end-of-file marker (truncated)"
        elif ext == "xml":
            SafeET.fromstring(data)
        elif ext == "json":
            json.loads(data.decode("utf-8"))
        elif ext in ("txt", "html", "pem"):
            data.decode("utf-8")
            if ext == "pem" and b"-----BEGIN" not in data:
                return "not a PEM file"
        elif ext == "ses":
            seals.parse_signature(data)
        elif ext == "seal":
            seals.SESeal.load(data, strict=True).native  # noqa: B018
        elif ext == "sm2":
            from asn1crypto import core

            core.Sequence.load(data, strict=True)
        elif ext == "ofd" and not _is_ofd(data):
            return "not an OFD container"
        elif ext in ("png", "jpg", "jpeg") and not data.startswith(MAGIC[ext]):
            return "the image header is damaged"
        if ext == "pem" and b"PUBLIC KEY" in data:
            keys.load_public_key(data)
    except Exception as exc:  # noqa: BLE001 - any parser error means the file does not open
        return f"does not open: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def content_matches(path: Path, ext: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if ext in MAGIC:
        return head.startswith(MAGIC[ext])
    if ext in ("xml", "json", "txt", "html", "pem"):
        return not any(head.startswith(m) for m in ARCHIVES) and b"\x00" not in head
    return False


def encrypted_or_compressed(path: Path) -> str | None:
    data = path.read_bytes()
    ext = path.suffix.lower().lstrip(".")
    for magic, kind in ARCHIVES.items():
        if data.startswith(magic) and not (ext == "ofd" and _is_ofd(data)):
            return f"a {kind} archive (compressed content is not accepted)"
    if ext == "pdf":
        try:
            if _pdf_reader(data).encrypted:
                return "an encrypted PDF"
        except Exception:  # noqa: BLE001, S110 - unreadable PDFs fail usability_files_open
            pass
    return None

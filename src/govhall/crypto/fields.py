"""Field encryption for personal data: SM4-GCM ciphertext plus a keyed SM3-HMAC blind index.

- ``seal(value, field)`` → ``Sealed(ciphertext, key_version, blind_index)``: ciphertext is
  ``nonce(12) || SM4-GCM(value) || tag(16)`` with the field name as associated data, so a ciphertext
  moved to another column does not decrypt.
- ``open_(sealed_ciphertext, key_version, field)`` → the value.
- ``blind_index(value, field)`` → hex digest for exact lookups (``WHERE id_number_index = …``) without
  decrypting; values are normalised (trimmed, upper-case) first.

- ``seal_bytes(data, field)`` / ``open_bytes(blob, field)``: the same encryption as one self-describing
  blob ``key_version(2, big-endian) || nonce || ciphertext || tag``, for columns that hold no separate
  key version (the encrypted model fields of ``govhall.crypto.dbfields``).

Key versions: field key *v* is derived from the master key for label ``field-key:v``;
``GOVHALL_FIELD_KEY_VERSION`` (default 1) selects the version for new ciphertexts, and every older
version still decrypts, so rotation is: raise the version, then re-seal rows at leisure.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from .master import master_key
from .sm import GCM_NONCE as NONCE
from .sm import GCM_TAG as TAG
from .sm import DecryptionFailed, sm4_gcm_decrypt, sm4_gcm_encrypt

__all__ = ["NONCE", "TAG", "DecryptionFailed", "Sealed", "blind_index", "mask_identifier", "open_", "open_bytes",
           "seal", "seal_bytes"]

VERSION_BYTES = 2

@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    key_version: int
    blind_index: str


def current_version() -> int:
    return int(getattr(settings, "GOVHALL_FIELD_KEY_VERSION", 1))


@lru_cache(maxsize=64)
def _derived(key, label: str, length: int) -> bytes:
    """Subkeys are cached per master-key object: deriving one per value would double the cost of
    sealing a million records (a new master key, e.g. in tests, is a new object and a new entry)."""
    return key.derive(label, length)


def _field_key(version: int) -> bytes:
    return _derived(master_key(), f"field-key:{version}", 16)


def normalise(value: str) -> str:
    return (value or "").strip().upper()


def blind_index(value: str, field: str) -> str:
    key = _derived(master_key(), "blind-index:1", 32)
    return hmac.new(key, f"{field}\x00{normalise(value)}".encode(), "sm3").hexdigest()


def seal(value: str, field: str) -> Sealed:
    version = current_version()
    ciphertext = sm4_gcm_encrypt(_field_key(version), value.encode(), aad=field.encode())
    return Sealed(ciphertext, version, blind_index(value, field))


def open_(ciphertext: bytes, key_version: int, field: str) -> str:
    return sm4_gcm_decrypt(_field_key(key_version), ciphertext, aad=field.encode()).decode()


def seal_bytes(data: bytes, field: str) -> bytes:
    """``key_version(2) || nonce(12) || SM4-GCM(data) || tag(16)`` under the current field key, with
    ``field`` as associated data (a blob copied to another column does not open)."""
    version = current_version()
    return version.to_bytes(VERSION_BYTES, "big") + sm4_gcm_encrypt(_field_key(version), data, aad=field.encode())


def open_bytes(blob: bytes, field: str, *, master=None) -> bytes:
    """The data sealed by ``seal_bytes``; ``DecryptionFailed`` for anything altered or misplaced.
    ``master``: another master key (``master.SettingsMasterKey``), e.g. to read another node's
    database in a test; default this platform's."""
    blob = bytes(blob)
    if len(blob) < VERSION_BYTES + NONCE + TAG:
        raise DecryptionFailed("ciphertext too short")
    version = int.from_bytes(blob[:VERSION_BYTES], "big")
    key = _field_key(version) if master is None else _derived(master, f"field-key:{version}", 16)
    return sm4_gcm_decrypt(key, blob[VERSION_BYTES:], aad=field.encode())


def mask_identifier(value: str, keep_start: int = 4, keep_end: int = 4) -> str:
    """``341502199001011234`` → ``3415**********1234``; short values are masked entirely but one char."""
    value = value or ""
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * max(0, len(value) - 1)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]

"""The master key, from which field keys and the blind-index key are derived.

Source, in order: ``GOVHALL_MASTER_KEY`` (64 hex characters), else ``var/master_key`` generated once
(mode 0600; development only: production settings require the variable). A hardware security
module would replace ``SettingsMasterKey`` behind the same two methods.

Key-store private keys are wrapped through ``key_wrapper()``: by default ``MasterKeyWrapper`` (SM4-GCM
under the subkey ``key-wrap:<version>``). ``GOVHALL_KEY_WRAPPER`` names another class (dotted path)
with the same ``version`` / ``wrap`` / ``unwrap`` members: that is where an HSM or a key-management
service plugs in, so the wrapping key never leaves it. See docs/crypto.md.
"""

from __future__ import annotations

import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .sm import sm4_gcm_decrypt, sm4_gcm_encrypt


class SettingsMasterKey:
    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ImproperlyConfigured("GOVHALL_MASTER_KEY must be 32 bytes (64 hex characters)")
        self._key = key

    def derive(self, label: str, length: int = 16) -> bytes:
        """A subkey for ``label`` (HMAC-SM3 of the label under the master key)."""
        return hmac.new(self._key, label.encode(), "sm3").digest()[:length]


@lru_cache(maxsize=1)
def master_key() -> SettingsMasterKey:
    if value := os.environ.get("GOVHALL_MASTER_KEY"):
        return SettingsMasterKey(bytes.fromhex(value))
    if getattr(settings, "GOVHALL_REQUIRE_MASTER_KEY", False):
        raise ImproperlyConfigured("GOVHALL_MASTER_KEY must be set in production / 生产环境必须设置主密钥")
    path = Path(settings.VAR_DIR) / "master_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return SettingsMasterKey(bytes.fromhex(path.read_text().strip()))


class KeyWrapper(Protocol):
    """Encrypts key material at rest. ``wrap`` returns the wrapping-key version it used (stored
    beside the blob) and the blob; ``version`` is the one new wraps use."""

    @property
    def version(self) -> int: ...

    def wrap(self, plaintext: bytes, *, aad: bytes) -> tuple[int, bytes]: ...

    def unwrap(self, blob: bytes, *, version: int, aad: bytes) -> bytes: ...


class MasterKeyWrapper:
    """SM4-GCM under ``master_key().derive("key-wrap:<version>")``; ``GOVHALL_KEY_WRAP_VERSION``
    (default 1) selects the version for new wraps, every older version still unwraps."""

    @property
    def version(self) -> int:
        return int(getattr(settings, "GOVHALL_KEY_WRAP_VERSION", 1))

    def wrap(self, plaintext: bytes, *, aad: bytes) -> tuple[int, bytes]:
        version = self.version
        return version, sm4_gcm_encrypt(master_key().derive(f"key-wrap:{version}"), plaintext, aad=aad)

    def unwrap(self, blob: bytes, *, version: int, aad: bytes) -> bytes:
        return sm4_gcm_decrypt(master_key().derive(f"key-wrap:{version}"), blob, aad=aad)


def key_wrapper() -> KeyWrapper:
    path = getattr(settings, "GOVHALL_KEY_WRAPPER", "")
    return import_string(path)() if path else MasterKeyWrapper()

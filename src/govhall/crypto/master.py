"""The master key, from which field keys and the blind-index key are derived.

Source, in order: ``GOVHALL_MASTER_KEY`` (64 hex characters), else ``var/master_key`` generated once
(mode 0600; development only: production settings require the variable). A hardware security
module would replace ``SettingsMasterKey`` behind the same two methods.
"""

from __future__ import annotations

import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


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

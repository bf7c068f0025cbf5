"""The master key, from which field keys and the blind-index key are derived.

Source, in order: ``GOVHALL_MASTER_KEY`` (64 hex characters), else ``var/master_key`` (mode 0600;
development only: production settings require the variable). The file is generated only for a
database that holds nothing encrypted yet: a database with a key-check value or encrypted columns
and no key makes the instance refuse to start (``keycheck.MasterKeyMissing``), and a key whose
key-check value differs from the database's is refused too (``keycheck.MasterKeyMismatch``). The
value is recorded after every ``migrate`` (``ensure_key_check``). A hardware security module would
replace ``SettingsMasterKey`` behind the same two methods.

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

from . import keycheck
from .models import KeyPair
from .sm import sm4_gcm_decrypt, sm4_gcm_encrypt


class SettingsMasterKey:
    def __init__(self, key: bytes):
        if len(key) != 32:
            raise ImproperlyConfigured("GOVHALL_MASTER_KEY must be 32 bytes (64 hex characters)")
        self._key = key

    def derive(self, label: str, length: int = 16) -> bytes:
        """A subkey for ``label`` (HMAC-SM3 of the label under the master key)."""
        return hmac.new(self._key, label.encode(), "sm3").digest()[:length]

    def export_hex(self) -> str:
        """The key itself, 64 hex: only for ``govhall backup --include-master-key``."""
        return self._key.hex()


ENV = "GOVHALL_MASTER_KEY"


def key_file() -> Path:
    return Path(settings.VAR_DIR) / "master_key"


def parse_key(text: str, where: str) -> SettingsMasterKey:
    try:
        return SettingsMasterKey(bytes.fromhex(text.strip()))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{where}: 主密钥须为 64 个十六进制字符 / the master key must be 64 hex "
                                   f"characters") from exc


def configured_key() -> SettingsMasterKey | None:
    """The master key from ``GOVHALL_MASTER_KEY`` or ``var/master_key``, neither generated nor checked;
    None when there is none (ImproperlyConfigured instead where the settings require the variable)."""
    if value := os.environ.get(ENV):
        return parse_key(value, ENV)
    if getattr(settings, "GOVHALL_REQUIRE_MASTER_KEY", False):
        raise ImproperlyConfigured("GOVHALL_MASTER_KEY must be set in production / 生产环境必须设置主密钥")
    path = key_file()
    if path.exists():
        return parse_key(path.read_text(), str(path))
    return None


def write_key_file(key_hex: str, path: Path | None = None) -> Path:
    """Create ``var/master_key`` (mode 0600); FileExistsError if it exists."""
    path = path or key_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key_hex)
    return path


@lru_cache(maxsize=1)
def master_key() -> SettingsMasterKey:
    """The master key, checked against the database's key-check value on first use in a process.

    Raises ``keycheck.MasterKeyMissing`` when there is no key but the database holds encrypted data
    (a new key would decrypt nothing: it is never generated then) and ``keycheck.MasterKeyMismatch``
    for a key the database's data is not under."""
    key = configured_key()
    if key is None:
        if keycheck.database_is_keyed():
            raise keycheck.missing_error(str(key_file()))
        try:
            write_key_file(secrets.token_hex(32))
        except FileExistsError:  # another process of this instance generated it first: use theirs
            pass
        key = configured_key()
    keycheck.verify(key)
    return key


def ensure_key_check() -> str:
    """Record the database's key-check value if it has none yet (run after every ``migrate``).

    On a database written before key-check values existed, the key is first proven on a wrapped
    private key of the key store: a key that does not open it is refused (MasterKeyMismatch) and
    nothing is recorded. Returns the value."""
    key = master_key()  # refuses a missing or mismatching key
    value = keycheck.kcv(key)
    if keycheck.stored() is None:
        pair = KeyPair.objects.order_by("pk").first()
        if pair is not None:
            try:
                key_wrapper().unwrap(bytes(pair.private_key_wrapped), version=pair.wrap_version,
                                     aad=pair.key_id.encode())
            except Exception as exc:  # DecryptionFailed, or whatever a plugged-in wrapper raises
                raise keycheck.MasterKeyMismatch(
                    f"主密钥打不开密钥库中的私钥 {pair.key_id}，不是加密本数据库所用的主密钥：拒绝启动（见 "
                    f"{keycheck.HELP}）。 / The master key does not open the key store's private key {pair.key_id}: "
                    f"it is not the key this database was encrypted under; refusing to start (see "
                    f"{keycheck.HELP}).") from exc
        keycheck.record(value)
    return value


def startup_problem() -> str:
    """Why this instance must not start with its master key ('' when it may), without generating
    a key or writing anything: for the start-up checks (``govhall up``, runserver, gunicorn)."""
    try:
        key = configured_key()
        if key is None:
            return str(keycheck.missing_error(str(key_file()))) if keycheck.database_is_keyed() else ""
        keycheck.verify(key)
    except ImproperlyConfigured as exc:
        return str(exc)
    return ""


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

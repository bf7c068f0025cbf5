"""Key-check value: does this master key belong to this database?

The database stores ``HMAC-SM3(master key, "govhall-kcv")`` (``models.MasterKeyCheck``). With it an
instance can tell, before it decrypts or encrypts anything, that it was started with the wrong master
key (a restore with another instance's key) or with none at all (a restore that left ``var/master_key``
behind): in both cases it refuses to start, with a message in Chinese and English, and it never
generates a new key over a database that already holds encrypted data.

"Holds encrypted data" is: a key-check value is stored, or a column of an encrypted kind has a value
(binary fields named ``*_cipher``, ``*_ciphertext`` or ``*_wrapped``, the naming every sealed field and
wrapped key follows), so databases written before key-check values existed are covered too.

This module only reads and compares; ``master.py`` decides which key to use and records the value.
"""

from __future__ import annotations

import hmac

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models

LABEL = "govhall-kcv"
ENCRYPTED_SUFFIXES = ("_cipher", "_ciphertext", "_wrapped")
HELP = "docs/backup.md"


class MasterKeyMissing(ImproperlyConfigured):
    """The database holds encrypted data and no master key is configured."""


class MasterKeyMismatch(ImproperlyConfigured):
    """The configured master key is not the one the database's data is encrypted under."""


def kcv(key) -> str:
    """The key-check value of ``key`` (anything with ``derive(label, length)``), 64 hex."""
    return key.derive(LABEL, 32).hex()


def short(value: str) -> str:
    return f"{value[:8]}…"


def _model():
    return apps.get_model("crypto", "MasterKeyCheck")


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


def stored() -> str | None:
    """The database's key-check value; None before it is recorded (or before the table exists)."""
    model = _model()
    if model._meta.db_table not in _tables():
        return None
    return model.objects.filter(pk=1).values_list("value", flat=True).first()


def record(value: str) -> None:
    _model().objects.update_or_create(pk=1, defaults={"value": value})


def encrypted_columns() -> list[tuple[type[models.Model], str]]:
    return [(model, field.name) for model in apps.get_models() for field in model._meta.concrete_fields
            if isinstance(field, models.BinaryField) and field.name.endswith(ENCRYPTED_SUFFIXES)]


def database_is_keyed() -> bool:
    """True if the database holds anything encrypted under some master key. A database error (server
    down) propagates: it must never be taken for "nothing encrypted"."""
    if stored():
        return True
    tables = _tables()
    return any(model._default_manager.filter(**{f"{name}__isnull": False}).exists()
               for model, name in encrypted_columns() if model._meta.db_table in tables)


def missing_error(where: str) -> MasterKeyMissing:
    value = stored()
    known = f"（校验值 {short(value)}）" if value else ""
    known_en = f" (key-check value {short(value)})" if value else ""
    return MasterKeyMissing(
        f"数据库中已有以主密钥加密的数据{known}，但未找到主密钥：拒绝启动，也不会生成新的主密钥。"
        f"请设置 GOVHALL_MASTER_KEY，或将原主密钥放回 {where}（见 {HELP}）。 / "
        f"The database holds data encrypted under a master key{known_en}, but no master key was found: "
        f"refusing to start, and not generating a new one (it would decrypt nothing). Set GOVHALL_MASTER_KEY "
        f"or put the original key back in {where} (see {HELP}).")


def mismatch_error(expected: str, actual: str) -> MasterKeyMismatch:
    return MasterKeyMismatch(
        f"主密钥与数据库不符（数据库校验值 {short(expected)}，当前主密钥 {short(actual)}）：拒绝启动。"
        f"请使用加密这些数据的原主密钥（见 {HELP}）。 / "
        f"The master key does not belong to this database (the database's key-check value is {short(expected)}, "
        f"this key's is {short(actual)}): refusing to start. Use the master key its data was encrypted "
        f"under (see {HELP}).")


def verify(key) -> None:
    """Raise MasterKeyMismatch unless ``key`` matches the stored key-check value (or none is stored)."""
    expected = stored()
    if expected is not None and not hmac.compare_digest(expected, kcv(key)):
        raise mismatch_error(expected, kcv(key))

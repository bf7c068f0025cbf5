"""Key store services: SM2 key pairs by purpose, signing with the active key, verifying with any.

Writes (``key_generate``, ``key_rotate``, ``key_rewrap``) are atomic and audited (``crypto.key.*``)
with a required ``actor`` (a user, or None for the system: deployment scripts, the scheduler).
Entry permission is the caller's business, as for every service. ``sign`` and ``verify`` write
nothing and are not audited: the action they serve (issuing a licence, sealing a document) is.

Private keys are PKCS#8 DER wrapped by ``master.key_wrapper()`` with the key id as associated data;
they are unwrapped only for the duration of one ``sign`` call and never leave this module.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from govhall.core import audit
from govhall.core.errors import Conflict, DomainError, NotFound

from . import keys, sm
from .master import key_wrapper
from .models import KeyPair


def _new_key_id(purpose: str) -> str:
    return f"{purpose}-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"


def _create(purpose: str) -> KeyPair:
    private = sm.sm2_generate()
    key_id = _new_key_id(purpose)
    version, wrapped = key_wrapper().wrap(keys.private_key_to_der(private), aad=key_id.encode())
    pair = KeyPair(key_id=key_id, purpose=purpose, public_key_der=keys.public_key_to_der(private.public),
                   fingerprint=keys.fingerprint(private.public), private_key_wrapped=wrapped,
                   wrap_version=version)
    pair.full_clean(exclude=["public_key_der", "private_key_wrapped"])
    try:
        with transaction.atomic():
            pair.save(force_insert=True)
    except IntegrityError as exc:  # another transaction activated a key for this purpose first
        raise Conflict.single("crypto.key.concurrent", f"用途 {purpose} 的密钥正被他人同时创建",
                              f"another key for {purpose} was created at the same time", "purpose") from exc
    return pair


def _summary(pair: KeyPair) -> dict:
    return {"key_id": pair.key_id, "purpose": pair.purpose, "algorithm": pair.algorithm,
            "fingerprint": pair.fingerprint, "state": pair.state}


@transaction.atomic
def key_generate(*, actor, purpose: str) -> KeyPair:
    """Create the first SM2 key pair for ``purpose`` and make it active.

    Audit: crypto.key.generated. Raises DomainError if the purpose already has an active key (use
    ``key_rotate``) or the purpose name is malformed.
    """
    if KeyPair.objects.filter(purpose=purpose, state=KeyPair.State.ACTIVE).exists():
        raise DomainError.single("crypto.key.exists", f"用途 {purpose} 已有启用中的密钥，请使用密钥轮换",
                                 f"{purpose} already has an active key; rotate it instead", "purpose")
    pair = _create(purpose)
    audit.record(actor=actor, action="crypto.key.generated", target=pair, after=_summary(pair))
    return pair


@transaction.atomic
def key_rotate(*, actor, purpose: str) -> KeyPair:
    """Retire the active key of ``purpose`` and activate a new one.

    Retired keys are kept: signatures made with them still verify. Audit: crypto.key.rotated (target:
    the new key; ``before`` names the retired one). Raises DomainError if there is no active key.
    """
    old = KeyPair.objects.select_for_update().filter(purpose=purpose, state=KeyPair.State.ACTIVE).first()
    if old is None:
        raise DomainError.single("crypto.key.none_active", f"用途 {purpose} 没有启用中的密钥",
                                 f"{purpose} has no active key to rotate", "purpose")
    old.state, old.retired_at = KeyPair.State.RETIRED, timezone.now()
    old.save(update_fields=["state", "retired_at"])
    pair = _create(purpose)
    audit.record(actor=actor, action="crypto.key.rotated", target=pair,
                 before={"active": old.key_id, "fingerprint": old.fingerprint}, after=_summary(pair))
    return pair


@transaction.atomic
def key_rewrap(*, actor) -> int:
    """Re-encrypt every private key still wrapped under an older wrapping-key version.

    Run after raising ``GOVHALL_KEY_WRAP_VERSION`` (or installing a new ``GOVHALL_KEY_WRAPPER`` that
    can still unwrap the old versions). Returns the number of keys rewrapped. Audit:
    crypto.key.rewrapped (one event per key). Raises DecryptionFailed if a key does not unwrap.
    """
    wrapper = key_wrapper()
    count = 0
    for pair in KeyPair.objects.select_for_update().exclude(wrap_version=wrapper.version).order_by("pk"):
        aad = pair.key_id.encode()
        der = wrapper.unwrap(bytes(pair.private_key_wrapped), version=pair.wrap_version, aad=aad)
        before = pair.wrap_version
        pair.wrap_version, pair.private_key_wrapped = wrapper.wrap(der, aad=aad)
        pair.save(update_fields=["wrap_version", "private_key_wrapped"])
        audit.record(actor=actor, action="crypto.key.rewrapped", target=pair,
                     before={"wrap_version": before}, after={"wrap_version": pair.wrap_version})
        count += 1
    return count


# --- use ------------------------------------------------------------------------------------------


def active_key(purpose: str) -> KeyPair:
    """The key that signs for ``purpose``. Raises NotFound if there is none."""
    pair = KeyPair.objects.filter(purpose=purpose, state=KeyPair.State.ACTIVE).first()
    if pair is None:
        raise NotFound(f"no active key for {purpose}")
    return pair


def _private_key(pair: KeyPair) -> sm.SM2PrivateKey:
    der = key_wrapper().unwrap(bytes(pair.private_key_wrapped), version=pair.wrap_version,
                               aad=pair.key_id.encode())
    return keys.load_private_key(der, check=False)  # authenticated by the wrapper (GCM, key id)


def sign(*, purpose: str, data: bytes) -> tuple[str, bytes]:
    """SM2-sign ``data`` (SM3, signer id 1234567812345678) with the active key of ``purpose``.

    Returns ``(key_id, DER signature)``; keep both. Raises NotFound without an active key and
    DecryptionFailed if the master key cannot unwrap it (wrong ``GOVHALL_MASTER_KEY``).
    """
    pair = active_key(purpose)
    return pair.key_id, sm.sm2_sign(_private_key(pair), data)


def public_key(key_id: str) -> sm.SM2PublicKey:
    """Raises NotFound for an unknown key id."""
    der = KeyPair.objects.filter(key_id=key_id).values_list("public_key_der", flat=True).first()
    if der is None:
        raise NotFound(f"no key {key_id}")
    return keys.load_public_key(bytes(der))


def verify(*, key_id: str, data: bytes, signature: bytes) -> bool:
    """True if ``signature`` is a valid SM2 signature of ``data`` by key ``key_id`` (active or
    retired). An unknown key id or malformed signature gives False, never an exception."""
    try:
        public = public_key(key_id)
    except NotFound:
        return False
    return sm.sm2_verify(public, data, signature)


def key_is_genuine(key_id: str) -> bool:
    """True if the private key of ``key_id`` opens under this platform's key wrapper and belongs to
    the stored public key: the pair was made by whoever holds the master key, not inserted into the
    table by someone who can only write to the database. Checks made inside the database (audit
    anchors) use it before trusting a signature by a key they find there. Never raises."""
    pair = KeyPair.objects.filter(key_id=key_id).first()
    if pair is None:
        return False
    try:
        private = _private_key(pair)
    except (sm.CryptoError, ValueError):
        return False
    return keys.public_key_to_der(private.public) == bytes(pair.public_key_der)


def public_key_pem(*, key_id: str) -> str:
    """The SubjectPublicKeyInfo PEM a third party needs for ``openssl pkeyutl -verify``."""
    return keys.public_key_to_pem(public_key(key_id))


def key_list(*, purpose: str | None = None):
    """Key pairs (newest first per purpose) for publication: id, purpose, state, fingerprint."""
    qs = KeyPair.objects.defer("private_key_wrapped")
    return qs.filter(purpose=purpose) if purpose else qs
